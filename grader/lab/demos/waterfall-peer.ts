// The waterfall demo's built-in server, used while exercise 11 is not passing: a node:http server and a node:http2
// cleartext (h2c) server, NOT the reference solution (the learners' copy has none), serving the same route as
// exercise 11's server, GET /resource/N, with a body of "resource N" padded to the size the page asked for.

import http from 'node:http';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';

/** The body of resource N: "resource N", padded with dots to `size` octets (never cut below the name). */
export function resourceBody(n: string, size: number): string {
  const name = `resource ${n}`;
  return name.length >= size ? name : name + '.'.repeat(size - name.length);
}

export interface BuiltInPair {
  http1Port: number;
  http2Port: number;
  close(): Promise<void>;
}

export async function startBuiltInPair(size: number): Promise<BuiltInPair> {
  const answer = (path: string | undefined): { status: number; body: string } => {
    const match = /^\/resource\/(\d{1,6})$/.exec(path ?? '');
    return match ? { status: 200, body: resourceBody(match[1]!, size) } : { status: 404, body: 'not found' };
  };
  const h1 = http.createServer((request, response) => {
    const { status, body } = answer(request.url);
    response.writeHead(status, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) }).end(body);
  });
  const h2 = http2.createServer();
  h2.on('stream', (stream, headers) => {
    const { status, body } = answer(headers[':path']);
    stream.respond({ ':status': status, 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) });
    stream.end(body);
  });
  const sessions = new Set<http2.ServerHttp2Session>();
  h2.on('session', (s) => {
    sessions.add(s);
    s.on('close', () => sessions.delete(s));
  });
  const listen = (server: http.Server | http2.Http2Server) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
    });
  const http1Port = await listen(h1);
  const http2Port = await listen(h2);
  return {
    http1Port,
    http2Port,
    close: async () => {
      h1.closeAllConnections();
      for (const s of sessions) s.destroy();
      await Promise.all([new Promise((r) => h1.close(r)), new Promise((r) => h2.close(r))]);
    },
  };
}
