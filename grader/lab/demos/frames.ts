// The frame explorer demo (exercise 2): a real HTTP/2 session between node:http2 peers on loopback (the learner
// picks the requests), recorded by the harness's proxy. Every frame of both directions is listed with its 9-octet
// header as the peer side reads it (harness/support/h2-frames.ts's walker: header fields only, not a frame parser),
// and the learner's FrameParser, in the sandbox host, parses the same bytes in the chunks the proxy read. A frame
// whose header the learner's parser reads differently is marked with the fields that differ. When the parser
// does not load or throws, the explorer falls back to the walker's view with a banner.

import type { ExerciseSpec } from '../../course/schema';
import { CLIENT_PREFACE, flagNames, typeName, walkFrames } from '../../../harness/support/h2-frames';
import { openLearnerCode } from '../learner-code';
import type { ExplorerFrame, FramesDemoResult } from '../view';
import { captureSession, type CapturedRequest } from './h2-capture';

const PAYLOAD_SHOWN = 64;

interface LearnerFrame {
  type?: unknown;
  length?: unknown;
  flags?: unknown;
  streamId?: unknown;
  code?: unknown;
  message?: unknown;
}

const TYPE_CODES: Record<string, number> = {
  DATA: 0,
  HEADERS: 1,
  PRIORITY: 2,
  RST_STREAM: 3,
  SETTINGS: 4,
  PUSH_PROMISE: 5,
  PING: 6,
  GOAWAY: 7,
  WINDOW_UPDATE: 8,
  CONTINUATION: 9,
};

/** A decoded frame as short text: byte arrays as hex, long values cut. */
function describe(value: unknown): string {
  const text = JSON.stringify(value, (_k, v: unknown) =>
    v instanceof Uint8Array ? `<${Buffer.from(v).subarray(0, 32).toString('hex')}${v.length > 32 ? '…' : ''}>` : v,
  );
  return (text ?? String(value)).slice(0, 2000);
}

function framesOf(bytes: Buffer, direction: 'client' | 'server'): ExplorerFrame[] {
  const start = direction === 'client' ? CLIENT_PREFACE.length : 0;
  return walkFrames(bytes, start).map(({ offset, header }) => ({
    direction,
    offset,
    headerHex: bytes.subarray(offset, offset + 9).toString('hex'),
    payloadHex: bytes.subarray(offset + 9, offset + 9 + Math.min(header.length, PAYLOAD_SHOWN)).toString('hex'),
    payloadLength: header.length,
    peer: { ...header, typeName: typeName(header.type), flagNames: flagNames(header.type, header.flags) },
  }));
}

function compare(frame: ExplorerFrame, learner: LearnerFrame | undefined): string[] {
  if (!learner) return ['missing: your parser returned no frame here'];
  if (learner.type === 'error') return [`your parser reported ${String(learner.code)}: ${String(learner.message).slice(0, 200)}`];
  const differ: string[] = [];
  if (learner.length !== frame.peer.length) differ.push('length');
  if (typeof learner.type !== 'string' || TYPE_CODES[learner.type] !== frame.peer.type) differ.push('type');
  if (learner.flags !== frame.peer.flags) differ.push('flags');
  if (learner.streamId !== frame.peer.streamId) differ.push('stream identifier');
  return differ;
}

export async function runFramesDemo(root: string, exercise: ExerciseSpec, requests: CapturedRequest[]): Promise<FramesDemoResult> {
  const capture = await captureSession(requests, { body: (p) => `hello from ${p}\n` });
  const client = framesOf(capture.clientToServer, 'client');
  const server = framesOf(capture.serverToClient, 'server');
  // Both directions in the order their bytes crossed the proxy.
  const order: ExplorerFrame[] = [];
  const seen = { client: 0, server: 0 };
  const consumed = { clientToServer: 0, serverToClient: 0 };
  for (const { direction, chunk } of capture.transcript) {
    consumed[direction] += chunk.length;
    const side = direction === 'clientToServer' ? 'client' : 'server';
    const list = side === 'client' ? client : server;
    while (seen[side] < list.length && list[seen[side]]!.offset + 9 + list[seen[side]]!.payloadLength <= consumed[direction]) order.push(list[seen[side]++]!);
  }
  const fallback = (reason: string): FramesDemoResult => ({ source: 'fallback', fallbackReason: reason, frames: order });

  const code = await openLearnerCode(root, exercise);
  if (!code.sandbox) return fallback(code.problem);
  const { sandbox } = code;
  try {
    const parse = async (direction: 'clientToServer' | 'serverToClient') => {
      const parser = await sandbox.construct('FrameParser', { expectPreface: direction === 'clientToServer' });
      const chunks = capture.transcript.filter((c) => c.direction === direction).map((c) => new Uint8Array(c.chunk));
      const events = await parser.call('pushAll', chunks);
      if (!Array.isArray(events)) throw new Error('pushAll() did not return a list');
      return events as LearnerFrame[];
    };
    const learner = { client: await parse('clientToServer'), server: await parse('serverToClient') };
    const index = { client: 0, server: 0 };
    const frames = order.map((frame) => {
      const mine = learner[frame.direction][index[frame.direction]++];
      const disagrees = compare(frame, mine);
      return { ...frame, learner: mine === undefined ? '(nothing)' : describe(mine), ...(disagrees.length ? { disagrees } : {}) };
    });
    return { source: 'learner', frames };
  } catch (err) {
    return fallback(err instanceof Error ? err.message : String(err));
  } finally {
    await sandbox.close();
  }
}
