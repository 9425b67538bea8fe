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

  /** The terminal's device (/dev/pts/N), known once `sized` resolves: a pty given a `size` prints it first. */
  private device: string | undefined;

  /**
   * `size`: the terminal's rows and columns, as a terminal window would set them (without it the pty is 0x0 and
   * programs fall back to their defaults); `resize()` changes them as a window resize does (SIGWINCH).
   */
  constructor(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; size?: { rows: number; columns: number } }) {
    const quote = (a: string) => `'${a.replace(/'/g, `'\\''`)}'`;
    const size = options.size;
    const run = [command, ...args].map(quote).join(' ');
    const quoted = size ? `tty; stty rows ${size.rows} cols ${size.columns}; exec ${run}` : run;
    this.child = spawn('script', ['--quiet', '--flush', '--return', '--command', quoted, '/dev/null'], {
      cwd: options.cwd,
      env: { ...process.env, TERM: 'xterm-256color', COLUMNS: String(size?.columns ?? 120), LINES: String(size?.rows ?? 40), ...options.env },
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

  /** Waits for the device name a sized pty prints first. */
  async sized(): Promise<void> {
    await this.waitFor(/\/dev\/pts\/\d+/);
    this.device = /\/dev\/pts\/\d+/.exec(this.text())![0];
  }

  /** Resizes the terminal, as dragging its window does: the program gets SIGWINCH and reads the new size. */
  resize(rows: number, columns: number): void {
    if (!this.device) throw new Error('resize() needs a pty started with a size, after sized()');
    const set = spawnSync('stty', ['-F', this.device, 'rows', String(rows), 'cols', String(columns)], { encoding: 'utf8' });
    if (set.status !== 0) throw new Error(`stty could not resize ${this.device}: ${set.stderr}`);
  }

  type(text: string): void {
    this.child.stdin!.write(text);
  }

  kill(): void {
    this.child.kill('SIGKILL');
  }
}
