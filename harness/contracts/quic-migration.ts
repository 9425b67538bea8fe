// The public API of exercise 9 (quic-migration), type-checked together with the learner's file: a mismatch here
// means an exported name or signature differs from the one the lesson asks for.
import {
  AMPLIFICATION_FACTOR,
  CID_LENGTH,
  DOWNLOAD_STREAM,
  MAX_VARINT,
  MIN_INITIAL_DATAGRAM,
  VERSION,
  QuicClient,
  QuicError,
  QuicServer,
  decodeVarint,
  encodeVarint,
  parseHeader,
  type ClientEvent,
  type ClientOptions,
  type ConnectionInfo,
  type HandshakeInfo,
  type PacketHeader,
  type QuicErrorCode,
  type ServerEvent,
  type ServerOptions,
} from '@exercise';

const bytes: Uint8Array = encodeVarint(37);
const big: Uint8Array = encodeVarint(MAX_VARINT);
const decoded: { value: bigint; length: number } = decodeVarint(bytes, 0);
const header: PacketHeader = parseHeader(new Uint8Array(20), CID_LENGTH);
const pn: number = header.packetNumber;
const dcid: Uint8Array = header.dcid;
if (header.form === 'long') {
  const scid: Uint8Array = header.scid;
  const version: number = header.version;
  void [scid, version, header.token, header.length, header.type];
} else {
  const spin: boolean = header.spin;
  void spin;
}
const code: QuicErrorCode = new QuicError('TRUNCATED', 'x').code;
const numbers: number[] = [VERSION, MIN_INITIAL_DATAGRAM, DOWNLOAD_STREAM, AMPLIFICATION_FACTOR, header.payloadOffset, header.packetEnd];

const serverOptions: ServerOptions = {
  payload: new Uint8Array(10),
  host: '127.0.0.1',
  port: 0,
  maxInFlight: 8,
  retransmitMs: 50,
  onEvent: (e: ServerEvent) => void e.type,
};
const server = new QuicServer(serverOptions);
const port: Promise<number> = server.listen();
const conns: ConnectionInfo[] = server.connections();
const closed: Promise<void> = server.close();

const clientOptions: ClientOptions = {
  host: '127.0.0.1',
  port: 1234,
  probeMs: 40,
  handshakeTimeoutMs: 1000,
  onEvent: (e: ClientEvent) => void e.type,
  onComplete: (n: number) => void n,
};
const client = new QuicClient(clientOptions);
const info: Promise<HandshakeInfo> = client.connect();
const moved: Promise<number> = client.migrate();
const local: number = client.localPort();
const received: Uint8Array = client.receivedBytes();
const done: Promise<void> = client.close();

export { big, decoded, pn, dcid, code, numbers, port, conns, closed, info, moved, local, received, done };
