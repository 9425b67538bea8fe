// The lab server: node:http on 127.0.0.1 only, every request checked by guard.ts (token, Host, Origin) before
// anything else, then a handful of routes: the page and its two assets, the course list, a lesson as HTML, the
// Server-Sent Events stream, and the actions (check, select an exercise, run a demo). The learner's code is never
// loaded here: checks run in the trusted jest process with the sandbox host, demos reach the sandbox host through
// its RPC client.

import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Context } from '../commands/command';
import { loadCourse } from '../course/course-file';
import { distFile } from '../paths';
import { watchCourse } from './course-view';
import { FeedDemo } from './demos/feed';
import { serveFeed } from './demos/feed-script';
import { runFramesDemo } from './demos/frames';
import { runHpackDemo } from './demos/hpack';
import { refusal } from './guard';
import { lessonHtml } from './lesson-html';
import { pageHtml, SECURITY_HEADERS } from './page';
import { EventHub } from './sse';
import { HttpError, hpackInput, requestList } from './demo-input';
import { LAB_EVENTS } from './view';
import { LabWatch } from './watch-session';

export interface LabOptions {
  ctx: Context;
  exerciseId: string;
  port: number;
  poll: boolean;
}

export interface RunningLab {
  url: string;
  port: number;
  close(): Promise<void>;
}

const BODY_CAP = 64 * 1024;

function send(response: ServerResponse, status: number, type: string, body: string | Buffer): void {
  response.writeHead(status, { ...SECURITY_HEADERS, 'content-type': type });
  response.end(body);
}

const json = (response: ServerResponse, value: unknown, status = 200) => send(response, status, 'application/json; charset=utf-8', JSON.stringify(value));

async function readJson(request: IncomingMessage): Promise<unknown> {
  // A JSON content type: a cross-site form cannot send one without a CORS preflight, which this server never grants.
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

export async function startLab(options: LabOptions): Promise<RunningLab> {
  const { ctx } = options;
  const token = randomBytes(24).toString('base64url');
  const hub = new EventHub();
  const course = watchCourse(ctx.root, (view) => hub.send(LAB_EVENTS.course, view));
  const session = new LabWatch({
    ctx,
    exerciseId: options.exerciseId,
    poll: options.poll,
    onView: (view) => hub.send(LAB_EVENTS.watch, view),
    onTest: (test) => hub.send(LAB_EVENTS.test, test),
  });
  const feed = new FeedDemo((view) => hub.send(LAB_EVENTS.feed, view));
  const asset = (file: string) => readFileSync(distFile('lab', 'browser', file));
  let port = 0;

  const exerciseOf = (id: unknown) => {
    const found = loadCourse(ctx.root).data.exercises.find((e) => e.id === id);
    if (!found) throw new HttpError(404, 'no such exercise');
    return found;
  };

  const route = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://lab.invalid');
    const method = request.method ?? 'GET';
    const key = `${method} ${url.pathname}`;
    switch (key) {
      case 'GET /':
        return send(response, 200, 'text/html; charset=utf-8', pageHtml(token, course.current().title));
      case 'GET /lab.js':
        return send(response, 200, 'text/javascript; charset=utf-8', asset('lab.js'));
      case 'GET /lab.css':
        return send(response, 200, 'text/css; charset=utf-8', asset('lab.css'));
      case 'GET /api/course':
        return json(response, { course: course.current(), watch: session.view() });
      case 'GET /api/lesson':
        return json(response, { id: url.searchParams.get('id'), html: await lessonHtml(ctx.root, exerciseOf(url.searchParams.get('id'))) });
      case 'GET /events':
        return hub.attach(response, [
          { event: LAB_EVENTS.course, data: course.current() },
          { event: LAB_EVENTS.watch, data: session.view() },
        ]);
      case 'POST /api/check':
        session.check();
        return json(response, { ok: true }, 202);
      case 'POST /api/select': {
        const body = (await readJson(request)) as { id?: unknown } | null;
        session.select(exerciseOf(body?.id).id);
        return json(response, { ok: true }, 202);
      }
      case 'POST /api/demo/hpack': {
        const { requests, tableSize } = hpackInput(await readJson(request));
        return json(response, await runHpackDemo(ctx.root, exerciseOf('hpack-table'), requests, tableSize));
      }
      case 'POST /api/demo/frames': {
        const requests = requestList((await readJson(request)) as { requests?: unknown } | null);
        return json(response, await runFramesDemo(ctx.root, exerciseOf('frame-parser'), requests));
      }
      case 'POST /api/demo/feed':
        return json(response, await feed.start(ctx.root, exerciseOf('sse-consumer')));
      case 'GET /api/demo/feed/stream':
        // The browser's EventSource: the same feed, through the lab's own origin (the page's CSP allows no other).
        return serveFeed(request, response, SECURITY_HEADERS);
      default:
        throw new HttpError(404, 'not found');
    }
  };

  const server = http.createServer((request, response) => {
    const refused = refusal({ headers: request.headers, url: request.url ?? '/' }, port, token);
    if (refused) return send(response, 403, 'text/plain; charset=utf-8', `403 forbidden: ${refused}\n`);
    route(request, response).catch((err: unknown) => {
      const status = err instanceof HttpError ? err.status : 500;
      if (!response.headersSent) json(response, { error: err instanceof Error ? err.message : String(err) }, status);
      else response.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  session.start();
  return {
    port,
    url: `http://127.0.0.1:${port}/?t=${token}`,
    async close() {
      session.close();
      course.close();
      await feed.close();
      hub.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
