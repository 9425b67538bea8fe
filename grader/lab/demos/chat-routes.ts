// The chat room demo's routes: start a run (chat.ts), a pane's outgoing message (checked here: typing,
// stop-typing, or a chat message of 1 to 2000 characters, from a pane that exists), and "Stop server" / "Start
// server". What the panes receive and what the reconnecting client does travel on the lab's event stream.

import { HttpError } from '../demo-input';
import { json, readJson } from '../http-io';
import { CHAT_EVENT, CHAT_NAMES, type ChatOutgoing } from '../view-chat';
import type { DemoFactory } from './demo';
import { ChatDemo } from './chat';

function runOf(body: Record<string, unknown>): number {
  if (typeof body.run !== 'number' || !Number.isInteger(body.run)) throw new HttpError(400, 'which run? (a number)');
  return body.run;
}

function objectOf(body: unknown): Record<string, unknown> {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new HttpError(400, 'send a JSON object');
  return body as Record<string, unknown>;
}

/** A pane's message: the pane's index and one of the three things a member may send after the join. */
export function chatSay(body: unknown): { run: number; pane: number; message: ChatOutgoing } {
  const b = objectOf(body);
  const pane = b.pane;
  if (typeof pane !== 'number' || !Number.isInteger(pane) || pane < 0 || pane >= CHAT_NAMES.length) throw new HttpError(400, 'no such pane');
  const m = (b.message ?? {}) as { type?: unknown; text?: unknown };
  if (m.type === 'typing' || m.type === 'stop-typing') return { run: runOf(b), pane, message: { type: m.type } };
  if (m.type === 'message' && typeof m.text === 'string' && m.text.length >= 1 && m.text.length <= 2000)
    return { run: runOf(b), pane, message: { type: 'message', text: m.text } };
  throw new HttpError(400, 'a pane sends typing, stop-typing, or a message of 1 to 2000 characters');
}

export const chatDemo: DemoFactory = (ctx) => {
  const chat = new ChatDemo((view) => ctx.publish(CHAT_EVENT, view));
  return {
    routes: {
      'POST /api/demo/chat': async (_request, response) =>
        json(response, await chat.start(ctx.root, ctx.exerciseOf('typing-indicator'), ctx.exerciseOf('backoff-reconnect'))),
      'POST /api/demo/chat/say': async (request, response) => {
        const { run, pane, message } = chatSay(await readJson(request));
        chat.say(run, pane, message);
        json(response, { ok: true });
      },
      'POST /api/demo/chat/server': async (request, response) => {
        const b = objectOf(await readJson(request));
        if (typeof b.running !== 'boolean') throw new HttpError(400, 'running: true or false');
        json(response, await chat.setServer(runOf(b), b.running));
      },
    },
    close: () => chat.close(),
  };
};
