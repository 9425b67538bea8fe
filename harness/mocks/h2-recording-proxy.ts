// A recording TCP proxy for HTTP/2 (or any TCP protocol) on loopback: a real client connects to the proxy, the
// proxy connects to the real server, and every chunk that crosses in either direction is forwarded unchanged and
// recorded with its size (the TCP read sizes the proxy saw). The suite then feeds the recorded bytes to the code
// under test and compares what it decoded with what the two real peers did.
//
//   const proxy = await startRecordingProxy(serverPort);
//   const client = http2.connect(`http://127.0.0.1:${proxy.port}`);
//   ... drive the session, close it ...
//   await proxy.drained();                        // both directions ended: the recording is complete
//   proxy.recording('clientToServer')             // { bytes, chunks }
//   await proxy.close();
//
// One proxied connection is recorded (the first one); later connections are refused. Everything is closed by
// close(), which is safe to call more than once.

import http2 from 'node:http2';
import net from 'node:net';

export type Direction = 'clientToServer' | 'serverToClient';

export interface Recording {
  /** All bytes that crossed in this direction, in order. */
  bytes: Buffer;
  /** The same bytes, as the chunks the proxy read from the socket. */
  chunks: Buffer[];
}

/** One chunk the proxy read, in the order of all reads in both directions. */
export interface TranscriptChunk {
  direction: Direction;
  chunk: Buffer;
}

export interface RecordingProxy {
  /** The port the proxy listens on (127.0.0.1). */
  port: number;
  /** Every chunk read so far, both directions interleaved in the order the proxy read (and forwarded) them. */
  transcript(): TranscriptChunk[];
  /** Resolves when the proxied connection has ended in both directions and both sockets are closed. */
  drained(timeoutMs?: number): Promise<void>;
  /** What crossed in one direction so far. */
  recording(direction: Direction): Recording;
  close(): Promise<void>;
}

export async function startRecordingProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<RecordingProxy> {
  const chunks: Record<Direction, Buffer[]> = { clientToServer: [], serverToClient: [] };
  const ordered: TranscriptChunk[] = [];
  const sockets = new Set<net.Socket>();
  let connected = false;
  let closedCount = 0;
  let onBothClosed: (() => void) | undefined;
  const bothClosed = new Promise<void>((resolve) => {
    onBothClosed = resolve;
  });

  const track = (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => {
      sockets.delete(socket);
      if (++closedCount === 2) onBothClosed?.();
    });
    // Errors (a reset when a peer goes away) end the connection; they are not failures of the recording.
    socket.on('error', () => socket.destroy());
  };

  const pipe = (from: net.Socket, to: net.Socket, direction: Direction) => {
    from.on('data', (chunk: Buffer) => {
      chunks[direction].push(chunk);
      ordered.push({ direction, chunk });
      to.write(chunk);
    });
    from.on('end', () => to.end());
    from.on('close', () => {
      if (!to.destroyed) to.end();
    });
  };

  const server = net.createServer({ pauseOnConnect: true }, (downstream) => {
    if (connected) {
      downstream.destroy();
      return;
    }
    connected = true;
    downstream.setNoDelay(true);
    const upstream = net.connect({ port: targetPort, host: targetHost });
    upstream.setNoDelay(true);
    track(downstream);
    track(upstream);
    pipe(downstream, upstream, 'clientToServer');
    pipe(upstream, downstream, 'serverToClient');
    upstream.once('connect', () => downstream.resume());
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as net.AddressInfo).port;

  return {
    port,
    transcript: () => ordered.slice(),
    async drained(timeoutMs = 3000) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`recording proxy: the proxied connection did not close within ${timeoutMs} ms`)), timeoutMs);
      });
      try {
        await Promise.race([bothClosed, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    recording(direction) {
      const list = chunks[direction].slice();
      return { bytes: Buffer.concat(list), chunks: list };
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// A scripted live session between a real node:http2 client and server (both nghttp2) through the recording proxy.
// What the peers did (bodies written, streams ended, PING payload, SETTINGS, GOAWAY) is returned as a log: the
// ground truth the decoded frames must agree with. The script is deterministic in everything the log records:
// the interleaving of the two lock-step responses is forced by waiting, before each write, until the client has
// received the previous one, so the order of their DATA frames on the wire is fixed.

export interface LiveStreamLog {
  path: string;
  /** Stream id (the same on both sides). */
  id: number;
  /** Request body the client wrote (empty for GET). */
  requestBody: Buffer;
  /** Response body the server wrote. */
  responseBody: Buffer;
  /** Number of header blocks the server sent on the stream (2 with trailers). */
  responseHeaderBlocks: number;
  /** true if the server ended the stream with trailers (END_STREAM on a HEADERS frame). */
  trailers: boolean;
  /** true if the client cancelled the stream (RST_STREAM CANCEL) instead of letting it finish. */
  cancelled: boolean;
}

export interface LiveSessionLog {
  streams: LiveStreamLog[];
  /** Stream ids of the lock-step writes, in the order they were written (each write = one piece of body). */
  lockstepOrder: number[];
  /** Value of the large request header that had to be split across HEADERS + CONTINUATION. */
  bigHeaderValue: string;
  bigHeaderStreamId: number;
  pingPayload: Buffer;
  /** The SETTINGS the client changed mid-session (identifier → value). */
  settingsChange: Map<number, number>;
  goaway: { errorCode: number; lastStreamId: number; debugData: Buffer };
  clientToServer: Recording;
  serverToClient: Recording;
}

export interface LiveSessionOptions {
  /** Source of the request body bytes (seeded by the suite). */
  random: () => number;
  /** Overall limit for the scripted session. */
  timeoutMs?: number;
}

/** Runs the scripted session and returns what the peers did and what crossed the wire. Closes everything. */
export async function recordLiveSession(options: LiveSessionOptions): Promise<LiveSessionLog> {
  const { random } = options;
  const timeoutMs = options.timeoutMs ?? 8000;
  const server = http2.createServer({ paddingStrategy: http2.constants.PADDING_STRATEGY_MAX });
  let proxy: RecordingProxy | undefined;
  let client: http2.ClientHttp2Session | undefined;
  const serverSessions = new Set<http2.ServerHttp2Session>();
  let timer: NodeJS.Timeout | undefined;

  const bytes = (n: number) => {
    const b = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) b[i] = Math.floor(random() * 256);
    return b;
  };

  // Lock-step responses: the server waits until the client has received each piece before writing the next.
  const lockstepPieces: Record<string, Buffer[]> = {
    a: [bytes(700), bytes(300), bytes(1200), bytes(50)],
    b: [bytes(400), bytes(900), bytes(20), bytes(650)],
  };
  const lockstepOrder: number[] = [];
  const received = new Map<string, number>(); // name → bytes the client has received so far
  const receivedWaiters: Array<() => void> = [];
  const notifyReceived = () => receivedWaiters.splice(0).forEach((w) => w());
  const waitReceived = async (name: string, total: number) => {
    while ((received.get(name) ?? 0) < total) await new Promise<void>((r) => receivedWaiters.push(r));
  };
  const lockstepStreams = new Map<string, http2.ServerHttp2Stream>();
  let lockstepReady: (() => void) | undefined;
  const bothLockstep = new Promise<void>((r) => (lockstepReady = r));

  const uploadBody = bytes(100_000);
  const trailersBody = bytes(333);
  const cancelBody = bytes(10);
  const bigHeaderValue = '~'.repeat(20_000); // '~' has a 13-bit Huffman code: HPACK sends it as a raw literal
  const pingPayload = Buffer.from('course!!');
  const responseBodies = new Map<string, Buffer>();
  let serverCancelSeen: (() => void) | undefined;
  const cancelSeen = new Promise<void>((r) => (serverCancelSeen = r));

  server.on('session', (s) => serverSessions.add(s));
  server.on('stream', (stream, headers) => {
    const path = String(headers[':path']);
    if (path.startsWith('/lockstep/')) {
      const name = path.slice('/lockstep/'.length);
      stream.respond({ ':status': 200 });
      lockstepStreams.set(name, stream);
      if (lockstepStreams.size === 2) lockstepReady?.();
      return;
    }
    if (path === '/upload') {
      const parts: Buffer[] = [];
      stream.on('data', (c: Buffer) => parts.push(c));
      stream.on('end', () => {
        const body = Buffer.from(`got ${Buffer.concat(parts).length} bytes`);
        responseBodies.set(path, body);
        stream.respond({ ':status': 200 });
        stream.end(body);
      });
      return;
    }
    if (path === '/trailers') {
      stream.respond({ ':status': 200 }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'x-checksum': 'abc123' }));
      responseBodies.set(path, trailersBody);
      stream.end(trailersBody);
      return;
    }
    if (path === '/cancel') {
      stream.on('close', () => serverCancelSeen?.());
      stream.on('error', () => undefined);
      stream.respond({ ':status': 200 });
      responseBodies.set(path, cancelBody);
      stream.write(cancelBody); // never ended: the client cancels
      return;
    }
    const body = Buffer.from(`hello from ${path}`);
    responseBodies.set(path, body);
    stream.respond({ ':status': 200 });
    stream.end(body);
  });

  const run = async (): Promise<LiveSessionLog> => {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    proxy = await startRecordingProxy((server.address() as net.AddressInfo).port);
    const session = http2.connect(`http://127.0.0.1:${proxy.port}`, { settings: { enablePush: false } });
    client = session;
    session.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      session.once('remoteSettings', () => resolve());
      session.once('error', reject);
    });

    // PING with a payload we choose; its ACK echoes it.
    await new Promise<void>((resolve, reject) => session.ping(pingPayload, (err) => (err ? reject(err) : resolve())));

    const streams: LiveStreamLog[] = [];
    const request = (path: string, body: Buffer | null, extra: http2.OutgoingHttpHeaders = {}, name?: string) =>
      new Promise<LiveStreamLog>((resolve, reject) => {
        const req = session.request({ ':path': path, ':method': body ? 'POST' : 'GET', ...extra }, { endStream: !body });
        const log: LiveStreamLog = {
          path,
          id: 0,
          requestBody: body ?? Buffer.alloc(0),
          responseBody: Buffer.alloc(0),
          responseHeaderBlocks: 0,
          trailers: false,
          cancelled: false,
        };
        req.on('response', () => {
          log.id = req.id ?? 0;
          log.responseHeaderBlocks++;
        });
        req.on('trailers', () => {
          log.responseHeaderBlocks++;
          log.trailers = true;
        });
        req.on('data', (c: Buffer) => {
          if (name) {
            received.set(name, (received.get(name) ?? 0) + c.length);
            notifyReceived();
          }
        });
        req.on('end', () => {
          log.responseBody = responseBodies.get(path) ?? Buffer.alloc(0);
          streams.push(log);
          resolve(log);
        });
        req.on('error', reject);
        if (body) req.end(body);
      });

    const lockA = request('/lockstep/a', null, {}, 'a');
    const lockB = request('/lockstep/b', null, {}, 'b');
    const others = [request('/upload', uploadBody), request('/trailers', null), request('/big-header', null, { 'x-big': bigHeaderValue })];
    responseBodies.set('/lockstep/a', Buffer.concat(lockstepPieces.a!));
    responseBodies.set('/lockstep/b', Buffer.concat(lockstepPieces.b!));
    await bothLockstep;
    const sent: Record<string, number> = { a: 0, b: 0 };
    const rounds = Math.max(lockstepPieces.a!.length, lockstepPieces.b!.length);
    for (let r = 0; r < rounds; r++) {
      for (const name of ['a', 'b']) {
        const piece = lockstepPieces[name]![r];
        if (!piece) continue;
        const stream = lockstepStreams.get(name)!;
        lockstepOrder.push(stream.id!);
        sent[name]! += piece.length;
        if (r === lockstepPieces[name]!.length - 1) stream.end(piece);
        else stream.write(piece);
        await waitReceived(name, sent[name]!);
      }
    }
    await Promise.all([lockA, lockB, ...others]);

    // A SETTINGS change mid-session; the callback runs when the server's ACK arrives.
    const settingsChange = new Map<number, number>([
      [http2.constants.NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, 131_072],
      [http2.constants.NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, 100_000],
    ]);
    await new Promise<void>((resolve, reject) =>
      session.settings({ initialWindowSize: 131_072, maxHeaderListSize: 100_000 }, (err) => (err ? reject(err) : resolve())),
    );

    // A stream the client cancels once the response has started.
    const cancelLog: LiveStreamLog = {
      path: '/cancel',
      id: 0,
      requestBody: Buffer.alloc(0),
      responseBody: cancelBody,
      responseHeaderBlocks: 0,
      trailers: false,
      cancelled: true,
    };
    await new Promise<void>((resolve, reject) => {
      const req = session.request({ ':path': '/cancel' });
      req.on('error', () => undefined);
      let got = 0;
      req.on('response', () => {
        cancelLog.id = req.id ?? 0;
        cancelLog.responseHeaderBlocks++;
      });
      req.on('data', (c: Buffer) => {
        got += c.length;
        if (got >= cancelBody.length) {
          req.close(http2.constants.NGHTTP2_CANCEL);
          resolve();
        }
      });
      req.on('end', () => reject(new Error('/cancel ended normally')));
    });
    await cancelSeen;
    streams.push(cancelLog);

    // GOAWAY from the server with debug data; the client closes when it arrives.
    const lastStreamId = Math.max(...streams.map((s) => s.id));
    const goaway = { errorCode: http2.constants.NGHTTP2_NO_ERROR, lastStreamId, debugData: Buffer.from('bye for now') };
    const goawayArrived = new Promise<void>((r) => session.once('goaway', () => r()));
    const serverSession = [...serverSessions][0]!;
    serverSession.goaway(goaway.errorCode, goaway.lastStreamId, goaway.debugData);
    await goawayArrived;
    session.close();
    serverSession.close();
    await proxy.drained(timeoutMs);

    const bigHeaderStream = streams.find((s) => s.path === '/big-header')!;
    return {
      streams: streams.sort((x, y) => x.id - y.id),
      lockstepOrder,
      bigHeaderValue,
      bigHeaderStreamId: bigHeaderStream.id,
      pingPayload,
      settingsChange,
      goaway,
      clientToServer: proxy.recording('clientToServer'),
      serverToClient: proxy.recording('serverToClient'),
    };
  };

  try {
    return await Promise.race([
      run(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`the live HTTP/2 session did not finish within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
    client?.destroy();
    for (const s of serverSessions) s.destroy();
    await proxy?.close();
    await new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
  }
}
