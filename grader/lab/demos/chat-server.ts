// The chat room demo's room server: the learner's RoomServer (exercise 4), built and run in the sandbox host as the
// hidden suite runs it (port 0 on 127.0.0.1, then listen()), or, when it does not build, load, construct or listen,
// the built-in peer (chat-peer.ts) with a sentence saying why.

import type { Sandbox } from '../../../harness/sandbox/client';
import type { ExerciseSpec } from '../../course/schema';
import { visibleControls } from '../../report/safe-text';
import { openLearnerCode } from '../learner-code';
import { BuiltInChatPeer } from './chat-peer';

export interface RoomServerHandle {
  port: number;
  source: 'learner' | 'fallback';
  /** What runs, or why the built-in peer runs. */
  text: string;
  close(): Promise<void>;
}

function reason(err: unknown): string {
  return visibleControls(err instanceof Error ? err.message : String(err)).slice(0, 500);
}

/** The learner's RoomServer listening on 127.0.0.1, or why it is not. */
export async function openLearnerRoom(root: string, exercise: ExerciseSpec): Promise<RoomServerHandle | { problem: string }> {
  const code = await openLearnerCode(root, exercise);
  if (!code.sandbox) return { problem: code.problem };
  const sandbox: Sandbox = code.sandbox;
  try {
    const server = await sandbox.construct('RoomServer', { port: 0, host: '127.0.0.1' });
    const port = await server.call('listen');
    if (typeof port !== 'number' || !Number.isInteger(port) || port <= 0 || port > 65535)
      throw new Error(`RoomServer.listen() resolved with ${String(port).slice(0, 40)}, not the port it listens on`);
    return {
      port,
      source: 'learner',
      text: 'your RoomServer (exercise 4) relays this room',
      async close() {
        await server.call('close').catch(() => undefined);
        await sandbox.close();
      },
    };
  } catch (err) {
    await sandbox.close();
    return { problem: reason(err) };
  }
}

export async function openBuiltInRoom(why: string): Promise<RoomServerHandle> {
  const peer = await BuiltInChatPeer.listen();
  return { port: peer.port, source: 'fallback', text: why, close: () => peer.close() };
}
