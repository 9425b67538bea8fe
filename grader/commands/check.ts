import path from 'node:path';
import { loadCourse, progressOf, updateProgress, type LoadedCourse } from '../course/course-file';
import { changed, recordCheck } from '../course/progress';
import { UsageError } from '../course/errors';
import { numberOf, pickExercise } from '../course/select';
import type { ExerciseSpec } from '../course/schema';
import { FULL_FAILURES, OUTPUT_HEADING, renderResult } from '../report/terminal';
import { JestProcess } from '../run/jest-process';
import type { TypecheckService } from '../run/typecheck';
import { describeLayers, learnerIsolation, shownLayers } from '../run/learner-isolation';
import { takePrestarted } from '../run/prestart';
import type { ExerciseResult } from '../run/result';
import { runExercise, type RunEvent } from '../run/run-exercise';
import { EXIT, type Command, type Context } from './command';
import { trace } from '../trace';

export function parseSeed(value: string | boolean | undefined): number | undefined {
  if (value === undefined || typeof value === 'boolean') return undefined;
  const seed = Number(value);
  if (!Number.isInteger(seed) || seed < 1 || seed > 2 ** 31 - 1) throw new UsageError(`--seed takes a whole number from 1 to ${2 ** 31 - 1}`);
  return seed;
}

/** A one-line live status in a terminal (nothing elsewhere): what is running, how many tests are done. */
export function liveProgress(ctx: Context, label: string): { onEvent: (e: RunEvent) => void; clear: () => void } {
  let expected = 0;
  let done = 0;
  let failed = 0;
  let phase = 'compiling';
  const draw = () => {
    if (!ctx.tty) return;
    const counts = expected ? ` ${done}/${expected}${failed ? ctx.c.red(` ${failed} failed`) : ''}` : '';
    process.stdout.write(`\r\x1b[2K${ctx.c.gray(`${label}: ${phase}${counts}`)}`);
  };
  return {
    onEvent(e) {
      if (e.type === 'phase') phase = e.phase === 'testing' ? 'running tests' : e.phase;
      if (e.type === 'expected') expected = e.count;
      if (e.type === 'test-result') {
        done++;
        if (e.test.status !== 'passed') failed++;
      }
      draw();
    },
    clear() {
      if (ctx.tty) process.stdout.write('\r\x1b[2K');
    },
  };
}

/** Runs the learner's check of one exercise and records the attempt in course.yaml. */
export async function checkExercise(
  ctx: Context,
  exercise: ExerciseSpec,
  options: { seed?: number; dir?: string; quiet?: boolean; jest?: JestProcess; typechecker?: TypecheckService; onEvent?: (e: RunEvent) => void },
): Promise<ExerciseResult> {
  // A fresh jest process starts loading jest while the code compiles; watch mode passes a warm one and keeps it.
  const jest = options.jest?.usable ? options.jest : (takePrestarted() ?? new JestProcess());
  const progress = options.quiet ? undefined : liveProgress(ctx, exercise.id);
  try {
    return await runExercise({
      courseRoot: ctx.root,
      exercise,
      implRoot: options.dir ? path.resolve(options.dir) : path.join(ctx.root, exercise.dir),
      seed: options.seed,
      jest,
      typechecker: options.typechecker,
      onEvent: (e) => {
        progress?.onEvent(e);
        options.onEvent?.(e);
      },
    });
  } finally {
    progress?.clear();
    if (jest !== options.jest) jest.close();
  }
}

/**
 * Saves a check's result in course.yaml (progress.ts's recordCheck). `asked`: the learner asked for this check;
 * only those count as attempts (watch's runs on a save do not).
 */
export async function recordAttempt(ctx: Context, result: ExerciseResult, how: { asked: boolean }): Promise<LoadedCourse> {
  const course = loadCourse(ctx.root);
  // A failure of the grading machinery is not the learner's: nothing to save.
  if (result.status === 'error') return course;
  const at = new Date().toISOString();
  return updateProgress(course, (p) => changed(p, recordCheck(p, result, { asked: how.asked, at })), [result.exercise]);
}

export const check: Command = {
  name: 'check',
  summary: 'run the hidden tests against your code and save your progress',
  usage: 'course check [id] [--all] [--seed N] [--json] [--dir PATH]',
  help: `Grades an exercise (the current one unless you name it): compiles your file, runs the hidden test
suite against it in a separate process, and prints each test's verdict with what went wrong.
Your attempt and best score are saved in course.yaml.

The first ${FULL_FAILURES} failing tests are shown with their evidence, the others one line each.
What your code prints (console.log, console.error) is shown under the failing test it printed during,
marked "${OUTPUT_HEADING.replace(/:$/, '')}" (the lines after a │).

Options:
  --all        every failure with its evidence, and the output of passing tests too (paged in a terminal)
  --seed N     replay a run exactly (the seed is printed when a check fails)
  --json       print the result as JSON (for scripts and editors; shape: docs/schemas/check.schema.json)
  --dir PATH   grade the files in PATH instead of the exercise folder (does not record progress)

On Linux the tests and your code run in a network namespace of their own (your code reaches only the
test's servers on its loopback, nothing else of this machine) and your code in a PID namespace of its own;
the last line says which layers were on. COURSE_NO_NETWORK_ISOLATION=1 turns the network layer off,
COURSE_NO_CHILD_ISOLATION=1 the PID layer.

Exit code: 0 all tests passed, 1 some failed (or the code does not compile / load), 2 usage or input
error, 3 the grader itself failed (not your code; nothing is recorded).`,
  options: { seed: { type: 'string' }, json: { type: 'boolean' }, dir: { type: 'string' }, all: { type: 'boolean' } },
  async run(ctx, positionals, values) {
    if (positionals.length > 1) throw new UsageError('check takes at most one exercise id');
    const course = loadCourse(ctx.root);
    const exercise = pickExercise(course, positionals[0], ctx.cwd);
    const seed = parseSeed(values.seed);
    const dir = typeof values.dir === 'string' ? values.dir : undefined;
    const previous = progressOf(exercise);
    const result = await checkExercise(ctx, exercise, { seed, dir, quiet: Boolean(values.json) });
    // A failure of the grading machinery is not an attempt of the learner's (recordAttempt saves nothing then).
    if (!dir) await recordAttempt(ctx, result, { asked: true });
    trace('progress saved');
    // Which layers the run had, as `course grade` says it (learner-isolation.ts).
    const isolation = learnerIsolation();
    if (values.json) ctx.print(JSON.stringify({ ...result, isolation: shownLayers(isolation) }, null, 2));
    else {
      const implRoot = dir ? path.resolve(dir) : path.join(ctx.root, exercise.dir);
      const all = values.all === true;
      const lines = [renderResult(ctx.c, result, exercise, numberOf(course, exercise), { implRoot, previous: dir ? undefined : previous, all }), ''];
      if (result.status === 'passed') lines.push(ctx.c.green(`Well done! Run ${ctx.c.bold('npx course next')} for the next exercise.`));
      else
        lines.push(
          `Edit ${ctx.c.cyan(path.join(exercise.dir, exercise.files[0]!))} and run ${ctx.c.bold('npx course check')} again. Stuck? ${ctx.c.bold('npx course hint')}`,
        );
      lines.push(ctx.c.gray(describeLayers(isolation)));
      // Everything at once is long: in a terminal it goes through the pager, as a lesson does.
      // (Loaded only then: lesson.ts brings the Markdown renderer, which a plain check does not need.)
      if (all) await (await import('./lesson.js')).page(ctx, `${lines.join('\n')}\n`);
      else ctx.print(lines.join('\n'));
    }
    return result.status === 'passed' ? EXIT.ok : result.status === 'error' ? EXIT.machinery : EXIT.failed;
  },
};
