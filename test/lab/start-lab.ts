// Starts the real `course lab --no-open` in a course copy (test/helpers.ts's copyCourse) and waits for the URL it
// prints; stop() ends it (SIGTERM) and waits for its exit. For the lab's tests.

import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export interface StartedLab {
  url: string;
  port: number;
  token: string;
  child: ChildProcess;
  output: () => string;
  stop: () => Promise<void>;
}

export async function startLab(dir: string, args: string[] = []): Promise<StartedLab> {
  const child = spawn(process.execPath, [path.join(dir, 'bin', 'course.js'), 'lab', '--no-open', ...args], {
    cwd: dir,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (output += c.toString('utf8')));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`course lab printed no URL within 60 s:\n${output}`)), 60_000);
    const look = () => {
      const match = /http:\/\/127\.0\.0\.1:\d+\/\?t=[\w-]+/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[0]);
      }
    };
    child.stdout.on('data', look);
    child.on('exit', () => reject(new Error(`course lab exited:\n${output}`)));
  });
  const parsed = new URL(url);
  return {
    url,
    port: Number(parsed.port),
    token: parsed.searchParams.get('t')!,
    child,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
