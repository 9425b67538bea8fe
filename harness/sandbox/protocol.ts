// The messages exchanged between the trusted suite (client.ts) and the sandbox host (host.ts) that runs the
// code under test. Messages travel as frames (frames.ts) holding a V8-serialized value (the structured clone), so
// Uint8Arrays, Maps, Sets, BigInts and undefined survive the trip. Functions cannot cross: a callback
// passed by the suite travels as a CallbackRef and comes back as `callback` messages.

import type { HostAnomalyKind } from './contract';

export interface CallbackRef {
  $callback: number;
}

/** A synchronous function in the sandbox that returns these values in turn (then repeats the last). */
export interface SequenceRef {
  $sequence: unknown[];
}

/** A package export made available to the code under test, e.g. `{ $require: 'ws', export: 'WebSocket' }`. */
export interface RequireRef {
  $require: string;
  export?: string;
  /** For a class export: hand over a subclass whose constructor appends these arguments, e.g. ws's options with a
   * header that lets the suite's server tell the given constructor from one the code imported itself. */
  appendArgs?: unknown[];
}

/** An error as it crossed the process boundary: plain data, never a live Error object. */
export interface WireError {
  name: string;
  message: string;
  code?: string;
  /** Own enumerable properties of the thrown value that are plain data (e.g. `streamId`). */
  props?: Record<string, unknown>;
}

export type Request =
  | { id: number; op: 'construct'; className: string; args: unknown[] }
  | { id: number; op: 'call'; handle: number; method: string; args: unknown[] }
  | { id: number; op: 'invoke'; fn: string; args: unknown[] }
  | { id: number; op: 'get'; handle: number; prop: string }
  | { id: number; op: 'release'; handle: number }
  /** The host's process.getActiveResourcesInfo(): what keeps it alive (timers, sockets, servers), for leak checks. */
  | { id: number; op: 'resources' };

export type HostMessage =
  | { type: 'ready'; exports: Record<string, 'class' | 'function' | 'value'> }
  /** `missingModule`: what the require() that threw `error` asked for, when it found no such module. */
  | { type: 'load-error'; error: WireError; missingModule?: string }
  | { type: 'reply'; id: number; ok: true; value: unknown; handle?: number }
  | { type: 'reply'; id: number; ok: false; error: WireError }
  | { type: 'callback'; callback: number; args: unknown[] }
  /**
   * What the code under test wrote to process.stdout / process.stderr (console.log...) since the last message,
   * sent before the host's next message so that it arrives in order with the replies; `dropped` characters did not
   * fit the host's buffer. (Writes that bypass the streams, e.g. to fd 1 directly, reach the trusted side's pipes.)
   */
  | { type: 'output'; text: string; dropped: number }
  /** Something the code under test did that the grader should know about (e.g. it tried to exit). */
  | { type: 'anomaly'; kind: HostAnomalyKind; detail: string }
  /**
   * Sent before the code under test is loaded: the host checked that the packages the exercise provides load in
   * the sandbox. A failure here is the grading machinery's (a denied read, a missing package), never the learner's;
   * the trusted side believes a `preflight` message only before the code under test runs.
   */
  | { type: 'preflight'; ok: true }
  | { type: 'preflight'; ok: false; what: string };

export type { HostOptions } from './contract';
