// Issue 22.5: the learners' copy is a learner's. Its README is the learner loop (no `npm test`, no link to a file it
// leaves out); its package.json and lock hold what learners run and build with, none of the authors' tools; and
// `npm ci` there (offline, from the npm cache this checkout's own install filled) installs exactly that, after which
// the copy builds its grader and `course check` grades.

import { spawnSync } from 'node:child_process';
import { builtinModules } from 'node:module';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { copyCourse, course } from '../helpers';

const src = copyCourse();
const tmp = mkdtempSync(path.join(os.tmpdir(), 'course-learner-files-'));
const out = path.join(tmp, 'learners');
afterAll(() => {
  rmSync(src, { recursive: true, force: true });
  rmSync(tmp, { recursive: true, force: true });
});

// (playwright-core is the learners' too: the alpn suite drives Chromium through it, as a real peer.)
const AUTHOR_TOOLS = ['kubernetes-models', '@actions/workflow-parser', 'eslint', 'prettier', 'ts-jest', 'typescript-eslint', 'dockerfile-utils'];

/** The packages the shipped code imports (bare specifiers of bin/, grader/, harness/, packages/), by package name. */
function importedPackages(root: string): Set<string> {
  const found = new Set<string>();
  const walk = (rel: string) => {
    for (const entry of readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const r = path.join(rel, entry.name);
      if (entry.isDirectory()) walk(r);
      else if (/\.(ts|js|mjs)$/.test(entry.name)) {
        const text = readFileSync(path.join(root, r), 'utf8');
        for (const m of text.matchAll(/(?:from\s+|require\(|import\()['"]([^'".][^'"]*)['"]/g)) {
          const spec = m[1]!;
          if (spec.startsWith('node:') || builtinModules.includes(spec.split('/')[0]!) || spec === '@exercise') continue;
          found.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
        }
      }
    }
  };
  for (const dir of ['bin', 'grader', 'harness', 'packages']) if (existsSync(path.join(root, dir))) walk(dir);
  return found;
}

test("the copy's README is the learner loop, linking only to what ships", () => {
  const r = course(src, ['release', '--out', out]);
  expect(r.code).toBe(0);
  const readme = readFileSync(path.join(out, 'README.md'), 'utf8');
  expect(readme).toContain('npx course next');
  expect(readme).toContain('npx course check');
  expect(readme).not.toMatch(/npm test/);
  expect(readme).not.toMatch(/course (grade|verify|release|merge)/);
  for (const [, target] of readme.matchAll(/\]\(([^)#]+)(#[^)]*)?\)/g)) {
    if (/^[a-z]+:/.test(target!)) continue;
    expect(existsSync(path.join(out, target!))).toBe(true);
  }
});

test("package.json and its lock: what the shipped code imports, and none of the authors' tools", () => {
  const pkg = JSON.parse(readFileSync(path.join(out, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies?: unknown };
  expect(pkg.devDependencies).toBeUndefined();
  const deps = Object.keys(pkg.dependencies);
  for (const tool of AUTHOR_TOOLS) expect(deps).not.toContain(tool);
  expect(deps).toContain('@types/node'); // learners' files are type-checked against Node's types, and the grader builds
  const lock = JSON.parse(readFileSync(path.join(out, 'package-lock.json'), 'utf8')) as { packages: Record<string, unknown> };
  const locked = new Set(Object.keys(lock.packages).map((k) => k.replace(/^.*node_modules\//, '')));
  for (const tool of AUTHOR_TOOLS) expect(locked.has(tool)).toBe(false);
  // Every package the learner's copy imports is installed by its lock (a direct dependency or one of theirs).
  const missing = [...importedPackages(out)].filter((name) => !locked.has(name));
  expect(missing).toEqual([]);
});

test(
  "npm ci in the copy installs only that, and the copy's course check grades",
  () => {
    const ci = spawnSync('npm', ['ci', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: out, encoding: 'utf8', timeout: 5 * 60_000 });
    expect(ci.stderr).not.toMatch(/ERR!/);
    expect(ci.status).toBe(0);
    for (const tool of ['kubernetes-models', '@actions/workflow-parser', 'eslint', 'prettier']) {
      expect(existsSync(path.join(out, 'node_modules', tool))).toBe(false);
    }
    // What the prepare script does: build the grader with the learner's dependencies only.
    const build = spawnSync(process.execPath, [path.join(out, 'bin', 'build.js')], { cwd: out, encoding: 'utf8', timeout: 5 * 60_000 });
    expect(build.stderr).toBe('');
    expect(build.status).toBe(0);
    expect(course(out, ['next']).code).toBe(0);
    const check = course(out, ['check']);
    expect(check.code).toBe(1); // the untouched stub: graded, not passed
    expect(check.stdout).toMatch(/failed|not started/);
  },
  10 * 60_000,
);
