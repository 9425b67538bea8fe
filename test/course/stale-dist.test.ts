// jest's global setup (jest.global-setup.js) rebuilds a dist/ older than its sources, so a test run right after an
// edit under grader/ (or a harness/ file the grader compiles) never tests the previous build. Run on a private copy
// of the course: the setup is called there as jest calls it, in a process of its own.
import { spawnSync } from 'node:child_process';
import { appendFileSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { copyCourse } from '../helpers';

const copy = copyCourse();
afterAll(() => rmSync(copy, { recursive: true, force: true }));

function globalSetup(): { code: number | null; stderr: string } {
  const r = spawnSync(process.execPath, ['-e', "require('./jest.global-setup.js')()"], { cwd: copy, encoding: 'utf8' });
  return { code: r.status, stderr: r.stderr };
}

test('a current dist/ is left alone, silently', () => {
  const r = globalSetup();
  expect(r).toEqual({ code: 0, stderr: '' });
});

test('after an edit under grader/, the setup rebuilds dist/ (one line says so) and the next run finds it current', () => {
  appendFileSync(path.join(copy, 'grader/paths.ts'), '\nexport const STALE_DIST_PROBE = 41;\n');
  const r = globalSetup();
  expect(r.code).toBe(0);
  expect(r.stderr.trim()).toBe('jest: dist/ is older than the grader sources; rebuilding it (node bin/build.js)');
  expect(readFileSync(path.join(copy, 'dist/grader/paths.js'), 'utf8')).toContain('STALE_DIST_PROBE = 41');
  expect(globalSetup()).toEqual({ code: 0, stderr: '' });
});

test('an edit to a harness/ file compiled with the grader (the sandbox contract) also makes dist/ stale', () => {
  appendFileSync(path.join(copy, 'harness/sandbox/contract.ts'), '\nexport const STALE_DIST_PROBE = 42;\n');
  const r = globalSetup();
  expect(r.stderr).toContain('rebuilding it');
  expect(readFileSync(path.join(copy, 'dist/harness/sandbox/contract.js'), 'utf8')).toContain('STALE_DIST_PROBE = 42');
});
