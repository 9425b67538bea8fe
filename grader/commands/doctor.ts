// `course doctor`: what breaks network exercises on a learner's machine, checked for real, with what to do.

import { lookup } from 'node:dns/promises';
import { mkdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { loadCourse } from '../course/course-file';
import { UsageError } from '../course/errors';
import { fsWatchWorks } from '../course/fs-probe';
import { courseRoot, stateDir } from '../paths';
import { NO_NETWORK_ISOLATION_ENV } from '../run/check-network';
import { learnerIsolation } from '../run/learner-isolation';
import { EXIT, type Command, type Context } from './command';

export interface Finding {
  check: string;
  level: 'ok' | 'warn' | 'fail';
  detail: string;
  /** What to do about it (warn and fail). */
  fix?: string;
}

/** Listens on `host`:0, connects to it and echoes one byte. Resolves with an error message, or undefined. */
function loopback(host: string, timeoutMs = 3000): Promise<string | undefined> {
  return new Promise((resolve) => {
    const server = net.createServer((socket) => socket.end('x'));
    const finish = (problem: string | undefined) => {
      clearTimeout(timer);
      server.close();
      resolve(problem);
    };
    const timer = setTimeout(() => finish(`no answer from ${host} within ${timeoutMs} ms`), timeoutMs);
    server.once('error', (err) => finish(`cannot listen on ${host}: ${(err as NodeJS.ErrnoException).code ?? err.message}`));
    server.listen(0, host, () => {
      const { port } = server.address() as net.AddressInfo;
      const client = net.connect({ host, port });
      client.once('error', (err) => finish(`cannot connect to ${host}:${port}: ${(err as NodeJS.ErrnoException).code ?? err.message}`));
      client.once('data', () => {
        client.destroy();
        finish(undefined);
      });
    });
  });
}

function proxyFinding(env: NodeJS.ProcessEnv): Finding {
  const get = (name: string) => env[name] ?? env[name.toLowerCase()];
  const proxies = ['HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY'].filter((n) => get(n));
  if (!proxies.length) return { check: 'proxy settings', level: 'ok', detail: 'no HTTP(S)_PROXY set' };
  const noProxy = (get('NO_PROXY') ?? '').split(',').map((s) => s.trim().toLowerCase());
  const covered =
    ['localhost', '127.0.0.1'].every((h) => noProxy.includes(h) || noProxy.includes('*')) &&
    (noProxy.includes('::1') || noProxy.includes('[::1]') || noProxy.includes('*'));
  if (covered) return { check: 'proxy settings', level: 'ok', detail: `${proxies.join(', ')} set, and NO_PROXY covers the loopback addresses` };
  return {
    check: 'proxy settings',
    level: 'warn',
    detail: `${proxies.join(', ')} set, and NO_PROXY does not cover localhost, 127.0.0.1 and ::1`,
    fix: "tools and libraries that honour the proxy variables would send the tests' local traffic to the proxy. Run: export NO_PROXY=localhost,127.0.0.1,::1 (and no_proxy likewise)",
  };
}

export async function diagnose(ctx: Context): Promise<Finding[]> {
  return [
    nodeFinding(),
    ...(await loopbackFindings()),
    await localhostFinding(),
    proxyFinding(process.env),
    await fileWatchFinding(ctx.root),
    ...isolationFindings(),
    courseFinding(ctx.root),
  ];
}

function nodeFinding(): Finding {
  // (An older Node never gets here: bin/node-version.js stops it first. This names the version in the report.)
  const { nodeIsSupported, MINIMUM } = require(path.join(courseRoot, 'bin', 'node-version.js')) as {
    nodeIsSupported: (v: string) => boolean;
    MINIMUM: number[];
  };
  if (nodeIsSupported(process.versions.node)) return { check: 'Node.js version', level: 'ok', detail: `Node.js ${process.versions.node}` };
  return {
    check: 'Node.js version',
    level: 'fail',
    detail: `Node.js ${process.versions.node}`,
    fix: `install Node.js 24 or 26 LTS (${MINIMUM.join('.')} at the least): https://nodejs.org/`,
  };
}

async function loopbackFindings(): Promise<Finding[]> {
  const v4 = await loopback('127.0.0.1');
  const v6 = await loopback('::1');
  return [
    v4
      ? {
          check: 'loopback (127.0.0.1)',
          level: 'fail',
          detail: v4,
          fix: 'the tests run servers on 127.0.0.1: allow local connections in your firewall or security software, or run the course outside the sandbox that blocks them',
        }
      : { check: 'loopback (127.0.0.1)', level: 'ok', detail: 'a server on 127.0.0.1:0 answers' },
    v6
      ? {
          check: 'IPv6 loopback (::1)',
          level: 'warn',
          detail: v6,
          fix: 'the tests use 127.0.0.1, so this is fine for the course; in your own code connect to 127.0.0.1 rather than localhost',
        }
      : { check: 'IPv6 loopback (::1)', level: 'ok', detail: 'a server on [::1]:0 answers' },
  ];
}

async function localhostFinding(): Promise<Finding> {
  try {
    const addresses = await lookup('localhost', { all: true });
    const order = addresses.map((a) => a.address).join(', ');
    if (addresses[0]?.family !== 6) return { check: 'localhost', level: 'ok', detail: `localhost resolves to ${order}` };
    return {
      check: 'localhost',
      level: 'warn',
      detail: `localhost resolves to ${order}: ::1 first`,
      fix: 'a client connecting to "localhost" tries ::1 first, and a server listening on 127.0.0.1 is not there (ECONNREFUSED). The tests give you 127.0.0.1 addresses; use those, never "localhost", in your code',
    };
  } catch (err) {
    return {
      check: 'localhost',
      level: 'warn',
      detail: `localhost does not resolve (${(err as NodeJS.ErrnoException).code})`,
      fix: 'add "127.0.0.1 localhost" to your hosts file; the tests themselves use 127.0.0.1',
    };
  }
}

async function fileWatchFinding(root: string): Promise<Finding> {
  const state = stateDir(root);
  mkdirSync(state, { recursive: true });
  if (await fsWatchWorks(state)) return { check: 'file watching', level: 'ok', detail: 'fs.watch reports changes in the course folder' };
  return {
    check: 'file watching',
    level: 'warn',
    detail: 'fs.watch reported no change in the course folder (WSL2 on a Windows drive, a network mount?)',
    fix: '`course watch` notices this and polls instead (or pass --poll). On WSL2, a clone inside the Linux file system (~/) is faster',
  };
}

/** What `course check` wraps the code under test in (the same line it prints, one finding per layer). */
function isolationFindings(): Finding[] {
  return learnerIsolation().map((layer): Finding => {
    const check = layer.id === 'net-ns' ? 'check isolation: network' : 'check isolation: PID';
    const chosen = layer.why?.includes(NO_NETWORK_ISOLATION_ENV) || layer.why?.includes('COURSE_NO_CHILD_ISOLATION');
    if (layer.on || chosen) return { check, level: 'ok', detail: `${layer.name}: ${layer.on ? 'on' : `off (${layer.why})`}` };
    return {
      check,
      level: 'warn',
      detail: `${layer.name}: off (${layer.why})`,
      fix: 'checks work without it; your code under test can then reach other services on this machine. On Linux, allow unprivileged user namespaces (or install util-linux and iproute2) to turn it on',
    };
  });
}

function courseFinding(root: string): Finding {
  try {
    loadCourse(root);
    return { check: 'course.yaml', level: 'ok', detail: 'valid' };
  } catch (err) {
    return {
      check: 'course.yaml',
      level: 'fail',
      detail: (err as Error).message.split('\n')[0]!,
      fix: 'see the message; after a `git pull` with conflicts, run `npx course update`',
    };
  }
}

export const doctor: Command = {
  name: 'doctor',
  summary: 'check this machine for what breaks network exercises, and say what to do',
  usage: 'course doctor [--json]',
  help: `Checks, for real, what the exercises need from your machine: the Node.js version, servers on
127.0.0.1 and ::1 that answer, what "localhost" resolves to first, proxy variables (HTTP_PROXY,
HTTPS_PROXY, NO_PROXY), whether file watching works in the course folder (for \`course watch\`), which
isolation layers \`course check\` can use here (network and PID namespaces), and that course.yaml is
valid. Each problem comes with what to do.

Options:
  --json   print the findings as JSON

Exit code: 0 nothing failed (warnings allowed), 1 something failed.`,
  options: { json: { type: 'boolean' } },
  async run(ctx, positionals, values) {
    if (positionals.length) throw new UsageError('doctor takes no arguments');
    const findings = await diagnose(ctx);
    const failed = findings.some((f) => f.level === 'fail');
    if (values.json) {
      ctx.print(JSON.stringify({ ok: !failed, findings }, null, 2));
      return failed ? EXIT.failed : EXIT.ok;
    }
    const { c } = ctx;
    const width = Math.max(...findings.map((f) => f.check.length));
    for (const f of findings) {
      const mark = f.level === 'ok' ? c.green('✓') : f.level === 'warn' ? c.yellow('!') : c.red('✗');
      ctx.print(`${mark} ${f.check.padEnd(width)}  ${f.detail}`);
      if (f.fix) ctx.print(`  ${' '.repeat(width)}  ${c.gray(`→ ${f.fix}`)}`);
    }
    ctx.print();
    ctx.print(
      failed ? c.red('Something above will stop the exercises from working: fix it first.') : c.green('Nothing here stops the exercises from working.'),
    );
    return failed ? EXIT.failed : EXIT.ok;
  },
};
