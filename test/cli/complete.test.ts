// Black-box: the end of the course. `next` after the last exercise re-checks every exercise before saying the
// course is complete (like rustlings), and an exercise that no longer passes becomes current again.
import { execFileSync } from 'node:child_process';
import { appendFileSync, copyFileSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { copyCourse, course } from '../helpers';

const dir = copyCourse();
afterAll(() => rmSync(dir, { recursive: true, force: true }));
// A one-exercise course (the author tool keeps the header comments), so the whole course is quick to finish.
execFileSync(process.execPath, [path.join(dir, 'scripts', 'assemble-course.js'), 'hpack-table'], { cwd: dir, stdio: 'ignore' });
const exercise = (
  YAML.parse(readFileSync(path.join(dir, 'course.yaml'), 'utf8')) as { exercises: Array<{ id: string; dir: string; solution: string; files: string[] }> }
).exercises[0]!;
const learnerFile = path.join(dir, exercise.dir, exercise.files[0]!);
const status = () =>
  (YAML.parse(readFileSync(path.join(dir, 'course.yaml'), 'utf8')) as { exercises: Array<{ progress?: { status: string } }> }).exercises[0]!.progress?.status;

test('after the last exercise passes, next re-checks everything and says the course is complete', () => {
  expect(course(dir, ['next']).code).toBe(0);
  copyFileSync(path.join(dir, exercise.solution, exercise.files[0]!), learnerFile);
  expect(course(dir, ['check']).code).toBe(0);
  const r = course(dir, ['next']);
  expect(r.stdout).toMatch(/Re-checking all 1 before calling the course complete/);
  expect(r.stdout).toMatch(/✓ hpack-table {2}\d+\/\d+/);
  expect(r.stdout).toMatch(/Course complete/);
  expect(r.code).toBe(0);
  expect(status()).toBe('done');
});

test('an exercise that no longer passes (here: no longer compiles) is current again, and next says why', () => {
  appendFileSync(learnerFile, '\nexport const broken = ;\n');
  const r = course(dir, ['next']);
  expect(r.code).toBe(1);
  expect(r.stdout).toMatch(/✗ hpack-table {2}compile-error: does not compile/);
  expect(r.stdout).toMatch(/hpack-table no longer passes; it is your current exercise again/);
  expect(r.stdout).not.toMatch(/Course complete/);
  expect(status()).toBe('current');
});
