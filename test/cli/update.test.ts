// Black-box, with real git repositories: a course update never loses progress nor needs a hand merge. A plain
// `git pull` that conflicts on course.yaml is detected and resolved by the CLI (the course from the update, the
// learner's progress kept); `course update` pulls safely whether or not the progress was committed.

import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { copyCourse, course, repoRoot } from '../helpers';

interface Entry {
  id: string;
  dir: string;
  solution: string;
  files: string[];
  hints: string[];
  progress?: { status: string; attempts: number; bestScore?: number };
}

const tmp = mkdtempSync(path.join(os.tmpdir(), 'course-update-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function git(cwd: string, ...args: string[]): string {
  return execFileSync(
    'git',
    ['-c', 'user.name=Test', '-c', 'user.email=test@example.invalid', '-c', 'init.defaultBranch=main', '-c', 'pull.rebase=false', ...args],
    {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
}
const yamlOf = (dir: string) => YAML.parse(readFileSync(path.join(dir, 'course.yaml'), 'utf8')) as { title: string; exercises: Entry[] };

/** The course's authors' repository, and a learner's clone of it (installed: node_modules linked, grader built). */
function setUp(name: string): { upstream: string; learner: string } {
  const copy = copyCourse();
  const upstream = path.join(tmp, `${name}-upstream`);
  cpSync(copy, upstream, { recursive: true, verbatimSymlinks: true });
  rmSync(copy, { recursive: true, force: true });
  rmSync(path.join(upstream, 'node_modules'));
  git(upstream, 'init', '-q');
  git(upstream, 'add', '-A');
  git(upstream, 'commit', '-qm', 'the course');
  const learner = path.join(tmp, `${name}-learner`);
  git(tmp, 'clone', '-q', upstream, learner);
  symlinkSync(path.join(repoRoot, 'node_modules'), path.join(learner, 'node_modules'), 'dir');
  cpSync(path.join(repoRoot, 'dist'), path.join(learner, 'dist'), { recursive: true });
  return { upstream, learner };
}

/** The learner starts exercise 1 and reads two hints: progress written to course.yaml by the CLI. */
function makeProgress(learner: string): Entry {
  expect(course(learner, ['next', '--brief']).code).toBe(0);
  expect(course(learner, ['hint']).code).toBe(0);
  expect(course(learner, ['hint']).code).toBe(0);
  const first = yamlOf(learner).exercises[0]!;
  expect(first.progress).toMatchObject({ status: 'current', hintsShown: 2 });
  return first;
}

/** The authors change exercise 1 right where the learner's progress map sits: a new last hint. */
function authorsAddHint(upstream: string): string {
  const file = path.join(upstream, 'course.yaml');
  const hint = 'A new hint from the course update: re-read RFC 7541 §4.4 before touching eviction.';
  const text = readFileSync(file, 'utf8');
  const doc = YAML.parseDocument(text);
  const hints = doc.getIn(['exercises', 0, 'hints']) as YAML.YAMLSeq;
  hints.add(hint);
  writeFileSync(file, doc.toString({ lineWidth: 0 }));
  git(upstream, 'commit', '-qam', 'exercise 1: one more hint');
  return hint;
}

test('a git pull that conflicts on course.yaml: commands say so, `course update` resolves it keeping the progress', () => {
  const { upstream, learner } = setUp('conflict');
  const passed = makeProgress(learner);
  git(learner, 'commit', '-qam', 'my progress');
  const hint = authorsAddHint(upstream);

  // A plain pull: a real conflict in course.yaml.
  expect(() => git(learner, 'pull', '-q')).toThrow();
  const conflicted = readFileSync(path.join(learner, 'course.yaml'), 'utf8');
  expect(conflicted).toMatch(/^<<<<<<< /m);
  expect(git(learner, 'diff', '--name-only', '--diff-filter=U').trim()).toBe('course.yaml');

  // Not "invalid YAML": what happened and the command that fixes it.
  const status = course(learner, ['status']);
  expect(status.code).toBe(2);
  expect(status.stderr).toMatch(/course\.yaml:\d+:1: merge conflict markers .*Run `npx course update`/);

  const r = course(learner, ['update']);
  expect(r.stderr).toBe('');
  expect(r.stdout).toMatch(/Resolved course\.yaml: the course from the update, your progress kept \(hpack-table\)/);
  expect(r.code).toBe(0);
  const after = yamlOf(learner);
  expect(after.exercises[0]!.hints).toContain(hint);
  expect(after.exercises[0]!.progress).toEqual(passed.progress);
  // The merge is concluded, nothing left unmerged, and the conflicted file is kept in a backup.
  expect(git(learner, 'status', '--porcelain', '--untracked-files=no').trim()).toBe('');
  expect(git(learner, 'log', '-1', '--format=%P').trim().split(' ')).toHaveLength(2);
  expect(r.stdout).toMatch(/kept in \.course\/backups\/course\.yaml\.conflicted-/);
  // And the course works on.
  expect(course(learner, ['status']).stdout).toMatch(/1\s+hpack-table\s+current/);
});

test('`course update` with uncommitted progress: pulls the update and puts the progress back', () => {
  const { upstream, learner } = setUp('plain');
  const passed = makeProgress(learner);
  const hint = authorsAddHint(upstream);
  const r = course(learner, ['update']);
  expect(r.stdout).toMatch(/Updated [0-9a-f]{7}\.\.[0-9a-f]{7}\./);
  expect(r.stdout).toMatch(/Your progress is kept \(hpack-table\)/);
  expect(r.code).toBe(0);
  const after = yamlOf(learner);
  expect(after.exercises[0]!.hints).toContain(hint);
  expect(after.exercises[0]!.progress).toEqual(passed.progress);
  expect(git(learner, 'log', '-1', '--format=%s').trim()).toBe('exercise 1: one more hint');
  // Once more: nothing new.
  expect(course(learner, ['update']).stdout).toMatch(/Already up to date\./);
  expect(yamlOf(learner).exercises[0]!.progress).toEqual(passed.progress);
});

test('`course update` outside a git clone says what to do instead', () => {
  const dir = copyCourse();
  try {
    const r = course(dir, ['update']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not a git clone/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
