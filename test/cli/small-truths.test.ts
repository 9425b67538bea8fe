// Black-box: messages that tell a learner or an instructor what is really going on. Importing a package an exercise
// does not provide says so (not Node's bare "Cannot find module"); `course grade` without a folder prints its usage;
// the README's first command never asks the npm registry for a package named `course` when run outside the course.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { copyCourse, course, repoRoot } from '../helpers';

const dir = copyCourse();

test('importing ws in an exercise that allows no packages says why, not just "Cannot find module"', () => {
  const folder = path.join(dir, '.with-ws');
  mkdirSync(folder, { recursive: true });
  const solution = readFileSync(path.join(repoRoot, 'solutions', '01-hpack-table', 'hpack-table.ts'), 'utf8');
  writeFileSync(path.join(folder, 'hpack-table.ts'), `import WebSocket from 'ws';\nexport const socketClass = WebSocket;\n${solution}`);
  const r = course(dir, ['check', 'hpack-table', '--dir', folder, '--json']);
  expect(r.code).toBe(1);
  const result = JSON.parse(r.stdout) as { status: string; message: string };
  expect(result.status).toBe('load-error');
  expect(result.message).toContain("Cannot find module 'ws'");
  expect(result.message).toContain('This exercise allows no packages, so "ws" cannot be imported');
  expect(result.message).toContain("Node's own modules");
});

test('`course grade` without a folder prints its usage line', () => {
  const r = course(dir, ['grade']);
  expect(r.code).toBe(2);
  expect(r.stderr).toContain('course: grade needs the submissions folder\nUsage: course grade <submissions> --out <dir>');
  expect(r.stderr).toContain('npx course grade --help');
});

describe("the README's first command, outside the course", () => {
  const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  // The first shell block's first line: "npm install && npx … course next   # …".
  const first = /```sh\n([^\n]*)\n/.exec(readme)![1]!.replace(/\s+#.*$/, '');
  const npx = first
    .split('&&')
    .map((part) => part.trim())
    .find((part) => part.startsWith('npx'))!;

  test('uses a form of npx that neither fetches nor installs', () => {
    expect(npx).toMatch(/^npx (--no --offline|--offline --no) course next$/);
  });

  test('run in a folder outside the course with the registry unreachable: it stops without asking the registry and runs nothing', () => {
    const outside = mkdtempSync(path.join(os.tmpdir(), 'course-outside-'));
    const cache = mkdtempSync(path.join(os.tmpdir(), 'course-npm-cache-'));
    const r = spawnSync('sh', ['-c', npx], {
      cwd: outside,
      encoding: 'utf8',
      timeout: 120_000,
      stdio: ['ignore', 'pipe', 'pipe'],
      // An unreachable registry and an empty cache: a plain `npx course` spends a minute retrying the registry here.
      env: { ...process.env, npm_config_registry: 'http://127.0.0.1:9/', npm_config_cache: cache, npm_config_update_notifier: 'false' },
    });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/ENOTCACHED/);
    expect(r.stderr).not.toMatch(/ECONNREFUSED|Need to install/);
  });

  test('run inside the course (and in an exercise folder), it is the course command', () => {
    for (const cwd of [dir, path.join(dir, 'exercises', '01-hpack-table')]) {
      const r = spawnSync('sh', ['-c', npx.replace(/ next$/, ' status')], {
        cwd,
        encoding: 'utf8',
        timeout: 120_000,
        env: { ...process.env, NO_COLOR: '1', npm_config_registry: 'http://127.0.0.1:9/' },
      });
      expect({ cwd, code: r.status, stderr: r.stderr }).toMatchObject({ code: 0 });
      expect(r.stdout).toMatch(/hpack-table/);
    }
  });
});
