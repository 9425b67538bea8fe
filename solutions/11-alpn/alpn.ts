// Exercise 11: one TLS port, two protocols, chosen in the handshake with ALPN (reference solution).
//   - selectProtocol: the server's choice, in the server's order of preference (RFC 7301 §3.2).
//   - AlpnServer: node:tls with that choice as its ALPNCallback, then each socket handed to an HTTP/2 session or
//     an HTTP/1.1 handler that serve the same routes; a client that offers no ALPN gets HTTP/1.1.
//   - acceptNegotiated / alpnRequest: a client that offers [h2, http/1.1], speaks what was chosen and fails with
//     a typed AlpnError when the server refused or chose something it did not offer.

import http from 'node:http';
import http2 from 'node:http2';
import { isIP, type AddressInfo } from 'node:net';
import tls from 'node:tls';

/** The protocols this exercise speaks, in the server's order of preference (and the client's offer). */
export const SUPPORTED_PROTOCOLS: readonly string[] = ['h2', 'http/1.1'];

export type HttpProtocol = 'h2' | 'http/1.1';

/**
 * The server's ALPN choice: the first protocol of `supported` (the server's preference order) that the client
 * offered, compared octet for octet; undefined when there is no overlap (the server then refuses the handshake).
 */
export function selectProtocol(offered: readonly string[], supported: readonly string[] = SUPPORTED_PROTOCOLS): string | undefined {
  return supported.find((protocol) => offered.includes(protocol));
}

// =================================================================================================================
// The server
// =================================================================================================================

export interface AlpnServerOptions {
  /** The server's private key and certificate chain, PEM. */
  key: string;
  cert: string;
  /** Where to listen (default 127.0.0.1, port 0 = any free port). */
  host?: string;
  port?: number;
  /** How long GET /resource/<n> waits before it answers (default 0 ms): a stand-in for a slow backend. */
  delayMs?: number;
}

/** One accepted connection: the protocol it speaks and how many requests it carried so far. */
export interface ConnectionRecord {
  protocol: HttpProtocol;
  requests: number;
}

/** What a route answers; the HTTP/1.1 and the HTTP/2 side each write it in their own framing. */
interface RouteAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export class AlpnServer {
  private readonly tlsServer: tls.Server;
  private readonly h1 = http.createServer();
  private readonly records: ConnectionRecord[] = [];
  private readonly sockets = new Set<tls.TLSSocket>();
  private readonly sessions = new Set<http2.ServerHttp2Session>();
  private readonly h1Records = new WeakMap<object, ConnectionRecord>();
  private readonly host: string;
  private readonly port: number;
  private readonly delayMs: number;

  constructor(options: AlpnServerOptions) {
    this.host = options.host ?? '127.0.0.1';
    this.port = options.port ?? 0;
    this.delayMs = options.delayMs ?? 0;
    this.tlsServer = tls.createServer({
      key: options.key,
      cert: options.cert,
      // Returning undefined makes OpenSSL send the fatal no_application_protocol alert (120).
      ALPNCallback: ({ protocols }) => selectProtocol(protocols),
    });
    this.tlsServer.on('secureConnection', (socket) => this.dispatch(socket));
    this.h1.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
      const record = this.h1Records.get(req.socket);
      if (record) record.requests++;
      void this.route(req.method ?? '', req.url ?? '', 'http/1.1').then(({ status, headers, body }) => {
        res.writeHead(status, headers);
        res.end(body);
      });
    });
  }

  /** Hands a finished handshake to the protocol it chose; no ALPN at all means HTTP/1.1 (RFC 9113 §3.2). */
  private dispatch(socket: tls.TLSSocket): void {
    const protocol: HttpProtocol = socket.alpnProtocol === 'h2' ? 'h2' : 'http/1.1';
    const record: ConnectionRecord = { protocol, requests: 0 };
    this.records.push(record);
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    if (protocol === 'http/1.1') {
      this.h1Records.set(socket, record);
      this.h1.emit('connection', socket);
      return;
    }
    const session = http2.performServerHandshake(socket);
    this.sessions.add(session);
    session.on('close', () => this.sessions.delete(session));
    session.on('error', () => session.destroy());
    session.on('stream', (stream, headers) => {
      record.requests++;
      stream.on('error', () => stream.destroy());
      void this.route(String(headers[':method']), String(headers[':path']), 'h2').then(({ status, headers: fields, body }) => {
        if (stream.destroyed) return;
        stream.respond({ ':status': status, ...fields });
        stream.end(body);
      });
    });
  }

  /** The routes, the same for both protocols. */
  private async route(method: string, path: string, protocol: HttpProtocol): Promise<RouteAnswer> {
    const text = (status: number, body: string, headers: Record<string, string> = {}): RouteAnswer => ({
      status,
      headers: { 'content-type': 'text/plain; charset=utf-8', ...headers },
      body,
    });
    if (method !== 'GET') return text(405, 'method not allowed\n', { allow: 'GET' });
    if (path === '/protocol') return text(200, protocol);
    const resource = /^\/resource\/(\d+)$/.exec(path);
    if (resource) {
      await new Promise((resolve) => setTimeout(resolve, this.delayMs));
      return text(200, `resource ${resource[1]}`);
    }
    return text(404, 'not found\n');
  }

  /** Starts listening; resolves with the port. */
  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.tlsServer.once('error', reject);
      this.tlsServer.listen(this.port, this.host, () => {
        this.tlsServer.off('error', reject);
        resolve((this.tlsServer.address() as AddressInfo).port);
      });
    });
  }

  /** Every connection accepted so far, in order, with its protocol and its number of requests. */
  connections(): ConnectionRecord[] {
    return this.records.map((r) => ({ ...r }));
  }

  /** Stops listening and ends every open connection of both protocols; resolves when all are closed. */
  close(): Promise<void> {
    for (const session of this.sessions) session.destroy();
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => this.tlsServer.close(() => resolve()));
  }
}

// =================================================================================================================
// The client
// =================================================================================================================

export type AlpnErrorCode = 'ALPN_REFUSED' | 'ALPN_NOT_OFFERED' | 'ALPN_UNSUPPORTED';

/** The client's typed failure: what it offered and what the server chose (null: nothing, or the alert). */
export class AlpnError extends Error {
  readonly code: AlpnErrorCode;
  readonly offered: string[];
  readonly chosen: string | null;

  constructor(code: AlpnErrorCode, offered: readonly string[], chosen: string | null, message: string) {
    super(message);
    this.name = 'AlpnError';
    this.code = code;
    this.offered = [...offered];
    this.chosen = chosen;
  }
}

/**
 * What the client speaks after the handshake: `negotiated` is the TLS socket's alpnProtocol (false or null when
 * the server sent no ALPN). A protocol the client did not offer is ALPN_NOT_OFFERED (RFC 7301 §3.2); one it offered
 * but cannot speak is ALPN_UNSUPPORTED; no ALPN means HTTP/1.1 (h2 over TLS needs ALPN, RFC 9113 §3.2).
 */
export function acceptNegotiated(offered: readonly string[], negotiated: string | false | null): HttpProtocol {
  if (negotiated === false || negotiated === null) return 'http/1.1';
  if (!offered.includes(negotiated)) {
    throw new AlpnError('ALPN_NOT_OFFERED', offered, negotiated, `the server chose "${negotiated}", which the client did not offer (it offered ${offered.join(', ')})`);
  }
  if (negotiated !== 'h2' && negotiated !== 'http/1.1') {
    throw new AlpnError('ALPN_UNSUPPORTED', offered, negotiated, `the server chose "${negotiated}", which this client cannot speak`);
  }
  return negotiated;
}

export interface AlpnRequestOptions {
  host: string;
  port: number;
  path: string;
  /** The CA certificate (PEM) the server's certificate must chain to. */
  ca: string;
  /** The name the certificate must be valid for (default: host, unless host is an IP address). */
  servername?: string;
  /** The ALPN offer, in the client's order of preference (default SUPPORTED_PROTOCOLS: h2, then http/1.1). */
  protocols?: string[];
  /** The most the whole request may take (default 10000 ms). */
  timeoutMs?: number;
}

export interface AlpnResponse {
  protocol: HttpProtocol;
  status: number;
  /** Response header fields, names in lower case (HTTP/2 pseudo-headers left out). */
  headers: Record<string, string>;
  body: string;
}

/** The TLS alert a server sends when no offered protocol is acceptable (RFC 7301 §3.2), as OpenSSL names it. */
const NO_APPLICATION_PROTOCOL = 'ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL';

/** One GET over a fresh TLS connection, in whichever protocol the handshake chose. */
export async function alpnRequest(options: AlpnRequestOptions): Promise<AlpnResponse> {
  const offered = options.protocols ?? [...SUPPORTED_PROTOCOLS];
  const socket = await new Promise<tls.TLSSocket>((resolve, reject) => {
    const servername = options.servername ?? (isIP(options.host) ? undefined : options.host);
    const s = tls.connect({ host: options.host, port: options.port, ca: options.ca, ALPNProtocols: offered, ...(servername ? { servername } : {}) });
    s.once('secureConnect', () => {
      s.off('error', fail);
      resolve(s);
    });
    const fail = (err: Error & { code?: string }) => {
      s.destroy();
      if (err.code === NO_APPLICATION_PROTOCOL) {
        reject(new AlpnError('ALPN_REFUSED', offered, null, `the server refused every protocol offered (${offered.join(', ')}) with the no_application_protocol alert`));
      } else reject(err);
    };
    s.once('error', fail);
  });
  let protocol: HttpProtocol;
  try {
    protocol = acceptNegotiated(offered, socket.alpnProtocol ?? false);
  } catch (err) {
    socket.destroy();
    throw err;
  }
  const request = protocol === 'h2' ? h2Get(socket, options) : h1Get(socket, options);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no response within ${options.timeoutMs ?? 10_000} ms`)), options.timeoutMs ?? 10_000);
  });
  try {
    const answer = await Promise.race([request, timeout]);
    return { protocol, ...answer };
  } finally {
    clearTimeout(timer);
    socket.destroy();
  }
}

type Answer = Omit<AlpnResponse, 'protocol'>;

function h1Get(socket: tls.TLSSocket, options: AlpnRequestOptions): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: options.host, port: options.port, path: options.path, method: 'GET', createConnection: () => socket }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(res.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
        resolve({ status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

function h2Get(socket: tls.TLSSocket, options: AlpnRequestOptions): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(`https://${options.host}:${options.port}`, { createConnection: () => socket });
    session.on('error', reject);
    const stream = session.request({ ':method': 'GET', ':path': options.path });
    const chunks: Buffer[] = [];
    let status = 0;
    const headers: Record<string, string> = {};
    stream.on('response', (h) => {
      for (const [name, value] of Object.entries(h)) {
        if (name.startsWith(':')) continue;
        if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : String(value);
      }
      status = Number(h[':status']);
    });
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      session.close();
      resolve({ status, headers, body: Buffer.concat(chunks).toString('utf8') });
    });
    stream.on('error', reject);
    stream.end();
  });
}
