// Shared helpers for the project's own tests.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { Exercise, type ExerciseSpec } from '../grader/course/schema';

export const repoRoot = path.resolve(__dirname, '..');

export function fixtureExercise(name = 'calc', overrides: Partial<ExerciseSpec> = {}): ExerciseSpec {
  const entry = YAML.parse(readFileSync(path.join(repoRoot, 'test', 'fixtures', name, 'course-entry.yaml'), 'utf8'));
  return Exercise.parse({ ...entry, ...overrides });
}

/** A private copy of the course (everything tracked plus dist/), with node_modules linked, for black-box tests. */
export function copyCourse(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'course-copy-'));
  const skip = new Set(['node_modules', '.course', '.git']);
  cpSync(repoRoot, dir, { recursive: true, filter: (src) => !skip.has(path.basename(src)) || path.dirname(src) !== repoRoot });
  symlinkSync(path.join(repoRoot, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  return dir;
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real `course` command in a course copy, without a terminal. */
export function course(dir: string, args: string[], env: NodeJS.ProcessEnv = {}): CliResult {
  const r = spawnSync(process.execPath, [path.join(dir, 'bin', 'course.js'), ...args], {
    cwd: dir,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1', ...env },
    timeout: 120_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** PIDs of processes whose command line mentions `needle`. */
export function processesMentioning(needle: string): number[] {
  try {
    return execFileSync('pgrep', ['-f', needle], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number)
      .filter((pid) => pid !== process.pid);
  } catch {
    return [];
  }
}

/**
 * Whether a tool some tests need is installed (a browser, nghttp2, util-linux `script`, setpriv), given the probe's
 * answer. Where it is missing, those tests are skipped with a warning on a developer's machine; with
 * COURSE_REQUIRE_TOOLS=1 (CI sets it) the file gets a failing test instead, so CI cannot pass without running them.
 * (Only for tools: tests that depend on how they run, as root or not, are a mode and skip without this.)
 * Declare the tests with `toolPresent(found, 'what') ? describe : describe.skip`.
 */
export function toolPresent(found: boolean, missing: string): boolean {
  if (found) return true;
  if (process.env.COURSE_REQUIRE_TOOLS === '1') {
    test(`a required tool is installed: ${missing}`, () => {
      throw new Error(`not installed: ${missing}. COURSE_REQUIRE_TOOLS=1 makes a missing tool a failure rather than a skip`);
    });
  } else console.warn(`SKIPPED: ${missing} is not installed here`);
  return false;
}
