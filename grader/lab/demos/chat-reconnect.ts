// The chat room demo's reconnecting client: the learner's ReconnectingWebSocket (exercise 3) in the sandbox host,
// given the `ws` package's WebSocket as the hidden suite gives it and the demo's backoff settings, its onReconnect
// and onOpen relayed to the page as they happen with the lesson's bound for each delay; on every open it joins the
// room (so the panes see it come and go). When it does not build, load or construct, a built-in client takes its
// place that retries on a fixed schedule (one second, no backoff, no jitter), and the page says why.

import { WebSocket } from 'ws';
import type { Remote, Sandbox } from '../../../harness/sandbox/client';
import type { ExerciseSpec } from '../../course/schema';
import { visibleOneLine } from '../../report/safe-text';
import { openLearnerCode } from '../learner-code';
import { BACKOFF, backoffBound, CHAT_ROOM, FIXED_RETRY_MS, RECONNECTOR_NAME, type ChatUpdate } from '../view-chat';

type Emit = (update: ChatUpdate) => void;

const JOIN = JSON.stringify({ type: 'join', room: CHAT_ROOM, user: RECONNECTOR_NAME });

export interface Reconnector {
  source: 'learner' | 'fallback';
  text: string;
  close(): Promise<void>;
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && !Number.isNaN(v) ? v : undefined);

/** The learner's client, connecting to `url` at once; or why it could not start. */
export async function openLearnerReconnector(root: string, exercise: ExerciseSpec, url: string, emit: Emit): Promise<Reconnector | { problem: string }> {
  const code = await openLearnerCode(root, exercise);
  if (!code.sandbox) return { problem: code.problem };
  const sandbox: Sandbox = code.sandbox;
  let client: Remote | undefined;
  let opened = false;
  const join = () => void client?.call('send', JOIN).catch(() => undefined);
  const onOpen = sandbox.callback(() => {
    opened = true;
    emit({ kind: 'client', event: 'open', at: Date.now() });
    join();
  });
  const onReconnect = sandbox.callback((...args: unknown[]) => {
    const e = (args[0] ?? {}) as { attempt?: unknown; delay?: unknown; code?: unknown };
    const attempt = num(e.attempt);
    const bound = attempt !== undefined && attempt >= 1 ? backoffBound(attempt) : undefined;
    emit({ kind: 'client', event: 'reconnect', at: Date.now(), attempt, delay: num(e.delay), code: num(e.code), ...bound });
  });
  const onGiveUp = sandbox.callback((...args: unknown[]) => {
    const e = (args[0] ?? {}) as { reason?: unknown; code?: unknown };
    emit({ kind: 'client', event: 'giveup', at: Date.now(), reason: visibleOneLine(String(e.reason)).slice(0, 100), code: num(e.code) });
  });
  try {
    client = await sandbox.construct('ReconnectingWebSocket', url, {
      WebSocket: { $require: 'ws', export: 'WebSocket' },
      ...BACKOFF,
      connectTimeoutMs: 3000,
      onOpen,
      onReconnect,
      onGiveUp,
    });
  } catch (err) {
    await sandbox.close();
    return { problem: visibleOneLine(err instanceof Error ? err.message : String(err)).slice(0, 500) };
  }
  // An open that came before the constructor's answer could not join yet.
  if (opened) join();
  return {
    source: 'learner',
    text: 'your ReconnectingWebSocket (exercise 3) is the reconnecting client',
    async close() {
      await client?.call('close').catch(() => undefined);
      await sandbox.close();
    },
  };
}

/** The built-in client: a new connection FIXED_RETRY_MS after every close, for ever (until close()). */
export function openFixedScheduleClient(url: string, why: string, emit: Emit): Reconnector {
  let socket: WebSocket | undefined;
  let timer: NodeJS.Timeout | undefined;
  let attempt = 0;
  let closed = false;
  const connect = () => {
    const s = new WebSocket(url);
    socket = s;
    s.on('error', () => undefined);
    s.on('open', () => {
      attempt = 0;
      emit({ kind: 'client', event: 'open', at: Date.now() });
      s.send(JOIN);
    });
    s.on('close', (code) => {
      if (closed) return;
      attempt += 1;
      emit({ kind: 'client', event: 'reconnect', at: Date.now(), attempt, delay: FIXED_RETRY_MS, code, low: FIXED_RETRY_MS, high: FIXED_RETRY_MS });
      timer = setTimeout(connect, FIXED_RETRY_MS);
    });
  };
  connect();
  return {
    source: 'fallback',
    text: why,
    async close() {
      closed = true;
      clearTimeout(timer);
      socket?.terminate();
    },
  };
}
