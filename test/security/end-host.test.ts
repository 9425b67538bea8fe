// Killing a sandbox host (harness/sandbox/end-host.ts) with the real wrapper layouts: the host is the init of a
// PID namespace behind unshare, and as root it also changes uid (which clears the parent-death signal that
// `unshare --kill-child` set). Killing the wrapper alone leaves the spinning host alive; endHost must leave nothing.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { childrenOf, endHost } from '../../harness/sandbox/end-host';

const which = (name: string) =>
  ['/usr/bin', '/bin', '/usr/sbin', '/sbin'].map((d) => `${d}/${name}`).find((p) => statSync(p, { throwIfNoEntry: false })?.isFile());
const setpriv = which('setpriv');
const unshare = which('unshare');
const isRoot = process.getuid?.() === 0;
const linux = process.platform === 'linux' && setpriv !== undefined && unshare !== undefined;
const userns = isRoot ? [] : ['--user', '--map-root-user'];
const nsWorks = linux && spawnSync(unshare, [...userns, '--pid', '--fork', '--kill-child', 'true']).status === 0;
const SPIN = [process.execPath, '-e', 'for (;;) {}'];

function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZXx]$/.test(stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3));
  } catch {
    return false;
  }
}

/** Starts `command`, waits until the spinning node host runs somewhere below it, and returns both. */
async function start(command: string[], detached: boolean) {
  const child = spawn(command[0]!, command.slice(1), { stdio: 'ignore', detached });
  const exited = new Promise<void>((r) => child.on('exit', () => r()));
  let host: number | undefined;
  for (let i = 0; i < 400 && host === undefined; i++) {
    await new Promise((r) => setTimeout(r, 10));
    const below = [child.pid!, ...childrenOf(child.pid!)];
    host = below.find((p) => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('for (;;)') && readFileSync(`/proc/${p}/cmdline`, 'utf8').startsWith(process.execPath);
      } catch {
        return false;
      }
    });
  }
  if (host === undefined) throw new Error(`the host did not start under ${command.join(' ')}`);
  return { child, host, exited };
}

const layouts: Array<[string, string[], boolean]> = [];
if (nsWorks) {
  layouts.push([
    'check: setpriv --pdeathsig, unshare --pid',
    [setpriv!, '--pdeathsig', 'KILL', unshare!, ...userns, '--pid', '--fork', '--kill-child', ...SPIN],
    true,
  ]);
  if (isRoot) {
    // The batch layout as root, without the second belt (the re-armed parent-death signal): the kill alone must do.
    layouts.push([
      'grade as root: unshare --pid, then setpriv --reuid',
      [
        setpriv!,
        '--pdeathsig',
        'KILL',
        unshare!,
        '--pid',
        '--fork',
        '--kill-child',
        setpriv!,
        '--reuid=65534',
        '--regid=65534',
        '--clear-groups',
        '--no-new-privs',
        ...SPIN,
      ],
      true,
    ]);
  }
}
layouts.push(['no wrapper (the layer is off)', SPIN, false]);

test.each(layouts)('%s: the host and its namespace are gone when endHost resolves', async (_label, command, detached) => {
  const { child, host, exited } = await start(command, detached);
  const running = () => child.exitCode === null && child.signalCode === null;
  const survivors = await endHost(child.pid!, detached, running);
  expect(survivors).toEqual([]);
  // (Without a wrapper the host is the child itself: gone once it is reaped.)
  if (command === SPIN) await exited;
  expect(alive(host)).toBe(false);
  await exited;
});

(nsWorks && isRoot ? test : test.skip)('killing only the wrapper (what the client did before) leaves the host spinning as root', async () => {
  const { child, host, exited } = await start(layouts[1]![1], true);
  child.kill('SIGKILL');
  await exited;
  await new Promise((r) => setTimeout(r, 300));
  const survived = alive(host);
  if (survived) process.kill(host, 'SIGKILL');
  // This shows why endHost exists: the parent-death signal is lost with the uid change.
  expect(survived).toBe(true);
});
