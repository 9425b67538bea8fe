// `course lab` leaves no process behind when it is stopped (issue 25): a real lab in a course copy, with a check
// running (the warm jest process and the sandbox hosts of a long suite) and the live-feed demo's sandbox host
// streaming, gets Ctrl-C (SIGINT), SIGTERM or SIGHUP (its terminal closed); every process whose command line
// names the copy (the lab, jest, the sandbox hosts and their namespace wrappers, the type checker) must be gone
// shortly after the lab exits. (SIGINT and SIGTERM already held; SIGHUP left the detached type checker running.)

import { copyFileSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { copyCourse, processesMentioning } from '../helpers';
import { startLab, type StartedLab } from './start-lab';

function post(lab: StartedLab, route: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const body = '{}';
    const req = http.request(
      {
        host: '127.0.0.1',
        port: lab.port,
        path: `${route}?t=${lab.token}`,
        method: 'POST',
        headers: { host: `127.0.0.1:${lab.port}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function until(what: string, ok: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The command lines of the processes still running that name the course copy. */
function survivors(dir: string): string[] {
  return processesMentioning(dir).flatMap((pid) => {
    try {
      return [`${pid}: ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').slice(0, 200)}`];
    } catch {
      return []; // (gone meanwhile)
    }
  });
}

describe.each([['SIGINT (Ctrl-C)', 'SIGINT'] as const, ['SIGTERM', 'SIGTERM'] as const, ['SIGHUP (its terminal closed)', 'SIGHUP'] as const])(
  'course lab stopped by %s',
  (_label, signal) => {
    let dir: string;
    let lab: StartedLab | undefined;

    beforeAll(() => {
      dir = copyCourse();
      // A passing h2-flow-control keeps a check busy for a while (a sandbox host per test); the SSE client passes
      // too, so the live-feed demo runs it in a sandbox host of its own.
      copyFileSync(path.join(dir, 'solutions/08-h2-flow-control/h2-connection.ts'), path.join(dir, 'exercises/08-h2-flow-control/h2-connection.ts'));
      copyFileSync(path.join(dir, 'solutions/05-sse-consumer/sse-consumer.ts'), path.join(dir, 'exercises/05-sse-consumer/sse-consumer.ts'));
    });

    afterAll(async () => {
      if (lab && lab.child.exitCode === null && lab.child.signalCode === null) lab.child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    });

    test('no process of the lab is left: jest, sandbox hosts, the demo’s host, the type checker', async () => {
      lab = await startLab(dir, ['h2-flow-control']);
      expect(await post(lab, '/api/check')).toBe(202);
      const feed = post(lab, '/api/demo/feed');
      // Running: the lab, its warm jest process, and sandbox hosts (the suite's, the feed demo's) at the same time.
      const hostsOf = (id: string) => processesMentioning(path.join(dir, '.course', 'build', id)).length;
      await until('a sandbox host of the check and one of the feed demo', () => hostsOf('h2-flow-control') > 0 && hostsOf('sse-consumer') > 0, 120_000);
      await feed.catch(() => undefined);
      const running = survivors(dir);
      expect(running.length).toBeGreaterThanOrEqual(3);

      const exited = new Promise<number | null>((resolve) => lab!.child.once('exit', (code, sig) => resolve(code ?? (sig ? -1 : null))));
      lab.child.kill(signal);
      const code = await exited;
      // Everything it started dies with it (a few seconds at most for the kernel to reap a namespace).
      await until('every process of the lab to end', () => survivors(dir).length === 0, 10_000).catch(() => undefined);
      expect(survivors(dir)).toEqual([]);
      // It exits as the CLI does on that signal (128 + its number), not killed by it half-way.
      expect(code).toBe({ SIGINT: 130, SIGTERM: 143, SIGHUP: 129 }[signal]);
    }, 240_000);
  },
);
