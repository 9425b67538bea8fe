// The sandbox host: the only process in which the code under test runs. It loads the compiled module, then
// executes the requests of the trusted suite (construct a class, call a method, invoke a function) and sends back
// plain values, errors or callback events. It asserts nothing: every judgement is made on the trusted side.
// This file is bundled into the build folder by the runner, so it may import only Node built-ins and the files
// beside it (./frames, and ./protocol for types).
// Requests and replies travel as frames (frames.ts) on fd 3, a socket pair the trusted side created; there is no
// Node IPC channel (no process.send, no process.channel). The code under test can write to fd 3 too: the trusted
// side treats every byte as hostile and ends the run as tampered on the first bad frame.

import Module from 'node:module';
import net from 'node:net';
import path from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { encodeFrame, FRAME_CAP, FrameDecoder } from './frames';
import type { CallbackRef, HostMessage, HostOptions, Request, WireError } from './protocol';

const options = JSON.parse(process.argv[2] ?? '{}') as HostOptions;
const channel = openChannel();

function openChannel(): net.Socket {
  try {
    return new net.Socket({ fd: 3, readable: true, writable: true });
  } catch (err) {
    console.error(`sandbox host: must be started with its channel on fd 3 (${String(err)})`);
    return process.exit(70);
  }
}

function send(message: HostMessage): void {
  const payload = serialize(message);
  if (payload.byteLength > FRAME_CAP) throw new RangeError(`the value is ${payload.byteLength} bytes; the limit is ${FRAME_CAP}`);
  channel.write(encodeFrame(payload));
}

// What the code under test prints through process.stdout/stderr (console.log...) travels on the channel, in order
// with the replies: the trusted side then knows which call (and so which test) it was printed during.
/** The most output held between two messages; more is counted, not kept. */
const OUTPUT_BUFFER = 64 * 1024;
let pendingOutput = '';
let droppedOutput = 0;
let outputFlushQueued = false;

function captureOutput(chunk: unknown, encoding?: unknown, callback?: unknown): boolean {
  const text = typeof chunk === 'string' ? chunk : chunk instanceof Uint8Array ? Buffer.from(chunk).toString('utf8') : String(chunk);
  const room = Math.max(0, OUTPUT_BUFFER - pendingOutput.length);
  pendingOutput += text.slice(0, room);
  droppedOutput += Math.max(0, text.length - room);
  // Output outside any call (a timer, an event) is sent soon, not held until the next message.
  if (!outputFlushQueued) {
    outputFlushQueued = true;
    setImmediate(flushOutput);
  }
  const done = typeof encoding === 'function' ? encoding : callback;
  if (typeof done === 'function') process.nextTick(done as () => void);
  return true;
}

function flushOutput(): void {
  outputFlushQueued = false;
  if (!pendingOutput && !droppedOutput) return;
  const message: HostMessage = { type: 'output', text: pendingOutput, dropped: droppedOutput };
  pendingOutput = '';
  droppedOutput = 0;
  try {
    send(message);
  } catch {
    // (Cannot happen for a string under the frame cap; never let printing break a reply.)
  }
}

/** From now on, what the code under test prints goes to the trusted side over the channel. */
function captureConsole(): void {
  process.stdout.write = captureOutput as typeof process.stdout.write;
  process.stderr.write = captureOutput as typeof process.stderr.write;
}

function post(message: HostMessage): void {
  flushOutput();
  try {
    send(message);
  } catch (err) {
    // The value could not be cloned (a function, a Proxy...): tell the suite instead of dying silently.
    if (message.type === 'reply' && message.ok) {
      post({ type: 'reply', id: message.id, ok: false, error: unsendable(err) });
    } else if (message.type === 'callback') {
      post({ type: 'anomaly', kind: 'unsendable-callback', detail: String(err) });
    }
  }
}

function unsendable(err: unknown): WireError {
  return {
    name: 'UnsendableValue',
    message:
      `the value returned cannot be sent back to the grader (use plain data: numbers, strings, arrays, ` +
      `plain objects, Uint8Array/Buffer): ${err instanceof Error ? err.message : String(err)}`,
  };
}

function toWireError(thrown: unknown): WireError {
  if (thrown instanceof Error || (typeof thrown === 'object' && thrown !== null && 'message' in thrown)) {
    const e = thrown as Error & { code?: unknown };
    const props: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(e)) {
      if (k === 'code' || k === 'message' || k === 'name' || k === 'stack') continue;
      if (v === null || ['string', 'number', 'boolean'].includes(typeof v)) props[k] = v;
    }
    return {
      name: String(e.name ?? 'Error'),
      message: String(e.message),
      code: e.code === undefined ? undefined : String(e.code),
      props: Object.keys(props).length ? props : undefined,
    };
  }
  return { name: 'NonErrorThrown', message: `threw a non-Error value: ${safeString(thrown)}` };
}

function safeString(value: unknown): string {
  try {
    return typeof value === 'string' ? JSON.stringify(value) : String(value);
  } catch {
    return '[unprintable]';
  }
}

/** Turns a value into plain data: class instances become objects of their own enumerable fields, Buffers become
 * Uint8Arrays, functions are dropped. Cycles and depth are bounded so a hostile value cannot wedge the host. */
function toPlain(value: unknown, depth = 0, seen = new Set<object>()): unknown {
  if (value === null || typeof value !== 'object') {
    return typeof value === 'function' || typeof value === 'symbol' ? undefined : value;
  }
  if (depth > 64 || seen.has(value)) return '[circular or too deep]';
  if (ArrayBuffer.isView(value)) {
    const view = value as ArrayBufferView;
    return new Uint8Array(view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength));
  }
  if (value instanceof ArrayBuffer) return new Uint8Array(value.slice(0));
  seen.add(value);
  try {
    if (Array.isArray(value)) return value.map((v) => toPlain(v, depth + 1, seen));
    if (value instanceof Map) {
      return new Map([...value].map(([k, v]) => [toPlain(k, depth + 1, seen), toPlain(v, depth + 1, seen)]));
    }
    if (value instanceof Set) return new Set([...value].map((v) => toPlain(v, depth + 1, seen)));
    if (value instanceof Date) return new Date(value.getTime());
    if (value instanceof Error) return { name: value.name, message: value.message, ...toPlainFields(value, depth, seen) };
    return toPlainFields(value, depth, seen);
  } finally {
    seen.delete(value);
  }
}

function toPlainFields(value: object, depth: number, seen: Set<object>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v === 'function') continue;
    out[k] = toPlain(v, depth + 1, seen);
  }
  return out;
}

function tagOf(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || ArrayBuffer.isView(value)) return undefined;
  const keys = Object.keys(value);
  return keys.length >= 1 && keys[0]!.startsWith('$') ? keys[0] : undefined;
}

/**
 * Turns the suite's arguments into what the learner's code expects. Plain data passes as is (byte arrays become
 * Buffers, since learners call Buffer methods on them); tagged objects become live values:
 * - `{ $callback: n }`: a function whose calls are reported back to the suite (asynchronously);
 * - `{ $sequence: [..] }`: a synchronous function returning the listed values in turn, then the last one
 *   again (an injected random source or clock that the suite controls);
 * - `{ $require: 'ws', export?: 'WebSocket', appendArgs?: [..] }`: a package the exercise provides (see `packages` in
 *   course.yaml); with appendArgs, a subclass of that class whose constructor appends those arguments.
 * Tags are found at any depth inside arrays and plain objects (e.g. an options object).
 */
function revive(value: unknown, depth = 0): unknown {
  if (value instanceof Uint8Array) {
    return Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  }
  if (typeof value !== 'object' || value === null || depth > 8) return value;
  if (Array.isArray(value)) return value.map((v) => revive(v, depth + 1));
  const tagged = value as CallbackRef & { $sequence?: unknown[]; $require?: string; export?: string; appendArgs?: unknown[] };
  switch (tagOf(value)) {
    case '$callback': {
      const callback = tagged.$callback;
      return (...cbArgs: unknown[]) => {
        post({ type: 'callback', callback, args: cbArgs.map((a) => toPlain(a)) });
      };
    }
    case '$sequence': {
      const values = tagged.$sequence ?? [];
      let at = 0;
      return () => values[Math.min(at++, values.length - 1)];
    }
    case '$require': {
      const mod = require(String(tagged.$require)) as Record<string, unknown>;
      const exported = tagged.export ? mod[tagged.export] : mod;
      if (!Array.isArray(tagged.appendArgs) || typeof exported !== 'function') return exported;
      const Base = exported as new (...a: unknown[]) => object;
      const extra = tagged.appendArgs.map((a) => revive(a, depth + 1));
      return class extends Base {
        constructor(...args: unknown[]) {
          super(...args, ...extra);
        }
      };
    }
    default:
      if (Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null) return value;
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, revive(v, depth + 1)]));
  }
}

function reviveArgs(args: unknown[]): unknown[] {
  return args.map((arg) => revive(arg));
}

// Exiting would make every pending call look like a crash; report the attempt so the grader can name it.
const realExit = process.exit.bind(process);
process.exit = ((code?: number) => {
  post({ type: 'anomaly', kind: 'exit-attempt', detail: String(code ?? '') });
  throw new Error('process.exit() is not allowed in the code under test');
}) as typeof process.exit;

// Taken before the code under test loads, so that replacing process.getActiveResourcesInfo cannot hide a leak.
const activeResources = process.getActiveResourcesInfo.bind(process);

const handles = new Map<number, Record<string, unknown>>();
let nextHandle = 1;
let moduleExports: Record<string, unknown> = {};

async function execute(request: Request): Promise<{ value: unknown; handle?: number }> {
  switch (request.op) {
    case 'construct': {
      const Ctor = moduleExports[request.className];
      if (typeof Ctor !== 'function') throw exportMissing(request.className, 'class');
      const instance = new (Ctor as new (...a: unknown[]) => Record<string, unknown>)(...reviveArgs(request.args));
      const handle = nextHandle++;
      handles.set(handle, instance);
      return { value: undefined, handle };
    }
    case 'call': {
      const target = handleOf(request.handle);
      const method = target[request.method];
      if (typeof method !== 'function') {
        throw Object.assign(new TypeError(`${className(target)}.${request.method} is not a method`), {
          code: 'ERR_NO_SUCH_METHOD',
        });
      }
      return { value: toPlain(await method.apply(target, reviveArgs(request.args))) };
    }
    case 'invoke': {
      const fn = moduleExports[request.fn];
      if (typeof fn !== 'function') throw exportMissing(request.fn, 'function');
      return { value: toPlain(await (fn as (...a: unknown[]) => unknown)(...reviveArgs(request.args))) };
    }
    case 'get':
      return { value: toPlain(handleOf(request.handle)[request.prop]) };
    case 'release':
      handles.delete(request.handle);
      return { value: undefined };
    case 'resources':
      return { value: activeResources() };
  }
}

function handleOf(handle: number): Record<string, unknown> {
  const target = handles.get(handle);
  if (!target) throw new Error(`no live object with handle ${handle}`);
  return target;
}

function className(target: object): string {
  return target.constructor?.name ?? 'object';
}

function exportMissing(name: string, kind: string): Error {
  return Object.assign(new TypeError(`the module does not export a ${kind} named "${name}"`), {
    code: 'ERR_MISSING_EXPORT',
  });
}

function onRequest(request: Request): void {
  execute(request).then(
    ({ value, handle }) => post({ type: 'reply', id: request.id, ok: true, value, handle }),
    (err: unknown) => post({ type: 'reply', id: request.id, ok: false, error: toWireError(err) }),
  );
}

// Requests come from the trusted side; a frame that does not decode means the channel is no longer usable.
const requests = new FrameDecoder();
channel.on('data', (chunk: Buffer) => {
  const { frames, error } = requests.push(chunk);
  for (const frame of frames) onRequest(deserialize(frame) as Request);
  if (error) realExit(71);
});
channel.on('error', () => realExit(0));

// Errors that escape the learner's code (a throw inside a timer, an unhandled rejection) are reported, not fatal:
// the suite sees the consequences through the calls and events it makes.
process.on('uncaughtException', (err) => post({ type: 'anomaly', kind: 'uncaught-exception', detail: toWireError(err).message }));
process.on('unhandledRejection', (err) => post({ type: 'anomaly', kind: 'unhandled-rejection', detail: toWireError(err).message }));
// When the trusted side goes away, nothing may outlive it.
channel.on('end', () => realExit(0));

// Module resolution looks only where the sandbox may read (see HostOptions.moduleRoots): a package then resolves
// to the granted copy whatever folder the build sits in, and an unprovided package is "not found", not "denied".
const roots = (options.moduleRoots ?? []).map((r) => path.resolve(r));
if (roots.length) {
  const M = Module as unknown as { _nodeModulePaths(from: string): string[] };
  const walkUp = M._nodeModulePaths.bind(Module);
  M._nodeModulePaths = (from: string) => walkUp(from).filter((p) => roots.some((r) => p === r || p.startsWith(r + path.sep)));
}

// The request of every require() that found no module, by its error: a load error that is one of them says which
// module was missing as data (the trusted side's hint for a learner's own extra file), not in its message's words.
const missingRequests = new WeakMap<object, string>();
{
  const M = Module as unknown as { _resolveFilename(request: string, ...rest: unknown[]): string };
  const resolve = M._resolveFilename.bind(Module);
  M._resolveFilename = (request: string, ...rest: unknown[]) => {
    try {
      return resolve(request, ...rest);
    } catch (err) {
      if (typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'MODULE_NOT_FOUND') missingRequests.set(err, String(request));
      throw err;
    }
  };
}

// The machinery check, before any code under test runs (so a failure here is never the learner's).
let preflightError: string | undefined;
const requireFromEntry = Module.createRequire(options.entry);
for (const pkg of options.packages ?? []) {
  try {
    requireFromEntry(pkg);
  } catch (err) {
    const e = err as Error & { code?: string };
    preflightError = `the package "${pkg}" that the exercise provides cannot be loaded in the sandbox: ${e.code ? `${e.code}: ` : ''}${String(e.message).split('\n')[0]}`;
    break;
  }
}
post(preflightError ? { type: 'preflight', ok: false, what: preflightError } : { type: 'preflight', ok: true });
// After a failed check the host loads nothing more and waits to be stopped by the trusted side. (The output of the
// code under test is captured only after the machinery check: the trusted side accepts no message before it.)
if (!preflightError) {
  captureConsole();
  loadEntry();
}

function loadEntry(): void {
  try {
    moduleExports = require(options.entry) as Record<string, unknown>;
    const kinds: Record<string, 'class' | 'function' | 'value'> = {};
    for (const [name, value] of Object.entries(moduleExports)) {
      kinds[name] = typeof value === 'function' ? (/^class[\s{]/.test(Function.prototype.toString.call(value)) ? 'class' : 'function') : 'value';
    }
    post({ type: 'ready', exports: kinds });
  } catch (err) {
    const missingModule = typeof err === 'object' && err !== null ? missingRequests.get(err) : undefined;
    post({ type: 'load-error', error: toWireError(err), ...(missingModule === undefined ? {} : { missingModule }) });
  }
}
