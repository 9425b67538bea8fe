// Reference solution: "Alice is typing…" over WebSocket, the room server and the client logic.

import { WebSocketServer, type WebSocket, type RawData } from 'ws';
import { z } from 'zod';

// ---------------------------------------------------------------------------------------------------------------
// Part 1: the room server
// ---------------------------------------------------------------------------------------------------------------

export interface RoomServerOptions {
  /** TCP port to listen on; 0 picks a free one. */
  port: number;
  /** Interface to listen on (default "127.0.0.1"). */
  host?: string;
  /** At most this many `typing` events per connection are relayed within any `typingWindowMs` (default 5). */
  typingLimit?: number;
  /** The rate-limit window in milliseconds (default 5000). */
  typingWindowMs?: number;
}

export type ErrorCode = 'bad-json' | 'bad-message' | 'not-joined' | 'name-taken' | 'rate-limited';

/** Everything a client may send. Extra fields are stripped: a client never decides who it is after `join`. */
const Inbound = z.discriminatedUnion('type', [
  z.object({ type: z.literal('join'), room: z.string().min(1).max(64), user: z.string().min(1).max(32) }),
  z.object({ type: z.literal('typing') }),
  z.object({ type: z.literal('stop-typing') }),
  z.object({ type: z.literal('message'), text: z.string().min(1).max(2000) }),
]);
type InboundMessage = z.infer<typeof Inbound>;

interface Member {
  socket: WebSocket;
  room: string;
  user: string;
  /** Times (ms) of the typing events relayed in the current window. */
  typingTimes: number[];
}

/** The largest incoming message accepted, in bytes. */
const MAX_MESSAGE_BYTES = 64 * 1024;

export class RoomServer {
  private readonly options: Required<RoomServerOptions>;
  private server: WebSocketServer | undefined;
  /** room -> members in join order */
  private readonly rooms = new Map<string, Member[]>();
  private readonly members = new Map<WebSocket, Member>();

  constructor(options: RoomServerOptions) {
    this.options = { host: '127.0.0.1', typingLimit: 5, typingWindowMs: 5000, ...options };
  }

  /** Starts the WebSocket server; resolves with the port it listens on. */
  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      // maxPayload: ws accepts messages of up to 100 MiB by default, and buffers each one whole before the handler
      // sees it. The largest valid message here is about 12 KB (2000 characters, even JSON-escaped), so 64 KiB is
      // plenty; ws closes a connection that sends more with 1009 Message Too Big.
      const server = new WebSocketServer({ port: this.options.port, host: this.options.host, maxPayload: MAX_MESSAGE_BYTES });
      this.server = server;
      server.once('error', reject);
      server.once('listening', () => {
        server.off('error', reject);
        const address = server.address();
        resolve(typeof address === 'object' && address ? address.port : this.options.port);
      });
      server.on('connection', (socket) => this.handleConnection(socket));
    });
  }

  /** Closes every connection and stops listening. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      const server = this.server;
      if (!server) return resolve();
      for (const client of server.clients) client.terminate();
      server.close(() => resolve());
    });
  }

  private handleConnection(socket: WebSocket): void {
    socket.on('message', (data: RawData, isBinary: boolean) => {
      try {
        this.handleMessage(socket, data, isBinary);
      } catch {
        // A bug here must never take the whole room down.
        this.sendError(socket, 'bad-message', 'the message could not be handled');
      }
    });
    socket.on('close', () => this.leave(socket));
    socket.on('error', () => socket.terminate());
  }

  private handleMessage(socket: WebSocket, data: RawData, isBinary: boolean): void {
    if (isBinary) return this.sendError(socket, 'bad-json', 'send text frames holding JSON');
    let raw: unknown;
    try {
      raw = JSON.parse(rawText(data));
    } catch {
      return this.sendError(socket, 'bad-json', 'the message is not valid JSON');
    }
    const parsed = Inbound.safeParse(raw);
    if (!parsed.success) return this.sendError(socket, 'bad-message', 'unknown message type or wrong fields');
    const message: InboundMessage = parsed.data;
    const member = this.members.get(socket);
    if (message.type === 'join') return this.join(socket, message.room, message.user);
    if (!member) return this.sendError(socket, 'not-joined', 'send a join message first');
    switch (message.type) {
      case 'typing':
        if (!this.allowTyping(member)) return this.sendError(socket, 'rate-limited', 'too many typing events');
        return this.broadcast(member, { type: 'typing', user: member.user });
      case 'stop-typing':
        return this.broadcast(member, { type: 'stop-typing', user: member.user });
      case 'message':
        return this.broadcast(member, { type: 'message', user: member.user, text: message.text }, true);
    }
  }

  private join(socket: WebSocket, room: string, user: string): void {
    if (this.members.has(socket)) return this.sendError(socket, 'bad-message', 'already joined');
    const list = this.rooms.get(room) ?? [];
    if (list.some((m) => m.user === user)) return this.sendError(socket, 'name-taken', `"${user}" is already here`);
    const member: Member = { socket, room, user, typingTimes: [] };
    list.push(member);
    this.rooms.set(room, list);
    this.members.set(socket, member);
    const users = list.map((m) => m.user);
    send(socket, { type: 'joined', room, user, users });
    this.broadcast(member, { type: 'presence', event: 'join', user, users });
  }

  private leave(socket: WebSocket): void {
    const member = this.members.get(socket);
    if (!member) return;
    this.members.delete(socket);
    const list = (this.rooms.get(member.room) ?? []).filter((m) => m !== member);
    if (list.length) this.rooms.set(member.room, list);
    else this.rooms.delete(member.room);
    this.broadcast(member, { type: 'presence', event: 'leave', user: member.user, users: list.map((m) => m.user) });
  }

  private allowTyping(member: Member): boolean {
    const now = Date.now();
    member.typingTimes = member.typingTimes.filter((t) => now - t < this.options.typingWindowMs);
    if (member.typingTimes.length >= this.options.typingLimit) return false;
    member.typingTimes.push(now);
    return true;
  }

  /** Sends to the other members of the sender's room (and to the sender too when includeSender). */
  private broadcast(from: Member, message: object, includeSender = false): void {
    for (const m of this.rooms.get(from.room) ?? []) {
      if (m === from && !includeSender) continue;
      send(m.socket, message);
    }
  }

  private sendError(socket: WebSocket, code: ErrorCode, message: string): void {
    send(socket, { type: 'error', code, message });
  }
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data as ArrayBuffer).toString('utf8');
}

function send(socket: WebSocket, message: object): void {
  if (socket.readyState === 1) socket.send(JSON.stringify(message));
}

// ---------------------------------------------------------------------------------------------------------------
// Part 2: the client logic
// ---------------------------------------------------------------------------------------------------------------

/** The longest delay setTimeout honours: 2^31 − 1 ms (about 24.8 days). Node runs a longer delay, or Infinity, after
 * 1 ms (browsers wrap it to 32 bits), so `expiryMs: Infinity` ("never expire") would drop every typer at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** A timer for any delay: a chain of setTimeouts of at most MAX_TIMER_MS, each arming the next (Infinity never fires). */
interface LongTimer {
  handle: ReturnType<typeof setTimeout> | undefined;
}

function setLongTimeout(fn: () => void, ms: number): LongTimer {
  const timer: LongTimer = { handle: undefined };
  const arm = (left: number): void => {
    const slice = Math.min(left, MAX_TIMER_MS);
    timer.handle = setTimeout(() => (left > slice ? arm(left - slice) : fn()), slice);
  };
  arm(ms);
  return timer;
}

function clearLongTimeout(timer: LongTimer | undefined): void {
  if (timer) clearTimeout(timer.handle);
}

/** The part of a WebSocket (browser or `ws`) that the client uses. */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: unknown) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

export type SocketConstructor = new (url: string) => SocketLike;

export interface TypingClientOptions {
  /** The chat server, e.g. "ws://127.0.0.1:8080". */
  url: string;
  room: string;
  /** The local user's name. */
  user: string;
  /** The WebSocket constructor to use (the browser's, or `WebSocket` from the `ws` package). */
  WebSocket: SocketConstructor;
  /** Called with the new indicator text whenever it changes. */
  render: (text: string) => void;
  /** While typing continues, at most one `typing` event per this many ms (default 2000). */
  throttleMs?: number;
  /** After this many ms without a keystroke, send `stop-typing` (default 3000). */
  idleMs?: number;
  /** A remote user is shown for this many ms after their latest `typing` event (default 5000). */
  expiryMs?: number;
}

/** The indicator text for the users typing, in the order given. */
export function indicatorText(users: readonly string[]): string {
  if (users.length === 0) return '';
  if (users.length === 1) return `${users[0]} is typing…`;
  if (users.length === 2) return `${users[0]} and ${users[1]} are typing…`;
  return 'Several people are typing…';
}

export class TypingClient {
  private readonly throttleMs: number;
  private readonly idleMs: number;
  private readonly expiryMs: number;
  private socket: SocketLike | undefined;
  private joined = false;
  /** Local side: are we marked as typing, and when did we last send `typing`? */
  private typing = false;
  private lastTypingSentAt = 0;
  private idleTimer: LongTimer | undefined;
  /** Remote side: each typer with their own expiry timer, in the order they started typing. */
  private readonly typers = new Map<string, LongTimer>();
  private shown = '';

  constructor(private readonly options: TypingClientOptions) {
    this.throttleMs = options.throttleMs ?? 2000;
    this.idleMs = options.idleMs ?? 3000;
    this.expiryMs = options.expiryMs ?? 5000;
  }

  /** Opens the socket and joins the room; resolves when the server confirms with `joined`. */
  connect(): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = new this.options.WebSocket(this.options.url);
      this.socket = socket;
      socket.onopen = () => this.send({ type: 'join', room: this.options.room, user: this.options.user });
      socket.onmessage = (event) => {
        let message: { type?: unknown; user?: unknown };
        try {
          message = JSON.parse(String(event.data)) as typeof message;
        } catch {
          return;
        }
        if (message.type === 'joined' && !this.joined) {
          this.joined = true;
          resolve();
          return;
        }
        this.onServerMessage(message);
      };
      socket.onerror = () => undefined;
      socket.onclose = () => {
        this.onDisconnect();
        reject(new Error('the connection closed before the room was joined'));
      };
    });
  }

  /** The local user pressed a key in the message box. */
  keystroke(): void {
    if (!this.joined) return;
    const now = Date.now();
    if (!this.typing || now - this.lastTypingSentAt >= this.throttleMs) {
      this.send({ type: 'typing' });
      this.typing = true;
      this.lastTypingSentAt = now;
    }
    if (this.idleTimer) clearLongTimeout(this.idleTimer);
    this.idleTimer = setLongTimeout(() => this.stopTyping(), this.idleMs);
  }

  /** The local user sent a chat message: stop typing at once, then send it. */
  sendMessage(text: string): void {
    if (!this.joined) return;
    this.stopTyping();
    this.send({ type: 'message', text });
  }

  /** The remote users currently shown as typing, in display order. */
  typingUsers(): string[] {
    return [...this.typers.keys()];
  }

  /** Leaves: closes the socket and clears the indicator. */
  close(): void {
    this.socket?.close(1000, 'bye');
    this.onDisconnect();
  }

  private stopTyping(): void {
    if (this.idleTimer) clearLongTimeout(this.idleTimer);
    this.idleTimer = undefined;
    if (!this.typing) return;
    this.typing = false;
    this.send({ type: 'stop-typing' });
  }

  private onServerMessage(message: { type?: unknown; user?: unknown }): void {
    const user = message.user;
    if (typeof user !== 'string' || user === this.options.user) return; // our own echo
    switch (message.type) {
      case 'typing': {
        const previous = this.typers.get(user);
        if (previous) clearLongTimeout(previous);
        // Map.set on an existing key keeps its place: a user who keeps typing keeps their position.
        this.typers.set(user, setLongTimeout(() => this.remove(user), this.expiryMs));
        break;
      }
      case 'stop-typing':
      case 'message':
        this.remove(user);
        break;
      case 'presence':
        if ((message as { event?: unknown }).event === 'leave') this.remove(user);
        break;
    }
    this.render();
  }

  private remove(user: string): void {
    const timer = this.typers.get(user);
    if (timer === undefined) return;
    clearLongTimeout(timer);
    this.typers.delete(user);
    this.render();
  }

  private onDisconnect(): void {
    this.joined = false;
    this.typing = false;
    if (this.idleTimer) clearLongTimeout(this.idleTimer);
    this.idleTimer = undefined;
    for (const timer of this.typers.values()) clearLongTimeout(timer);
    this.typers.clear();
    this.render();
  }

  private render(): void {
    const text = indicatorText(this.typingUsers());
    if (text === this.shown) return;
    this.shown = text;
    this.options.render(text);
  }

  private send(message: object): void {
    if (this.socket && this.socket.readyState === 1) this.socket.send(JSON.stringify(message));
  }
}
