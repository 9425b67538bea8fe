// The trusted side of the sandbox RPC: starts the host process that runs the code under test and gives the
// suite a small promise-based API to reach it. Every call has a timeout; when the host dies or hangs, the pending
// calls fail with a message that names the call, so a learner sees *which* operation broke.
// The host is spawned with no Node IPC channel: requests and replies travel as frames (frames.ts) on a socket pair
// at its fd 3, which the code under test can write to as well. Every byte from it is parsed here by code this side
// owns, and the first bad frame ends the host as a protocol violation (the run is then `tampered`).

import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { deserialize, serialize } from 'node:v8';
import { z } from 'zod';
import { endHost } from './end-host';
import { encodeFrame, FrameDecoder, VALUE_CAP } from './frames';
import { anomalyText, courseHooks, ENV, HOST_ANOMALY_KINDS, MANIFEST_FILE, type BuildManifest, type HostOptions, type SandboxSignal } from './contract';
import type { CallbackRef, HostMessage, Request, WireError } from './protocol';

export type { BuildManifest } from './contract';

export interface SandboxOptions {
  /** Per-call timeout. */
  callTimeoutMs?: number;
  /** Time allowed for the module to load. */
  loadTimeoutMs?: number;
  /** Overrides the build folder (defaults to ENV.buildDir, COURSE_BUILD_DIR, set by the runner). */
  buildDir?: string;
}

/** An error thrown by the code under test, carried across the boundary. */
export class RemoteError extends Error {
  readonly code?: string;
  readonly props: Record<string, unknown>;
  /** The message the code under test gave, without the call in front. */
  readonly remoteMessage: string;
  constructor(
    readonly call: string,
    wire: WireError,
  ) {
    super(`${call} threw ${wire.name}${wire.code ? ` [${wire.code}]` : ''}: ${wire.message}`);
    this.remoteMessage = wire.message;
    this.name = wire.name;
    this.code = wire.code;
    this.props = wire.props ?? {};
  }
}

/**
 * The call never completed: the host crashed, exited or hung (`timeout`, `crash`), the module under test did not
 * load (`load`), the grading machinery could not start the code under test (`machinery`: a denied read of a
 * provided package, never the learner's doing), or the host broke the protocol (`protocol`).
 */
export class SandboxFailure extends Error {
  constructor(
    message: string,
    readonly kind: 'timeout' | 'crash' | 'load' | 'machinery' | 'protocol',
  ) {
    super(message);
    this.name = 'SandboxFailure';
  }
}

interface Pending {
  describe: string;
  resolve: (reply: { value: unknown; handle?: number }) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

const OUTPUT_CAP = 64 * 1024;

// Everything below arrives from the code under test: hostile until checked. Texts are cut, sizes and counts capped.
/** Longest error message, name or anomaly kept from the host. */
const TEXT_CAP = 4000;
const ANOMALY_CAP = 300;
/** Messages one host may send in its life (replies, callbacks, anomalies). */
const MESSAGE_CAP = 2_000_000;
/**
 * Anomaly reports one host may send in its life. The host sends one per uncaught exception, unhandled rejection or
 * exit attempt of the code under test: an interval throwing every millisecond reaches this only after 50 s. (Each
 * message costs the trusted process a few microseconds to decode: a flood must be cut off long before MESSAGE_CAP.)
 */
const ANOMALY_MESSAGE_CAP = 50_000;
/** A frame left unfinished this long while a call timed out was cut on purpose (the host writes frames whole). */
const STALLED_FRAME_MS = 200;

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}… (truncated, ${text.length} characters)` : text;
}

const Text = (max: number) => z.string().transform((t) => cut(t, max));
const WireErrorSchema = z.object({
  name: Text(200),
  message: Text(TEXT_CAP),
  code: Text(200).optional(),
  props: z
    .record(z.string(), z.unknown())
    .optional()
    .transform((props) => {
      if (!props) return undefined;
      const kept = Object.entries(props)
        .filter(([, v]) => v === null || ['string', 'number', 'boolean'].includes(typeof v))
        .slice(0, 32)
        .map(([k, v]) => [cut(k, 100), typeof v === 'string' ? cut(v, TEXT_CAP) : v]);
      return Object.fromEntries(kept) as Record<string, unknown>;
    }),
});
// (A plain union: a discriminated union cannot hold the two shapes of "reply". The frequent shapes come first.)
const HostMessageSchema = z.union([
  z.object({ type: z.literal('reply'), id: z.number().int(), ok: z.literal(true), value: z.unknown(), handle: z.number().int().optional() }),
  z.object({ type: z.literal('callback'), callback: z.number().int(), args: z.array(z.unknown()).max(64) }),
  z.object({ type: z.literal('reply'), id: z.number().int(), ok: z.literal(false), error: WireErrorSchema }),
  z.object({ type: z.literal('ready'), exports: z.record(z.string().max(200), z.enum(['class', 'function', 'value'])) }),
  z.object({ type: z.literal('load-error'), error: WireErrorSchema, missingModule: Text(1000).optional() }),
  z.object({ type: z.literal('anomaly'), kind: z.enum(HOST_ANOMALY_KINDS), detail: Text(ANOMALY_CAP) }),
  z.object({ type: z.literal('output'), text: Text(OUTPUT_CAP + 1024), dropped: z.number().int().min(0) }),
  z.object({ type: z.literal('preflight'), ok: z.literal(true) }),
  z.object({ type: z.literal('preflight'), ok: z.literal(false), what: Text(TEXT_CAP) }),
]);

function serializedSize(value: unknown): number {
  try {
    return serialize(value).byteLength;
  } catch {
    return Infinity;
  }
}

/** What the suite's sandbox saw, for the grader's verdict (grader/run/trusted-environment.ts passes it on). */
function signal(kind: SandboxSignal, detail: string): void {
  courseHooks().__courseSandboxSignal?.(kind, detail);
}

export function readManifest(buildDir = process.env[ENV.buildDir]): BuildManifest {
  if (!buildDir) throw new Error(`${ENV.buildDir} is not set: hidden suites run only through \`course check\``);
  return JSON.parse(readFileSync(path.join(buildDir, MANIFEST_FILE), 'utf8')) as BuildManifest;
}

function permissionFlags(readPaths: string[]): string[] {
  // One flag per folder, with a wildcard for its contents (without "/*" a folder grants itself only).
  const reads = readPaths.map((p) => `--allow-fs-read=${path.join(p, '*')}`);
  // Node 26's permission model also closes the network unless --allow-net is given (experimental there: its
  // warning is silenced). The exercises are network code: what the code under test may reach is the run's network
  // namespace's business (loopback only), not this layer's.
  const net = process.allowedNodeEnvironmentFlags.has('--allow-net') ? ['--allow-net', '--no-warnings'] : [];
  return ['--permission', ...reads, ...net];
}

export class Sandbox {
  readonly anomalies: string[] = [];
  exports: Record<string, 'class' | 'function' | 'value'> = {};
  private readonly pending = new Map<number, Pending>();
  private readonly callbacks = new Map<number, (...args: unknown[]) => void>();
  private nextId = 1;
  private nextCallback = 1;
  private outputText = '';
  /** Settles when the host's stdout and stderr have closed (everything it printed was read). */
  private readonly outputDrained: Promise<void>;
  private exitReason: string | undefined;
  private readonly exited: Promise<void>;
  /** The host's end of the request channel (fd 3 of the host; hostile bytes may arrive on it). */
  private readonly channel: Socket;
  private readonly decoder = new FrameDecoder();
  /** Settles when a kill has finished (every process it found is gone, or reported). */
  private ended: Promise<void> | undefined;

  private constructor(
    private readonly child: ChildProcess,
    private readonly options: Required<Omit<SandboxOptions, 'buildDir'>>,
    private readonly ownSession: boolean,
    /** The packages the exercise lets the code under test import (course.yaml `packages`). */
    private readonly providedPackages: readonly string[],
  ) {
    // What the code under test prints goes to the grader, which shows it under the test that was running (the
    // learner's print-debugging); the first OUTPUT_CAP bytes are also kept here, for a module that dies on load.
    const capture = (decoder: StringDecoder) => (chunk: Buffer) => {
      const text = decoder.write(chunk);
      if (this.outputText.length < OUTPUT_CAP) this.outputText += text;
      if (text) courseHooks().__courseOutput?.(text);
    };
    child.stdout?.on('data', capture(new StringDecoder('utf8')));
    child.stderr?.on('data', capture(new StringDecoder('utf8')));
    const drained = (stream: NodeJS.ReadableStream | null) => new Promise<void>((resolve) => (stream ? stream.once('close', resolve) : resolve()));
    this.outputDrained = Promise.all([drained(child.stdout), drained(child.stderr)]).then(() => undefined);
    this.channel = child.stdio[3] as Socket;
    this.channel.on('data', (chunk: Buffer) => this.receiveBytes(chunk));
    // A write to a host that just died fails with EPIPE; the 'exit' handler below reports the real cause.
    this.channel.on('error', () => undefined);
    child.on('error', () => undefined);
    this.exited = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        this.exitReason = signal
          ? `the process running your code was killed by ${signal}` +
            (signal === 'SIGKILL' || signal === 'SIGABRT' ? ' (out of memory, or stopped by the grader)' : '')
          : `the process running your code exited with code ${code}` +
            (code === 0 ? ' (did it call process.exit()?)' : code === 134 ? ' (out of memory?)' : '');
        this.failAll((p) => new SandboxFailure(`${p.describe} did not complete: ${this.exitReason}`, 'crash'));
        resolve();
      });
    });
  }

  /** Starts the host and waits until the module under test has loaded. */
  static async open(options: SandboxOptions = {}): Promise<Sandbox> {
    const manifest = readManifest(options.buildDir);
    const hostOptions: HostOptions = {
      entry: manifest.entry,
      packages: manifest.packages ?? [],
      moduleRoots: [manifest.buildDir, ...manifest.nodePath],
    };
    const execArgv = [`--max-old-space-size=${manifest.heapMb}`, '--disable-proto=delete', ...permissionFlags([manifest.buildDir, ...manifest.readPaths])];
    // With a wrapper (setpriv/unshare/prlimit ...), the node binary becomes an argument of the wrapper.
    const command = [...manifest.wrapper, process.execPath, ...execArgv, manifest.host, JSON.stringify(hostOptions)];
    const child = spawn(command[0]!, command.slice(1), {
      cwd: manifest.buildDir,
      env: scrubbedEnv(manifest),
      // fd 3 is a socket pair (libuv's 'pipe'), duplex: the request channel. No Node IPC channel exists.
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
      // Its own session: kill(0) from the code under test then reaches no trusted process.
      detached: manifest.ownSession === true,
    });
    const sandbox = new Sandbox(
      child,
      {
        callTimeoutMs: options.callTimeoutMs ?? 2000,
        loadTimeoutMs: options.loadTimeoutMs ?? 4000,
      },
      manifest.ownSession === true,
      manifest.packages ?? [],
    );
    await sandbox.waitReady();
    return sandbox;
  }

  get alive(): boolean {
    return this.exitReason === undefined && !this.killed;
  }

  /** What the code under test printed (console.log etc.), capped. */
  output(): string {
    return this.outputText.length >= OUTPUT_CAP ? `${this.outputText}\n[output cut at ${OUTPUT_CAP} bytes]` : this.outputText;
  }

  /** A function the code under test can call; its calls arrive here asynchronously. */
  callback(fn: (...args: unknown[]) => void): CallbackRef {
    const id = this.nextCallback++;
    this.callbacks.set(id, fn);
    return { $callback: id };
  }

  async construct(className: string, ...args: unknown[]): Promise<Remote> {
    const reply = await this.request({ op: 'construct', className, args }, `new ${className}(${describeArgs(args)})`);
    return new Remote(this, className, reply.handle!);
  }

  async invoke(fn: string, ...args: unknown[]): Promise<unknown> {
    return (await this.request({ op: 'invoke', fn, args }, `${fn}(${describeArgs(args)})`)).value;
  }

  /**
   * What keeps the host process alive right now (process.getActiveResourcesInfo(): 'Timeout', 'TCPSocketWrap',
   * ...): a suite compares two readings to see timers or sockets the code under test leaked.
   */
  async activeResources(): Promise<string[]> {
    const value = (await this.request({ op: 'resources' }, 'process.getActiveResourcesInfo()')).value;
    return Array.isArray(value) ? value.map(String) : [];
  }

  /** Like invoke, with a timeout of its own (for calls expected to take long, e.g. a large input). */
  async invokeWithin(timeoutMs: number, fn: string, ...args: unknown[]): Promise<unknown> {
    return (await this.request({ op: 'invoke', fn, args }, `${fn}(${describeArgs(args)})`, timeoutMs)).value;
  }

  /** @internal used by Remote */
  request(req: DistributiveOmit<Request, 'id'>, describe: string, timeoutMs?: number): Promise<{ value: unknown; handle?: number }> {
    if (!this.alive) {
      const reason = this.exitReason ?? 'the process running your code was stopped after an earlier call hung';
      return Promise.reject(new SandboxFailure(`${describe} was not run: ${reason}`, 'crash'));
    }
    const id = this.nextId++;
    const limit = timeoutMs ?? this.options.callTimeoutMs;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        // The host's own frames are written whole: one left half-written while the call waited was cut by the code
        // under test (its bytes swallowed the reply), not a slow answer.
        if (this.stalledFrame()) return this.violation(`it left a frame unfinished (${this.decoder.pending} bytes, then nothing)`);
        this.pending.delete(id);
        reject(new SandboxFailure(`${describe} did not answer within ${limit} ms (an infinite loop, or a promise that never settles?)`, 'timeout'));
        // A host stuck in a loop cannot take further calls: stop it so the next test starts clean.
        this.kill();
      }, limit);
      this.pending.set(id, { describe, resolve, reject, timer });
      try {
        this.channel.write(encodeFrame(serialize({ ...req, id } as Request)));
      } catch (err) {
        clearTimeout(timer);
        this.pending.delete(id);
        reject(new SandboxFailure(`${describe} could not be sent: ${String(err)}`, 'crash'));
      }
    });
  }

  /**
   * Stops the host and everything it started (see end-host.ts); `close()` waits until they are gone. A process
   * that outlives the kill is an anomaly of the run.
   */
  kill(): void {
    if (this.killed) return;
    this.killed = true;
    // Once reaped, its pid may belong to someone else: never signal it then.
    const running = () => this.child.exitCode === null && this.child.signalCode === null;
    if (this.child.pid === undefined || !running()) return;
    this.ended = endHost(this.child.pid, this.ownSession, running).then((survivors) => {
      if (!survivors.length) return;
      courseHooks().__courseAnomaly?.({ kind: 'survivor', detail: survivors.join(', ') });
    });
  }

  private killed = false;

  /** Ends the host (gently, then by force) and waits until it and every process it started are gone. */
  async close(): Promise<void> {
    if (this.alive) {
      // The host exits when its channel closes.
      this.channel.end();
      const timer = setTimeout(() => this.kill(), 500);
      await this.exited;
      clearTimeout(timer);
    }
    // Even a host that exited by itself may have left processes in its namespace or session.
    this.kill();
    await this.ended;
    await this.exited;
    // The last lines it printed may still be in the pipes (bounded: a process holding them open is gone by now).
    await Promise.race([this.outputDrained, new Promise((resolve) => setTimeout(resolve, 500).unref())]);
    this.channel.destroy();
    this.callbacks.clear();
  }

  private waitReady(): Promise<void> {
    return new Promise((resolve, reject) => {
      // Two clocks: starting the process and loading the provided packages (the machinery: on a loaded machine
      // undici alone can take seconds, and that is never the learner's time), then loading the code under test.
      const startLimit = Math.max(30_000, this.options.loadTimeoutMs * 5);
      let timer = setTimeout(() => {
        this.readyHandler?.(`the sandbox process did not start within ${startLimit} ms (an overloaded machine?)`, 'machinery');
      }, startLimit);
      this.onPreflight = () => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          if (this.stalledFrame()) return this.violation(`it left a frame unfinished (${this.decoder.pending} bytes, then nothing)`);
          this.readyHandler?.(
            `your module did not finish loading within ${this.options.loadTimeoutMs} ms (an infinite loop at the top level of the file?)`,
            'load',
          );
        }, this.options.loadTimeoutMs);
      };
      this.readyHandler = (error, kind = 'load') => {
        clearTimeout(timer);
        this.readyHandler = undefined;
        if (error) {
          this.kill();
          signal(kind === 'load' ? 'load-error' : kind, error);
          reject(new SandboxFailure(error, kind));
        } else {
          signal('loaded', '');
          resolve();
        }
      };
      void this.exited.then(() => {
        // What the process printed before it died usually says why (an exception at the top level, a denied read).
        // (Stack frames left out: they point into the grader, and the failure report stops at the first one.)
        const tail = this.outputText
          .split('\n')
          .filter((line) => line.trim() && !/^\s+at /.test(line))
          .slice(-8)
          .join('\n');
        if (this.preflightDone) this.readyHandler?.(`your module could not be loaded: ${this.exitReason}${tail ? `; it printed:\n${tail}` : ''}`);
        else this.readyHandler?.(`the sandbox process could not start: ${this.exitReason}${tail ? `; it printed:\n${tail}` : ''}`, 'machinery');
      });
    });
  }

  private readyHandler: ((error?: string, kind?: 'load' | 'machinery' | 'protocol') => void) | undefined;
  /** The host's machinery check (sent before the code under test loads) has been received. */
  private preflightDone = false;
  private onPreflight: (() => void) | undefined;
  private messages = 0;
  private anomalyMessages = 0;
  private lastBytesAt = 0;

  /** Part of a frame is buffered and no byte has come for a while. */
  private stalledFrame(): boolean {
    return this.decoder.pending > 0 && Date.now() - this.lastBytesAt >= STALLED_FRAME_MS;
  }

  /** Bytes from the host's channel: whole frames are decoded and checked; the first bad one ends the host. */
  private receiveBytes(chunk: Buffer): void {
    if (!this.alive) return;
    this.lastBytesAt = Date.now();
    const { frames, error } = this.decoder.push(chunk);
    for (const frame of frames) {
      if (!this.alive) return;
      let message: unknown;
      try {
        message = deserialize(frame);
      } catch (err) {
        return this.violation(`it sent a frame that is not a serialized value (${cut(String(err), 200)})`);
      }
      this.receive(message);
    }
    if (error && this.alive) this.violation(error);
  }

  /** Checks a message from the host; anything malformed or oversized ends this host as a protocol violation. */
  private receive(raw: unknown): void {
    if (!this.alive) return;
    if (++this.messages > MESSAGE_CAP) return this.violation(`it sent more than ${MESSAGE_CAP} messages`);
    const parsed = HostMessageSchema.safeParse(raw);
    if (!parsed.success) {
      const type = typeof raw === 'object' && raw !== null && 'type' in raw ? cut(String((raw as { type: unknown }).type), 40) : typeof raw;
      return this.violation(`it sent a malformed "${type}" message`);
    }
    const message = parsed.data as HostMessage;
    if (message.type === 'preflight') {
      if (this.preflightDone) return this.violation('it sent a second machinery check');
      this.preflightDone = true;
      if (!message.ok) this.readyHandler?.(`the grading machinery could not start your code: ${message.what}`, 'machinery');
      else this.onPreflight?.();
      return;
    }
    if (!this.preflightDone) return this.violation(`it sent "${message.type}" before the machinery check`);
    if ((message.type === 'reply' && message.ok) || message.type === 'callback') {
      const size = serializedSize(message.type === 'reply' ? message.value : message.args);
      if (size > VALUE_CAP) {
        if (message.type === 'callback') return this.violation(`a callback carried ${size} bytes (the limit is ${VALUE_CAP})`);
        const error: WireError = { name: 'ValueTooLarge', message: `the value returned is ${size} bytes; the limit is ${VALUE_CAP}` };
        return this.onMessage({ type: 'reply', id: message.id, ok: false, error });
      }
    }
    this.onMessage(message);
  }

  /** The host broke the protocol: stop it, fail what is pending, and tell the grader (the run is then tampered). */
  private violation(what: string): void {
    const text = `the process running your code broke the grader's protocol: ${what}`;
    signal('protocol', text);
    this.readyHandler?.(text, 'protocol');
    this.failAll((p) => new SandboxFailure(`${p.describe} did not complete: ${text}`, 'protocol'));
    this.kill();
  }

  private onMessage(message: HostMessage): void {
    switch (message.type) {
      case 'preflight':
        return;
      case 'ready':
        this.exports = message.exports;
        this.readyHandler?.();
        return;
      case 'load-error':
        this.readyHandler?.(
          `your module threw while loading: ${message.error.name}: ${message.error.message}` +
            // An import of a file of the learner's own (a relative module the host could not find): only the graded
            // files (and the course's helpers) are built.
            (message.missingModule !== undefined && /^\.\.?\//.test(message.missingModule)
              ? "\n(Only the exercise's graded file(s) and the helpers the course gives are compiled and submitted: put your code into the graded file rather than a new module.)"
              : unprovidedPackageNote(message.error.message, this.providedPackages)),
        );
        return;
      case 'output':
        // The learner's own output, in order with the replies: the test environment files it under the running test.
        courseHooks().__courseOutput?.(message.text, message.dropped);
        return;
      case 'reply': {
        const pending = this.pending.get(message.id);
        // (A call that timed out killed its host, whose later messages are never read: no honest late answer.)
        if (!pending) return this.violation(`it answered a call that was not waiting for an answer (id ${message.id})`);
        this.pending.delete(message.id);
        clearTimeout(pending.timer);
        if (message.ok) pending.resolve({ value: message.value, handle: message.handle });
        else pending.reject(new RemoteError(pending.describe, message.error));
        return;
      }
      case 'callback': {
        const callback = this.callbacks.get(message.callback);
        if (!callback) return this.violation(`it called back a function it was never given (${message.callback})`);
        callback(...message.args);
        return;
      }
      case 'anomaly': {
        if (++this.anomalyMessages > ANOMALY_MESSAGE_CAP) return this.violation(`it reported more than ${ANOMALY_MESSAGE_CAP} anomalies`);
        const text = anomalyText(message);
        if (this.anomalies.length < 100 && !this.anomalies.includes(text)) {
          this.anomalies.push(text);
          // Passed on to the grader through the trusted test environment (grader/run/trusted-environment.ts).
          courseHooks().__courseAnomaly?.({ kind: message.kind, detail: message.detail });
        }
        return;
      }
    }
  }

  private failAll(makeError: (p: Pending) => Error): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      this.pending.delete(id);
      p.reject(makeError(p));
    }
  }
}

/** A live object inside the sandbox (an instance of an exported class). */
export class Remote {
  constructor(
    private readonly sandbox: Sandbox,
    readonly className: string,
    readonly handle: number,
  ) {}

  async call(method: string, ...args: unknown[]): Promise<unknown> {
    return (await this.sandbox.request({ op: 'call', handle: this.handle, method, args }, this.describe(method, args))).value;
  }

  /** Like call, with a timeout of its own (for calls expected to take long, e.g. a large input). */
  async callWithin(timeoutMs: number, method: string, ...args: unknown[]): Promise<unknown> {
    return (await this.sandbox.request({ op: 'call', handle: this.handle, method, args }, this.describe(method, args), timeoutMs)).value;
  }

  async get(prop: string): Promise<unknown> {
    return (await this.sandbox.request({ op: 'get', handle: this.handle, prop }, `${this.className}.${prop}`)).value;
  }

  private describe(method: string, args: unknown[]): string {
    return `${this.className}.${method}(${describeArgs(args)})`;
  }
}

/**
 * Why an imported package is not found: the exercise does not provide it (course.yaml `packages`), which Node's own
 * "Cannot find module 'ws'" does not say. Empty for anything else (a relative path, a Node built-in).
 */
export function unprovidedPackageNote(message: string, provided: readonly string[]): string {
  const match = /Cannot find (?:module|package) '([^'./][^']*)'/.exec(message);
  if (!match || match[1]!.startsWith('node:')) return '';
  const parts = match[1]!.split('/');
  const name = match[1]!.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
  if (provided.includes(name)) return '';
  return provided.length
    ? `\n(This exercise provides only these packages: ${provided.join(', ')}. "${name}" is not one of them: build it with those and Node's own modules, as the lesson says.)`
    : `\n(This exercise allows no packages, so "${name}" cannot be imported: build it with Node's own modules (node:net, node:crypto, node:events...), as the lesson says.)`;
}

type DistributiveOmit<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;

/** A short rendering of call arguments for messages: enough to recognise the call, never a wall of bytes. */
export function describeArgs(args: unknown[]): string {
  return args
    .map((a) => {
      if (a instanceof Uint8Array) return `<${a.length} bytes>`;
      if (typeof a === 'object' && a !== null && '$callback' in a) return '<callback>';
      let text: string;
      try {
        text =
          typeof a === 'string'
            ? JSON.stringify(a)
            : (JSON.stringify(a, (_k, v: unknown) => (v instanceof Uint8Array ? `<${v.length} bytes>` : v)) ?? String(a));
      } catch {
        text = String(a);
      }
      return text.length > 40 ? `${text.slice(0, 37)}...` : text;
    })
    .join(', ');
}

function scrubbedEnv(manifest: BuildManifest): NodeJS.ProcessEnv {
  // Nothing from the grader's environment (tokens, HOME, proxies) reaches the code under test.
  const env: NodeJS.ProcessEnv = { NODE_ENV: 'test', LANG: 'C.UTF-8', TZ: 'UTC' };
  if (manifest.nodePath.length) env.NODE_PATH = manifest.nodePath.join(path.delimiter);
  return env;
}
