// Points (issue 12.1): what an exercise is worth in the gradebook, from its tests' results and the `points:` of
// course.yaml. Without `points:` an exercise is worth DEFAULT_EXERCISE_POINTS, shared equally by its tests (issue
// 22.7: every exercise weighs the same, whatever the size of its suite). With a number, the tests share it equally. With
// groups, a named describe block's tests share that group's points equally (partial credit in proportion within
// the group), and the tests in no named group share what is left of the total. Computed when the gradebook is
// made, never stored in the checkpoint: changing `points:` re-weights a class without running anything again.

import type { PointsData } from '../course/schema';
import type { TestResult } from '../run/result';

/** `points:` resolved: the total and the named groups. */
export interface PointsSpec {
  total: number;
  groups: Record<string, number>;
}

/** What an exercise without `points:` is worth. */
export const DEFAULT_EXERCISE_POINTS = 10;

export function resolvePoints(points: PointsData | undefined): PointsSpec {
  if (points === undefined) return { total: DEFAULT_EXERCISE_POINTS, groups: {} };
  if (typeof points === 'number') return { total: points, groups: {} };
  const sum = Object.values(points.groups).reduce((s, n) => s + n, 0);
  return { total: points.total ?? sum, groups: { ...points.groups } };
}

/** The same split of points scaled to another total (an assignment that gives the exercise `total` points). */
export function scalePoints(spec: PointsSpec, total: number): PointsSpec {
  const factor = spec.total > 0 ? total / spec.total : 0;
  return { total, groups: Object.fromEntries(Object.entries(spec.groups).map(([name, n]) => [name, n * factor])) };
}

/** Two decimals, as gradebooks show them (and no 0.30000000000000004). */
export function round2(n: number): number {
  return Math.round((n + Number.EPSILON) * 100) / 100;
}

const SEP = ' › ';

/** The named group a test belongs to: the longest group name that is its describe path or a prefix of it. */
export function groupOf(test: Pick<TestResult, 'group'>, names: string[]): string | undefined {
  let best: string | undefined;
  let bestDepth = -1;
  for (const name of names) {
    const parts = name.split(/\s*›\s*/);
    // A one-part name matches a describe block at any depth (a title is usually unique); a path matches from the top.
    let depth = -1;
    if (parts.length === 1) {
      const i = test.group.lastIndexOf(parts[0]!);
      if (i >= 0) depth = i;
    } else if (parts.every((p, i) => test.group[i] === p)) depth = parts.length - 1;
    if (depth > bestDepth) {
      best = name;
      bestDepth = depth;
    }
  }
  return best;
}

export interface GroupPoints {
  /** The group's name in course.yaml, or "" for the tests in no named group. */
  name: string;
  points: number;
  max: number;
  passed: number;
  tests: number;
}

export interface PointsResult {
  points: number;
  max: number;
  groups: GroupPoints[];
}

/**
 * The points of one run. `tests` is the run's full list (the runner reports every declared test, passed or not);
 * a run with no tests (a compile error, a rejected or missing submission) scores 0 of `fallbackMax` (the max known
 * from other runs, or from the spec).
 */
export function pointsOf(
  tests: Array<Pick<TestResult, 'group' | 'status' | 'score' | 'maxScore'>>,
  spec: PointsSpec | undefined,
  fallbackMax: number,
): PointsResult {
  if (!spec) {
    const points = tests.reduce((s, t) => s + t.score, 0);
    const max = tests.length ? tests.reduce((s, t) => s + t.maxScore, 0) : fallbackMax;
    return { points, max, groups: [] };
  }
  const names = Object.keys(spec.groups);
  const named = Object.values(spec.groups).reduce((s, n) => s + n, 0);
  const buckets = new Map<string, { passed: number; tests: number }>();
  for (const name of [...names, '']) buckets.set(name, { passed: 0, tests: 0 });
  for (const t of tests) {
    const b = buckets.get(groupOf(t, names) ?? '')!;
    b.tests++;
    // A test's own score is 1 when it passed (the runner's unit); partial test scores would count in proportion.
    if (t.maxScore > 0) b.passed += t.score / t.maxScore;
  }
  const groups: GroupPoints[] = [];
  for (const [name, b] of buckets) {
    const max = name === '' ? Math.max(0, spec.total - named) : spec.groups[name]!;
    if (name === '' && b.tests === 0 && max === 0) continue;
    groups.push({ name, max, passed: b.passed, tests: b.tests, points: b.tests ? (max * b.passed) / b.tests : 0 });
  }
  return { points: round2(groups.reduce((s, g) => s + g.points, 0)), max: spec.total, groups: groups.map((g) => ({ ...g, points: round2(g.points) })) };
}

/**
 * What is wrong with `points:` for a suite whose tests are `tests` (the reference solution's run): a named group
 * that matches no test, a group with points but no tests, tests left over with no points to share, or points left
 * over with no tests to earn them. Empty when it is consistent.
 */
export function checkPoints(spec: PointsSpec, tests: Array<Pick<TestResult, 'group' | 'fullName'>>): string[] {
  const problems: string[] = [];
  const names = Object.keys(spec.groups);
  const count = new Map<string, number>(names.map((n) => [n, 0]));
  let ungrouped = 0;
  for (const t of tests) {
    const g = groupOf(t, names);
    if (g === undefined) ungrouped++;
    else count.set(g, count.get(g)! + 1);
  }
  const blocks = [...new Set(tests.map((t) => t.group.join(SEP)).filter(Boolean))];
  for (const [name, n] of count) {
    if (n === 0)
      problems.push(`points group "${name}" matches no describe block of the suite (its blocks: ${blocks.map((b) => `"${b}"`).join(', ') || 'none'})`);
  }
  const rest = spec.total - Object.values(spec.groups).reduce((s, n) => s + n, 0);
  if (names.length && ungrouped > 0 && rest <= 1e-9)
    problems.push(`${ungrouped} test(s) are in no points group and the groups use the whole total: those tests are worth nothing`);
  if (rest > 1e-9 && ungrouped === 0 && tests.length > 0)
    problems.push(`${round2(rest)} point(s) of the total are in no group, and every test is in a group: nobody can earn them`);
  return problems;
}
