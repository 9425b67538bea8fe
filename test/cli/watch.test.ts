// Black-box: `course watch` checks at once, re-checks on save, and stops cleanly on Ctrl-C.
import { spawn } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { readFileSync } from 'node:fs';
import { copyCourse, processesMentioning } from '../helpers';

test('watch re-checks after a save and leaves no process behind', async () => {
  const dir = copyCourse();
  const first = YAML.parse(readFileSync(path.join(dir, 'course.yaml'), 'utf8')).exercises[0];
  const child = spawn(process.execPath, [path.join(dir, 'bin', 'course.js'), 'watch'], { cwd: dir, env: { ...process.env, NO_COLOR: '1' } });
  let out = '';
  const waitFor = (re: RegExp) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${re}; output so far:\n${out}`)), 90_000);
      const check = () => {
        if (re.test(out)) {
          clearTimeout(timer);
          child.stdout.off('data', check);
          resolve();
        }
      };
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        check();
      });
      check();
    });
  await waitFor(/Watching/);
  expect(out).toMatch(/^0 passed, \d+ failed$/m);
  for (const f of first.files) copyFileSync(path.join(dir, first.solution, f), path.join(dir, first.dir, f));
  await waitFor(/Passed!/);
  expect(out).toMatch(/^\d+ passed, 0 failed$/m);
  child.kill('SIGINT');
  await new Promise((resolve) => child.on('exit', resolve));
  await new Promise((resolve) => setTimeout(resolve, 500));
  expect(processesMentioning(dir)).toEqual([]);
  expect(YAML.parse(readFileSync(path.join(dir, 'course.yaml'), 'utf8')).exercises[0].progress.status).toBe('done');
});
