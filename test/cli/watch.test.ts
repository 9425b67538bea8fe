// Black-box: `course watch`. In a real pseudo-terminal (test/pty.ts): a screen redrawn on each run with the
// failing tests first, a save that breaks a test puts that test on screen, the keys (h hint, r re-run, l list
// and jump, n next, q quit), and --poll. Without a terminal: plain re-checks after a save, and Ctrl-C stops it.
// Every step waits for what the screen shows.

import { spawn } from 'node:child_process';
import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { copyCourse, course, processesMentioning, toolPresent } from '../helpers';
import { keys, plain, Pty, ptyAvailable } from '../pty';

interface Entry {
  id: string;
  dir: string;
  solution: string;
  files: string[];
  progress?: { status: string; attempts: number; hintsShown: number };
}
const entries = (dir: string): Entry[] => (YAML.parse(readFileSync(path.join(dir, 'course.yaml'), 'utf8')) as { exercises: Entry[] }).exercises;

/** What the screen shows now: the output since the last clear. */
function screen(pty: Pty): string {
  return plain(pty.output.slice(pty.output.lastIndexOf('\x1b[2J')));
}

/**
 * Waits until the current screen (the last redraw) matches and is whole: the keys line is the screen's last, and
 * a pseudo-terminal may hand over one redraw in several reads, so a match on its top half alone is not enough.
 */
async function waitScreen(pty: Pty, pattern: RegExp, ms = 120_000): Promise<string> {
  const deadline = Date.now() + ms;
  const whole = (s: string) => pattern.test(s) && /q quit/.test(s);
  while (!whole(screen(pty))) {
    if (Date.now() > deadline) throw new Error(`the screen never showed ${pattern}; it shows:\n${screen(pty).slice(-2500)}`);
    await pty.waitFor(/[\s\S]/, pty.output.length - 1, ms).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 50));
  }
  return screen(pty);
}

const maybe = toolPresent(ptyAvailable, 'util-linux `script`, for the watch tests') ? describe : describe.skip;

maybe('watch in a terminal', () => {
  test('a screen: failures first, a breaking save shows the failing test, keys h r l n q', async () => {
    const dir = copyCourse();
    try {
      const [first, second] = entries(dir) as [Entry, Entry];
      expect(course(dir, ['next', '--brief']).code).toBe(0);
      const file = path.join(dir, first.dir, first.files[0]!);
      const pty = new Pty(process.execPath, [path.join(dir, 'bin', 'course.js'), 'watch'], { cwd: dir });
      try {
        // The stub: every test fails; the first failure with its evidence, the keys at the bottom.
        let s = await waitScreen(pty, /✗ (\d+) of \1 tests failing[\s\S]*q quit/);
        expect(s).toMatch(/^Exercise 1 of \d+: /m);
        expect(s).toMatch(/tests \[░+\] 0\/\d+ +course \[░+\] 0\/\d+/);
        expect(s).toMatch(/not implemented/);
        expect(s).toMatch(/n next +h hint +l list +r re-run +q quit/);
        expect(s.split('\n').length).toBeLessThan(60);

        // The solution: passed, and the passes are one line.
        copyFileSync(path.join(dir, first.solution, first.files[0]!), file);
        s = await waitScreen(pty, /✔ passed: all (\d+) tests +tests \[█+\] (\d+)\/\2 +course \[█+░+\] 1\/\d+/);
        expect(s).toMatch(/Passed! Press n for the next exercise/);
        expect(s).not.toMatch(/✗/);

        // A save that breaks the eviction order: the failing tests are on screen, before the count of passes.
        writeFileSync(file, readFileSync(file, 'utf8').replace('this.dynamic.pop()!', 'this.dynamic.shift()!'));
        s = await waitScreen(pty, /✗ \d+ of \d+ tests failing[\s\S]*✓ \d+ passed/);
        // (The summary line starts with ✗ too: the failing tests are the ✗ lines after it.)
        const failLines = s.split('\n').filter((l) => /^\s*✗ \S/.test(l) && !/tests failing/.test(l));
        expect(failLines.length).toBeGreaterThan(0);
        expect(failLines.join('\n')).toMatch(/§4\.[34]|evict/i);
        expect(s.indexOf(failLines[0]!)).toBeLessThan(s.search(/✓ \d+ passed/));
        expect(s).toMatch(/best \d+\/\d+/);

        // h: the first hint under the results; counted.
        pty.type('h');
        await waitScreen(pty, /Hint 1 of \d+:/);
        expect(entries(dir)[0]!.progress!.hintsShown).toBe(1);

        // r: the same code again, checked again (one more attempt).
        const attempts = entries(dir)[0]!.progress!.attempts;
        pty.type('r');
        await waitScreen(pty, /⟳ checking/);
        await waitScreen(pty, /✗ \d+ of \d+ tests failing/);
        expect(entries(dir)[0]!.progress!.attempts).toBe(attempts + 1);

        // n before passing: refused with a word.
        pty.type('n');
        await waitScreen(pty, /n moves on once this exercise passes/);

        // l: the list; ↓ and Enter jump to exercise 2, which becomes the current one.
        pty.type('l');
        await waitScreen(pty, /Exercises: ↑\/↓ to choose[\s\S]*❯ +1\. hpack-table/);
        pty.type(keys.down);
        await waitScreen(pty, /❯ +2\. frame-parser/);
        pty.type(keys.enter);
        s = await waitScreen(pty, /^Exercise 2 of \d+: [\s\S]*✗ (\d+) of \1 tests failing/m);
        expect(s).toContain(`watching ${path.join(second.dir, second.files[0]!)}`);

        pty.type('q');
        expect(await pty.exited).toBe(0);
      } finally {
        pty.kill();
      }
      expect(entries(dir)[1]!.progress!.status).toBe('current');
      await new Promise((r) => setTimeout(r, 500));
      expect(processesMentioning(dir)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 600_000);

  test('--poll notices a save without file-system events; q during a run records no attempt; n moves on', async () => {
    const dir = copyCourse();
    try {
      const [first] = entries(dir) as [Entry];
      expect(course(dir, ['next', '--brief']).code).toBe(0);
      const pty = new Pty(process.execPath, [path.join(dir, 'bin', 'course.js'), 'watch', '--poll'], { cwd: dir });
      try {
        await waitScreen(pty, /✗ (\d+) of \1 tests failing[\s\S]*\(polling\)/);
        copyFileSync(path.join(dir, first.solution, first.files[0]!), path.join(dir, first.dir, first.files[0]!));
        await waitScreen(pty, /✔ passed: all \d+ tests/);
        pty.type('n');
        await waitScreen(pty, /^Exercise 2 of \d+: [\s\S]*\(polling\)/m);
        // Quit while exercise 2's first check runs: no attempt is recorded for it.
        await waitScreen(pty, /⟳ checking/);
        pty.type('q');
        expect(await pty.exited).toBe(0);
      } finally {
        pty.kill();
      }
      const after = entries(dir);
      expect(after[0]!.progress!.status).toBe('done');
      expect(after[1]!.progress).toMatchObject({ status: 'current', attempts: 0 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});

test('without a terminal, watch re-checks after a save, and Ctrl-C stops it leaving no process behind', async () => {
  const dir = copyCourse();
  try {
    const first = entries(dir)[0]!;
    const child = spawn(process.execPath, [path.join(dir, 'bin', 'course.js'), 'watch'], { cwd: dir, env: { ...process.env, NO_COLOR: '1' } });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const waitFor = async (re: RegExp) => {
      const deadline = Date.now() + 120_000;
      while (!re.test(out)) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${re}; output so far:\n${out}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    await waitFor(/✗ (\d+) of \1 tests failing/);
    expect(out).not.toMatch(/\x1b\[2J/);
    for (const f of first.files) copyFileSync(path.join(dir, first.solution, f), path.join(dir, first.dir, f));
    await waitFor(/✔ passed: all \d+ tests/);
    child.kill('SIGINT');
    await new Promise((resolve) => child.on('exit', resolve));
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(processesMentioning(dir)).toEqual([]);
    expect(entries(dir)[0]!.progress!.status).toBe('done');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 300_000);

test('where file-system events never arrive, watch says so and polls by itself', async () => {
  const dir = copyCourse();
  try {
    const first = entries(dir)[0]!;
    const shim = path.join(__dirname, '..', 'fixtures', 'no-fs-events', 'no-fs-events.js');
    const child = spawn(process.execPath, ['--require', shim, path.join(dir, 'bin', 'course.js'), 'watch'], {
      cwd: dir,
      env: { ...process.env, NO_COLOR: '1' },
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const waitFor = async (re: RegExp) => {
      const deadline = Date.now() + 120_000;
      while (!re.test(out)) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${re}; output so far:\n${out}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    await waitFor(/✗ (\d+) of \1 tests failing/);
    expect(out).toMatch(/file-system events do not arrive in this folder; watching by polling instead \(--poll\)/);
    for (const f of first.files) copyFileSync(path.join(dir, first.solution, f), path.join(dir, first.dir, f));
    await waitFor(/✔ passed: all \d+ tests/);
    child.kill('SIGINT');
    await new Promise((resolve) => child.on('exit', resolve));
    expect(entries(dir)[0]!.progress!.status).toBe('done');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 300_000);
