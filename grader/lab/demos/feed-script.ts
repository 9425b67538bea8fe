// The live feed's Server-Sent Events stream, with faults: the same script for every client that connects (the
// learner's SseClient and the browser's EventSource), driven only by the Last-Event-ID the client sends, so two
// clients that follow the WHATWG rules see the same events. Per connection: `retry:` first, a comment, then events
// one every TICK_MS (every third one a named "notice" with two data lines); after CUT_EVERY events the server
// drops the connection (a network failure, in the middle of nowhere the client can tell); once the last event was
// sent, a reconnection gets 204 No Content, which tells an EventSource to stop for good (WHATWG HTML §9.2.3).

import type { IncomingMessage, ServerResponse } from 'node:http';

export const FEED = { events: 10, cutEvery: 4, tickMs: 150, retryMs: 300 } as const;

/** The event with this id, as the stream carries it. */
export function feedEvent(id: number): string {
  if (id % 3 === 0) return `id: ${id}\nevent: notice\ndata: notice ${id}\ndata: (a second data line)\n\n`;
  return `id: ${id}\ndata: tick ${id}\n\n`;
}

/** Serves one connection of the feed. Returns when the connection ended (either side). */
export function serveFeed(request: IncomingMessage, response: ServerResponse, extraHeaders: Record<string, string> = {}): void {
  const header = request.headers['last-event-id'];
  const last = typeof header === 'string' && /^\d+$/.test(header) ? Number(header) : 0;
  if (last >= FEED.events) {
    response.writeHead(204, extraHeaders);
    response.end();
    return;
  }
  response.writeHead(200, { ...extraHeaders, 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store' });
  response.write(`retry: ${FEED.retryMs}\n: connection from event ${last + 1}\n\n`);
  let next = last + 1;
  let sent = 0;
  const timer = setInterval(() => {
    if (response.destroyed) return clearInterval(timer);
    if (sent === FEED.cutEvery || next > FEED.events) {
      clearInterval(timer);
      // A dropped connection, not a clean end (the chunked body is never finished): the client must reconnect with
      // the last id it saw. A FIN after the data rather than a reset: a reset may make the client's TCP stack
      // discard the last event before the client has read it.
      response.socket?.end();
      return;
    }
    response.write(feedEvent(next++));
    sent++;
  }, FEED.tickMs);
  response.on('close', () => clearInterval(timer));
}
