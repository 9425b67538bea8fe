// Black-box: the real `course watch` in a pseudo-terminal of a given size (test/pty.ts), with a long failure (the
// stub's every call throws a 60-line message). At 80x24, then resized to 120x40 and to 40x10 as a window is: each
// redraw fits the terminal (no more rows than it has, counting the rows a long line would wrap to), so the title,
// the "N of M tests failing" line with its bars and the keys are all on screen; the evidence grows with the screen.

import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { copyCourse, course, toolPresent } from '../helpers';
import { plain, Pty, ptyAvailable } from '../pty';

/** What the screen shows now: the output since the last clear. */
function screen(pty: Pty): string {
  return plain(pty.output.slice(pty.output.lastIndexOf('\x1b[2J') + '\x1b[2J\x1b[3J'.length));
}

/** Waits for a whole redraw (its last row is the keys) that matches, after `clears` earlier ones. */
async function waitScreen(pty: Pty, pattern: RegExp, clears = 0, ms = 120_000): Promise<string[]> {
  const deadline = Date.now() + ms;
  const redraws = () => pty.output.split('\x1b[2J').length - 1;
  // (Whole once its last line with text is the keys: a newline after them would scroll the screen, expectFits says.)
  const lastText = () => screen(pty).trimEnd().split('\n').at(-1)!;
  const whole = () => redraws() > clears && pattern.test(screen(pty)) && /q quit/.test(lastText());
  while (!whole()) {
    if (Date.now() > deadline) throw new Error(`the screen never showed ${pattern}; it shows:\n${screen(pty).slice(-2500)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return screen(pty).split('\n');
}

/** The rows a terminal of `columns` needs for these lines (a longer line wraps onto more rows). */
const rowsNeeded = (lines: string[], columns: number) => lines.reduce((sum, l) => sum + Math.max(1, Math.ceil([...l].length / columns)), 0);

function expectFits(lines: string[], rows: number, columns: number): void {
  expect(rowsNeeded(lines, columns)).toBeLessThanOrEqual(rows);
  expect(lines[0]).toMatch(/^Exercise 1 of \d+: /);
  expect(lines.slice(1, 6).join(' ')).toMatch(/✗ (\d+) of \1 tests failing/);
  expect(lines.slice(1, 6).join(' ')).toMatch(/tests \[░+\] 0\/\d+ +course \[░+\] 0\/\d+/);
  expect(lines.at(-1)).toMatch(/^n next +h hint +l list +r re-run +q quit/);
}

const maybe = toolPresent(ptyAvailable, 'util-linux `script`, for the watch tests') ? describe : describe.skip;

maybe('watch laid out for the terminal', () => {
  test('80x24, resized to 120x40 and 40x10: header and keys on screen, the evidence given the rows left', async () => {
    const dir = copyCourse();
    try {
      const first = (YAML.parse(readFileSync(path.join(dir, 'course.yaml'), 'utf8')) as { exercises: { dir: string; files: string[] }[] }).exercises[0]!;
      expect(course(dir, ['next', '--brief']).code).toBe(0);
      const file = path.join(dir, first.dir, first.files[0]!);
      const long = Array.from({ length: 60 }, (_, i) => `line ${i} of a long explanation whose words wrap once the terminal is narrow enough`).join('\\n');
      writeFileSync(file, readFileSync(file, 'utf8').replaceAll("throw new Error('not implemented')", `throw new Error('not implemented:\\n${long}')`));

      const pty = new Pty(process.execPath, [path.join(dir, 'bin', 'course.js'), 'watch'], { cwd: dir, size: { rows: 24, columns: 80 } });
      try {
        await pty.sized();
        let s = await waitScreen(pty, /✗ (\d+) of \1 tests failing[\s\S]*line 3 of a long/);
        expectFits(s, 24, 80);
        const evidenceAt80 = s.filter((l) => l.startsWith('    │ ')).length;
        expect(evidenceAt80).toBeGreaterThanOrEqual(8);
        expect(s.join('\n')).toMatch(/^ {4}… \d+ more lines: npx course check shows them all$/m);

        let clears = pty.output.split('\x1b[2J').length - 1;
        pty.resize(40, 120);
        s = await waitScreen(pty, /tests failing/, clears);
        expectFits(s, 40, 120);
        expect(s.filter((l) => l.startsWith('    │ ')).length).toBeGreaterThan(evidenceAt80);

        clears = pty.output.split('\x1b[2J').length - 1;
        pty.resize(10, 40);
        s = await waitScreen(pty, /tests failing/, clears);
        expectFits(s, 10, 40);
        // Ten rows: still the first failure's name and the start of its evidence.
        expect(s.join('\n')).toMatch(/^✗ \S.*\n {4}│ \S/m);

        pty.type('q');
        expect(await pty.exited).toBe(0);
      } finally {
        pty.kill();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
