// On a Node older than 22.14 (package.json's engines), `course`, the build and jest's global setup stop at once with
// one clear line and exit code 2, before the grader loads. The old Node is simulated by giving the process an older
// process.versions.node before the entry point is required (the check reads nothing else).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../helpers';

const MESSAGE =
  /^(course|course build|jest): Node\.js 22\.13\.1 is too old: this course needs Node\.js 22\.14 or newer \(Node 24 LTS recommended\)\. See https:\/\/nodejs\.org\/\n$/;

function underNode(version: string, script: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(
    process.execPath,
    ['-e', `Object.defineProperty(process, 'versions', { value: { ...process.versions, node: ${JSON.stringify(version)} } }); ${script}`],
    { cwd: repoRoot, encoding: 'utf8' },
  );
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test.each([
  ['course', "process.argv = [process.argv[0], 'bin/course.js', 'list']; require('./bin/course.js')"],
  ['the build', "require('./bin/build.js')"],
  ['jest', "require('./jest.global-setup.js')()"],
])('%s on Node 22.13 says in one line that Node is too old and exits 2', (_what, script) => {
  const r = underNode('22.13.1', script);
  expect(r.stderr).toMatch(MESSAGE);
  expect(r).toMatchObject({ code: 2, stdout: '' });
});

test('22.14 and newer pass the check (the rest of `course` runs)', () => {
  const r = underNode('22.14.0', "process.argv = [process.argv[0], 'bin/course.js', '--version']; require('./bin/course.js')");
  expect(r.stderr).not.toMatch(/too old/);
  expect(r.code).toBe(0);
});

test("the minimum is package.json's engines", () => {
  const { MINIMUM } = require(path.join(repoRoot, 'bin', 'node-version.js')) as { MINIMUM: number[] };
  const engines = (JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;
  expect(engines).toBe(`>=${MINIMUM.join('.')}`);
});
