// `course lab`: the lessons and their interactive demos in the browser, with a live check/watch view, served from
// 127.0.0.1 by grader/lab/server.ts. This file parses the options, prints the URL (with its random token), opens
// the browser where one is available, and runs until Ctrl-C.

import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { loadCourse } from '../course/course-file';
import { UsageError } from '../course/errors';
import { fsWatchWorks } from '../course/fs-probe';
import { pickExercise } from '../course/select';
import { stateDir } from '../paths';
import { startLab } from '../lab/server';
import { EXIT, type Command } from './command';

function parsePort(value: string | boolean | undefined): number {
  if (value === undefined || typeof value === 'boolean') return 0;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--port takes a port number from 1 to 65535 (0: any free port)');
  return port;
}

/** Opens the URL in the desktop's browser; says nothing when there is none (a server, a container). */
function openBrowser(url: string): void {
  const command = process.platform === 'darwin' ? ['open', url] : process.platform === 'win32' ? ['cmd', '/c', 'start', '""', url] : ['xdg-open', url];
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return;
  const child = spawn(command[0]!, command.slice(1), { stdio: 'ignore', detached: true });
  child.on('error', () => undefined);
  child.unref();
}

export const lab: Command = {
  name: 'lab',
  summary: 'the lessons and their live demos in your browser, driven by your code',
  usage: 'course lab [id] [--no-open] [--port N] [--poll]',
  help: `Starts a small web server on this machine (127.0.0.1 only) and opens its page in your browser: the
exercises with your progress (updated live), each lesson, a Check button and a live view of the tests
as they finish (saving your file re-checks it, as course watch does), and the demos your code powers
(HPACK savings: your decoder reads a real HTTP/2 connection's header blocks). Until an exercise passes,
its demo runs on a built-in peer and says so. Your code runs where course check runs it: in the
sandbox process, never in the lab server. Ctrl-C stops the lab.

The printed URL carries a random token: only a page opened from it can talk to the lab (requests from
other web pages or other host names are refused).

Options:
  --no-open   print the URL without opening a browser
  --port N    listen on port N (default: a free port)
  --poll      look for saves by reading the files every 300 ms (see course watch --help)`,
  options: { 'no-open': { type: 'boolean' }, port: { type: 'string' }, poll: { type: 'boolean' } },
  async run(ctx, positionals, values) {
    if (positionals.length > 1) throw new UsageError('lab takes at most one exercise id');
    const exercise = pickExercise(loadCourse(ctx.root), positionals[0], ctx.cwd);
    const port = parsePort(values.port);
    let poll = Boolean(values.poll);
    const state = stateDir(ctx.root);
    mkdirSync(state, { recursive: true });
    if (!poll && !(await fsWatchWorks(state))) poll = true;
    const running = await startLab({ ctx, exerciseId: exercise.id, port, poll }).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') throw new UsageError(`port ${port} is in use; try another --port, or leave it out for a free one`);
      throw err;
    });
    ctx.print(`The course lab is running at ${ctx.c.bold(running.url)}`);
    ctx.print(ctx.c.gray('Open that URL (the token in it is the key). Ctrl-C stops the lab.'));
    if (!values['no-open']) openBrowser(running.url);
    // Runs until Ctrl-C or SIGTERM: cli.ts exits then, and its exit hooks end the warm jest process, the type
    // checker and the sandbox hosts. A closed terminal (SIGHUP) too: by default it would kill the lab without
    // running those hooks, and the detached type checker was left running (test/lab/lab-exit.test.ts).
    process.once('SIGHUP', () => process.exit(129));
    await new Promise<never>(() => undefined);
    return EXIT.ok;
  },
};
