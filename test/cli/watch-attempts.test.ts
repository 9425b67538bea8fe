// Black-box: the runs `course watch` starts on a save are not attempts (only checks the learner asks for count),
// yet they record what the learner reached: the best score, and done once the code passes. No terminal needed.

import { spawn } from 'node:child_process';
import { copyFileSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { copyCourse, course } from '../helpers';

interface Entry {
  dir: string;
  solution: string;
  files: string[];
  progress?: { status: string; attempts: number; bestScore?: number; maxScore?: number };
}
const entries = (dir: string): Entry[] => (YAML.parse(readFileSync(path.join(dir, 'course.yaml'), 'utf8')) as { exercises: Entry[] }).exercises;

test('watch: a save that passes marks the exercise done without counting an attempt', async () => {
  const dir = copyCourse();
  try {
    expect(course(dir, ['next', '--brief']).code).toBe(0);
    const first = entries(dir)[0]!;
    const child = spawn(process.execPath, [path.join(dir, 'bin', 'course.js'), 'watch'], { cwd: dir, env: { ...process.env, NO_COLOR: '1' } });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const waitFor = async (re: RegExp) => {
      const deadline = Date.now() + 180_000;
      while (!re.test(out)) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${re}; output so far:\n${out}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    try {
      await waitFor(/✗ (\d+) of \1 tests failing/);
      for (const f of first.files) copyFileSync(path.join(dir, first.solution, f), path.join(dir, first.dir, f));
      await waitFor(/✔ passed: all \d+ tests/);
    } finally {
      child.kill('SIGINT');
      await new Promise((resolve) => child.on('exit', resolve));
    }
    const p = entries(dir)[0]!.progress!;
    expect(p).toMatchObject({ status: 'done', attempts: 0 });
    expect(p.bestScore).toBe(p.maxScore);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 400_000);
