// The coverage rules of requirements as data (issue 23), as `course verify` enforces them: every requirement that is
// neither untestable nor retired has a test tagged with it and a mutant that makes such a test fail; every test
// names a requirement, and only ids its exercise declares; every mutant declares what it breaks, is caught by a test
// of it, and fails the same tests in every run with one seed. Pure: verify.ts runs the suites and passes the results.

import { NOT_RUN_FAIL_FAST } from '../run/test-accounting';
import type { ExerciseResult, TestResult } from '../run/result';
import { isTestable, type Requirement } from './requirements';

export interface Finding {
  check: string;
  ok: boolean;
  detail: string;
}

/** One requirement's line of the coverage table. */
export interface CoverageRow {
  id: string;
  section: string;
  /** How many tests are tagged with it (visible and instructor-only suites). */
  tests: number;
  /** The mutants that made a test tagged with it fail. */
  mutants: string[];
  untestable?: string;
  retired?: boolean;
  /** A known hole in its coverage, declared in requirements.yaml with the reason. */
  gap?: string;
}

/** The coverage table of one exercise (verify --json; printed compactly by verify; docs/AUTHORING.md). */
export interface Coverage {
  exercise: string;
  /** Requirements that are not retired, untestable ones included. */
  requirements: number;
  /** Testable requirements, and how many of them have a test / a mutant that breaks them. */
  testable: number;
  tested: number;
  withMutant: number;
  untestable: Array<{ id: string; reason: string }>;
  /** Testable requirements with a declared hole (no test or no mutant yet): reported, not failed. */
  gaps: Array<{ id: string; reason: string }>;
  retired: number;
  rows: CoverageRow[];
}

/** A mutant's runs (same seed each), as verify made them: focused on its declared ids when it declares any. */
export interface MutantRuns {
  name: string;
  /** Its `Requirements:` line's ids; undefined when its header has none. */
  declared?: string[];
  /** Why it could not be prepared (a stale patch). */
  error?: string;
  runs: ExerciseResult[];
}

const MAX_LINES = 12;

/** Tests that failed in a run (a test that fail-fast or focus skipped did not fail). */
export function failedTests(result: ExerciseResult): TestResult[] {
  return result.tests.filter((t) => t.status !== 'passed' && t.message !== NOT_RUN_FAIL_FAST);
}

/** One failing finding per problem (at most MAX_LINES, then a count), or one passing finding saying `ok`. */
export function findings(check: string, problems: string[], ok: string): Finding[] {
  if (problems.length === 0) return [{ check, ok: true, detail: ok }];
  const shown = problems.slice(0, MAX_LINES).map((detail) => ({ check, ok: false, detail }));
  if (problems.length > MAX_LINES) shown.push({ check, ok: false, detail: `… and ${problems.length - MAX_LINES} more like these` });
  return shown;
}

const tagOf = (ids: string[]) => `{${ids.join(',')}}`;

/** Every test names at least one requirement, and only ids the exercise declares. */
export function testFindings(requirements: Requirement[], tests: TestResult[]): Finding[] {
  const known = new Set(requirements.filter((r) => !r.retired).map((r) => r.id));
  const problems: string[] = [];
  for (const t of tests) {
    const ids = t.requirements ?? [];
    const where = `${t.hidden ? 'instructor-only test' : 'test'} "${t.fullName}"`;
    if (ids.length === 0) problems.push(`${where} names no requirement (end its title with a tag such as {R1.3})`);
    for (const id of ids.filter((i) => !known.has(i))) problems.push(`${where} names ${id}, which requirements.yaml does not declare (or retired)`);
  }
  return findings('tests name requirements', problems, `all ${tests.length} tests name known requirements`);
}

/** A mutant's finding: it declares what it breaks, a test of that fails, and every run fails the same tests. */
export function mutantFinding(m: MutantRuns, requirements: Requirement[], seed: number): Finding {
  const check = `mutant ${m.name}`;
  const bad = (detail: string): Finding => ({ check, ok: false, detail });
  if (m.error || m.runs.length === 0) return bad(m.error ?? 'could not be prepared');
  if (m.runs[0]!.diagnostics.some((d) => d.kind === 'syntax')) return bad('does not compile (a mutant must be a plausible program)');
  const failedAt = m.runs.map((r) => failedTests(r).map((t) => t.fullName));
  const caughtBy = failedTests(m.runs[0]!);
  if (!m.declared?.length) {
    const caught = caughtBy.length ? `caught by "${caughtBy[0]!.fullName}"` : `NOT caught (seed ${seed})`;
    return bad(`no "Requirements: R…" line in its header: which lesson sentence does it break? (${caught})`);
  }
  const declared = new Map(requirements.map((r) => [r.id, r]));
  const unknown = m.declared.filter((id) => !declared.has(id) || declared.get(id)!.retired);
  if (unknown.length) return bad(`declares ${unknown.join(', ')}, which requirements.yaml does not declare (or retired)`);
  const first = failedAt[0]!.join(' | ');
  const flip = failedAt.findIndex((names) => names.join(' | ') !== first);
  if (flip > 0) {
    const list = (names: string[]) => (names.length ? names.map((n) => `"${n}"`).join(', ') : 'none');
    return bad(`verdict changed between runs with seed ${seed}: run 1 failed ${list(failedAt[0]!)}; run ${flip + 1} failed ${list(failedAt[flip]!)}`);
  }
  const own = caughtBy.find((t) => (t.requirements ?? []).some((id) => m.declared!.includes(id)));
  if (!own) return bad(`NOT caught by a test of ${m.declared.join(', ')} (seed ${seed})`);
  const runs = m.runs.length > 1 ? `; the same tests failed in ${m.runs.length} runs` : '';
  return { check, ok: true, detail: `caught by "${own.fullName}" ${tagOf(own.requirements ?? [])}${runs}` };
}

/** The coverage table and the findings on it: a testable requirement with no test, or with no mutant that breaks it. */
export function coverage(exercise: string, requirements: Requirement[], tests: TestResult[], mutants: MutantRuns[]): { table: Coverage; findings: Finding[] } {
  const rows: CoverageRow[] = requirements.map((r) => ({
    id: r.id,
    section: r.section,
    tests: tests.filter((t) => (t.requirements ?? []).includes(r.id)).length,
    mutants: mutants
      .filter((m) => m.declared?.includes(r.id) && m.runs[0] && failedTests(m.runs[0]).some((t) => (t.requirements ?? []).includes(r.id)))
      .map((m) => m.name),
    ...(r.untestable ? { untestable: r.untestable } : {}),
    ...(r.retired ? { retired: true } : {}),
    ...(r.gap ? { gap: r.gap } : {}),
  }));
  const testable = rows.filter((r) => isTestable(r));
  const table: Coverage = {
    exercise,
    requirements: rows.filter((r) => !r.retired).length,
    testable: testable.length,
    tested: testable.filter((r) => r.tests > 0).length,
    withMutant: testable.filter((r) => r.mutants.length > 0).length,
    untestable: rows.filter((r) => r.untestable && !r.retired).map((r) => ({ id: r.id, reason: r.untestable! })),
    gaps: testable.filter((r) => r.gap).map((r) => ({ id: r.id, reason: r.gap! })),
    retired: rows.filter((r) => r.retired).length,
    rows,
  };
  // A declared gap excuses the hole it names and nothing else: once the test and the mutant exist, it must go.
  const untested = testable
    .filter((r) => r.tests === 0 && !r.gap)
    .map((r) => `${r.id} has no test (tag one with {${r.id}}, or mark it untestable with the reason)`);
  const unbroken = testable
    .filter((r) => r.tests > 0 && r.mutants.length === 0 && !r.gap)
    .map((r) => `${r.id}: no mutant makes a test of it fail (add a mutant whose header says "Requirements: ${r.id}")`);
  const staleGaps = testable
    .filter((r) => r.gap && r.tests > 0 && r.mutants.length > 0)
    .map((r) => `${r.id} is tested and broken by ${r.mutants[0]}: its \`gap\` in requirements.yaml is no longer true, remove it`);
  return {
    table,
    findings: [
      ...findings('requirements tested', untested, `${table.tested}/${table.testable} testable requirements have a test`),
      ...findings('requirements with a mutant', unbroken, `${table.withMutant}/${table.testable} are broken by a mutant that a test of theirs catches`),
      ...findings('declared gaps still open', staleGaps, table.gaps.length ? `${table.gaps.length} declared gap(s), each still open` : 'no declared gaps'),
    ],
  };
}

/** The coverage tables as a compact text table (verify's terminal output). */
export function coverageTable(tables: Coverage[]): string[] {
  const head = ['exercise', 'requirements', 'tested', 'with a mutant', 'untestable', 'known gaps'];
  const body = tables.map((t) => [
    t.exercise,
    String(t.requirements),
    `${t.tested}/${t.testable}`,
    `${t.withMutant}/${t.testable}`,
    String(t.untestable.length),
    String(t.gaps.length),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  return [head, ...body].map((r) =>
    r
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join('  ')
      .trimEnd(),
  );
}
