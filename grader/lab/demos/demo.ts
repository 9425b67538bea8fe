// What a demo is to the lab server: a set of routes (keyed "METHOD /path", all under /api/demo/ or the demo's own
// stream), built from what every demo may use (the course root, an exercise by id, the page's event stream), and
// a close() for whatever it keeps running (servers, sandbox hosts, timers). One file per demo registers itself in
// demos/index.ts; the server knows none of them by name.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ExerciseSpec } from '../../course/schema';

export type Route = (request: IncomingMessage, response: ServerResponse, url: URL) => Promise<void> | void;

export interface DemoContext {
  root: string;
  /** The course's exercise with this id, or a 404 HttpError. */
  exerciseOf(id: string): ExerciseSpec;
  /** Sends a named event with a JSON payload to every open page (the lab's SSE stream). */
  publish(event: string, data: unknown): void;
}

export interface LabDemo {
  routes: Record<string, Route>;
  close?(): Promise<void> | void;
}

export type DemoFactory = (ctx: DemoContext) => LabDemo;
