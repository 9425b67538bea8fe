import { existsSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SingleBar } from 'cli-progress';
import { loadCourse } from '../course/course-file';
import { AnomalyError, UsageError } from '../course/errors';
import { toMs } from '../course/schema';
import { DEFAULT_LIMITS, DuplicateSubmissionError } from '../batch/intake';
import type { Gradebook } from '../batch/model';
import { BatchInputError, CanaryError, OutputBusyError, parseShard, runBatch, withOutputLock, type BatchEvent, type BatchOptions } from '../batch/run-batch';
import { LateError, parseIsoTime, parseLatePolicy } from '../batch/late';
import { readRoster, RosterError } from '../batch/roster';
import { TIMES_FILE } from '../batch/submitted-at';
import type { Lms, LmsOptions, MoodleId } from '../report/lms';
import { BLOCK_SIZE, UidBlockError } from '../batch/uid-block';
import { renderBatchSummary } from '../report/batch-summary';
import { writeOutputs, type GradescopeHidden } from '../report/gradebook';
import { visibleOneLine } from '../report/safe-text';
import { assignmentMeta, SelectionError, selectExercises, splitIds, type Selection } from '../batch/assignment';
import type { AssignmentSpec, CourseData } from '../course/schema';
import { parseSeed } from './check';
import { EXIT, type Command, type Context } from './command';

function positiveInt(value: string | boolean | undefined, name: string, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined || typeof value === 'boolean') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max)
    throw new UsageError(max === Number.MAX_SAFE_INTEGER ? `${name} takes a whole number ≥ 1` : `${name} takes a whole number from 1 to ${max}`);
  return n;
}

/** --lms canvas|moodle (or both, comma-separated) and its options; shared with `course merge`. */
export function parseLmsFlags(values: Record<string, string | boolean | string[] | undefined>): { lms: Lms[]; lmsOptions: LmsOptions } {
  const lms: Lms[] = [];
  if (typeof values.lms === 'string') {
    for (const name of values.lms
      .split(',')
      .map((x) => x.trim().toLowerCase())
      .filter(Boolean)) {
      if (name !== 'canvas' && name !== 'moodle') throw new UsageError(`--lms takes canvas or moodle (or canvas,moodle), not "${name}"`);
      if (!lms.includes(name)) lms.push(name);
    }
  }
  const moodleId = values['moodle-id'];
  if (moodleId !== undefined && !['email', 'idnumber', 'username'].includes(String(moodleId)))
    throw new UsageError('--moodle-id takes email, idnumber or username');
  const assignment = typeof values['lms-assignment'] === 'string' ? values['lms-assignment'] : undefined;
  return { lms, lmsOptions: { assignment, moodleId: moodleId as MoodleId | undefined } };
}

/** --only a,b --only c: the names, once each. */
function parseOnly(value: string | boolean | string[] | undefined): string[] | undefined {
  if (value === undefined || typeof value === 'boolean') return undefined;
  const names = (Array.isArray(value) ? value : [value])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
  if (!names.length) throw new UsageError('--only takes learner names (submission names), e.g. --only alice,bob');
  return [...new Set(names)];
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
            format: 'grading [{bar}] {value}/{total} | passed {passed} not passed {failed} machinery errors {errors} | ETA {eta_formatted}',
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
      else if (o.status !== 'error') counts.failed++;
      else counts.errors++;
      if (quiet) return;
      if (bar) bar.update(done, counts);
      else if (!e.resumed)
        ctx.print(
          `[${done}/${total}] ${visibleOneLine(e.learner)} ${o.exercise}: ${o.status} ${o.score}/${o.maxScore}${o.message && o.status !== 'passed' ? ` — ${visibleOneLine(o.message.split('\n')[0]!.slice(0, 120))}` : ''}`,
        );
    },
    stop() {
      bar?.stop();
    },
  };
}

type Flags = Record<string, string | boolean | string[] | undefined>;

/** The submissions folder, --out, --shard and --timeout, checked. */
function readInputs(positionals: string[], values: Flags, usage: string): Pick<BatchOptions, 'submissionsDir' | 'outDir' | 'shard' | 'timeoutMs'> {
  if (positionals.length !== 1) {
    // (No folder at all is the first thing a new instructor types: show how the command is called.)
    const why = positionals.length ? `grade takes one submissions folder, not ${positionals.length}` : 'grade needs the submissions folder';
    throw new UsageError(`${why}\nUsage: ${usage}\n(\`npx course grade --help\` explains every option)`);
  }
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
  return { submissionsDir, outDir, ...(shard ? { shard } : {}), ...(timeoutMs !== undefined ? { timeoutMs } : {}) };
}

/** --gradescope-hidden: how Gradescope shows instructor-only tests. */
function gradescopeHidden(values: Flags): GradescopeHidden {
  const v = values['gradescope-hidden'];
  if (v === undefined) return 'hidden';
  if (v === 'hidden' || v === 'after_published') return v;
  throw new UsageError('--gradescope-hidden takes hidden or after_published');
}

/** --assignment ID or --exercises a,b: what this run grades. */
function select(course: CourseData, values: Flags): Selection {
  try {
    return selectExercises(course, {
      ...(typeof values.assignment === 'string' ? { assignment: values.assignment.trim() } : {}),
      ...(values.exercises !== undefined && typeof values.exercises !== 'boolean' ? { exercises: splitIds(values.exercises) } : {}),
    });
  } catch (err) {
    if (err instanceof SelectionError) throw new UsageError(err.message);
    throw err;
  }
}

function readRosterFlag(values: Flags): BatchOptions['roster'] {
  if (typeof values.roster !== 'string') return undefined;
  try {
    return { file: path.resolve(values.roster), entries: readRoster(path.resolve(values.roster)) };
  } catch (err) {
    if (err instanceof RosterError) throw new UsageError(err.message);
    throw err;
  }
}

/** --deadline, --late, --submitted-at; an assignment's `due:` and `late:` unless the flags say otherwise. */
function readDeadline(values: Flags, submissionsDir: string, assignment: AssignmentSpec | undefined): BatchOptions['deadline'] {
  const due = typeof values.deadline === 'string' ? values.deadline : assignment?.due;
  const dueWhat = typeof values.deadline === 'string' ? '--deadline' : `due of assignment ${assignment?.id ?? ''}`;
  try {
    if (due === undefined) {
      if (values.late !== undefined || values['submitted-at'] !== undefined) throw new UsageError('--late and --submitted-at need --deadline');
      return undefined;
    }
    const policyText = typeof values.late === 'string' ? values.late : (assignment?.late ?? 'none');
    let timesFile: string | undefined;
    if (typeof values['submitted-at'] === 'string') {
      timesFile = path.resolve(values['submitted-at']);
      if (!existsSync(timesFile)) throw new UsageError(`--submitted-at: not found: ${values['submitted-at']}`);
    } else if (existsSync(path.join(submissionsDir, TIMES_FILE))) timesFile = path.join(submissionsDir, TIMES_FILE);
    return { at: parseIsoTime(due, dueWhat), policy: parseLatePolicy(policyText), policyText, timesFile };
  } catch (err) {
    if (err instanceof LateError) throw new UsageError(err.message);
    throw err;
  }
}

/** The batch, with its errors turned into the CLI's exit codes. */
async function gradeBatch(options: BatchOptions, stopProgress: () => void): Promise<Gradebook> {
  try {
    return await runBatch(options);
  } catch (err) {
    if (err instanceof DuplicateSubmissionError) throw new UsageError(err.message);
    if (err instanceof UidBlockError) throw new UsageError(err.message);
    if (err instanceof CanaryError) throw new AnomalyError(err.message);
    if (err instanceof BatchInputError || err instanceof LateError) throw new UsageError(err.message);
    throw err;
  } finally {
    stopProgress();
  }
}

function printSummary(ctx: Context, book: Gradebook, outDir: string, lms: Lms[], lmsOptions: LmsOptions): void {
  ctx.print();
  ctx.print(renderBatchSummary(ctx.c, book));
  ctx.print();
  const lmsFiles = [lms.includes('canvas') ? 'canvas-grades.csv' : '', lms.includes('moodle') ? 'moodle-grades.csv' : ''].filter(Boolean);
  ctx.print(
    `Wrote ${path.join(outDir, 'grades.csv')}, results/, junit.xml${lmsFiles.length ? `, ${lmsFiles.join(', ')}` : ''} and ${ctx.c.cyan(path.join(outDir, 'report.html'))}`,
  );
  if (lms.includes('moodle') && existsSync(path.join(outDir, 'moodle-not-imported.csv'))) {
    ctx.print(
      ctx.c.yellow(
        `Some learners cannot go into Moodle's import (not in the roster, or no ${lmsOptions.moodleId ?? 'email'}): see ${path.join(outDir, 'moodle-not-imported.csv')}`,
      ),
    );
  }
}

export const grade: Command = {
  name: 'grade',
  summary: 'batch-grade a class: parallel, isolated, resumable; gradebook and HTML report',
  usage:
    'course grade <submissions> --out <dir> [--assignment ID | --exercises IDS] [--jobs N] [--shard i/n] [--roster FILE] [--lms canvas|moodle] [--deadline ISO] [--late POLICY] [--only NAMES] [--gradescope] [--exercism] [--json]',
  help: `For instructors. <submissions> holds one entry per learner (the learner id is the entry name): a folder
(a copy of the course repository or just its exercises/), a .zip, or a .tar.gz. Only the graded files named
in course.yaml are taken from a submission; its configs and any copy of the suites are ignored. A submission
with "..", absolute paths, symlinks, hard links, devices or oversized files/archives is rejected.

Before grading anyone, each exercise's reference solution runs through the same layers and work folder (the
canary): if one does not get full marks, the setup is at fault and nothing is graded (exit code 3).

Every submission × exercise runs through the same runner as \`course check\`, in a pool of workers, each with
a long-lived trusted jest process. On Linux every jest worker runs in its own network (loopback only) and PID
namespaces, and the code under test in a session and PID namespace of its own with prlimit limits (without
root, through unprivileged user namespaces where the OS allows them). As root, the code under test also runs
as an unprivileged uid, inside a per-worker cgroup with memory and process limits where the host offers
cgroups. The layers that are unavailable are named once, and the summary lists the layers that were on. Each
run as root holds its own block of uids (61000 + 100k + worker), so concurrent runs do not share process
limits. Threat model and layers: docs/SECURITY.md.

Every finished run is appended to <dir>/checkpoint.jsonl: re-running the same command resumes (runs with the
same suite and the same files are not graded again). One run at a time writes to a <dir>: a second one is
refused while the first is alive (the lock of a run that was killed is taken over).

A run whose suite changed since the checkpoint's (the suite hash is recorded with each run) is graded again,
for every learner, and the run says so; --only grades the named learners again whatever the checkpoint holds.
The report shows which runs were graded by this invocation and which came from the checkpoint.

Points: each exercise is worth its \`points:\` in course.yaml (a number, or a total with points per describe
block; partial credit in proportion within a block), else 10 points shared by its tests. Every output shows the
points, the maximum and the percentage; test counts stay beside them.

Assignments (--assignment ID): course.yaml's \`assignments:\` name the exercises of each assignment, what it is
worth (\`points:\`, shared equally by its exercises, or per exercise), its \`due:\` date and \`late:\` policy.
--assignment grades only those exercises, with that due date and policy (--deadline and --late override them);
the LMS column is the assignment's title with its points possible, and the feedback covers only its exercises.
--exercises a,b grades an ad-hoc set with the exercises' own points. Give each assignment its own --out.

Roster (--roster FILE): a CSV file with a header row; columns (any order): submission (the entry name in
<submissions>; a GitHub Classroom clone "<assignment>-<user>" also matches the user name), name (or first_name,
last_name), lms_id, sis_user_id, sis_login_id, email, idnumber, username, section, extension. Roster learners
without a submission and submissions not in the roster are listed in every output.

LMS (--lms canvas|moodle, needs --roster): canvas-grades.csv has the columns of Canvas's gradebook export
(Student, ID, SIS User ID, SIS Login ID, Section, then the assignment, "Name (id)" to update an existing one,
with a "Points Possible" row); moodle-grades.csv has Moodle's grade import columns (First name, Last name, the
identifier, the grade item). Moodle aborts an import on an unknown user, so submissions not in the roster (or
without the identifier) go to moodle-not-imported.csv. The value is the points after any late deduction; a
roster learner without a submission gets 0, or an empty cell while their deadline is still ahead.

Deadlines (--deadline ISO time with a time zone): the submission time is the committer time of HEAD of a git
submission (a GitHub Classroom bulk clone; git runs with hooks, config programs and fetches disabled), else the
row of ${TIMES_FILE} in <submissions> (columns submission,submitted_at; or --submitted-at FILE), else the
newest entry of the archive (or file of the folder). Commit and file times come from the learner's machine:
for times nobody can forge, export the LMS's submission times into that file. A roster extension ("2d", "36h",
a number of days, or an ISO time) moves that learner's deadline. --late: none (default: shown, no deduction),
zero, or e.g. 10%/day, 5%/hour, 10%/day,max=3d (0 points when later), with ,grace=15m; a deduction is a share
of the points earned, per started day (hour).

Writes into <dir>: grades.csv, results/<learner>.json, junit.xml, report.html, gradebook.json,
feedback/<learner>.md and .html (to hand back: per exercise the score, each failed test as \`course check\`
shows it, the seed to replay; nothing of the suites' source), similarity.json (pairs of submissions of one
exercise that look copied: a hint for a human, never a grade change; also in report.html, side by side),
submitted-code.json (the graded files, for \`course merge\`'s similarity check), scores-visible-hidden.csv when
an exercise has an instructor-only suite (<suite>.hidden.test.ts, run after the visible one and scored apart),
and with the flags gradescope/<learner>/results.json, exercism/<learner>/results.json, canvas-grades.csv,
moodle-grades.csv.

Similarity compares each exercise's submissions with each other and with the reference solution (a copy of it
is reported on its own, as "copy of the reference solution"). The starter files, whose code counts for nothing,
and the reference solutions are the course's as committed (HEAD) when the course is a git checkout: an exercise
tried or a stub edited in the grading checkout changes no flag. Outside git there is no commit to read: the
working tree is used as it is, and the run, similarity.json and report.html say so.

For learners: feedback/, gradescope/ and exercism/ (and GitHub Classroom's results) carry the instructor-only
tests' score only, never their names, messages or inputs (Gradescope gets those tests with "visibility":
"hidden": the instructor sees them, a learner never does). results/, report.html, junit.xml and similarity.json
are the instructor's and hold everything.

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
  --assignment ID   grade one assignment of course.yaml (its exercises, points, due date, late policy)
  --exercises IDS   grade only these exercises (comma-separated or repeated)
  --only NAMES      grade these submissions again whatever the checkpoint holds (comma-separated or repeated)
  --roster FILE     the class roster (CSV, see above)
  --lms NAME        also write the import file of canvas or moodle (or canvas,moodle); needs --roster
  --lms-assignment T   the assignment column, e.g. "Lab 3 (4711)" (default: the course title)
  --moodle-id F     the column Moodle matches users on: email (default), idnumber or username
  --deadline ISO    the deadline, e.g. 2026-03-01T23:59:00-05:00
  --late POLICY     none (default), zero, 10%/day, 10%/day,max=3d, ...,grace=15m
  --submitted-at F  the metadata file of submission times (default: <submissions>/${TIMES_FILE} if present)
  --no-isolation    do not use namespaces, setpriv or prlimit even when available
  --no-canary       skip the reference-solution check before grading
  --gradescope      also write Gradescope results.json per learner
  --gradescope-hidden V   instructor-only tests in it: hidden (default: never shown to learners) or
                    after_published (shown once grades are published)
  --exercism        also write Exercism (v3) results.json per learner
  --json            print the gradebook as JSON instead of the summary

Statuses per exercise: passed, failed, compile-error, load-error (the module threw or hung while loading),
timeout, tampered, not submitted, rejected, and error: the grading machinery failed (never charged to the
learner; such runs are not checkpointed, so running the same command again grades only them).

More than one machine: --shard on each and \`course merge\`; recipes for GitHub Actions and Kubernetes, with
their exact commands, in docs/SCALING.md and deploy/.

Exit code: 0 when every submission was graded (whatever the scores), 2 usage or input error, 3 when the
grading machinery failed: the canary failed, or some run has status "error".`,
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
    only: { type: 'string', multiple: true },
    assignment: { type: 'string' },
    exercises: { type: 'string', multiple: true },
    roster: { type: 'string' },
    lms: { type: 'string' },
    'lms-assignment': { type: 'string' },
    'moodle-id': { type: 'string' },
    deadline: { type: 'string' },
    late: { type: 'string' },
    'submitted-at': { type: 'string' },
    'no-isolation': { type: 'boolean' },
    'no-canary': { type: 'boolean' },
    gradescope: { type: 'boolean' },
    'gradescope-hidden': { type: 'string' },
    exercism: { type: 'boolean' },
    json: { type: 'boolean' },
  },
  async run(ctx, positionals, values) {
    const raw = values as Flags;
    const inputs = readInputs(positionals, raw, this.usage);
    const course = loadCourse(ctx.root);
    const selection = select(course.data, raw);
    const assignment = selection.assignment ? assignmentMeta(selection.assignment, course.data.exercises) : undefined;
    const { lms, lmsOptions } = parseLmsFlags(raw);
    const roster = readRosterFlag(raw);
    if (lms.length && !roster) throw new UsageError('--lms needs --roster (the LMS ids, names and emails come from it)');
    const deadline = readDeadline(raw, inputs.submissionsDir, selection.assignment);
    const quiet = Boolean(values.json);
    const bar = progress(ctx, quiet);
    const options: BatchOptions = {
      courseRoot: ctx.root,
      courseTitle: course.data.title,
      exercises: selection.exercises,
      ...(assignment ? { assignment } : {}),
      ...inputs,
      jobs: positiveInt(values.jobs, '--jobs', Math.min(BLOCK_SIZE, Math.max(1, os.availableParallelism?.() ?? os.cpus().length)), BLOCK_SIZE),
      heapMb: positiveInt(values['heap-mb'], '--heap-mb', 256),
      memoryMb: values['memory-mb'] === undefined ? undefined : positiveInt(values['memory-mb'], '--memory-mb', 1024),
      limits: { ...DEFAULT_LIMITS, maxFileBytes: positiveInt(values['max-file-kb'], '--max-file-kb', DEFAULT_LIMITS.maxFileBytes / 1024) * 1024 },
      seed: parseSeed(values.seed),
      typecheck: Boolean(values.typecheck),
      isolation: !values['no-isolation'],
      canary: !values['no-canary'],
      only: parseOnly(raw.only),
      roster,
      deadline,
      onEvent: bar.onEvent,
      onNotice: (text) => process.stderr.write(`${ctx.c.yellow(text)}\n`),
    };
    let book: Gradebook;
    try {
      book = await withOutputLock(inputs.outDir, async () => {
        const graded = await gradeBatch(options, bar.stop);
        writeOutputs(graded, inputs.outDir, {
          gradescope: Boolean(values.gradescope),
          gradescopeHidden: gradescopeHidden(raw),
          exercism: Boolean(values.exercism),
          lms,
          lmsOptions,
        });
        return graded;
      });
    } catch (err) {
      if (err instanceof OutputBusyError) throw new UsageError(err.message);
      throw err;
    }
    if (quiet) ctx.print(JSON.stringify({ meta: book.meta, learners: book.learners }, null, 2));
    else printSummary(ctx, book, inputs.outDir, lms, lmsOptions);
    return book.learners.some((l) => l.status === 'error') ? EXIT.anomaly : EXIT.ok;
  },
};
