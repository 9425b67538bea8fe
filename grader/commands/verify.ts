import { randomInt } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { loadCourse } from '../course/course-file';
import { exerciseById } from '../course/select';
import { UsageError } from '../course/errors';
import type { ExerciseSpec } from '../course/schema';
import { JestProcess } from '../run/jest-process';
import { Pool } from '../run/pool';
import type { Diagnostic, ExerciseResult } from '../run/result';
import { hiddenSuite, runGraded } from '../run/hidden';
import { prepareMutants, type Mutant } from '../run/mutants';
import { lessonProblems, loadRequirements, requirementsPath, type Requirement } from '../course/requirements';
import { coverage, coverageTable, mutantFinding, testFindings, type Coverage, type MutantRuns } from '../course/coverage';
import { acrossSeedsFindings, moreSeeds, type SeedRuns } from '../course/across-seeds';
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

type Add = (check: string, ok: boolean, detail: string) => void;
type Run = (implRoot: string, options?: { typecheck?: boolean; failFast?: boolean; focus?: string[]; seed?: number }) => Promise<ExerciseResult>;

/** The lesson, the hints and every file the exercise names; false when a file is missing (nothing can run). */
function checkFiles(root: string, exercise: ExerciseSpec, add: Add): boolean {
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
  return missingFiles.length === 0;
}

/** requirements.yaml loads and quotes its lesson; undefined (and a failing row) when it is missing or invalid. */
function checkRequirements(root: string, exercise: ExerciseSpec, number: number, add: Add): Requirement[] | undefined {
  let requirements: Requirement[] | undefined;
  try {
    requirements = loadRequirements(root, exercise);
  } catch (err) {
    add('requirements', false, (err as Error).message);
    return undefined;
  }
  if (!requirements) {
    add(
      'requirements',
      false,
      `missing ${requirementsPath(exercise)}: every sentence of the lesson that says what the code must do needs an id (docs/AUTHORING.md)`,
    );
    return undefined;
  }
  const lesson = path.join(root, exercise.dir, 'README.md');
  const problems = existsSync(lesson) ? lessonProblems(requirements, readFileSync(lesson, 'utf8'), number) : [];
  for (const p of problems) add('requirements', false, p);
  if (!problems.length) add('requirements', true, `${requirements.length} in ${requirementsPath(exercise)}, each quoting its lesson section`);
  return requirements;
}

function diagnosticsDetail(diagnostics: Diagnostic[]): string {
  return diagnostics.length
    ? diagnostics
        .slice(0, 2)
        .map((d) => `${d.file}:${d.line} ${d.message}`)
        .join(' | ')
    : 'no type errors';
}

/** The solution passes both suites and type-checks; its points groups hold; the stub fails every test. */
function checkSolutionAndStub(root: string, exercise: ExerciseSpec, sol: ExerciseResult, stub: ExerciseResult, add: Add): void {
  add(
    'solution passes',
    sol.status === 'passed' && sol.maxScore > 0,
    sol.status === 'passed'
      ? `${sol.score}/${sol.maxScore} tests (seed ${sol.seed})`
      : `${sol.status} ${sol.score}/${sol.maxScore} (seed ${sol.seed}): ${sol.message ?? failing(sol).slice(0, 3).join(' | ')}`,
  );
  const points = resolvePoints(exercise.points);
  if (points) {
    // The groups of points: name describe blocks the suite has, and leave no test or point stranded.
    const problems = sol.tests.length ? checkPoints(points, sol.tests) : ['the solution run reported no tests, so the points groups could not be checked'];
    const groups = Object.keys(points.groups);
    add(
      'points',
      problems.length === 0,
      problems.length
        ? problems.join(' | ')
        : `${points.total} points${groups.length ? ` (${groups.map((g) => `"${g}": ${points.groups[g]}`).join(', ')})` : ''}`,
    );
  }
  const solTypes = sol.diagnostics.filter((d) => d.kind === 'type');
  add('solution type-checks', solTypes.length === 0, diagnosticsDetail(solTypes));
  if (sol.maxScore < 15) add('suite size', false, `${sol.maxScore} tests (at least 15 expected)`);
  const hidden = hiddenSuite(root, exercise);
  if (hidden) {
    const h = sol.hidden;
    add(
      'hidden suite',
      h !== undefined && h.status === 'passed' && h.maxScore > 0,
      h
        ? `${hidden}: solution ${h.score}/${h.maxScore} (${h.status}${h.message ? `: ${h.message.split('\n')[0]}` : ''}), stub ${stub.hidden?.score ?? 0}/${stub.hidden?.maxScore ?? 0}`
        : `${hidden} did not run`,
    );
  }
  const vacuous = stub.tests.filter((t) => t.status === 'passed').map((t) => t.fullName);
  add(
    'stub fails every test',
    stub.diagnostics.every((d) => d.kind !== 'syntax') && vacuous.length === 0 && stub.maxScore === sol.maxScore,
    stub.diagnostics.some((d) => d.kind === 'syntax')
      ? 'the stub does not compile'
      : vacuous.length
        ? `vacuous (pass on the stub): ${vacuous.join(' | ')}`
        : `0/${stub.maxScore} passed`,
  );
  const stubTypes = stub.diagnostics.filter((d) => d.kind === 'type');
  add('stub type-checks', stubTypes.length === 0, diagnosticsDetail(stubTypes));
}

/**
 * Runs every mutant: `runs` times with one seed, focused on the tests of the requirements it declares (one failure
 * per requirement decides, so a run is short); a mutant that declares none runs once, up to its first failure.
 */
function runMutants(mutants: Mutant[], run: Run, root: string, runs: number, seed?: number): Array<Promise<MutantRuns>> {
  return mutants.map(async (m): Promise<MutantRuns> => {
    const base = { name: m.name, declared: m.requirements, error: m.error };
    if (!m.implRoot) return { ...base, runs: [] };
    const implRoot = path.relative(root, m.implRoot);
    const focus = m.requirements?.length ? m.requirements : undefined;
    const times = focus ? runs : 1;
    return { ...base, runs: await Promise.all(Array.from({ length: times }, () => run(implRoot, { failFast: true, focus, seed }))) };
  });
}

interface VerifySettings {
  pool: Pool<JestProcess>;
  seed: number;
  /** --seeds: the seeds after the first, each run once for the solution, the stub and every mutant. */
  moreSeeds: number[];
  mutantRuns: number;
  step: (what: string) => void;
}

async function verifyExercise(
  ctx: Context,
  exercise: ExerciseSpec,
  number: number,
  settings: VerifySettings,
): Promise<{ rows: VerifyRow[]; coverage?: Coverage }> {
  const rows: VerifyRow[] = [];
  const add: Add = (check, ok, detail) => rows.push({ exercise: exercise.id, check, ok, detail });
  const root = ctx.root;
  if (!checkFiles(root, exercise, add)) return { rows };
  const requirements = checkRequirements(root, exercise, number, add);

  // The instructor-only suite, when there is one, runs after the visible one in every run below (solution, stub,
  // mutants): the solution must pass both, the stub fail every test of both, and mutants count as caught by either.
  const run: Run = async (implRoot, options = {}) => {
    const r = await settings.pool.with((lane) =>
      runGraded({
        hidden: true,
        courseRoot: root,
        exercise,
        implRoot: path.join(root, implRoot),
        jest: lane.get(),
        ...options,
        seed: options.seed ?? settings.seed,
        // Only the solution and the stub are type-checked (a mutant's types are not its point).
        typecheck: options.typecheck === true,
      }),
    );
    // verify never cancels its pool: every run it asks for runs.
    if (!r.ran) throw new Error('verify: the pool was cancelled');
    return r.value;
  };
  const mutants = prepareMutants(root, exercise, stateDir(root));
  // Every run of this exercise at once; the lanes bound how many go in parallel.
  // The extra seeds judge only mutants with declared requirements (the others fail their own row with the first seed).
  const judged = mutants.filter((m) => m.requirements?.length);
  const more = settings.moreSeeds.length ? ` (and once each with ${settings.moreSeeds.length} more seed(s))` : '';
  settings.step(`${exercise.id}: solution, stub and ${mutants.length} mutant(s)${more}`);
  const [sol, stub, mutantRuns, perSeed] = await Promise.all([
    run(exercise.solution, { typecheck: true }),
    run(exercise.dir, { typecheck: true }),
    Promise.all(runMutants(mutants, run, root, settings.mutantRuns)),
    Promise.all(
      settings.moreSeeds.map(async (seed): Promise<SeedRuns> => {
        const [solution, stub, ran] = await Promise.all([
          run(exercise.solution, { seed }),
          run(exercise.dir, { seed }),
          Promise.all(runMutants(judged, run, root, 1, seed)),
        ]);
        return { seed, solution, stub, mutants: ran };
      }),
    ),
  ]);
  checkSolutionAndStub(root, exercise, sol, stub, add);

  if (!exercise.mutants) add('mutants', false, 'no mutants folder declared');
  else if (mutants.length < 6) add('mutants', false, `${mutants.length} mutant(s) in ${exercise.mutants} (at least 6 expected)`);
  const known = requirements ?? [];
  for (const m of mutantRuns) {
    const f = mutantFinding(m, known, settings.seed);
    add(f.check, f.ok, f.detail);
  }
  for (const f of perSeed.length ? acrossSeedsFindings(perSeed) : []) add(f.check, f.ok, f.detail);
  if (!requirements) {
    for (const f of testFindings([], sol.tests).filter((x) => !x.ok)) add(f.check, f.ok, f.detail);
    return { rows };
  }
  for (const f of testFindings(requirements, sol.tests)) add(f.check, f.ok, f.detail);
  const covered = coverage(exercise.id, requirements, sol.tests, mutantRuns);
  for (const f of covered.findings) add(f.check, f.ok, f.detail);
  return { rows, coverage: covered.table };
}

/** Ids are unique across the course (each exercise's own ids are checked as its file loads). */
function courseWideIds(root: string, exercises: ExerciseSpec[]): VerifyRow[] {
  const owner = new Map<string, string>();
  const rows: VerifyRow[] = [];
  for (const exercise of exercises) {
    let requirements: Requirement[] | undefined;
    try {
      requirements = loadRequirements(root, exercise);
    } catch {
      continue; // reported by the exercise's own rows
    }
    for (const r of requirements ?? []) {
      const first = owner.get(r.id);
      if (first && first !== exercise.id)
        rows.push({ exercise: exercise.id, check: 'requirement ids', ok: false, detail: `${r.id} (${r.where}) is also an id of ${first}` });
      owner.set(r.id, exercise.id);
    }
  }
  return rows;
}

export const verify: Command = {
  name: 'verify',
  summary: 'check the course itself: solutions pass, stubs fail, mutants are caught, every requirement is tested',
  usage: 'course verify [id...] [--jobs N] [--mutant-runs N] [--seed N] [--seeds N] [--json]',
  help: `For course authors. For every exercise (or the ones named): the lesson and at least two hints exist,
the reference solution passes every hidden test and type-checks, the untouched stub fails every test (a test
that passes on the stub is vacuous), and the exercise's \`points:\` groups name describe blocks of the suite with
no test or point left over. An exercise's instructor-only suite (<suite>.hidden.test.ts) runs with the visible
one in each of these runs. course.yaml itself is validated on load.

Requirements (docs/AUTHORING.md): the exercise's requirements.yaml loads and each sentence is in its lesson
section; every test names at least one requirement ({R1.3} at the end of its title) and only declared ones;
every requirement that is not untestable has a test and a mutant that makes one of its tests fail, unless
requirements.yaml declares that hole as a \`gap\` with its reason (counted; an error once the hole is closed); every
mutant declares the requirements it breaks ("Requirements: R1.3" in its header), a test of one of them
catches it, and it fails the same tests in each of --mutant-runs runs with one seed. A mutant runs only the
tests of the requirements it declares. The coverage table (requirements, tested, with a mutant, untestable, known gaps)
follows the rows.

Options:
  --jobs N          runs in parallel (default 2; each suite is built to pass with another copy running beside it)
  --mutant-runs N   runs of each mutant with the same seed, which must fail the same tests (default 2)
  --seed N          the seed of every run (default: a random one, printed in the rows that fail)
  --seeds N         N seeds, not one: after --seed's runs, the solution, the stub and every mutant run once more
                    with each of N-1 seeds derived from it (the same ones for the same --seed), and each must give
                    its verdict with every seed (a "seeds" row per exercise names the seed of any that does not)
  --json            print the rows and the coverage tables as JSON

Exit code: 0 when everything holds, 1 on any violation.`,
  options: { json: { type: 'boolean' }, jobs: { type: 'string' }, 'mutant-runs': { type: 'string' }, seed: { type: 'string' }, seeds: { type: 'string' } },
  async run(ctx, positionals, values) {
    const course = loadCourse(ctx.root);
    const whole = (name: string, raw: unknown, fallback: number, max: number) => {
      const n = raw === undefined ? fallback : Number(raw);
      if (!Number.isInteger(n) || n < 1 || n > max) throw new UsageError(`--${name} takes a whole number from 1 to ${max}`);
      return n;
    };
    const jobs = whole('jobs', values.jobs, 2, 16);
    const mutantRuns = whole('mutant-runs', values['mutant-runs'], 2, 20);
    const seed = whole('seed', values.seed, randomInt(1, 2 ** 31 - 1), 2 ** 31 - 1);
    const extraSeeds = moreSeeds(seed, whole('seeds', values.seeds, 1, 20) - 1);
    const all = course.data.exercises;
    const exercises = positionals.length ? positionals.map((id) => exerciseById(course, id)) : all;
    const noSolution = exercises.find((e) => !existsSync(path.join(ctx.root, e.solution)));
    if (noSolution) {
      throw new UsageError(
        `verify needs the reference solutions, and ${noSolution.solution} is missing: this looks like a learners' copy (course release); run verify in the authors' repository`,
      );
    }
    const pool = jestLanes(jobs);
    const rows: VerifyRow[] = [];
    const tables: Coverage[] = [];
    const step = (what: string) => {
      if (values.json) return;
      if (ctx.tty) process.stdout.write(`\r\x1b[2K${ctx.c.gray(`verifying ${what}…`)}`);
      else ctx.print(`verifying ${what}…`);
    };
    try {
      for (const exercise of exercises) {
        const done = await verifyExercise(ctx, exercise, all.indexOf(exercise) + 1, { pool, seed, moreSeeds: extraSeeds, mutantRuns, step });
        rows.push(...done.rows);
        if (done.coverage) tables.push(done.coverage);
      }
    } finally {
      pool.close();
      if (ctx.tty && !values.json) process.stdout.write('\r\x1b[2K');
    }
    rows.push(...courseWideIds(ctx.root, all).filter((r) => exercises.some((e) => e.id === r.exercise)));
    const bad = rows.filter((r) => !r.ok);
    if (values.json) {
      ctx.print(JSON.stringify({ ok: bad.length === 0, seed, seeds: [seed, ...extraSeeds], rows, coverage: tables }, null, 2));
    } else {
      const w1 = Math.max(...rows.map((r) => r.exercise.length));
      const w2 = Math.max(...rows.map((r) => r.check.length));
      for (const r of rows) {
        ctx.print(
          `${r.ok ? ctx.c.green('✓') : ctx.c.red('✗')} ${r.exercise.padEnd(w1)}  ${r.check.padEnd(w2)}  ${r.ok ? ctx.c.gray(r.detail) : ctx.c.red(r.detail)}`,
        );
      }
      if (tables.length) {
        ctx.print();
        for (const line of coverageTable(tables)) ctx.print(line);
      }
      ctx.print();
      const also = extraSeeds.length ? `; also seeds ${extraSeeds.join(', ')}` : '';
      ctx.print(`verify: ${rows.length - bad.length} passed, ${bad.length} failed (seed ${seed}${also})`);
    }
    return bad.length ? EXIT.failed : EXIT.ok;
  },
};
