// What the page may ask a demo to send, checked before anything is sent: a few requests with printable paths and
// ordinary header names (no connection-specific ones, which HTTP/2 forbids), within small limits. Anything else is
// a 400 with a sentence.

import type { HpackRequest } from './view';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** A demo's list of requests (1 to 20: a path, optional extra headers), checked field by field. */
export function requestList(body: { requests?: unknown } | null): HpackRequest[] {
  const b = body;
  if (!Array.isArray(b?.requests) || b.requests.length < 1 || b.requests.length > 20) throw new HttpError(400, 'send 1 to 20 requests');
  return b.requests.map((r: unknown): HpackRequest => {
    const x = r as { path?: unknown; headers?: unknown } | null;
    if (typeof x?.path !== 'string' || !/^\/[\x21-\x7e]{0,200}$/.test(x.path)) throw new HttpError(400, 'a path starts with / (printable ASCII, no spaces)');
    const headers = Array.isArray(x.headers) ? x.headers : [];
    if (headers.length > 20) throw new HttpError(400, 'at most 20 headers per request');
    return {
      path: x.path,
      headers: headers.map((h: unknown): [string, string] => {
        const [n, v] = Array.isArray(h) ? (h as unknown[]) : [];
        if (
          typeof n !== 'string' ||
          !/^[a-z0-9!#$%&'*+.^_`|~-]{1,64}$/.test(n) ||
          ['connection', 'host', 'te', 'upgrade', 'keep-alive', 'transfer-encoding'].includes(n)
        )
          throw new HttpError(400, `not a header name a request may carry: ${String(n).slice(0, 40)}`);
        if (typeof v !== 'string' || !/^[\x20-\x7e]{0,1000}$/.test(v)) throw new HttpError(400, `header ${n}: printable ASCII only`);
        return [n, v];
      }),
    };
  });
}

/** The HPACK demo's input: the requests and the table size (SETTINGS_HEADER_TABLE_SIZE, 0 to 65536). */
export function hpackInput(body: unknown): { requests: HpackRequest[]; tableSize: number } {
  const b = body as { requests?: unknown; tableSize?: unknown } | null;
  const tableSize = typeof b?.tableSize === 'number' && Number.isInteger(b.tableSize) && b.tableSize >= 0 && b.tableSize <= 65536 ? b.tableSize : 4096;
  return { requests: requestList(b), tableSize };
}
