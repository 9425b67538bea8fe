// Who may talk to the lab server: only the browser tab the learner opened from the printed URL. The server binds
// 127.0.0.1, but any web page the learner visits can still make their browser send requests to it, and a DNS
// rebinding attack can make a foreign name resolve to 127.0.0.1. So every request must carry the random token of
// the printed URL, name this server in its Host header (127.0.0.1:PORT or localhost:PORT, never a foreign name),
// and, when the browser says where it comes from (Origin, Sec-Fetch-Site), come from this server's own page.

import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export interface GuardInput {
  headers: IncomingHttpHeaders;
  /** The request's URL (path and query). */
  url: string;
}

/** Why a request is refused (a sentence for the 403 body), or undefined when it may pass. */
export function refusal(request: GuardInput, port: number, token: string): string | undefined {
  const own = [`127.0.0.1:${port}`, `localhost:${port}`];
  const host = request.headers.host?.toLowerCase();
  if (!host || !own.includes(host)) return 'the Host header does not name this lab server';
  const origin = request.headers.origin;
  if (origin !== undefined && !own.some((h) => origin.toLowerCase() === `http://${h}`)) return 'the request comes from another origin';
  const site = request.headers['sec-fetch-site'];
  if (typeof site === 'string' && site !== 'same-origin' && site !== 'none') return 'the request comes from another site';
  const given = new URL(request.url, 'http://lab.invalid').searchParams.get('t') ?? '';
  if (!sameSecret(given, token)) return 'the token of the lab URL is missing or wrong (open the URL that `course lab` printed)';
  return undefined;
}

function sameSecret(given: string, token: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}
