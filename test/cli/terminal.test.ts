// Black-box, in a real pseudo-terminal (test/pty.ts): what only happens when a person sits at the keyboard —
// the interactive menu of `course` alone, reset's confirmation, Ctrl-C in a prompt, and the progress bar of
// `course grade`. Every step waits for what the screen shows, so a slow machine only makes it slower.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import * as fx from '../batch/fixture-course';
import { copyCourse, course, toolPresent } from '../helpers';
import { keys, Pty, ptyAvailable } from '../pty';

const maybe = toolPresent(ptyAvailable, 'util-linux `script`, for the terminal tests') ? describe : describe.skip;

maybe('in a terminal', () => {
  let dir: string;
  beforeAll(() => {
    dir = copyCourse();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const courseJs = () => path.join(dir, 'bin', 'course.js');

  /** Moves the menu's cursor down until `label` is the highlighted entry. */
  async function select(pty: Pty, label: string, downs: number): Promise<void> {
    const from = pty.output.length;
    pty.type(keys.down.repeat(downs));
    await pty.waitFor(new RegExp(`❯ ${label}`), from);
    pty.type(keys.enter);
  }

  test('`course` alone opens the menu: show progress, then quit', async () => {
    const pty = new Pty(process.execPath, [courseJs()], { cwd: dir });
    try {
      await pty.waitFor(/What next\?[\s\S]*Check my code \(hpack-table\)[\s\S]*Quit/);
      let from = pty.output.length;
      await select(pty, 'Show my progress', 3);
      // The status table, then the menu again.
      await pty.waitFor(/exercise +status +score +attempts[\s\S]*1 +hpack-table +\S+[\s\S]*What next\?/, from);
      from = pty.output.length;
      await select(pty, 'Quit', 6);
      expect(await pty.exited).toBe(0);
      expect(pty.text()).not.toMatch(/internal error|Error:/);
    } finally {
      pty.kill();
    }
  });

  test('Ctrl-C in the menu leaves quietly with exit code 130', async () => {
    const pty = new Pty(process.execPath, [courseJs()], { cwd: dir });
    try {
      await pty.waitFor(/What next\?/);
      pty.type(keys.ctrlC);
      expect(await pty.exited).toBe(130);
      expect(pty.text()).not.toMatch(/internal error|ExitPromptError|at .*\.js:\d+/);
    } finally {
      pty.kill();
    }
  });

  test("reset asks first; answering no keeps the learner's file, yes restores the stub and keeps a backup", async () => {
    const first = (YAML.parse(readFileSync(path.join(dir, 'course.yaml'), 'utf8')) as { exercises: Array<{ dir: string; files: string[] }> }).exercises[0]!;
    const file = path.join(dir, first.dir, first.files[0]!);
    // (`next` keeps a copy of the starter file, which reset restores; this copy of the course has no git.)
    expect(course(dir, ['next']).code).toBe(0);
    const before = readFileSync(file, 'utf8') + '\n// my work\n';
    writeFileSync(file, before);
    const pty = new Pty(process.execPath, [courseJs(), 'reset'], { cwd: dir });
    try {
      await pty.waitFor(/Replace .* with the starter stub\?/);
      pty.type('n');
      pty.type(keys.enter);
      expect(await pty.exited).toBe(0);
      expect(pty.text()).toMatch(/Nothing changed/);
      expect(readFileSync(file, 'utf8')).toBe(before);
    } finally {
      pty.kill();
    }
    const again = new Pty(process.execPath, [courseJs(), 'reset'], { cwd: dir });
    try {
      await again.waitFor(/Replace .* with the starter stub\?/);
      again.type('y');
      again.type(keys.enter);
      expect(await again.exited).toBe(0);
      const backup = /previous version is in (\S+)/.exec(again.text());
      expect(backup).not.toBeNull();
      expect(readFileSync(path.join(dir, backup![1]!, path.basename(file)), 'utf8')).toBe(before);
      expect(readFileSync(file, 'utf8')).not.toBe(before);
    } finally {
      again.kill();
    }
  });

  test('course grade shows a progress bar with counts and an ETA, then the summary', async () => {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'course-pty-grade-'));
    try {
      const courseDir = fx.makeCourse(tmp);
      const subs = path.join(tmp, 'subs');
      for (let i = 0; i < 4; i++) {
        fx.writeFolder(
          path.join(subs, `learner-${i}`),
          fx.courseLayout(i % 2 ? { calc: fx.solution('calc'), words: fx.solution('words') } : { calc: fx.CALC_PARTIAL, words: fx.stub('words') }),
        );
      }
      const pty = new Pty(process.execPath, [path.join(courseDir, 'bin', 'course.js'), 'grade', subs, '--out', path.join(tmp, 'out'), '--jobs', '2'], {
        cwd: courseDir,
      });
      try {
        await pty.waitFor(/grading 4 submission\(s\): 8 run\(s\)/);
        await pty.waitFor(/grading \[[^\]]*\] \d\/8 \| passed \d+ not passed \d+ machinery errors \d+ \| ETA/);
        expect(await pty.exited).toBe(0);
        const screen = pty.text();
        expect(screen).toMatch(/Wrote .*grades\.csv/);
        // No plain per-run lines: those are for logs, not terminals.
        expect(screen).not.toMatch(/\[\d\/8\] learner-/);
      } finally {
        pty.kill();
      }
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }, 240_000);
});
