// The chat room demo's built-in room server, used while the learner's RoomServer (exercise 4) does not start or
// does not answer a join: a plain `ws` server that relays joins, presence, typing, stop-typing and messages within
// one room, as the protocol table of the lesson says. It is a peer for the demo, not a graded answer: it trusts its
// only clients (the lab's own panes and reconnecting client), so it has none of the exercise's validation, rate
// limit or name checks beyond what keeps it from throwing.

import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { utf8 } from './chat-pane';

export class BuiltInChatPeer {
  private readonly wss: WebSocketServer;
  private readonly members = new Map<WebSocket, string>();

  private constructor(wss: WebSocketServer) {
    this.wss = wss;
    wss.on('connection', (socket) => {
      socket.on('error', () => socket.terminate());
      socket.on('message', (data) => this.receive(socket, utf8(data)));
      socket.on('close', () => {
        const user = this.members.get(socket);
        this.members.delete(socket);
        if (user !== undefined) this.broadcast(socket, { type: 'presence', event: 'leave', user, users: this.users() });
      });
    });
  }

  static async listen(): Promise<BuiltInChatPeer> {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', maxPayload: 64 * 1024 });
    await new Promise<void>((resolve, reject) => {
      wss.once('listening', resolve);
      wss.once('error', reject);
    });
    return new BuiltInChatPeer(wss);
  }

  get port(): number {
    return (this.wss.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    for (const socket of this.wss.clients) socket.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private users(): string[] {
    return [...this.members.values()];
  }

  private receive(socket: WebSocket, text: string): void {
    let m: { type?: unknown; user?: unknown; text?: unknown };
    try {
      m = JSON.parse(text) as typeof m;
    } catch {
      return;
    }
    const user = this.members.get(socket);
    if (m?.type === 'join' && user === undefined && typeof m.user === 'string') {
      this.members.set(socket, m.user);
      socket.send(JSON.stringify({ type: 'joined', room: 'lab', user: m.user, users: this.users() }));
      this.broadcast(socket, { type: 'presence', event: 'join', user: m.user, users: this.users() });
    } else if (user !== undefined && (m?.type === 'typing' || m?.type === 'stop-typing')) {
      this.broadcast(socket, { type: m.type, user });
    } else if (user !== undefined && m?.type === 'message' && typeof m.text === 'string') {
      this.broadcast(undefined, { type: 'message', user, text: m.text });
    }
  }

  /** To every member but `except` (the sender), or to all of them. */
  private broadcast(except: WebSocket | undefined, message: object): void {
    const text = JSON.stringify(message);
    for (const socket of this.members.keys()) if (socket !== except) socket.send(text);
  }
}
