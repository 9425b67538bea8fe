// The public API of exercise 6 (websocket-protocol), type-checked together with the learner's file: a mismatch
// here means an exported name or signature differs from the one the lesson asks for.
import {
  WEBSOCKET_GUID,
  Opcode,
  computeAccept,
  parseHttpHead,
  acceptHandshake,
  checkServerResponse,
  encodeFrame,
  isValidCloseCode,
  encodeClosePayload,
  Receiver,
  EchoServer,
  WebSocketClient,
  HandshakeError,
  type ClientOptions,
  type EchoServerOptions,
  type HandshakeResult,
  type HttpHead,
  type OutgoingFrame,
  type ReceiverEvent,
  type ReceiverOptions,
} from '@exercise';

const guid: string = WEBSOCKET_GUID;
const accept: string = computeAccept('dGhlIHNhbXBsZSBub25jZQ==');
const head: HttpHead = parseHttpHead('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
const result: HandshakeResult = acceptHandshake('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
if (result.ok) void (result.accept + result.key + result.path + result.response);
else void (result.status + result.reason + result.response);
const check = checkServerResponse('HTTP/1.1 101 Switching Protocols\r\n\r\n', 'dGhlIHNhbXBsZSBub25jZQ==');
if (!check.ok) void check.reason.length;

const frame: OutgoingFrame = { fin: false, rsv: 0, opcode: Opcode.TEXT, payload: new Uint8Array(3), maskingKey: new Uint8Array(4) };
const bytes: Uint8Array = encodeFrame(frame);
const unmasked: Uint8Array = encodeFrame({ opcode: Opcode.PING, payload: new Uint8Array(0) });
const valid: boolean = isValidCloseCode(1000);
const closePayload: Uint8Array = encodeClosePayload(1000, 'bye');
const emptyClose: Uint8Array = encodeClosePayload();

const receiverOptions: ReceiverOptions = { role: 'server', maxMessageSize: 1024 };
const receiver = new Receiver(receiverOptions);
const events: ReceiverEvent[] = receiver.push(new Uint8Array(2));
const more: ReceiverEvent[] = receiver.pushAll([new Uint8Array(1), new Uint8Array(1)]);
for (const e of events) {
  if (e.type === 'text') void e.data.length;
  else if (e.type === 'binary' || e.type === 'ping' || e.type === 'pong') void e.data.byteLength;
  else if (e.type === 'close') void (e.code + e.reason.length);
  else void (e.closeCode + e.message.length);
}

const serverOptions: EchoServerOptions = { maxMessageSize: 1 << 20 };
const server = new EchoServer(serverOptions);
const port: Promise<number> = server.listen(0, '127.0.0.1');
const stopped: Promise<void> = server.close();

const clientOptions: ClientOptions = {
  maxMessageSize: 1 << 20,
  onMessage: (e) => void (e.type === 'text' ? e.data.length : e.data.byteLength),
  onPing: (data: Uint8Array) => void data.length,
  onPong: (data: Uint8Array) => void data.length,
  onClose: (e: { code: number; reason: string }) => void (e.code + e.reason.length),
  onError: (e: { closeCode: number; message: string }) => void (e.closeCode + e.message.length),
};
const client = new WebSocketClient('ws://127.0.0.1:1/chat', clientOptions);
const url: string = client.url;
const opened: Promise<void> = client.open();
client.send('hello');
client.send(new Uint8Array(3), 1);
client.ping();
client.ping('x');
const closed: Promise<{ code: number; reason: string }> = client.close(1000, 'bye');
const handshakeError: Error = new HandshakeError('wrong accept');
const errorCode: string = new HandshakeError('x').code;

export { guid, accept, head, bytes, unmasked, valid, closePayload, emptyClose, more, port, stopped, url, opened, closed, handshakeError, errorCode };
