// Issue 10.1: where the output folder, the submissions and the course sit relative to each other must not change a
// grade. With `--out` inside the course, builds sat under the course root and the sandbox's module lookup found the
// course's own node_modules first (a copy it may not read): every test that loaded ws or undici failed, silently,
// and was charged to the learners. Each layout here grades a reference submission (full marks) and a stub (zero)
// of a fixture course whose third exercise needs ws and undici. Also: a canary failure stops the batch, and a
// machinery failure inside a run is status "error", never a score.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as fx from './fixture-course';

interface Outcome {
  exercise: string;
  status: string;
  score: number;
  maxScore: number;
  message?: string;
}

function cli(cwd: string, courseRoot: string, args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(courseRoot, 'bin', 'course.js'), ...args], {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
    timeout: 240_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

function writeSubmissions(dir: string, ids = ['calc', 'words', 'pkg']): void {
  fx.writeFolder(path.join(dir, 'reference'), fx.courseLayout(Object.fromEntries(ids.map((id) => [id, fx.solution(id)]))));
  fx.writeFolder(path.join(dir, 'stubs'), fx.courseLayout(Object.fromEntries(ids.map((id) => [id, fx.stub(id)]))));
}

function outcomes(out: string, learner: string): string[] {
  const l = JSON.parse(readFileSync(path.join(out, 'results', `${learner}.json`), 'utf8')) as { exercises: Outcome[] };
  return l.exercises.map((e) => `${e.exercise}: ${e.status} ${e.score}/${e.maxScore}`);
}

// The layouts grade calc (no packages) and pkg (ws and undici): enough to show both kinds load, and quick.
const IDS = ['calc', 'pkg'];
const FULL = ['calc: passed 3/3', 'pkg: passed 2/2'];
// The untouched stubs: nothing of the learner's to run (issue 22: "not started", not "failed 0/N").
const ZERO = ['calc: not started 0/3', 'pkg: not started 0/2'];

describe('course grade gives the same grades wherever --out, the submissions and the course are', () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'course-layouts-'));
  chmodSync(tmp, 0o755);
  const course = fx.makeCourse(tmp, { packages: true, only: IDS });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  const layouts: Array<[string, () => { cwd: string; args: string[]; out: string }]> = [
    [
      '--out and submissions inside the course, relative paths (the README form)',
      () => {
        writeSubmissions(path.join(course, 'subs'), IDS);
        return { cwd: course, args: ['grade', 'subs', '--out', 'gb', '--jobs', '2'], out: path.join(course, 'gb') };
      },
    ],
    [
      '--out beside the course',
      () => {
        writeSubmissions(path.join(tmp, 'subs-beside'), IDS);
        return { cwd: course, args: ['grade', '../subs-beside', '--out', '../out-beside', '--jobs', '2'], out: path.join(tmp, 'out-beside') };
      },
    ],
    [
      '--out inside the course behind a symlink to a folder outside it',
      () => {
        writeSubmissions(path.join(tmp, 'subs-link'), IDS);
        mkdirSync(path.join(tmp, 'real-out'), { mode: 0o755 });
        symlinkSync(path.join(tmp, 'real-out'), path.join(course, 'out-link'), 'dir');
        return { cwd: course, args: ['grade', path.join(tmp, 'subs-link'), '--out', 'out-link/run', '--jobs', '2'], out: path.join(tmp, 'real-out', 'run') };
      },
    ],
    [
      'relative paths from a folder outside the course, --out nested deep inside it',
      () => {
        writeSubmissions(path.join(tmp, 'subs-rel'), IDS);
        return {
          cwd: tmp,
          args: ['grade', 'subs-rel', '--out', path.join('course', 'deep', 'er', 'out'), '--jobs', '2'],
          out: path.join(course, 'deep', 'er', 'out'),
        };
      },
    ],
  ];

  test.each(layouts)(
    '%s',
    (_name, setUp) => {
      const { cwd, args, out } = setUp();
      const r = cli(cwd, course, args);
      expect({ code: r.code, stderr: r.stderr.includes('internal error') ? r.stderr : '' }).toEqual({ code: 0, stderr: '' });
      expect(outcomes(out, 'reference')).toEqual(FULL);
      expect(outcomes(out, 'stubs')).toEqual(ZERO);
      // The summary names the layers that were on.
      expect(r.stdout).toMatch(/Isolation layers on: /);
    },
    300_000,
  );
});

describe('a grading setup that cannot grade correctly is never charged to the learners', () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'course-machinery-'));
  chmodSync(tmp, 0o755);
  const course = fx.makeCourse(tmp, { packages: true });
  // A course whose node_modules holds a package that cannot load in the sandbox (it throws as it loads): the
  // stand-in for a denied read or a broken install of a package the exercise provides.
  rmSync(path.join(course, 'node_modules'));
  mkdirSync(path.join(course, 'node_modules'));
  for (const name of readdirSync(path.join(fx.REPO, 'node_modules'))) {
    symlinkSync(path.join(fx.REPO, 'node_modules', name), path.join(course, 'node_modules', name));
  }
  const broken = path.join(course, 'node_modules', 'course-broken-pkg');
  mkdirSync(broken);
  writeFileSync(path.join(broken, 'package.json'), JSON.stringify({ name: 'course-broken-pkg', version: '1.0.0', main: 'index.js' }));
  writeFileSync(path.join(broken, 'index.js'), "throw Object.assign(new Error('EACCES: permission denied, open /somewhere'), { code: 'EACCES' });\n");
  const yaml = readFileSync(path.join(course, 'course.yaml'), 'utf8').replace('packages: [ws, undici]', 'packages: [ws, undici, course-broken-pkg]');
  writeFileSync(path.join(course, 'course.yaml'), yaml);
  const subs = path.join(tmp, 'subs');
  writeSubmissions(subs);
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  test('the canary stops the batch before anyone is graded, with exit code 3 and the reason', () => {
    const out = path.join(tmp, 'out-canary');
    const r = cli(course, course, ['grade', subs, '--out', out, '--jobs', '2']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/reference solution does not get full marks/);
    expect(r.stderr).toMatch(/pkg: error/);
    expect(r.stderr).toMatch(/course-broken-pkg/);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(existsSync(path.join(out, 'grades.csv'))).toBe(false);
  }, 300_000);

  test('without the canary, the affected runs are status "error" (not a score), not checkpointed, and the exit code says so', () => {
    const out = path.join(tmp, 'out-nocanary');
    const r = cli(course, course, ['grade', subs, '--out', out, '--jobs', '2', '--no-canary']);
    expect(r.code).toBe(3);
    expect(outcomes(out, 'reference')).toEqual(['calc: passed 3/3', 'words: passed 4/4', 'pkg: error 0/2']);
    const ref = JSON.parse(readFileSync(path.join(out, 'results', 'reference.json'), 'utf8')) as { status: string; exercises: Outcome[] };
    expect(ref.status).toBe('error');
    expect(ref.exercises[2]!.message).toMatch(/^grading machinery failure: .*course-broken-pkg/);
    expect(r.stdout).toMatch(/could not be graded \(a failure of the grading machinery/);
    const csv = readFileSync(path.join(out, 'grades.csv'), 'utf8');
    expect(csv).toMatch(/^reference,.*,error,.*,passed,passed,error$/m);
    expect(readFileSync(path.join(out, 'report.html'), 'utf8')).toMatch(/could not be graded/);
    const checkpointed = readFileSync(path.join(out, 'checkpoint.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { exercise?: string; result?: { exercise: string; status: string } });
    // (The stubs' pkg never ran: "not started" is a verdict, and it is kept.)
    expect(checkpointed.some((c) => (c.exercise ?? c.result?.exercise) === 'pkg' && c.result?.status !== 'not started')).toBe(false);
  }, 300_000);

  test('`course check` says the grader failed, exit code 3, and records no attempt', () => {
    const before = readFileSync(path.join(course, 'course.yaml'), 'utf8');
    mkdirSync(path.join(tmp, 'mine'), { recursive: true });
    writeFileSync(path.join(course, 'exercises', '03-pkg', 'pkg.ts'), fx.solution('pkg'));
    const r = cli(course, course, ['check', 'pkg']);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/Not graded: the grading machinery failed/);
    expect(readFileSync(path.join(course, 'course.yaml'), 'utf8')).toBe(before);
  }, 120_000);
});
