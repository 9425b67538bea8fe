// A real HTTP/2 session on loopback for the demos: a node:http2 client and server (both nghttp2) talking through
// the harness's recording proxy, so the demo has the exact octets each side sent, and what the server received.
// The requests are sent one after another on one connection (so the HPACK dynamic table carries over from one to
// the next, as in a browser).

import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { startRecordingProxy, type TranscriptChunk } from '../../../harness/mocks/h2-recording-proxy';

export interface CapturedRequest {
  path: string;
  headers: Array<[string, string]>;
}

export interface Capture {
  clientToServer: Buffer;
  serverToClient: Buffer;
  transcript: TranscriptChunk[];
  /** The header list of each request as the server received it, in order (pseudo-headers first). */
  received: Array<Array<[string, string]>>;
}

export interface CaptureOptions {
  /** The server's SETTINGS_HEADER_TABLE_SIZE (the client's encoder table). */
  headerTableSize?: number;
  /** The server answers 200 with this body (204 and no body without it). */
  body?: (path: string) => string;
}

export async function captureSession(requests: CapturedRequest[], options: CaptureOptions = {}): Promise<Capture> {
  const received: Array<Array<[string, string]>> = [];
  const server = http2.createServer({ settings: { headerTableSize: options.headerTableSize ?? 4096 } });
  server.on('stream', (stream: http2.ServerHttp2Stream, _headers: http2.IncomingHttpHeaders, _flags: number, raw: string[]) => {
    const pairs: Array<[string, string]> = [];
    for (let i = 0; i + 1 < raw.length; i += 2) pairs.push([raw[i]!, raw[i + 1]!]);
    received.push(pairs);
    const body = options.body?.(String(_headers[':path']));
    if (body === undefined) stream.respond({ ':status': 204 }, { endStream: true });
    else {
      stream.respond({ ':status': 200, 'content-type': 'text/plain; charset=utf-8' });
      stream.end(body);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const proxy = await startRecordingProxy((server.address() as AddressInfo).port);
  const client = http2.connect(`http://127.0.0.1:${proxy.port}`);
  client.on('error', () => undefined);
  try {
    // The server's SETTINGS (its table size) reach the client's encoder before the first request.
    await new Promise<void>((resolve, reject) => {
      client.once('remoteSettings', () => resolve());
      client.once('error', reject);
    });
    for (const request of requests) {
      const headers: http2.OutgoingHttpHeaders = { ':method': 'GET', ':path': request.path };
      for (const [name, value] of request.headers) headers[name] = headers[name] === undefined ? value : [String(headers[name]), value].flat();
      const stream = client.request(headers, { endStream: true });
      await new Promise<void>((resolve, reject) => {
        stream.on('error', reject);
        stream.on('close', () => resolve());
        stream.resume();
      });
    }
    await new Promise<void>((resolve) => client.close(() => resolve()));
    await proxy.drained(5000);
    return {
      clientToServer: proxy.recording('clientToServer').bytes,
      serverToClient: proxy.recording('serverToClient').bytes,
      transcript: proxy.transcript(),
      received,
    };
  } finally {
    client.destroy();
    await proxy.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
