// `course verify --seeds N` (issue 23): a verdict is a function of the code and the seed, so one seed proves little
// about the next. encoder-ric-unwrapped (qpack) was caught for most seeds and survived others, and a CI run with a
// fresh seed found it. With N seeds, the reference must pass, the stub fail every test and every mutant be caught by
// a test of its requirements with each seed, not only with the first. Pure: verify.ts runs the suites.

import { createHash } from 'node:crypto';
import type { ExerciseResult } from '../run/result';
import { failedTests, findings, type Finding, type MutantRuns } from './coverage';

/** One more seed's runs: the solution, the stub and each mutant once. */
export interface SeedRuns {
  seed: number;
  solution: ExerciseResult;
  stub: ExerciseResult;
  mutants: MutantRuns[];
}

const MAX_SEED = 2 ** 31 - 1;

/**
 * `count` seeds after `first`, derived from it (SHA-256 of "first:i"), distinct and in 1..2^31-1: `--seed S --seeds N`
 * replays the same N seeds, while a run without --seed starts from a random first seed and so gets fresh ones.
 */
export function moreSeeds(first: number, count: number): number[] {
  const seeds: number[] = [];
  for (let i = 1; seeds.length < count; i++) {
    const seed = (createHash('sha256').update(`${first}:${i}`).digest().readUInt32BE(0) % (MAX_SEED - 1)) + 1;
    if (seed !== first && !seeds.includes(seed)) seeds.push(seed);
  }
  return seeds;
}

function firstLine(text: string | undefined): string {
  return (text ?? '').split('\n')[0]!;
}

/** What went wrong with one seed: the reference failed, the stub passed a test, a mutant was not caught. */
function seedProblems(runs: SeedRuns): string[] {
  const { seed, solution, stub } = runs;
  const problems: string[] = [];
  if (solution.status !== 'passed') {
    const failed = failedTests(solution)
      .slice(0, 2)
      .map((t) => `"${t.fullName}": ${firstLine(t.message)}`);
    problems.push(
      `seed ${seed}: the solution ${solution.status} ${solution.score}/${solution.maxScore}${failed.length ? `: ${failed.join(' | ')}` : solution.message ? `: ${firstLine(solution.message)}` : ''}`,
    );
  }
  const vacuous = stub.tests.filter((t) => t.status === 'passed').map((t) => `"${t.fullName}"`);
  if (vacuous.length)
    problems.push(`seed ${seed}: the stub passes ${vacuous.slice(0, 3).join(', ')}${vacuous.length > 3 ? ` and ${vacuous.length - 3} more` : ''}`);
  for (const m of runs.mutants) {
    // A mutant with no run, no declared requirements or a compile error is reported by its own row (first seed).
    const run = m.runs[0];
    if (!run || !m.declared?.length || run.diagnostics.some((d) => d.kind === 'syntax')) continue;
    const caught = failedTests(run).some((t) => (t.requirements ?? []).some((id) => m.declared!.includes(id)));
    if (!caught) problems.push(`seed ${seed}: mutant ${m.name} NOT caught by a test of ${m.declared.join(', ')}`);
  }
  return problems;
}

/** The `seeds` row(s) of an exercise: one passing row, or one failing row per problem (each names its seed). */
export function acrossSeedsFindings(perSeed: SeedRuns[]): Finding[] {
  const seeds = perSeed.map((s) => s.seed);
  const mutants = perSeed[0]?.mutants.filter((m) => m.runs.length && m.declared?.length).length ?? 0;
  return findings(
    'seeds',
    perSeed.flatMap(seedProblems),
    `${seeds.length} more seed(s) (${seeds.join(', ')}): the solution passed, the stub failed every test and ${mutants} mutant(s) were caught by a test of their requirements with each`,
  );
}
