// Issue 10.2-3: hostile code under test, in every mode a learner or an instructor uses: `course check` as this user
// and as an unprivileged one, and `course grade` as an unprivileged user (most instructors do not grade as root).
// Each case implements nothing and attacks the grader instead: the inspector takeover (SIGUSR1 to the trusted jest
// process, then code evaluated in it), terminal escape sequences in its errors, forged and oversized messages on
// its IPC channel, malformed protocol replies, and kill(0) on its process group. Every one must score 0, never be
// "passed" nor "error" (a machinery failure it caused would not be charged), and leave nothing it printed able to
// act on a terminal, a spreadsheet or a page.
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as fx from '../batch/fixture-course';
import { toolPresent } from '../helpers';

const CASES = ['inspector-takeover', 'terminal-escapes', 'forged-host-messages', 'malformed-rpc', 'kill-process-group'];
const NOBODY = 65534;
const isRoot = process.getuid?.() === 0;
const setpriv = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
});
// Not root is a mode (nothing to drop to); root on Linux without setpriv is a missing tool.
const canDropToNobody = isRoot && process.platform === 'linux' && toolPresent(setpriv !== undefined, 'setpriv, to grade as an unprivileged user (util-linux)');

const RAW_CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

interface Result {
  status: string;
  score: number;
  maxScore: number;
  message?: string;
  anomalies: string[];
  tests: Array<{ status: string; message?: string }>;
}

function run(cwd: string, args: string[], asNobody: boolean): { code: number; stdout: string; stderr: string } {
  const node = process.execPath;
  const command = asNobody ? setpriv! : node;
  const argv = asNobody ? [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', node, ...args] : args;
  const r = spawnSync(command, argv, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH, HOME: os.tmpdir(), NO_COLOR: '1', CI: process.env.CI ?? '' },
    timeout: 480_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** Every text of a result: none may hold a raw control character (newlines and tabs aside). */
function texts(r: Result): string[] {
  return [r.message ?? '', ...r.anomalies, ...r.tests.map((t) => t.message ?? '')];
}

function expectHostileVerdict(name: string, r: Result): void {
  expect({ name, score: r.score }).toEqual({ name, score: 0 });
  expect({ name, status: r.status }).toEqual({ name, status: expect.not.stringMatching(/^(passed|error)$/) });
  for (const t of texts(r)) expect({ name, raw: RAW_CONTROLS.test(t) }).toEqual({ name, raw: false });
  // Forged megabytes never reach the result.
  expect(JSON.stringify(r).length).toBeLessThan(200_000);
  if (name === 'malformed-rpc') expect(r.status).toBe('tampered');
}

function makeWorld(label: string, owner?: number): { tmp: string; course: string; subs: string } {
  const tmp = mkdtempSync(path.join(os.tmpdir(), `course-hostile-${label}-`));
  chmodSync(tmp, 0o755);
  // A generous whole-exercise limit: these runs share a 2-core machine with other test files.
  const course = fx.makeCourse(tmp, { timeout: '90s' });
  const subs = path.join(tmp, 'subs');
  for (const name of CASES) fx.materializeCase(name, subs, name, {});
  fx.writeFolder(path.join(subs, 'honest-full'), fx.courseLayout({ calc: fx.solution('calc'), words: fx.solution('words') }));
  fx.writeFolder(path.join(subs, 'honest-partial'), fx.courseLayout({ calc: fx.CALC_PARTIAL, words: fx.WORDS_PARTIAL }));
  if (owner !== undefined) {
    chownTree(tmp, owner);
    // The unprivileged user must read the packages (jest itself); a clone under a private folder (/root) would
    // not let it, so it then gets its own copy.
    const probe = spawnSync(setpriv!, [`--reuid=${owner}`, `--regid=${owner}`, '--clear-groups', 'test', '-r', path.join(fx.REPO, 'node_modules', 'jest', 'package.json')]);
    if (probe.status !== 0) {
      // Named node_modules itself: a package that resolves its own name (esbuild does) looks for a node_modules
      // folder above it.
      const copy = path.join(tmp, 'packages-copy', 'node_modules');
      mkdirSync(path.dirname(copy));
      const linked = spawnSync('cp', ['-al', path.join(fx.REPO, 'node_modules'), copy]).status === 0;
      if (!linked) cpSync(path.join(fx.REPO, 'node_modules'), copy, { recursive: true });
      spawnSync('chmod', ['-R', 'a+rX', copy]);
      rmSync(path.join(course, 'node_modules'));
      symlinkSync(copy, path.join(course, 'node_modules'), 'dir');
    }
  }
  return { tmp, course, subs };
}

function chownTree(dir: string, uid: number): void {
  chownSync(dir, uid, uid);
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    const st = statSync(p, { throwIfNoEntry: false });
    if (name === 'node_modules') continue; // a link to the project's own, only read
    if (st?.isDirectory()) chownTree(p, uid);
    else if (st) chownSync(p, uid, uid);
  }
}

const modes: Array<[string, boolean]> = [['course check as this user', false]];
if (canDropToNobody) modes.push(['course check as an unprivileged user', true]);

describe.each(modes)('%s', (_label, asNobody) => {
  const world = makeWorld(asNobody ? 'check-nobody' : 'check', asNobody ? NOBODY : undefined);
  afterAll(() => rmSync(world.tmp, { recursive: true, force: true }));

  test.each(CASES)('%s scores 0 and the trusted side stays intact', (name) => {
    const dir = path.join(world.subs, name, 'exercises', '01-calc');
    const json = run(world.course, [path.join(world.course, 'bin', 'course.js'), 'check', 'calc', '--json', '--dir', dir], asNobody);
    expect({ name, code: json.code, stderr: json.stderr.includes('internal error') ? json.stderr : '' }).toEqual({ name, code: 1, stderr: '' });
    expectHostileVerdict(name, JSON.parse(json.stdout) as Result);
    if (name === 'terminal-escapes') {
      // What a learner sees in the terminal: the attack's text is there, made visible, and acts on nothing.
      const shown = run(world.course, [path.join(world.course, 'bin', 'course.js'), 'check', 'calc', '--dir', dir], asNobody);
      expect(shown.stdout).toContain('\\u001b[2J');
      expect(RAW_CONTROLS.test(shown.stdout + shown.stderr)).toBe(false);
    }
  }, 240_000);

  test('an honest solution still gets full marks under the same layers', () => {
    const dir = path.join(world.subs, 'honest-full', 'exercises', '01-calc');
    const r = run(world.course, [path.join(world.course, 'bin', 'course.js'), 'check', 'calc', '--json', '--dir', dir], asNobody);
    const result = JSON.parse(r.stdout) as Result;
    expect(`${result.status} ${result.score}/${result.maxScore}`).toBe('passed 3/3');
  }, 240_000);
});

(canDropToNobody ? describe : describe.skip)('course grade as an unprivileged user', () => {
  const world = makeWorld('grade-nobody', NOBODY);
  const out = path.join(world.tmp, 'out');
  let r: ReturnType<typeof run>;
  const learners = new Map<string, { status: string; exercises: Array<Result & { exercise: string }> }>();

  beforeAll(() => {
    mkdirSync(out);
    chownSync(out, NOBODY, NOBODY);
    r = run(world.course, [path.join(world.course, 'bin', 'course.js'), 'grade', world.subs, '--out', out, '--jobs', '2'], true);
    for (const f of readdirSync(path.join(out, 'results'))) {
      const l = JSON.parse(readFileSync(path.join(out, 'results', f), 'utf8')) as { learner: string; status: string; exercises: Array<Result & { exercise: string }> };
      learners.set(l.learner, l);
    }
  }, 600_000);
  afterAll(() => rmSync(world.tmp, { recursive: true, force: true }));

  test('the batch finishes and names the isolation layers it had (user namespaces without root)', () => {
    expect({ code: r.code, stderr: r.stderr.includes('internal error') ? r.stderr : '' }).toEqual({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(/Isolation layers on: .*unprivileged user namespace/);
    const meta = JSON.parse(readFileSync(path.join(out, 'gradebook.json'), 'utf8')) as { isolation: Array<{ name: string; on: boolean; why?: string }> };
    expect(meta.isolation.find((l) => l.name.startsWith('own session and PID namespace per student child'))?.on).toBe(true);
    expect(meta.isolation.find((l) => l.name.startsWith('unprivileged uid'))).toMatchObject({ on: false, why: expect.stringMatching(/not running as root/) });
  });

  test('honest submissions get their exact scores', () => {
    const summary = (id: string) => learners.get(id)!.exercises.map((e) => `${e.exercise} ${e.status} ${e.score}/${e.maxScore}`);
    expect(summary('honest-full')).toEqual(['calc passed 3/3', 'words passed 4/4']);
    expect(summary('honest-partial')).toEqual(['calc failed 2/3', 'words failed 2/4']);
  });

  test.each(CASES)('%s scores 0, not passed, not a machinery error', (name) => {
    const calc = learners.get(name)!.exercises.find((e) => e.exercise === 'calc')!;
    expectHostileVerdict(name, calc);
  });

  test('no output format carries a raw control character', () => {
    for (const file of ['grades.csv', 'junit.xml', 'report.html', 'gradebook.json']) {
      expect({ file, raw: RAW_CONTROLS.test(readFileSync(path.join(out, file), 'utf8').replace(/\r?\n|\t/g, '')) }).toEqual({ file, raw: false });
    }
    expect(RAW_CONTROLS.test(r.stdout.replace(/\n|\t/g, ''))).toBe(false);
  });
});

