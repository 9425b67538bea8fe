// The lab server: node:http on 127.0.0.1 only, every request checked by guard.ts (token, Host, Origin) before
// anything else, then its own routes (the page and its two assets, the course list, a lesson as HTML, the Server-Sent
// Events stream, check and select an exercise) and those of every demo in demos/index.ts. The learner's code is never
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
import { HttpError } from './demo-input';
import type { DemoContext, LabDemo, Route } from './demos/demo';
import { DEMOS } from './demos/index';
import { refusal } from './guard';
import { json, readJson, send } from './http-io';
import { lessonHtml } from './lesson-html';
import { pageHtml } from './page';
import { EventHub } from './sse';
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

interface LabParts {
  root: string;
  token: string;
  hub: EventHub;
  course: ReturnType<typeof watchCourse>;
  session: LabWatch;
  demos: LabDemo[];
}

function exerciseOf(root: string, id: unknown) {
  const found = loadCourse(root).data.exercises.find((e) => e.id === id);
  if (!found) throw new HttpError(404, 'no such exercise');
  return found;
}

/** The lab's own routes: the page and its assets, the course, a lesson, the event stream, check and select. */
function labRoutes({ root, token, hub, course, session }: LabParts): Record<string, Route> {
  const asset = (file: string) => readFileSync(distFile('lab', 'browser', file));
  return {
    'GET /': (_q, response) => send(response, 200, 'text/html; charset=utf-8', pageHtml(token, course.current().title)),
    'GET /lab.js': (_q, response) => send(response, 200, 'text/javascript; charset=utf-8', asset('lab.js')),
    'GET /lab.css': (_q, response) => send(response, 200, 'text/css; charset=utf-8', asset('lab.css')),
    'GET /api/course': (_q, response) => json(response, { course: course.current(), watch: session.view() }),
    'GET /api/lesson': async (_q, response, url) => {
      const id = url.searchParams.get('id');
      json(response, { id, html: await lessonHtml(root, exerciseOf(root, id)) });
    },
    'GET /events': (_q, response) =>
      hub.attach(response, [
        { event: LAB_EVENTS.course, data: course.current() },
        { event: LAB_EVENTS.watch, data: session.view() },
      ]),
    'POST /api/check': (_q, response) => {
      session.check();
      json(response, { ok: true }, 202);
    },
    'POST /api/select': async (request, response) => {
      const body = (await readJson(request)) as { id?: unknown } | null;
      session.select(exerciseOf(root, body?.id).id);
      json(response, { ok: true }, 202);
    },
  };
}

function startParts(options: LabOptions): LabParts {
  const { ctx } = options;
  const hub = new EventHub();
  const course = watchCourse(ctx.root, (view) => hub.send(LAB_EVENTS.course, view));
  const session = new LabWatch({
    ctx,
    exerciseId: options.exerciseId,
    poll: options.poll,
    onView: (view) => hub.send(LAB_EVENTS.watch, view),
    onTest: (test) => hub.send(LAB_EVENTS.test, test),
  });
  const demoContext: DemoContext = {
    root: ctx.root,
    exerciseOf: (id) => exerciseOf(ctx.root, id),
    publish: (event, data) => hub.send(event, data),
  };
  const demos = DEMOS.map((make) => make(demoContext));
  return { root: ctx.root, token: randomBytes(24).toString('base64url'), hub, course, session, demos };
}

function routeTable(parts: LabParts): Map<string, Route> {
  const table = new Map<string, Route>(Object.entries(labRoutes(parts)));
  for (const demo of parts.demos)
    for (const [key, route] of Object.entries(demo.routes)) {
      if (table.has(key)) throw new Error(`two lab routes for ${key}`);
      table.set(key, route);
    }
  return table;
}

export async function startLab(options: LabOptions): Promise<RunningLab> {
  const parts = startParts(options);
  const table = routeTable(parts);
  let port = 0;
  const route = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://lab.invalid');
    const handler = table.get(`${request.method ?? 'GET'} ${url.pathname}`);
    if (!handler) throw new HttpError(404, 'not found');
    await handler(request, response, url);
  };
  const server = http.createServer((request, response) => {
    const refused = refusal({ headers: request.headers, url: request.url ?? '/' }, port, parts.token);
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
  parts.session.start();
  return {
    port,
    url: `http://127.0.0.1:${port}/?t=${parts.token}`,
    async close() {
      parts.session.close();
      parts.course.close();
      for (const demo of parts.demos) await demo.close?.();
      parts.hub.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
