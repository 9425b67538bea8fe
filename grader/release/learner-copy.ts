// `course release`: the learners' copy of a course (DESIGN §1). Everything a learner needs to take the course
// (the CLI, the hidden suites and their mocks, the lessons and stubs, course.yaml), without what is the
// author's: the reference solutions, the mutants, the project's own tests, benchmarks, CI and author scripts.
// Progress is cleared, and the copy is checked for a leaked solution before it appears (built in a temporary
// folder beside the target, then renamed: never half-written). In a git checkout what ships is what is committed:
// a file of the release that differs from HEAD (a stub with a half-written answer) refuses the release, listed,
// unless the author asks for the working tree (includeUncommitted).

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { COURSE_FILE, loadCourse } from '../course/course-file';
import { isHiddenSuite } from '../run/hidden';
import type { CourseData } from '../course/schema';
import { learnerReadme } from './learner-readme';
import { CLASSROOM_SCRIPT, CLASSROOM_SCRIPT_PATH, CLASSROOM_WORKFLOW, CLASSROOM_WORKFLOW_PATH } from './classroom';

export class ReleaseError extends Error {}

/** Left out of every release (relative to the course root); the exercises' solution and mutant folders too. */
export const AUTHOR_ONLY = [
  'solutions',
  'harness/mutants',
  'test',
  'bench',
  'scripts',
  '.ci',
  'docs/AUTHORING.md',
  'deploy',
  'docs/SCALING.md',
  // The contributors' toolchain: the project's own jest run, the linter, the formatter, the scripts' type check.
  'jest.config.js',
  'jest.global-setup.js',
  'eslint.config.mjs',
  'prettier.config.js',
  '.prettierignore',
  'tsconfig.scripts.json',
];
/** Never copied: installed, built or per-learner state. */
const NEVER = ['node_modules', 'dist', '.course', '.git', 'coverage'];

export interface ReleaseSummary {
  outDir: string;
  files: number;
  bytes: number;
  /** What was left out, relative to the course root (only what exists). */
  leftOut: string[];
  /** Where the file list came from. */
  source: 'git' | 'walk';
  /** Files git does not track (and does not ignore): not in the release. */
  untracked: string[];
  /** Shipped files that differ from the last commit (only with `includeUncommitted`; else the release is refused). */
  uncommitted: string[];
}

export interface ReleaseOptions {
  /** Also write the GitHub Classroom workflow. */
  classroom?: boolean;
  /** Ship the working tree's version of files that differ from the last commit (default: refuse). */
  includeUncommitted?: boolean;
}

function inside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * The course's files: in a git work tree, what git tracks (like `git archive`: local leftovers never ship, and
 * the untracked files are named so a forgotten `git add` is noticed); otherwise every file.
 */
export function listFiles(root: string): { files: string[]; untracked: string[]; source: 'git' | 'walk' } {
  if (existsSync(path.join(root, '.git'))) {
    try {
      const git = (...args: string[]) =>
        execFileSync('git', ['-C', root, 'ls-files', '-z', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
          .split('\0')
          .filter(Boolean);
      const files = git('--cached').filter((f) => existsSync(path.join(root, f)));
      return { files, untracked: git('--others', '--exclude-standard'), source: 'git' };
    } catch {
      /* not a usable git checkout: walk */
    }
  }
  const files: string[] = [];
  const walk = (rel: string) => {
    for (const name of readdirSync(path.join(root, rel)).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      if (!rel && NEVER.includes(name)) continue;
      const st = lstatSync(path.join(root, r));
      if (st.isDirectory()) walk(r);
      else if (st.isFile()) files.push(r);
    }
  };
  walk('');
  return { files, untracked: [], source: 'walk' };
}

/**
 * The files of a git checkout that differ from HEAD (staged or not: modified, deleted, added but not committed),
 * relative to `root`, each with git's letter (M, D, A, T). All of them when there is no commit yet.
 */
export function changedSinceHead(root: string, tracked: string[]): Map<string, string> {
  const run = (args: string[]) =>
    execFileSync('git', ['-C', root, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, GIT_OPTIONAL_LOCKS: '0' } });
  try {
    run(['rev-parse', '--verify', '--quiet', 'HEAD^{commit}']);
  } catch {
    return new Map(tracked.map((f) => [f, 'A']));
  }
  let fields: string[];
  try {
    fields = run(['diff', '--name-status', '--no-renames', '--relative', '-z', 'HEAD', '--']).split('\0');
  } catch (err) {
    throw new ReleaseError(
      `could not compare the course with its last commit (git diff HEAD failed: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}); nothing was written`,
    );
  }
  const out = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i]) out.set(fields[i + 1]!, fields[i]!.slice(0, 1));
  return out;
}

/** The committed text of a file (HEAD), or undefined. */
function committedText(root: string, rel: string): string | undefined {
  try {
    return execFileSync('git', ['-C', root, 'cat-file', 'blob', `HEAD:./${rel}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return undefined;
  }
}

const CHANGE: Record<string, string> = { M: 'modified', D: 'deleted', A: 'added, not committed', T: 'type changed' };

function sha(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * What ships is what is committed: a stub edited in the author's checkout (a partial answer, a fix not yet committed)
 * must not reach learners unnoticed; refused with the list unless `include`. course.yaml differs by its progress
 * only: that is cleared anyway.
 */
function uncommittedFiles(
  root: string,
  all: string[],
  files: string[],
  shipped: Set<string>,
  isExcluded: (rel: string) => boolean,
  include: boolean,
): string[] {
  const changed = changedSinceHead(root, all);
  const listed = files.filter((f) => changed.has(f));
  const deleted = [...changed].filter(([f, kind]) => kind === 'D' && !isExcluded(f) && !shipped.has(f)).map(([f]) => f);
  const uncommitted = [...listed, ...deleted]
    .filter((f) => !(f === COURSE_FILE && changed.get(f) === 'M' && sameWithoutProgress(committedText(root, f), path.join(root, f))))
    .sort();
  if (uncommitted.length && !include) {
    const shown = uncommitted
      .slice(0, 20)
      .map((f) => `  ${f} (${CHANGE[changed.get(f) ?? 'M'] ?? 'changed'})`)
      .join('\n');
    throw new ReleaseError(
      `${uncommitted.length} file(s) of the release differ from the last commit (HEAD):\n${shown}${uncommitted.length > 20 ? `\n  and ${uncommitted.length - 20} more` : ''}\n` +
        'Commit them (or undo them: git restore <file>), or pass --include-uncommitted to ship the working tree as it is (nothing was written)',
    );
  }
  return uncommitted;
}

/**
 * Every stub and given helper must ship: a generated helper that was never `git add`-ed would otherwise be missing
 * only in the learners' copy, where check fails on it.
 */
function requireLearnerFiles(course: CourseData, shipped: Set<string>, untracked: string[]): void {
  for (const e of course.exercises) {
    for (const f of [...e.files, ...e.given]) {
      const rel = path.posix.join(e.dir, f);
      if (!shipped.has(rel))
        throw new ReleaseError(
          `${rel} (exercise ${e.id}) would not be in the release${untracked.includes(rel) ? ': git does not track it' : ''}; add it (nothing was written)`,
        );
    }
  }
}

/** A file as learners get it: course.yaml without progress, their README, package.json and lock, else a copy. */
function writeForLearners(root: string, rel: string, to: string, course: CourseData): void {
  const from = path.join(root, rel);
  if (rel === COURSE_FILE) writeFileSync(to, withoutProgress(readFileSync(from, 'utf8')));
  else if (rel === 'README.md') writeFileSync(to, learnerReadme(course));
  else if (rel === 'package.json') writeFileSync(to, learnerPackageJson(readFileSync(from, 'utf8')));
  else if (rel === 'package-lock.json' && existsSync(path.join(root, 'package.json')))
    writeFileSync(to, learnerPackageLock(readFileSync(from, 'utf8'), learnerPackageJson(readFileSync(path.join(root, 'package.json'), 'utf8'))));
  else copyFileSync(from, to);
}

export function releaseCourse(root: string, outArg: string, options: ReleaseOptions = {}): ReleaseSummary {
  const outDir = path.resolve(outArg);
  if (inside(root, outDir))
    throw new ReleaseError(`--out ${outArg} is the course folder or contains it; choose a new folder, e.g. --out ../${path.basename(root)}-learners`);
  if (existsSync(outDir) && (!statSync(outDir).isDirectory() || readdirSync(outDir).length > 0)) {
    throw new ReleaseError(`${outArg} already exists and is not empty; choose a new folder (nothing was written)`);
  }
  const course = loadCourse(root);
  const excluded = new Set([...AUTHOR_ONLY, ...NEVER]);
  for (const e of course.data.exercises) {
    excluded.add(path.normalize(e.solution));
    if (e.mutants) excluded.add(path.normalize(e.mutants));
  }
  // Instructor-only suites (`<id>.hidden.test.ts`) never ship: learners' `course check` runs without them.
  const isExcluded = (rel: string) => isHiddenSuite(rel) || [...excluded].some((x) => rel === x || rel.startsWith(`${x}/`));
  const relOut = path.relative(root, outDir);
  const { files: all, untracked, source } = listFiles(root);
  const files = all.filter((f) => !isExcluded(f) && !(relOut && !relOut.startsWith('..') && (f === relOut || f.startsWith(`${relOut}/`))));

  const shipped = new Set(files);
  requireLearnerFiles(course.data, shipped, untracked);

  const uncommitted = source === 'git' ? uncommittedFiles(root, all, files, shipped, isExcluded, Boolean(options.includeUncommitted)) : [];

  // A solution must not leak under another name (say, a copy left in an exercise folder).
  const solutionHashes = new Map<string, string>();
  for (const e of course.data.exercises) {
    for (const f of e.files) {
      const p = path.join(root, e.solution, f);
      if (existsSync(p)) solutionHashes.set(sha(readFileSync(p)), path.join(e.solution, f));
    }
  }

  const staging = path.join(path.dirname(outDir), `.${path.basename(outDir)}.release-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  let bytes = 0;
  try {
    for (const rel of files) {
      const from = path.join(root, rel);
      const leak = solutionHashes.get(sha(readFileSync(from)));
      if (leak) throw new ReleaseError(`${rel} is a copy of the reference solution ${leak}; remove it (nothing was written)`);
      const to = path.join(staging, rel);
      mkdirSync(path.dirname(to), { recursive: true });
      writeForLearners(root, rel, to, course.data);
      bytes += statSync(to).size;
    }
    if (options.classroom) {
      // GitHub Classroom autograding: a workflow that runs `course check --json` and reports the points.
      for (const [rel, text] of [
        [CLASSROOM_WORKFLOW_PATH, CLASSROOM_WORKFLOW],
        [CLASSROOM_SCRIPT_PATH, CLASSROOM_SCRIPT],
      ] as const) {
        const to = path.join(staging, rel);
        mkdirSync(path.dirname(to), { recursive: true });
        writeFileSync(to, text);
        bytes += Buffer.byteLength(text);
      }
    }
    if (!files.includes(COURSE_FILE)) throw new ReleaseError(`${COURSE_FILE} is not among the course's files (untracked?)`);
    // The copy must load as a course.
    loadCourse(staging);
    if (existsSync(outDir)) rmSync(outDir, { recursive: true });
    mkdirSync(path.dirname(outDir), { recursive: true });
    renameSync(staging, outDir);
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    throw err;
  }
  const leftOut = [...excluded]
    .filter((x) => !NEVER.includes(x) && existsSync(path.join(root, x)))
    .filter((x, _, list) => !list.some((y) => y !== x && x.startsWith(`${y}/`)))
    .sort();
  const hiddenSuites = all.filter(isHiddenSuite);
  if (hiddenSuites.length) leftOut.push(...hiddenSuites.sort());
  return { outDir, files: files.length + (options.classroom ? 2 : 0), bytes, leftOut, source, untracked: untracked.filter((f) => !isExcluded(f)), uncommitted };
}

/** Whether course.yaml on disk and as committed differ by their progress maps only. */
function sameWithoutProgress(committed: string | undefined, file: string): boolean {
  if (committed === undefined) return false;
  try {
    return withoutProgress(committed) === withoutProgress(readFileSync(file, 'utf8'));
  } catch {
    return false;
  }
}

/** course.yaml with every exercise's `progress:` removed; comments and layout kept. */
export function withoutProgress(text: string): string {
  const doc = parseDocument(text);
  const exercises = doc.get('exercises', true) as { items?: unknown[] } | undefined;
  (exercises?.items ?? []).forEach((_, i) => doc.deleteIn(['exercises', i, 'progress']));
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}

/**
 * The type packages the learner's install needs: the grader is compiled there (the prepare script) and learners'
 * files are type-checked against Node's types; jest's types serve only the project's own tests.
 */
const LEARNER_TYPES = /^@types\/(?!jest$)/;

/**
 * package.json for learners: what `course` runs and builds with, nothing of the authors' toolchain (linters, the
 * formatter, Chromium's driver, the deploy recipes' validators); `npm test` checks their current exercise.
 */
export function learnerPackageJson(text: string): string {
  const pkg = JSON.parse(text) as { scripts?: Record<string, string>; dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
  const keep = ['prepare', 'build'];
  const scripts: Record<string, string> = {};
  for (const [k, v] of Object.entries(pkg.scripts ?? {})) if (keep.includes(k)) scripts[k] = v;
  scripts.test = 'node bin/course.js check';
  pkg.scripts = scripts;
  const types = Object.entries(pkg.devDependencies ?? {}).filter(([name]) => LEARNER_TYPES.test(name));
  pkg.dependencies = Object.fromEntries([...Object.entries(pkg.dependencies ?? {}), ...types].sort(([a], [b]) => (a < b ? -1 : 1)));
  delete pkg.devDependencies;
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

interface LockEntry {
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  dev?: boolean;
  devOptional?: boolean;
  link?: boolean;
  resolved?: string;
}

/**
 * package-lock.json to match learnerPackageJson: the root's dependencies as there, and only the packages they
 * reach (so \`npm ci\` in the copy installs none of the authors' tools, and the lock and package.json agree).
 */
export function learnerPackageLock(text: string, learnerPackage: string): string {
  const lock = JSON.parse(text) as { packages?: Record<string, LockEntry> };
  const pkg = JSON.parse(learnerPackage) as { dependencies?: Record<string, string> };
  const packages = lock.packages ?? {};
  const rootEntry = packages[''];
  if (!rootEntry) return text;
  rootEntry.dependencies = pkg.dependencies ?? {};
  delete rootEntry.devDependencies;
  // Node's resolution: from a package's folder up through the node_modules folders above it.
  const resolve = (from: string, name: string): string | undefined => {
    let base = from;
    for (;;) {
      const candidate = `${base ? `${base}/` : ''}node_modules/${name}`;
      if (packages[candidate]) return candidate;
      if (!base) return undefined;
      const cut = base.lastIndexOf('/node_modules/');
      base = cut < 0 ? '' : base.slice(0, cut);
    }
  };
  const reached = new Set<string>(['']);
  const queue = [''];
  while (queue.length) {
    const at = queue.shift()!;
    const entry = packages[at]!;
    // A workspace link (packages/course-cli): its target is reached too.
    if (entry.link && entry.resolved && packages[entry.resolved] && !reached.has(entry.resolved)) {
      reached.add(entry.resolved);
      queue.push(entry.resolved);
    }
    const names =
      at === ''
        ? [
            ...Object.keys(entry.dependencies ?? {}),
            ...Object.keys(packages)
              .filter((k) => packages[k]!.link)
              .map((k) => k.replace(/^node_modules\//, '')),
          ]
        : [...Object.keys(entry.dependencies ?? {}), ...Object.keys(entry.optionalDependencies ?? {}), ...Object.keys(entry.peerDependencies ?? {})];
    for (const name of names) {
      const found = resolve(at, name);
      if (found && !reached.has(found)) {
        reached.add(found);
        queue.push(found);
      }
    }
  }
  lock.packages = Object.fromEntries(
    Object.entries(packages)
      .filter(([key]) => reached.has(key) || (!key.startsWith('node_modules/') && !key.includes('/node_modules/')))
      .map(([key, entry]) => {
        const { dev: _dev, devOptional: _devOptional, ...rest } = entry;
        return [key, key === '' ? entry : rest];
      }),
  );
  return `${JSON.stringify(lock, null, 2)}\n`;
}
