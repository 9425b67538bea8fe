// toolPresent (test/helpers.ts): a test file whose tool is missing skips its tests on a developer's machine, and
// fails under COURSE_REQUIRE_TOOLS=1, which CI sets so that a run without chromium or nghttp2 cannot pass.
// Runs jest on a probe file that needs a tool no machine has.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../helpers';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'require-tools-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
writeFileSync(
  path.join(tmp, 'probe.test.ts'),
  [
    `import { toolPresent } from ${JSON.stringify(path.join(repoRoot, 'test', 'helpers'))};`,
    "const maybe = toolPresent(false, 'the-absent-tool, for the probe') ? describe : describe.skip;",
    "maybe('with the tool', () => test('uses it', () => undefined));",
    '',
  ].join('\n'),
);

function jestOnProbe(env: NodeJS.ProcessEnv): { code: number | null; output: string } {
  const config = {
    rootDir: tmp,
    testMatch: ['<rootDir>/probe.test.ts'],
    transform: { '^.+\\.ts$': [require.resolve('ts-jest'), { tsconfig: path.join(repoRoot, 'tsconfig.json') }] },
    testEnvironment: 'node',
  };
  const environment: NodeJS.ProcessEnv = { ...process.env, ...env };
  if (env.COURSE_REQUIRE_TOOLS === undefined) delete environment.COURSE_REQUIRE_TOOLS;
  const r = spawnSync(process.execPath, [path.join(repoRoot, 'node_modules/jest/bin/jest.js'), '--config', JSON.stringify(config), '--ci'], {
    cwd: tmp,
    env: environment,
    encoding: 'utf8',
  });
  return { code: r.status, output: r.stdout + r.stderr };
}

test('without COURSE_REQUIRE_TOOLS a missing tool skips the tests that need it, with a warning', () => {
  const r = jestOnProbe({});
  expect(r.output).toContain('SKIPPED: the-absent-tool, for the probe is not installed here');
  expect(r.output).toMatch(/Tests:\s+1 skipped, 1 total/);
  expect(r.code).toBe(0);
});

test('with COURSE_REQUIRE_TOOLS=1 a missing tool is a failing test that names it', () => {
  const r = jestOnProbe({ COURSE_REQUIRE_TOOLS: '1' });
  expect(r.output).toContain('a required tool is installed: the-absent-tool, for the probe');
  expect(r.output).toMatch(/Tests:\s+1 failed, 1 skipped, 2 total/);
  expect(r.code).toBe(1);
});
