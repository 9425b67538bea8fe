// NODE_OPTIONS from the environment reaches every Node process started with that environment. The grader's trusted
// processes (the jest process that holds the verdicts, the type checker) must not take it: an `--inspect` or a
// `--require` there would open them to other processes. The learner's own CLI process does take it (it is theirs).
import { mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { copyCourse, course } from '../helpers';

test('a --require in NODE_OPTIONS is loaded by the CLI but by no trusted process of `course check`', () => {
  const dir = copyCourse();
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'node-options-'));
  try {
    const log = path.join(tmp, 'loaded-in.txt');
    const marker = path.join(tmp, 'marker.js');
    writeFileSync(marker, `require('node:fs').appendFileSync(${JSON.stringify(log)}, (process.argv[1] || '-') + '\\n');\n`);
    const first = (
      YAML.parse(readFileSync(path.join(dir, 'course.yaml'), 'utf8')) as { exercises: Array<{ id: string; dir: string; solution: string; files: string[] }> }
    ).exercises[0]!;
    for (const f of first.files) copyFileSync(path.join(dir, first.solution, f), path.join(dir, first.dir, f));
    const r = course(dir, ['check', first.id], { NODE_OPTIONS: `--require ${marker}` });
    expect(r.code).toBe(0);
    const loadedIn = readFileSync(log, 'utf8').trim().split('\n');
    expect(loadedIn.some((p) => p.endsWith(path.join('bin', 'course.js')))).toBe(true);
    expect(loadedIn.filter((p) => /jest-worker|typecheck-worker|host/.test(p))).toEqual([]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(tmp, { recursive: true, force: true });
  }
}, 180_000);
