// The similarity check's baseline (issue: "similarity compares against the working tree"). The starter files whose
// fingerprints count for nothing, and the reference solution a copy of which is a finding, are the course's as
// committed: an instructor who tried an exercise in the grading checkout (the stub now holds the solution) must
// get the very same flags as from a clean checkout. End to end through `course grade` on a git checkout of the
// fixture course; then the baseline reader alone, outside git and in a course that is a folder of a larger repo.

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SimilarityReport } from '../../grader/similarity';
import { committedFiles } from '../../grader/similarity/committed';
import * as fx from './fixture-course';

const GIT_ENV = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' };
const git = (dir: string, ...args: string[]) => execFileSync('git', ['-C', dir, ...args], { stdio: 'ignore', env: GIT_ENV });

/** The reference with other local names and layout: the same token stream. */
const RENAMED_REFERENCE = fx
  .solution('calc')
  .replace(/\bsum\b/g, 'runningTotal')
  .replace(/\ba\b/g, 'left')
  .replace(/\bb\b/g, 'right')
  .replace(/\bbytes\b/g, 'input')
  .replace(/\n\s*\n/g, '\n');

let tmp: string;
let course: string;
let subs: string;

function grade(out: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(course, 'bin', 'course.js'), 'grade', subs, '--out', out, '--jobs', '2', '--no-isolation', '--no-canary'], {
    cwd: course,
    encoding: 'utf8',
    timeout: 5 * 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The flags of a run: pairs (and whether identical) and the copies of the reference, per exercise. */
function flags(out: string): Array<{ exercise: string; pairs: string[]; reference: string[] }> {
  const sim = JSON.parse(readFileSync(path.join(out, 'similarity.json'), 'utf8')) as SimilarityReport;
  return sim.exercises.map((x) => ({
    exercise: x.exercise,
    pairs: x.pairs.map((p) => `${p.a}~${p.b}${p.identical ? ' (identical)' : ''}`).sort(),
    reference: (x.reference ?? []).map((m) => `${m.learner}${m.identical ? ' (identical)' : m.sameTokens ? ' (same tokens)' : ''}`).sort(),
  }));
}

beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'course-sim-baseline-'));
  course = fx.makeCourse(tmp, { only: ['calc'] });
  writeFileSync(path.join(course, '.gitignore'), 'node_modules\ndist\n');
  git(course, 'init', '-q');
  git(course, 'add', '-A');
  git(course, 'commit', '-q', '-m', 'course');
  subs = path.join(tmp, 'subs');
  const layout = (text: string) => fx.courseLayout({ calc: text });
  fx.writeFolder(path.join(subs, 'stub-1'), layout(fx.stub('calc')));
  fx.writeFolder(path.join(subs, 'stub-2'), layout(fx.stub('calc')));
  fx.writeFolder(path.join(subs, 'copy-1'), layout(fx.solution('calc')));
  fx.writeFolder(path.join(subs, 'copy-2'), layout(fx.solution('calc')));
  fx.writeFolder(path.join(subs, 'renamed'), layout(RENAMED_REFERENCE));
  fx.writeFolder(path.join(subs, 'partial'), layout(fx.CALC_PARTIAL));
}, 60_000);

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

test(
  'grading from a checkout whose stub was edited gives the same flags as from a clean one; copies of the reference are findings',
  () => {
    const clean = path.join(tmp, 'out-clean');
    const r1 = grade(clean);
    expect(r1.stderr).not.toMatch(/Error:/);
    expect(r1.code).toBe(0);
    const cleanFlags = flags(clean);
    // The instructor tries the exercise in the grading checkout: the stub now holds the reference solution.
    const stubFile = path.join(course, 'exercises', '01-calc', 'calc.ts');
    writeFileSync(stubFile, fx.solution('calc'));
    const edited = path.join(tmp, 'out-edited');
    const r2 = grade(edited);
    expect(r2.code).toBe(0);
    expect(flags(edited)).toEqual(cleanFlags);

    const calc = cleanFlags.find((x) => x.exercise === 'calc')!;
    // The untouched stubs are never a pair; the two copies of the reference are.
    expect(calc.pairs.filter((p) => p.includes('stub-'))).toEqual([]);
    expect(calc.pairs).toContain('copy-1~copy-2 (identical)');
    // Every copy of the reference is reported as such, the disguised one too; the stubs and the partial answer not.
    expect(calc.reference).toEqual(['copy-1 (identical)', 'copy-2 (identical)', 'renamed (same tokens)']);

    const sim = JSON.parse(readFileSync(path.join(edited, 'similarity.json'), 'utf8')) as SimilarityReport;
    expect(sim.baseline).toMatchObject({ source: 'git HEAD', notes: [] });
    expect(sim.baseline!.commit).toMatch(/^[0-9a-f]{40}$/);
    const html = readFileSync(path.join(edited, 'report.html'), 'utf8');
    expect(html).toContain('copy of the reference solution');
    expect([...html.matchAll(/<tr class="reference-copy" data-learner="([^"]+)"/g)].map((m) => m[1]).sort()).toEqual(['copy-1', 'copy-2', 'renamed']);
    git(course, 'checkout', '--', '.');
  },
  10 * 60_000,
);

test('outside git the working tree is the baseline, and it says so; in a folder of a larger repository, HEAD of that repository', () => {
  const plain = path.join(tmp, 'plain');
  mkdirSync(path.join(plain, 'exercises'), { recursive: true });
  writeFileSync(path.join(plain, 'exercises', 'a.ts'), 'export const a = 1;\n');
  const outside = committedFiles(plain);
  expect(outside.baseline.source).toBe('working tree');
  expect(outside.baseline.notes.join(' ')).toMatch(/not a git checkout/);
  expect(outside.readAll(['exercises/a.ts'])).toEqual(new Map([['exercises/a.ts', 'export const a = 1;\n']]));

  const repo = path.join(tmp, 'repo');
  const sub = path.join(repo, 'courses', 'web');
  mkdirSync(path.join(sub, 'exercises'), { recursive: true });
  writeFileSync(path.join(sub, 'exercises', 'a.ts'), 'export const a = 1;\n');
  git(repo, 'init', '-q');
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', 'x');
  writeFileSync(path.join(sub, 'exercises', 'a.ts'), 'export const a = 2; // tried it\n');
  writeFileSync(path.join(sub, 'exercises', 'new.ts'), 'export const n = 1;\n');
  const inside = committedFiles(sub);
  expect(inside.baseline.source).toBe('git HEAD');
  // HEAD's version; a file that is nowhere is absent; a file HEAD does not have is the working tree's, named.
  expect(inside.readAll(['exercises/a.ts', 'exercises/missing.ts', 'exercises/new.ts'])).toEqual(
    new Map([
      ['exercises/a.ts', 'export const a = 1;\n'],
      ['exercises/new.ts', 'export const n = 1;\n'],
    ]),
  );
  expect(inside.baseline.notes.join(' ')).toMatch(/exercises\/new\.ts is not in the commit/);
});
