// The waterfall demo's clients, as a browser fetches a page's resources: over HTTP/1.1 with at most six keep-alive
// connections (a browser's limit per origin; each connection carries one request at a time, the others wait for a
// free one), and over one HTTP/2 connection with every request sent at once as its own stream. Each request's
// times are measured here, from the lane's start: when it left the client, its response's header, its last octet;
// and the connection it went on, as the relay numbered it. TLS with ALPN (the learner's server, trusting the
// throwaway CA) or cleartext h2c (the built-in server).

import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import type { Socket } from 'node:net';
import type { WaterfallRequest } from '../view-waterfall';

export interface LaneTarget {
  port: number;
  /** The CA to trust for TLS (ALPN chooses the protocol); absent: cleartext (HTTP/1.1, h2c with prior knowledge). */
  ca?: string;
  paths: string[];
  /** The relay's number of the connection a client opened from this local port. */
  connectionOf(localPort: number | undefined): number;
  /** Time zero of the lane (performance.now()). */
  startedAt: number;
  timeoutMs: number;
}

export interface FetchedRequest extends WaterfallRequest {
  body: string;
}

const since = (t0: number) => Math.round((performance.now() - t0) * 10) / 10;

function withTimeout<T>(work: Promise<T>, ms: number, what: string, cleanup: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no complete answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => {
    clearTimeout(timer);
    cleanup();
  });
}

/** GETs every path over HTTP/1.1 with at most six keep-alive connections. */
export function fetchOverHttp1(target: LaneTarget): Promise<FetchedRequest[]> {
  const agentOptions = { keepAlive: true, maxSockets: 6 };
  const agent = target.ca ? new https.Agent({ ...agentOptions, ca: target.ca, ALPNProtocols: ['http/1.1'] }) : new http.Agent(agentOptions);
  const get = target.ca ? https.get : http.get;
  const t0 = target.startedAt;
  const one = (path: string) =>
    new Promise<FetchedRequest>((resolve, reject) => {
      let sentAt = 0;
      const request = get({ host: '127.0.0.1', port: target.port, path, agent }, (response) => {
        const firstByteAt = since(t0);
        const chunks: Buffer[] = [];
        response.on('data', (c: Buffer) => chunks.push(c));
        response.on('error', reject);
        response.on('end', () => {
          const body = Buffer.concat(chunks);
          resolve({
            path,
            connection: target.connectionOf((response.socket as Socket | null)?.localPort ?? socketPort),
            sentAt,
            firstByteAt,
            lastByteAt: since(t0),
            status: response.statusCode ?? 0,
            bytes: body.length,
            body: body.toString('latin1'),
          });
        });
      });
      let socketPort: number | undefined;
      request.on('socket', (s: Socket) => (socketPort = s.localPort));
      // 'finish': the request was handed to its connection (after the handshake, or once a connection is free).
      request.on('finish', () => {
        sentAt = since(t0);
        socketPort = request.socket?.localPort ?? socketPort;
      });
      request.on('error', reject);
    });
  return withTimeout(Promise.all(target.paths.map(one)), target.timeoutMs, 'HTTP/1.1 lane', () => agent.destroy());
}

/** GETs every path at once, each on its own stream of one HTTP/2 connection. */
export function fetchOverHttp2(target: LaneTarget): Promise<FetchedRequest[]> {
  const t0 = target.startedAt;
  const session = target.ca ? http2.connect(`https://127.0.0.1:${target.port}`, { ca: target.ca }) : http2.connect(`http://127.0.0.1:${target.port}`);
  const failed = new Promise<never>((_, reject) => session.on('error', reject));
  const one = (path: string) =>
    new Promise<FetchedRequest>((resolve, reject) => {
      let sentAt = 0;
      let firstByteAt = 0;
      let status = 0;
      const chunks: Buffer[] = [];
      const stream = session.request({ ':path': path });
      // 'ready': the stream has its id and its HEADERS went out (once the connection is up).
      stream.on('ready', () => (sentAt = since(t0)));
      stream.on('response', (headers) => {
        firstByteAt = since(t0);
        status = Number(headers[':status']);
      });
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('error', reject);
      stream.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({
          path,
          connection: target.connectionOf(session.socket?.localPort),
          sentAt,
          firstByteAt,
          lastByteAt: since(t0),
          status,
          bytes: body.length,
          body: body.toString('latin1'),
        });
      });
    });
  return withTimeout(Promise.race([Promise.all(target.paths.map(one)), failed]), target.timeoutMs, 'HTTP/2 lane', () => session.destroy());
}
