// Issue 7's "done when": 50 generated submissions (correct, partly correct, broken, missing, adversarial) grade
// correctly; a run killed with SIGKILL halfway resumes with no result lost or duplicated; 3 shards merge into the
// same gradebook; merge refuses a missing or duplicated shard.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as fx from './fixture-course';

type Want = { status: string; calc: number | 'ns' | 'x'; words: number | 'ns' | 'x' };

function generate(subs: string): Map<string, Want> {
  const want = new Map<string, Want>();
  const S = fx.solution;
  const kinds = ['correct', 'partial', 'broken', 'missing', 'adversarial'] as const;
  const adversarial = ['exit-import', 'throw-import', 'zip-dotdot', 'symlink-outside', 'forge-results', 'tar-hardlink'];
  for (let i = 0; i < 50; i++) {
    const id = `learner-${String(i).padStart(2, '0')}`;
    const kind = i < 20 ? 'correct' : kinds[i % 5]!;
    const shape = i % 3; // folder, zip, tar.gz
    let files: Record<string, string> = {};
    switch (kind) {
      case 'correct':
        files = fx.courseLayout({ calc: S('calc'), words: S('words') });
        want.set(id, { status: 'graded', calc: 3, words: 4 });
        break;
      case 'partial':
        files = fx.courseLayout({ calc: fx.CALC_PARTIAL, words: fx.WORDS_PARTIAL });
        want.set(id, { status: 'graded', calc: 2, words: 2 });
        break;
      case 'broken':
        files = fx.courseLayout({ calc: fx.CALC_SYNTAX_ERROR, words: fx.stub('words') });
        want.set(id, { status: 'graded', calc: 0, words: 0 });
        break;
      case 'missing':
        files = i % 2 ? fx.courseLayout({ words: S('words') }) : { 'README.md': 'todo\n' };
        want.set(id, i % 2 ? { status: 'graded', calc: 'ns', words: 4 } : { status: 'not submitted', calc: 'ns', words: 'ns' });
        break;
      case 'adversarial': {
        const name = adversarial[Math.floor(i / 5) % adversarial.length]!;
        const c = fx.materializeCase(name, subs, id, {
          CANARY: '/nonexistent/canary',
          SUITE: '/nonexistent',
          NET_HOST: '127.0.0.1',
          NET_PORT: 9,
          HARDLINK_TARGET: '/etc/hostname',
        });
        want.set(id, c.expect.learner === 'rejected' ? { status: 'rejected', calc: 'x', words: 'x' } : { status: 'graded', calc: 0, words: 'ns' });
        continue;
      }
    }
    if (shape === 0) fx.writeFolder(path.join(subs, id), files);
    else if (shape === 1) writeFileSync(path.join(subs, `${id}.zip`), fx.zipBuffer(fx.filesToEntries(files)));
    else writeFileSync(path.join(subs, `${id}.tar.gz`), fx.tarGzBuffer(fx.filesToEntries(files)));
  }
  return want;
}

function cli(course: string, args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(course, 'bin', 'course.js'), ...args], { cwd: course, encoding: 'utf8', timeout: 8 * 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The same, without blocking: for runs that go on at the same time. */
function cliAsync(course: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(course, 'bin', 'course.js'), ...args], { cwd: course, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 8 * 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

function lines(file: string): string[] {
  try {
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.trim());
  } catch {
    return [];
  }
}

function csvRows(file: string): string[] {
  return readFileSync(file, 'utf8').trim().split('\n');
}

describe('course grade: 50 generated submissions, kill -9 and resume, 3 shards and merge', () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'course-fifty-'));
  chmodSync(tmp, 0o755);
  const subs = path.join(tmp, 'submissions');
  mkdirSync(subs);
  let course = '';
  let want: Map<string, Want>;
  const out = path.join(tmp, 'full');

  beforeAll(() => {
    // One point per test, as the expected grades below count them (the default is 10 points an exercise).
    course = fx.makeCourse(tmp, { points: { calc: '3', words: '4' } });
    want = generate(subs);
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  test(
    'a run killed with SIGKILL halfway resumes: nothing lost, nothing duplicated, every grade right',
    async () => {
      const total = [...want.values()].filter((w) => w.status !== 'rejected').length * 2;
      const checkpoint = path.join(out, 'checkpoint.jsonl');
      const child: ChildProcess = spawn(process.execPath, [path.join(course, 'bin', 'course.js'), 'grade', subs, '--out', out, '--jobs', '2'], {
        cwd: course,
        stdio: 'ignore',
      });
      const exited = new Promise<void>((r) => child.on('exit', () => r()));
      // Kill it once about half of the runs are in the checkpoint.
      for (let waited = 0; lines(checkpoint).length < total / 2; waited += 100) {
        if (waited > 5 * 60_000) throw new Error('the first run did not get halfway');
        await new Promise((r) => setTimeout(r, 100));
      }
      child.kill('SIGKILL');
      await exited;
      // Its trusted jest workers (and everything in their namespaces) end with it: they exit when the IPC
      // channel to the killed grader closes.
      await new Promise((r) => setTimeout(r, 2000));
      const ps = spawnSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' })
        .stdout.split('\n')
        .filter((l) => l.includes(course) && !l.includes('ps -eo'));
      expect(ps).toEqual([]);
      const before = lines(checkpoint).length;
      expect(before).toBeGreaterThanOrEqual(total / 2);
      expect(before).toBeLessThan(total);

      const second = cli(course, ['grade', subs, '--out', out, '--jobs', '2']);
      expect(second.stderr).not.toMatch(/internal error/);
      expect(second.stdout).toContain(`${before} already in the checkpoint`);
      const records = lines(checkpoint).map((l) => JSON.parse(l) as { learner: string; exercise: string });
      const keys = records.map((r) => `${r.learner}/${r.exercise}`);
      expect(new Set(keys).size).toBe(keys.length); // no duplicates
      expect(keys.length).toBe(total); // nothing lost

      // A third run grades nothing.
      const third = cli(course, ['grade', subs, '--out', out, '--jobs', '2']);
      expect(third.stdout).toContain(`${total} run(s), ${total} already in the checkpoint`);
      expect(lines(checkpoint)).toHaveLength(total);

      const rows = csvRows(path.join(out, 'grades.csv'));
      expect(rows).toHaveLength(51);
      const header = rows[0]!.split(',');
      for (const row of rows.slice(1)) {
        const cells = row.split(',');
        const [id, calc, words, status] = ['learner', 'calc', 'words', 'status'].map((c) => cells[header.indexOf(c)]);
        const w = want.get(id!)!;
        expect({ id, status }).toEqual({ id, status: w.status });
        const score = (v: Want['calc']) => (typeof v === 'number' ? String(v) : '0');
        expect({ id, calc, words }).toEqual({ id, calc: score(w.calc), words: score(w.words) });
        if (w.calc === 'ns') {
          const r = JSON.parse(readFileSync(path.join(out, 'results', `${id}.json`), 'utf8')) as { exercises: Array<{ exercise: string; status: string }> };
          expect(r.exercises.find((e) => e.exercise === 'calc')!.status).toBe('not submitted');
        }
      }
    },
    12 * 60_000,
  );

  test(
    '3 shards graded at the same time on one machine (one from scratch, two resumed from a checkpoint) merge into the same gradebook',
    async () => {
      const shardDirs = [1, 2, 3].map((i) => path.join(tmp, `shard-${i}`));
      // Shards 1 and 2 start from the full run's checkpoint (a copy): they must still grade only their own share.
      for (const i of [0, 1]) {
        mkdirSync(shardDirs[i]!, { recursive: true });
        copyFileSync(path.join(out, 'checkpoint.jsonl'), path.join(shardDirs[i]!, 'checkpoint.jsonl'));
      }
      const runs = await Promise.all([0, 1, 2].map((i) => cliAsync(course, ['grade', subs, '--out', shardDirs[i]!, '--jobs', '2', '--shard', `${i + 1}/3`])));
      const seen: string[] = [];
      const uidBlocks: number[] = [];
      for (let i = 0; i < 3; i++) {
        expect(runs[i]!.stderr).not.toMatch(/internal error/);
        expect(runs[i]!.code).toBe(0);
        const ids = csvRows(path.join(shardDirs[i]!, 'grades.csv'))
          .slice(1)
          .map((row) => row.split(',')[0]!);
        expect(ids.length).toBeGreaterThanOrEqual(16);
        expect(ids.length).toBeLessThanOrEqual(17);
        seen.push(...ids);
        const meta = JSON.parse(readFileSync(path.join(shardDirs[i]!, 'gradebook.json'), 'utf8')) as { uids?: { first: number } };
        if (meta.uids) uidBlocks.push(meta.uids.first);
      }
      // Concurrent runs never share grading uids (per-uid process limits would count both runs).
      expect(uidBlocks).toHaveLength(process.getuid?.() === 0 ? 3 : 0);
      expect(new Set(uidBlocks).size).toBe(uidBlocks.length);
      expect(new Set(seen).size).toBe(50);
      expect(seen).toHaveLength(50);

      const merged = path.join(tmp, 'merged');
      const m = cli(course, ['merge', ...shardDirs, '--out', merged]);
      expect(m.code).toBe(0);
      expect(csvRows(path.join(merged, 'grades.csv'))).toEqual(csvRows(path.join(out, 'grades.csv')));

      const missing = cli(course, ['merge', shardDirs[0]!, shardDirs[1]!, '--out', path.join(tmp, 'bad1')]);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toMatch(/no result for 16 submission\(s\)|no result for 17 submission\(s\)/);
      const dup = cli(course, ['merge', ...shardDirs, shardDirs[2]!, '--out', path.join(tmp, 'bad2')]);
      expect(dup.code).toBe(2);
      expect(dup.stderr).toMatch(/has 2 results/);
    },
    12 * 60_000,
  );
  test("a second run on the same --out is refused while the first is writing to it; a dead run's lock is taken over", () => {
    const lock = path.join(out, '.course-grade.lock');
    const before = lines(path.join(out, 'checkpoint.jsonl')).length;
    // A live process holds it (this one, standing in for a run in progress).
    writeFileSync(lock, String(process.pid));
    const busy = cli(course, ['grade', subs, '--out', out, '--jobs', '2']);
    expect(busy.code).toBe(2);
    expect(busy.stderr).toContain(`another \`course grade\` (pid ${process.pid}) is writing to ${out}`);
    expect(lines(path.join(out, 'checkpoint.jsonl'))).toHaveLength(before);
    // A run killed with -9 leaves its lock behind: the next run takes it over (and resumes everything).
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    writeFileSync(lock, dead);
    const resumed = cli(course, ['grade', subs, '--out', out, '--jobs', '2']);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain(`${before} already in the checkpoint`);
    expect(existsSync(lock)).toBe(false);
  });
  test('Ctrl-C (SIGINT) during a run leaves only the checkpoint: no process, work folder, lock or cgroup', async () => {
    const out2 = path.join(tmp, 'interrupted');
    const child = spawn(process.execPath, [path.join(course, 'bin', 'course.js'), 'grade', subs, '--out', out2, '--jobs', '2'], {
      cwd: course,
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    for (let waited = 0; lines(path.join(out2, 'checkpoint.jsonl')).length < 4; waited += 50) {
      if (waited > 5 * 60_000) throw new Error('the run never got going');
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(readdirSync(out2)).toEqual(['checkpoint.jsonl']);
    // Processes killed with their namespaces may take a moment to be gone from the process table.
    const left = () =>
      spawnSync('ps', ['-eo', 'pid=,stat=,args='], { encoding: 'utf8' })
        .stdout.split('\n')
        .filter((l) => l.includes(out2) && !l.includes('ps -eo'));
    for (let waited = 0; left().length && waited < 10_000; waited += 100) await new Promise((r) => setTimeout(r, 100));
    expect(left()).toEqual([]);
    const cgroups = spawnSync('find', ['/sys/fs/cgroup', '-maxdepth', '4', '-name', `course-grade-${child.pid}`], { encoding: 'utf8' }).stdout.trim();
    expect(cgroups).toBe('');
  });
});
