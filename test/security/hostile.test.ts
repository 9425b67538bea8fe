// Issue 10.2-3: hostile code under test, in every mode a learner or an instructor uses: `course check` as this user
// and as an unprivileged one, and `course grade` as an unprivileged user (most instructors do not grade as root).
// Each case implements nothing and attacks the grader instead: the inspector takeover (SIGUSR1 to the trusted jest
// process, then code evaluated in it), terminal escape sequences in its errors, forged and oversized messages on
// its IPC channel, malformed protocol replies, and kill(0) on its process group. Every one must score 0, never be
// "passed" nor "error" (a machinery failure it caused would not be charged), and leave nothing it printed able to
// act on a terminal, a spreadsheet or a page.
// Also: code whose every call spins forever or crashes its process, and code that writes raw bytes to the host's
// channel (garbage, a 4 GB length, half a frame, a flood): no process of the code under test may be left after
// each run, the channel cases end as tampered, and an honest learner graded in the same batch as loopers and
// crashers gets exactly the score they get alone (in every mode: check and grade, as root and as a user).
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as fx from '../batch/fixture-course';
import { toolPresent } from '../helpers';

const CHANNEL_CASES = ['channel-garbage', 'channel-huge-length', 'channel-half-frame', 'channel-flood'];
const RUNAWAY_CASES = ['loop-every-call', 'crash-every-call'];
const CASES = ['inspector-takeover', 'terminal-escapes', 'forged-host-messages', 'malformed-rpc', 'kill-process-group', ...CHANNEL_CASES, ...RUNAWAY_CASES];
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

/**
 * Like run(), watching the machine while the command runs: every 50 ms it counts the live sandbox hosts (node
 * processes running a build folder's __sandbox_host.js under `marker`) of each batch worker (`worker-N` in their
 * path; a check has one). A host killed after a timed-out test must be gone before the next one starts: more than
 * one at a time is a host that outlived its kill.
 */
async function runWatched(
  cwd: string,
  args: string[],
  asNobody: boolean,
  marker: string,
): Promise<{ code: number; stdout: string; stderr: string; mostHostsAtOnce: number }> {
  const node = process.execPath;
  const command = asNobody ? setpriv! : node;
  const argv = asNobody ? [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', node, ...args] : args;
  const child = spawn(command, argv, {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH, HOME: os.tmpdir(), NO_COLOR: '1', CI: process.env.CI ?? '' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  let mostHostsAtOnce = 0;
  const sampler = setInterval(() => {
    const perWorker = new Map<string, number>();
    for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
      try {
        const argv0 = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
        if (argv0[0] !== node || !argv0.some((a) => a.endsWith('__sandbox_host.js') && a.startsWith(marker))) continue;
        if (/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'))) continue;
        const worker = /\/worker-(\d+)\//.exec(argv0.join(' '))?.[1] ?? 'check';
        perWorker.set(worker, (perWorker.get(worker) ?? 0) + 1);
      } catch {
        /* ended while we looked */
      }
    }
    mostHostsAtOnce = Math.max(mostHostsAtOnce, ...perWorker.values());
  }, 50);
  const timer = setTimeout(() => child.kill('SIGKILL'), 480_000);
  const code = await new Promise<number>((resolve) => child.on('exit', (c) => resolve(c ?? -1)));
  clearTimeout(timer);
  clearInterval(sampler);
  return { code, stdout, stderr, mostHostsAtOnce };
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
  if (name === 'malformed-rpc' || CHANNEL_CASES.includes(name)) expect({ name, status: r.status }).toEqual({ name, status: 'tampered' });
}

/**
 * Processes of a run still alive once the command returned: any whose command line names the run's folder (the
 * sandbox hosts carry their build folder's path, jest workers the course's) or whose real uid is one of the run's.
 */
function leftovers(marker: string, uids?: { first: number; last: number }): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      if (/^State:\s+Z/m.test(status)) continue;
      const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]);
      if (cmdline.includes(marker) || (uids && uid >= uids.first && uid <= uids.last)) found.push(`${pid} uid=${uid} ${cmdline.slice(0, 200)}`);
    } catch {
      /* ended while we looked */
    }
  }
  return found;
}

function makeWorld(label: string, owner?: number, cases = CASES): { tmp: string; course: string; subs: string } {
  const tmp = mkdtempSync(path.join(os.tmpdir(), `course-hostile-${label}-`));
  chmodSync(tmp, 0o755);
  // A generous whole-exercise limit: these runs share a 2-core machine with other test files.
  const course = fx.makeCourse(tmp, { timeout: '90s' });
  const subs = path.join(tmp, 'subs');
  for (const name of cases) fx.materializeCase(name, subs, name, {});
  fx.writeFolder(path.join(subs, 'honest-full'), fx.courseLayout({ calc: fx.solution('calc'), words: fx.solution('words') }));
  fx.writeFolder(path.join(subs, 'honest-partial'), fx.courseLayout({ calc: fx.CALC_PARTIAL, words: fx.WORDS_PARTIAL }));
  if (owner !== undefined) {
    chownTree(tmp, owner);
    // The unprivileged user must read the packages (jest itself); a clone under a private folder (/root) would
    // not let it, so it then gets its own copy.
    const probe = spawnSync(setpriv!, [
      `--reuid=${owner}`,
      `--regid=${owner}`,
      '--clear-groups',
      'test',
      '-r',
      path.join(fx.REPO, 'node_modules', 'jest', 'package.json'),
    ]);
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

  test.each(CASES)(
    '%s scores 0 and the trusted side stays intact',
    async (name) => {
      const dir = path.join(world.subs, name, 'exercises', '01-calc');
      const json = await runWatched(world.course, [path.join(world.course, 'bin', 'course.js'), 'check', 'calc', '--json', '--dir', dir], asNobody, world.tmp);
      // One host at a time: the one killed after a timed-out or crashed test is gone before the next test's starts.
      expect({ name, moreThanOneHost: json.mostHostsAtOnce > 1 }).toEqual({ name, moreThanOneHost: false });
      expect({ name, code: json.code, stderr: json.stderr.includes('internal error') ? json.stderr : '' }).toEqual({ name, code: 1, stderr: '' });
      expectHostileVerdict(name, JSON.parse(json.stdout) as Result);
      // Nothing of the code under test outlives the command (a host killed after a timed-out test included).
      expect({ name, left: leftovers(world.tmp) }).toEqual({ name, left: [] });
      if (name === 'terminal-escapes') {
        // What a learner sees in the terminal: the attack's text is there, made visible, and acts on nothing.
        const shown = run(world.course, [path.join(world.course, 'bin', 'course.js'), 'check', 'calc', '--dir', dir], asNobody);
        expect(shown.stdout).toContain('\\u001b[2J');
        expect(RAW_CONTROLS.test(shown.stdout + shown.stderr)).toBe(false);
      }
    },
    240_000,
  );

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
      const l = JSON.parse(readFileSync(path.join(out, 'results', f), 'utf8')) as {
        learner: string;
        status: string;
        exercises: Array<Result & { exercise: string }>;
      };
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

const gradeModes: Array<[string, boolean]> = [];
if (isRoot && process.platform === 'linux') gradeModes.push(['as root', false]);
if (canDropToNobody) gradeModes.push(['as an unprivileged user', true]);

(gradeModes.length ? describe.each(gradeModes) : describe.skip.each([['(needs root)', false]]))(
  'course grade %s: loopers and crashers beside honest learners',
  (_label, asNobody) => {
    const world = makeWorld(asNobody ? 'runaway-nobody' : 'runaway-root', asNobody ? NOBODY : undefined, RUNAWAY_CASES);
    // More of them, so that each worker meets several in a row (a pile-up of survivors would reach the next host).
    for (const name of RUNAWAY_CASES) for (const copy of [2, 3]) fx.materializeCase(name, world.subs, `${name}-${copy}`, {});
    const alone = path.join(world.tmp, 'alone');
    for (const id of ['honest-full', 'honest-partial']) cpSync(path.join(world.subs, id), path.join(alone, id), { recursive: true });
    if (asNobody) chownTree(world.tmp, NOBODY);
    const results = new Map<string, Map<string, { status: string; exercises: Array<Result & { exercise: string }> }>>();
    const left = new Map<string, string[]>();
    const mostHostsAtOnce = new Map<string, number>();

    async function grade(label: string, subs: string): Promise<void> {
      const out = path.join(world.tmp, `out-${label}`);
      mkdirSync(out);
      if (asNobody) chownSync(out, NOBODY, NOBODY);
      const r = await runWatched(world.course, [path.join(world.course, 'bin', 'course.js'), 'grade', subs, '--out', out, '--jobs', '2'], asNobody, world.tmp);
      mostHostsAtOnce.set(label, r.mostHostsAtOnce);
      // Looked at the moment the command returns: a host killed at the last timed-out test must already be gone.
      const meta = JSON.parse(readFileSync(path.join(out, 'gradebook.json'), 'utf8')) as { uids?: { first: number; last: number } };
      left.set(label, leftovers(world.tmp, meta.uids));
      writeFileSync(path.join(world.tmp, `stdout-${label}.txt`), r.stdout + r.stderr);
      const learners = new Map<string, { status: string; exercises: Array<Result & { exercise: string }> }>();
      for (const f of readdirSync(path.join(out, 'results'))) {
        const l = JSON.parse(readFileSync(path.join(out, 'results', f), 'utf8')) as {
          learner: string;
          status: string;
          exercises: Array<Result & { exercise: string }>;
        };
        learners.set(l.learner, l);
      }
      results.set(label, learners);
    }

    beforeAll(async () => {
      await grade('beside', world.subs);
      await grade('alone', alone);
    }, 900_000);
    afterAll(() => rmSync(world.tmp, { recursive: true, force: true }));

    test('while the batch runs, each worker has one host at a time (a killed host is gone before the next starts)', () => {
      expect(mostHostsAtOnce.get('beside')).toBeGreaterThanOrEqual(1);
      expect(mostHostsAtOnce.get('beside')).toBeLessThanOrEqual(1);
    });

    test('no process of the code under test is left when the batch returns', () => {
      expect(left.get('beside')).toEqual([]);
      expect(left.get('alone')).toEqual([]);
    });

    test('an honest learner graded beside them gets exactly the score they get alone', () => {
      const summary = (label: string, id: string) =>
        results
          .get(label)!
          .get(id)!
          .exercises.map((e) => `${e.exercise} ${e.status} ${e.score}/${e.maxScore}`);
      for (const id of ['honest-full', 'honest-partial']) expect({ id, beside: summary('beside', id) }).toEqual({ id, beside: summary('alone', id) });
      expect(summary('alone', 'honest-full')).toEqual(['calc passed 3/3', 'words passed 4/4']);
    });

    test('every looper and crasher scores 0 as a failure of its own code, never a machinery error', () => {
      const runaways = [...results.get('beside')!.entries()].filter(([id]) => !id.startsWith('honest'));
      expect(runaways).toHaveLength(RUNAWAY_CASES.length * 3);
      for (const [id, l] of runaways) {
        const calc = l.exercises.find((e) => e.exercise === 'calc')!;
        expect({ id, learner: l.status, calc: calc.status, score: calc.score }).toEqual({
          id,
          learner: 'graded',
          calc: expect.stringMatching(/^(failed|timeout)$/),
          score: 0,
        });
        // The host's own kill took everything down: the sweep of the worker's uid found nothing to kill.
        expect({ id, anomalies: calc.anomalies.filter((a) => /outlived|still running after the suite/.test(a)) }).toEqual({ id, anomalies: [] });
      }
    });
  },
);
