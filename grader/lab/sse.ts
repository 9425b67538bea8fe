// The lab's Server-Sent Events stream (the course's own subject, WHATWG HTML §9.2): one response per open page,
// kept open; every change the page shows live (course.yaml progress, a check's results as each test finishes, a
// demo's state) is sent to all of them as a named event with a JSON payload. A comment line every 15 s keeps idle
// connections from being closed by anything in between.

import type { ServerResponse } from 'node:http';

export class EventHub {
  private readonly clients = new Set<ServerResponse>();
  private nextId = 1;
  private readonly keepAlive = setInterval(() => this.write(': keep-alive\n\n'), 15_000).unref();

  /** Takes over a response as an event stream, until the page goes away. */
  attach(response: ServerResponse, first: Array<{ event: string; data: unknown }>): void {
    response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive' });
    // retry: the page reconnects quickly when the lab restarts.
    response.write('retry: 1000\n\n');
    for (const { event, data } of first) response.write(this.format(event, data));
    this.clients.add(response);
    response.on('close', () => this.clients.delete(response));
  }

  send(event: string, data: unknown): void {
    this.write(this.format(event, data));
  }

  get size(): number {
    return this.clients.size;
  }

  close(): void {
    clearInterval(this.keepAlive);
    for (const client of this.clients) client.end();
    this.clients.clear();
  }

  private format(event: string, data: unknown): string {
    // JSON.stringify never emits a raw newline, so the payload is one data line.
    return `id: ${this.nextId++}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
  }

  private write(text: string): void {
    for (const client of this.clients) client.write(text);
  }
}
