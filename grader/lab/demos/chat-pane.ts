// One browser pane of the chat room demo, from the lab server's side: a real WebSocket connection (the `ws`
// package) that the lab server holds to the room server through its public port, joined under the pane's name.
// What the page asks it to send is sent as is; every frame the server sends it goes to the page as it arrived
// (neutralised, capped) with its fields picked out, so the pane shows exactly what the room server sent it.

import { WebSocket, type RawData } from 'ws';
import { visibleControls, visibleOneLine } from '../../report/safe-text';
import { CHAT_ROOM, type ChatFrame, type ChatOutgoing, type ChatUpdate } from '../view-chat';

/** How long a join may wait for its "joined" before the demo counts the room server as not answering. */
const JOIN_LIMIT_MS = 3000;
const TEXT_CAP = 2000;

/** A frame's text (`ws` hands over a Buffer with the default binaryType). */
export function utf8(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(new Uint8Array(data)).toString('utf8');
}

/** The fields the page uses, as text (a frame that is not a JSON object has none). */
function fieldsOf(raw: string): ChatFrame {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return {};
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
  const m = parsed as Record<string, unknown>;
  const text = (v: unknown, cap = 200) => (typeof v === 'string' ? visibleOneLine(v).slice(0, cap) : undefined);
  return {
    type: text(m.type),
    user: text(m.user),
    text: typeof m.text === 'string' ? visibleControls(m.text).slice(0, TEXT_CAP) : undefined,
    event: text(m.event),
    users: Array.isArray(m.users) ? m.users.slice(0, 50).map((u) => visibleOneLine(String(u)).slice(0, 64)) : undefined,
    code: text(m.code),
    message: text(m.message, 500),
  };
}

export class ChatPane {
  private socket: WebSocket | undefined;

  constructor(
    readonly index: number,
    readonly name: string,
    private readonly emit: (update: ChatUpdate) => void,
  ) {}

  /** Connects and joins; true once the server's "joined" arrived, false when it did not within JOIN_LIMIT_MS. */
  connect(url: string): Promise<boolean> {
    this.socket?.terminate();
    const socket = new WebSocket(url);
    this.socket = socket;
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), JOIN_LIMIT_MS);
      socket.on('error', () => undefined);
      socket.on('open', () => socket.send(JSON.stringify({ type: 'join', room: CHAT_ROOM, user: this.name })));
      socket.on('message', (data, isBinary) => {
        const raw = isBinary ? '<a binary frame>' : utf8(data);
        const frame = isBinary ? {} : fieldsOf(raw);
        this.emit({ kind: 'frame', pane: this.index, raw: visibleControls(raw).slice(0, TEXT_CAP), frame });
        if (frame.type === 'joined') {
          clearTimeout(timer);
          this.emit({ kind: 'pane', pane: this.index, connected: true });
          resolve(true);
        }
      });
      socket.on('close', (code) => {
        clearTimeout(timer);
        if (this.socket === socket) this.emit({ kind: 'pane', pane: this.index, connected: false, code });
        resolve(false);
      });
    });
  }

  /** Sends what the page asked; false when the pane is not connected. */
  send(message: ChatOutgoing): boolean {
    if (this.socket?.readyState !== WebSocket.OPEN) return false;
    this.socket.send(JSON.stringify(message));
    return true;
  }

  close(): void {
    const socket = this.socket;
    this.socket = undefined;
    socket?.terminate();
  }
}
