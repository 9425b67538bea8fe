import { existsSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SingleBar } from 'cli-progress';
import { loadCourse } from '../course/course-file';
import { UsageError } from '../course/errors';
import { toMs } from '../course/schema';
import { DEFAULT_LIMITS } from '../batch/intake';
import type { Gradebook } from '../batch/model';
import { OutputBusyError, parseShard, runBatch, withOutputLock, type BatchEvent } from '../batch/run-batch';
import { BLOCK_SIZE, UidBlockError } from '../batch/uid-block';
import { renderBatchSummary } from '../report/batch-summary';
import { writeOutputs } from '../report/gradebook';
import { parseSeed } from './check';
import { EXIT, type Command, type Context } from './command';

function positiveInt(value: string | boolean | undefined, name: string, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined || typeof value === 'boolean') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new UsageError(max === Number.MAX_SAFE_INTEGER ? `${name} takes a whole number ≥ 1` : `${name} takes a whole number from 1 to ${max}`);
  return n;
}

/** Progress: a bar in a terminal, one plain line per finished run elsewhere. */
function progress(ctx: Context, quiet: boolean): { onEvent: (e: BatchEvent) => void; stop: () => void } {
  let bar: SingleBar | undefined;
  let total = 0;
  let done = 0;
  const counts = { passed: 0, failed: 0, errors: 0 };
  return {
    onEvent(e) {
      if (e.type === 'start') {
        total = e.total;
        if (quiet) return;
        const head = `grading ${e.learners} submission(s)${e.rejected ? ` (${e.rejected} rejected at intake)` : ''}: ${e.total} run(s)${e.resumed ? `, ${e.resumed} already in the checkpoint` : ''}`;
        ctx.print(head);
        if (ctx.tty) {
          bar = new SingleBar({
            format: 'grading [{bar}] {value}/{total} | passed {passed} failed {failed} errors {errors} | ETA {eta_formatted}',
            stream: process.stdout,
            hideCursor: true,
            clearOnComplete: true,
            etaBuffer: 50,
          });
          bar.start(total, 0, counts);
        }
        return;
      }
      done++;
      const o = e.outcome;
      if (o.status === 'passed') counts.passed++;
      else if (o.status === 'failed' || o.status === 'not submitted') counts.failed++;
      else counts.errors++;
      if (quiet) return;
      if (bar) bar.update(done, counts);
      else if (!e.resumed) ctx.print(`[${done}/${total}] ${e.learner} ${o.exercise}: ${o.status} ${o.score}/${o.maxScore}${o.message && o.status !== 'passed' ? ` — ${o.message.split('\n')[0]!.slice(0, 120)}` : ''}`);
    },
    stop() {
      bar?.stop();
    },
  };
}

export const grade: Command = {
  name: 'grade',
  summary: 'batch-grade a class: parallel, isolated, resumable; gradebook and HTML report',
  usage: 'course grade <submissions> --out <dir> [--jobs N] [--shard i/n] [--gradescope] [--exercism] [--json]',
  help: `For instructors. <submissions> holds one entry per learner (the learner id is the entry name): a folder
(a copy of the course repository or just its exercises/), a .zip, or a .tar.gz. Only the graded files named
in course.yaml are taken from a submission; its configs and any copy of the suites are ignored. A submission
with "..", absolute paths, symlinks, hard links, devices or oversized files/archives is rejected.

Every submission × exercise runs through the same runner as \`course check\`, in a pool of workers, each with
a long-lived trusted jest process. As root on Linux, every jest worker runs in its own network (loopback
only) and PID namespaces and the code under test runs as an unprivileged uid with prlimit limits, inside a
per-worker cgroup with memory and process limits where the host offers cgroups; the layers that are
unavailable are named once. Each run holds its own block of uids (61000 + 100k + worker), so
concurrent runs on one machine do not share process limits.

Every finished run is appended to <dir>/checkpoint.jsonl: re-running the same command resumes (runs with the
same suite and the same files are not graded again). One run at a time writes to a <dir>: a second one is
refused while the first is alive (the lock of a run that was killed is taken over).

Writes into <dir>: grades.csv, results/<learner>.json, junit.xml, report.html, gradebook.json,
feedback/<learner>.md and .html (to hand back: per exercise the score, each failed test as \`course check\`
shows it, the seed to replay; nothing of the suites' source), similarity.json (pairs of submissions of one
exercise that look copied: a hint for a human, never a grade change; also in report.html, side by side),
submitted-code.json (the graded files, for \`course merge\`'s similarity check), scores-visible-hidden.csv when
an exercise has an instructor-only suite (<suite>.hidden.test.ts, run after the visible one and scored apart),
and with the flags gradescope/<learner>/results.json, exercism/<learner>/results.json.

Options:
  --out DIR         output folder (required)
  --jobs N          parallel workers, at most 100 (default: the number of cores)
  --shard i/n       grade only the i-th of n shares of the submissions (sorted by id); join with \`course merge\`
  --timeout D       time limit per exercise run, e.g. 30s (default: each exercise's timeout in course.yaml)
  --heap-mb N       V8 heap of the process running a submission (default 256)
  --memory-mb N     memory cap of that process, Buffers included (default heap + 768, at least 1024)
  --max-file-kb N   largest file accepted in a submission (default ${DEFAULT_LIMITS.maxFileBytes / 1024})
  --seed N          one seed for every run (default: derived from learner and exercise, so reruns replay)
  --typecheck       also type-check every submission (feedback in results/; slower)
  --no-isolation    do not use namespaces, setpriv or prlimit even when available
  --gradescope      also write Gradescope results.json per learner
  --exercism        also write Exercism (v3) results.json per learner
  --json            print the gradebook as JSON instead of the summary

Exit code: 0 when every submission was graded (whatever the scores), 1 when a run could not be completed
for some submission (status "error"), 2 usage or input error.`,
  options: {
    out: { type: 'string' },
    jobs: { type: 'string' },
    shard: { type: 'string' },
    timeout: { type: 'string' },
    'heap-mb': { type: 'string' },
    'memory-mb': { type: 'string' },
    'max-file-kb': { type: 'string' },
    seed: { type: 'string' },
    typecheck: { type: 'boolean' },
    'no-isolation': { type: 'boolean' },
    gradescope: { type: 'boolean' },
    exercism: { type: 'boolean' },
    json: { type: 'boolean' },
  },
  async run(ctx, positionals, values) {
    if (positionals.length !== 1) throw new UsageError('grade takes one submissions folder');
    const submissionsDir = path.resolve(positionals[0]!);
    if (!existsSync(submissionsDir) || !statSync(submissionsDir).isDirectory()) throw new UsageError(`not a folder: ${positionals[0]}`);
    if (typeof values.out !== 'string') throw new UsageError('--out <dir> is required');
    const outDir = path.resolve(values.out);
    if (outDir === submissionsDir || outDir.startsWith(submissionsDir + path.sep)) throw new UsageError('--out must not be inside the submissions folder');
    if (submissionsDir.startsWith(outDir + path.sep)) throw new UsageError('the submissions folder must not be inside --out');
    const shard = typeof values.shard === 'string' ? parseShard(values.shard) : undefined;
    if (typeof values.shard === 'string' && !shard) throw new UsageError('--shard takes i/n with 1 ≤ i ≤ n, e.g. --shard 2/3');
    let timeoutMs: number | undefined;
    if (typeof values.timeout === 'string') {
      if (!/^\d+(\.\d+)?\s*(ms|s|m)$/.test(values.timeout)) throw new UsageError('--timeout takes a duration like 30s, 1500ms or 2m');
      timeoutMs = toMs(values.timeout);
    }
    const course = loadCourse(ctx.root);
    const quiet = Boolean(values.json);
    const bar = progress(ctx, quiet);
    const grade = async (): Promise<Gradebook> => {
      try {
        return await runBatch({
          courseRoot: ctx.root,
          courseTitle: course.data.title,
          exercises: course.data.exercises,
          submissionsDir,
          outDir,
          jobs: positiveInt(values.jobs, '--jobs', Math.min(BLOCK_SIZE, Math.max(1, os.availableParallelism?.() ?? os.cpus().length)), BLOCK_SIZE),
          shard,
          timeoutMs,
          heapMb: positiveInt(values['heap-mb'], '--heap-mb', 256),
          memoryMb: values['memory-mb'] === undefined ? undefined : positiveInt(values['memory-mb'], '--memory-mb', 1024),
          limits: { ...DEFAULT_LIMITS, maxFileBytes: positiveInt(values['max-file-kb'], '--max-file-kb', DEFAULT_LIMITS.maxFileBytes / 1024) * 1024 },
          seed: parseSeed(values.seed),
          typecheck: Boolean(values.typecheck),
          isolation: !values['no-isolation'],
          onEvent: bar.onEvent,
          onNotice: (text) => process.stderr.write(`${ctx.c.yellow(text)}\n`),
        });
      } catch (err) {
        if (err instanceof Error && err.message.startsWith('more than one submission')) throw new UsageError(err.message);
        if (err instanceof UidBlockError) throw new UsageError(err.message);
        throw err;
      } finally {
        bar.stop();
      }
    };
    let book: Gradebook;
    try {
      book = await withOutputLock(outDir, async () => {
        const graded = await grade();
        writeOutputs(graded, outDir, { gradescope: Boolean(values.gradescope), exercism: Boolean(values.exercism) });
        return graded;
      });
    } catch (err) {
      if (err instanceof OutputBusyError) throw new UsageError(err.message);
      throw err;
    }
    if (quiet) ctx.print(JSON.stringify({ meta: book.meta, learners: book.learners }, null, 2));
    else {
      ctx.print();
      ctx.print(renderBatchSummary(ctx.c, book));
      ctx.print();
      ctx.print(`Wrote ${path.join(outDir, 'grades.csv')}, results/, junit.xml and ${ctx.c.cyan(path.join(outDir, 'report.html'))}`);
    }
    return book.learners.some((l) => l.status === 'error') ? EXIT.failed : EXIT.ok;
  },
};
