// How the lab server answers and reads: every response carries the page's security headers, bodies are JSON with a
// JSON content type (a cross-site form cannot send one without a CORS preflight, which this server never grants)
// and a size cap. Shared by the server's own routes and the demos' routes.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from './demo-input';
import { SECURITY_HEADERS } from './page';

const BODY_CAP = 64 * 1024;

export function send(response: ServerResponse, status: number, type: string, body: string | Buffer): void {
  response.writeHead(status, { ...SECURITY_HEADERS, 'content-type': type });
  response.end(body);
}

export function json(response: ServerResponse, value: unknown, status = 200): void {
  send(response, status, 'application/json; charset=utf-8', JSON.stringify(value));
}

export async function readJson(request: IncomingMessage): Promise<unknown> {
  if (!/^application\/json\b/.test(request.headers['content-type'] ?? '')) throw new HttpError(415, 'send JSON');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > BODY_CAP) throw new HttpError(413, 'request too large');
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new HttpError(400, 'not JSON');
  }
}
