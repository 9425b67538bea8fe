// The public API of exercise 4 (typing-indicator), type-checked together with the learner's file.
import {
  RoomServer,
  TypingClient,
  indicatorText,
  type ErrorCode,
  type RoomServerOptions,
  type SocketConstructor,
  type SocketLike,
  type TypingClientOptions,
} from '@exercise';

const serverOptions: RoomServerOptions = { port: 0, host: '127.0.0.1', typingLimit: 5, typingWindowMs: 5000 };
const server: RoomServer = new RoomServer(serverOptions);
const port: Promise<number> = server.listen();
const closed: Promise<void> = server.close();
const code: ErrorCode = 'rate-limited';

declare const socketClass: SocketConstructor;
const socket: SocketLike = new socketClass('ws://127.0.0.1:1');
const clientOptions: TypingClientOptions = {
  url: 'ws://127.0.0.1:1',
  room: 'general',
  user: 'Alice',
  WebSocket: socketClass,
  render: (text: string) => void text,
  throttleMs: 2000,
  idleMs: 3000,
  expiryMs: 5000,
};
const client: TypingClient = new TypingClient(clientOptions);
const joined: Promise<void> = client.connect();
client.keystroke();
client.sendMessage('hello');
const users: string[] = client.typingUsers();
client.close();
const text: string = indicatorText(['Alice', 'Bob']);

export { port, closed, code, socket, joined, users, text };
