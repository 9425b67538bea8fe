// A learner's `course check` runs the tests and the code under test in a network namespace of their own
// (grader/run/check-network.ts): the code under test sees that namespace's loopback, with the suite's own servers,
// and nothing else of the machine. This test listens on 127.0.0.1 in its own process — a stand-in for any other
// service of the machine — and checks, as this user and as an unprivileged one, that the code under test of the
// adversarial case `loopback-scan` cannot reach it (ECONNREFUSED inside the namespace; the server sees no
// connection), that the check says the layer was on (its last line, its --json, `course doctor`), and that the
// honest solution still gets full marks under the same layers.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import * as fx from '../batch/fixture-course';

const NOBODY = 65534;
const setpriv = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => statSync(p, { throwIfNoEntry: false })?.isFile());
const canDropToNobody = process.getuid?.() === 0 && process.platform === 'linux' && setpriv !== undefined;
/** Whether this host offers the namespace at all (independently of the grader's own detection). */
function namespaceAvailable(asNobody: boolean): boolean {
  const args = ['unshare', ...(asNobody || process.getuid?.() !== 0 ? ['--user', '--map-root-user'] : []), '--net', 'true'];
  const r = asNobody ? spawnSync(setpriv!, [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', ...args]) : spawnSync(args[0]!, args.slice(1));
  return r.status === 0;
}

interface Layer {
  name: string;
  on: boolean;
  why?: string;
}
interface CheckJson {
  status: string;
  score: number;
  maxScore: number;
  tests: Array<{ status: string; message?: string }>;
  isolation?: Layer[];
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

/** A fixture course (calc only) under a fresh folder, owned by `owner` when given, with packages it can read. */
function makeWorld(label: string, owner: number | undefined): { tmp: string; course: string } {
  const tmp = mkdtempSync(path.join(os.tmpdir(), `course-checknet-${label}-`));
  chmodSync(tmp, 0o755);
  const course = fx.makeCourse(tmp, { timeout: '90s', only: ['calc'] });
  if (owner !== undefined) {
    chownTree(tmp, owner);
    const probe = spawnSync(setpriv!, [
      `--reuid=${owner}`,
      `--regid=${owner}`,
      '--clear-groups',
      'test',
      '-r',
      path.join(fx.REPO, 'node_modules', 'jest', 'package.json'),
    ]);
    if (probe.status !== 0) {
      // As in hostile.test.ts: a clone under a private folder is not readable by nobody, who gets a copy.
      const copy = path.join(tmp, 'packages-copy', 'node_modules');
      mkdirSync(path.dirname(copy));
      if (spawnSync('cp', ['-al', path.join(fx.REPO, 'node_modules'), copy]).status !== 0)
        cpSync(path.join(fx.REPO, 'node_modules'), copy, { recursive: true });
      spawnSync('chmod', ['-R', 'a+rX', copy]);
      rmSync(path.join(course, 'node_modules'));
      symlinkSync(copy, path.join(course, 'node_modules'), 'dir');
    }
  }
  return { tmp, course };
}

/** `course <args>` in `cwd`, as this user or as nobody; asynchronous, so the test's own server keeps answering. */
function course(cwd: string, args: string[], asNobody: boolean, env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const node = process.execPath;
  const argv = [path.join(cwd, 'bin', 'course.js'), ...args];
  const [command, commandArgs] = asNobody ? [setpriv!, [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', node, ...argv]] : [node, argv];
  return new Promise((resolve) => {
    const child = spawn(command, commandArgs, {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH, HOME: os.tmpdir(), NO_COLOR: '1', CI: process.env.CI ?? '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 200_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

const modes: Array<[string, boolean]> = [['as this user', false]];
if (canDropToNobody) modes.push(['as an unprivileged user', true]);

describe.each(modes)('course check %s: the code under test sees only its own loopback', (label, asNobody) => {
  const available = process.platform === 'linux' && namespaceAvailable(asNobody);
  const world = makeWorld(asNobody ? 'nobody' : 'self', asNobody ? NOBODY : undefined);
  let server: net.Server;
  let port = 0;
  let connections = 0;

  beforeAll(async () => {
    server = net.createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as net.AddressInfo).port;
    fx.materializeCase('loopback-scan', path.join(world.tmp, 'subs'), 'scan', { NET_PORT: port });
    if (asNobody) chownTree(path.join(world.tmp, 'subs'), NOBODY);
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(world.tmp, { recursive: true, force: true });
  });

  (available ? test : test.skip)(
    `a service on 127.0.0.1 outside the check is not reachable (${label})`,
    async () => {
      // The server answers connections from this process: the port really is open on the machine's loopback.
      await new Promise<void>((resolve, reject) => net.connect(port, '127.0.0.1', resolve).on('error', reject));
      expect(connections).toBe(1);
      connections = 0;

      const dir = path.join(world.tmp, 'subs', 'scan', 'exercises', '01-calc');
      const r = await course(world.course, ['check', 'calc', '--json', '--dir', dir], asNobody);
      const result = JSON.parse(r.stdout) as CheckJson;
      expect(`${result.status} ${result.score}/${result.maxScore}`).toBe('failed 0/3');
      // Refused inside the namespace (nobody listens on that port there), not blocked some other way.
      expect(result.tests.map((t) => t.message ?? '').join('\n')).toContain(`127.0.0.1:${port} outside the check: ECONNREFUSED`);
      expect(connections).toBe(0);
      expect(result.isolation?.find((l) => l.name.startsWith('network namespace'))).toMatchObject({ on: true });
      expect(result.isolation?.find((l) => l.name.startsWith('PID namespace'))).toMatchObject({ on: true });
    },
    240_000,
  );

  (available ? test : test.skip)(
    `the honest solution still gets full marks, and the check says which layers were on (${label})`,
    async () => {
      const r = await course(world.course, ['check', 'calc', '--dir', path.join(world.course, 'solutions', '01-calc')], asNobody);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/isolation: network namespace \(loopback only\)[^\n]*; PID namespace for the code under test\n/);
      expect(r.stdout).not.toContain('OFF:');
      const doctor = await course(world.course, ['doctor', '--json'], asNobody);
      const findings = (JSON.parse(doctor.stdout) as { findings: Array<{ check: string; level: string; detail: string }> }).findings;
      expect(findings.find((f) => f.check === 'check isolation: network')).toMatchObject({ level: 'ok', detail: expect.stringMatching(/: on$/) });
    },
    240_000,
  );

  (available ? test : test.skip)(
    `COURSE_NO_NETWORK_ISOLATION=1 turns the layer off and says so (${label})`,
    async () => {
      // Without the layer the same scan gets through: what the case measures is the namespace, nothing else.
      connections = 0;
      const scan = await course(world.course, ['check', 'calc', '--json', '--dir', path.join(world.tmp, 'subs', 'scan', 'exercises', '01-calc')], asNobody, {
        COURSE_NO_NETWORK_ISOLATION: '1',
      });
      expect(`${(JSON.parse(scan.stdout) as CheckJson).status}`).toBe('passed');
      expect(connections).toBeGreaterThan(0);
      const solution = path.join(world.course, 'solutions', '01-calc');
      const r = await course(world.course, ['check', 'calc', '--json', '--dir', solution], asNobody, { COURSE_NO_NETWORK_ISOLATION: '1' });
      const result = JSON.parse(r.stdout) as CheckJson;
      expect(result.status).toBe('passed');
      expect(result.isolation?.find((l) => l.name.startsWith('network namespace'))).toEqual({
        name: expect.any(String),
        on: false,
        why: 'COURSE_NO_NETWORK_ISOLATION=1',
      });
    },
    240_000,
  );

  (available ? test.skip : test)(
    `without the namespace the check says the layer is off, and why (${label})`,
    async () => {
      const r = await course(world.course, ['check', 'calc', '--json', '--dir', path.join(world.course, 'solutions', '01-calc')], asNobody);
      const layer = (JSON.parse(r.stdout) as CheckJson).isolation?.find((l) => l.name.startsWith('network namespace'));
      expect(layer).toMatchObject({ on: false, why: expect.any(String) });
    },
    240_000,
  );
});
