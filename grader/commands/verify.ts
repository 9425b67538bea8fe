import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { loadCourse } from '../course/course-file';
import { exerciseById } from '../course/select';
import { UsageError } from '../course/errors';
import type { ExerciseSpec } from '../course/schema';
import { JestProcess } from '../run/jest-process';
import { Pool } from '../run/pool';
import { NOT_RUN_FAIL_FAST } from '../run/run-exercise';
import type { ExerciseResult } from '../run/result';
import { hiddenSuite, runGraded } from '../run/hidden';
import { prepareMutants } from '../run/mutants';
import { stateDir } from '../paths';
import { checkPoints, resolvePoints } from '../batch/points';
import { EXIT, type Command, type Context } from './command';

export interface VerifyRow {
  exercise: string;
  check: string;
  ok: boolean;
  detail: string;
}

/** Trusted jest processes kept warm across runs, one per lane (grader/run/pool.ts); a lane's process is replaced if a run killed it. */
function jestLanes(count: number): Pool<JestProcess> {
  return new Pool(count, { open: () => new JestProcess(), usable: (jest) => jest.usable, close: (jest) => jest.close() });
}

function failing(result: ExerciseResult): string[] {
  return result.tests.filter((t) => t.status !== 'passed').map((t) => `${t.fullName}: ${(t.message ?? t.status).split('\n')[0]}`);
}

async function verifyExercise(ctx: Context, exercise: ExerciseSpec, pool: Pool<JestProcess>, step: (what: string) => void): Promise<VerifyRow[]> {
  const rows: VerifyRow[] = [];
  const add = (check: string, ok: boolean, detail: string) => rows.push({ exercise: exercise.id, check, ok, detail });
  const root = ctx.root;
  const lesson = path.join(root, exercise.dir, 'README.md');
  add(
    'lesson',
    existsSync(lesson) && readFileSync(lesson, 'utf8').trim().length > 200,
    existsSync(lesson) ? path.relative(root, lesson) : `missing ${path.relative(root, lesson)}`,
  );
  add('hints', exercise.hints.length >= 2, `${exercise.hints.length} hint(s)${exercise.hints.length < 2 ? ' (at least 2 needed)' : ''}`);
  const missingFiles = [
    exercise.suite,
    ...(exercise.contract ? [exercise.contract] : []),
    ...exercise.files.flatMap((f) => [path.join(exercise.dir, f), path.join(exercise.solution, f)]),
    ...exercise.given.map((f) => path.join(exercise.dir, f)),
  ].filter((p) => !existsSync(path.join(root, p)));
  // Given helpers may be .ts, .js or .d.ts (schema.ts); each must be in the exercise folder, which ships.
  const given = exercise.given.length ? `, given helpers (${exercise.given.join(', ')})` : '';
  add('files', missingFiles.length === 0, missingFiles.length ? `missing: ${missingFiles.join(', ')}` : `suite, stub${given} and solution present`);
  if (missingFiles.length) return rows;

  const run = async (implRoot: string, typecheck = false, failFast = false) => {
    const r = await pool.with((lane) =>
      runGraded({ hidden: true, courseRoot: root, exercise, implRoot: path.join(root, implRoot), jest: lane.get(), typecheck, failFast }),
    );
    // verify never cancels its pool: every run it asks for runs.
    if (!r.ran) throw new Error('verify: the pool was cancelled');
    return r.value;
  };
  // The instructor-only suite, when there is one, runs after the visible one in every run below (solution, stub,
  // mutants): the solution must pass both, the stub fail every test of both, and mutants count as caught by either.
  const hidden = hiddenSuite(root, exercise);

  const mutants = prepareMutants(root, exercise, stateDir(root));
  // Every run of this exercise at once; the lanes bound how many go in parallel.
  step(`${exercise.id}: solution, stub and ${mutants.length} mutant(s)`);
  const [sol, stub, ...mutantResults] = await Promise.all([
    run(exercise.solution, true),
    run(exercise.dir, true),
    // A mutant is caught by its first failing test: the rest of its run is skipped (fail-fast), which cuts most
    // of verify's time. The solution and the stub always run every test.
    ...mutants.map((m) => (m.implRoot ? run(path.relative(root, m.implRoot), false, true) : Promise.resolve(undefined))),
  ]);

  const solTypes = sol!.diagnostics.filter((d) => d.kind === 'type');
  add(
    'solution passes',
    sol!.status === 'passed' && sol!.maxScore > 0,
    sol!.status === 'passed'
      ? `${sol!.score}/${sol!.maxScore} tests (seed ${sol!.seed})`
      : `${sol!.status} ${sol!.score}/${sol!.maxScore} (seed ${sol!.seed}): ${sol!.message ?? failing(sol!).slice(0, 3).join(' | ')}`,
  );
  const points = resolvePoints(exercise.points);
  if (points) {
    // The groups of points: name describe blocks the suite has, and leave no test or point stranded.
    const problems = sol!.tests.length ? checkPoints(points, sol!.tests) : ['the solution run reported no tests, so the points groups could not be checked'];
    const groups = Object.keys(points.groups);
    add(
      'points',
      problems.length === 0,
      problems.length
        ? problems.join(' | ')
        : `${points.total} points${groups.length ? ` (${groups.map((g) => `"${g}": ${points.groups[g]}`).join(', ')})` : ''}`,
    );
  }
  add(
    'solution type-checks',
    solTypes.length === 0,
    solTypes.length
      ? solTypes
          .slice(0, 2)
          .map((d) => `${d.file}:${d.line} ${d.message}`)
          .join(' | ')
      : 'no type errors',
  );
  if (sol!.maxScore < 15) add('suite size', false, `${sol!.maxScore} tests (at least 15 expected)`);
  if (hidden) {
    const h = sol!.hidden;
    add(
      'hidden suite',
      h !== undefined && h.status === 'passed' && h.maxScore > 0,
      h
        ? `${hidden}: solution ${h.score}/${h.maxScore} (${h.status}${h.message ? `: ${h.message.split('\n')[0]}` : ''}), stub ${stub!.hidden?.score ?? 0}/${stub!.hidden?.maxScore ?? 0}`
        : `${hidden} did not run`,
    );
  }

  const vacuous = stub!.tests.filter((t) => t.status === 'passed').map((t) => t.fullName);
  add(
    'stub fails every test',
    stub!.diagnostics.every((d) => d.kind !== 'syntax') && vacuous.length === 0 && stub!.maxScore === sol!.maxScore,
    stub!.diagnostics.some((d) => d.kind === 'syntax')
      ? 'the stub does not compile'
      : vacuous.length
        ? `vacuous (pass on the stub): ${vacuous.join(' | ')}`
        : `0/${stub!.maxScore} passed`,
  );
  const stubTypes = stub!.diagnostics.filter((d) => d.kind === 'type');
  add(
    'stub type-checks',
    stubTypes.length === 0,
    stubTypes.length
      ? stubTypes
          .slice(0, 2)
          .map((d) => `${d.file}:${d.line} ${d.message}`)
          .join(' | ')
      : 'no type errors',
  );

  if (!exercise.mutants) add('mutants', false, 'no mutants folder declared');
  else if (mutants.length < 6) add('mutants', false, `${mutants.length} mutant(s) in ${exercise.mutants} (at least 6 expected)`);
  mutants.forEach(({ name, error }, i) => {
    const m = mutantResults[i];
    if (!m) {
      add(`mutant ${name}`, false, error ?? 'could not be prepared');
      return;
    }
    const compiles = !m.diagnostics.some((d) => d.kind === 'syntax');
    const caught = m.tests.filter((t) => t.status !== 'passed' && t.message !== NOT_RUN_FAIL_FAST);
    add(
      `mutant ${name}`,
      compiles && m.status !== 'passed' && caught.length > 0,
      !compiles
        ? 'does not compile (a mutant must be a plausible program)'
        : caught.length
          ? `caught by "${caught[0]!.fullName}"${m.tests.some((t) => t.message === NOT_RUN_FAIL_FAST) ? ' (the tests after it skipped)' : ''}`
          : `NOT caught (seed ${m.seed})`,
    );
  });
  return rows;
}

export const verify: Command = {
  name: 'verify',
  summary: 'check the course itself: solutions pass, stubs fail, mutants are caught',
  usage: 'course verify [id...] [--jobs N] [--json]',
  help: `For course authors. For every exercise (or the ones named): the lesson and at least two hints exist,
the reference solution passes every hidden test and type-checks, the untouched stub fails every test (a test
that passes on the stub is vacuous), every mutant in its mutants folder fails at least one test, and the
exercise's \`points:\` groups name describe blocks of the suite with no test or point left over. An exercise's
instructor-only suite (<suite>.hidden.test.ts) runs with the visible one in each of these runs.
course.yaml itself is validated on load.

Options:
  --jobs N   runs in parallel (default 2; each suite is built to pass with another copy running beside it)
  --json     print the rows as JSON

Exit code: 0 when everything holds, 1 on any violation.`,
  options: { json: { type: 'boolean' }, jobs: { type: 'string' } },
  async run(ctx, positionals, values) {
    const course = loadCourse(ctx.root);
    const jobs = values.jobs === undefined ? 2 : Number(values.jobs);
    if (!Number.isInteger(jobs) || jobs < 1 || jobs > 16) throw new UsageError('--jobs takes a whole number from 1 to 16');
    const exercises = positionals.length ? positionals.map((id) => exerciseById(course, id)) : course.data.exercises;
    const noSolution = exercises.find((e) => !existsSync(path.join(ctx.root, e.solution)));
    if (noSolution) {
      throw new UsageError(
        `verify needs the reference solutions, and ${noSolution.solution} is missing: this looks like a learners' copy (course release); run verify in the authors' repository`,
      );
    }
    const pool = jestLanes(jobs);
    const rows: VerifyRow[] = [];
    const step = (what: string) => {
      if (values.json) return;
      if (ctx.tty) process.stdout.write(`\r\x1b[2K${ctx.c.gray(`verifying ${what}…`)}`);
      else ctx.print(`verifying ${what}…`);
    };
    try {
      for (const exercise of exercises) rows.push(...(await verifyExercise(ctx, exercise, pool, step)));
    } finally {
      pool.close();
      if (ctx.tty && !values.json) process.stdout.write('\r\x1b[2K');
    }
    const bad = rows.filter((r) => !r.ok);
    if (values.json) {
      ctx.print(JSON.stringify({ ok: bad.length === 0, rows }, null, 2));
    } else {
      const w1 = Math.max(...rows.map((r) => r.exercise.length));
      const w2 = Math.max(...rows.map((r) => r.check.length));
      for (const r of rows) {
        ctx.print(
          `${r.ok ? ctx.c.green('✓') : ctx.c.red('✗')} ${r.exercise.padEnd(w1)}  ${r.check.padEnd(w2)}  ${r.ok ? ctx.c.gray(r.detail) : ctx.c.red(r.detail)}`,
        );
      }
      ctx.print();
      ctx.print(`verify: ${rows.length - bad.length} passed, ${bad.length} failed`);
    }
    return bad.length ? EXIT.failed : EXIT.ok;
  },
};
