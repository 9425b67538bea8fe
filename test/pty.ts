// A real terminal for black-box tests: runs a command under util-linux `script`, which gives it a pseudo-terminal
// (so isTTY is true, raw mode works, inquirer and the progress bar behave as for a person at a keyboard). Input is
// written as keystrokes; the test waits for what the screen shows before typing the next keys, never for a time.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';

export const ptyAvailable = process.platform === 'linux' && spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0;

export const keys = { up: '\x1b[A', down: '\x1b[B', enter: '\r', ctrlC: '\x03' };

/** The text a terminal shows, roughly: colour and cursor sequences removed. */
export function plain(text: string): string {
  return text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, '');
}

export class Pty {
  private readonly child: ChildProcess;
  output = '';
  /** Set once the command exited and all its output was read. */
  private closedWith: number | null | undefined;
  readonly exited: Promise<number | null>;

  constructor(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }) {
    const quoted = [command, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    this.child = spawn('script', ['--quiet', '--flush', '--return', '--command', quoted, '/dev/null'], {
      cwd: options.cwd,
      env: { ...process.env, TERM: 'xterm-256color', COLUMNS: '120', LINES: '40', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child.stdout!.on('data', (d: Buffer) => (this.output += d.toString()));
    this.child.stderr!.on('data', (d: Buffer) => (this.output += d.toString()));
    this.exited = new Promise((resolve) =>
      this.child.on('close', (code) => {
        this.closedWith = code;
        resolve(code);
      }),
    );
  }

  /** The screen text after `from` (an offset in the raw output), without escape sequences. */
  text(from = 0): string {
    return plain(this.output.slice(from));
  }

  /** Waits until the output after `from` matches; fails with the tail of the screen after `ms`. */
  async waitFor(pattern: RegExp, from = 0, ms = 60_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!pattern.test(this.text(from))) {
      if (Date.now() > deadline) throw new Error(`the terminal never showed ${pattern}; it shows:\n${this.text(from).slice(-1500)}`);
      if (this.closedWith !== undefined) throw new Error(`the command exited (${this.closedWith}) before showing ${pattern}:\n${this.text(from).slice(-1500)}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  type(text: string): void {
    this.child.stdin!.write(text);
  }

  kill(): void {
    this.child.kill('SIGKILL');
  }
}
