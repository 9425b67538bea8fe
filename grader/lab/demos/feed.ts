// The live feed demo (exercise 5): the feed (feed-script.ts) is served on a port of its own to the learner's
// SseClient, running in the sandbox host with undici's fetch exactly as the suite gives it, and through the lab
// server to the browser's own EventSource; what the learner's client dispatches (events, opens, errors) is relayed
// to the page as it happens, where the two columns are compared. When the learner's client does not start, the
// browser's EventSource is the built-in peer and the page says why.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Sandbox } from '../../../harness/sandbox/client';
import type { ExerciseSpec } from '../../course/schema';
import { visibleControls } from '../../report/safe-text';
import { openLearnerCode } from '../learner-code';
import type { FeedView } from '../view';
import { FEED, serveFeed } from './feed-script';

/** How long a learner's client may run before the demo stops it (the feed takes about 3 s). */
const RUN_LIMIT_MS = 20_000;

export class FeedDemo {
  private server: http.Server | undefined;
  private sandbox: Sandbox | undefined;
  private stopTimer: NodeJS.Timeout | undefined;
  private run = 0;

  constructor(private readonly send: (view: FeedView) => void) {}

  /** Starts a run: the learner's client connects to the feed; the page's EventSource connects on its own. */
  async start(root: string, exercise: ExerciseSpec): Promise<{ run: number }> {
    await this.stop();
    const run = ++this.run;
    const url = await this.listen();
    const code = await openLearnerCode(root, exercise);
    if (!code.sandbox) {
      this.send({ run, kind: 'status', source: 'fallback', text: code.problem });
      return { run };
    }
    this.sandbox = code.sandbox;
    const relay = (kind: FeedView['kind']) =>
      code.sandbox.callback((...args: unknown[]) => {
        if (run !== this.run) return;
        const e = (args[0] ?? {}) as { type?: unknown; data?: unknown; lastEventId?: unknown; readyState?: unknown };
        const text = (v: unknown) => (typeof v === 'string' ? visibleControls(v).slice(0, 2000) : undefined);
        this.send({
          run,
          kind,
          type: text(e.type),
          data: text(e.data),
          lastEventId: text(e.lastEventId),
          readyState: typeof e.readyState === 'number' ? e.readyState : undefined,
        });
      });
    const listeners = { open: relay('open'), error: relay('error'), message: relay('event'), notice: relay('event') };
    try {
      await code.sandbox.construct('SseClient', url, { fetch: { $require: 'undici', export: 'fetch' }, reconnectionTime: FEED.retryMs, listeners });
      this.send({ run, kind: 'status', source: 'learner', text: 'your SseClient is connected to the feed' });
    } catch (err) {
      this.send({ run, kind: 'status', source: 'fallback', text: visibleControls(err instanceof Error ? err.message : String(err)) });
      await this.stop();
      return { run };
    }
    this.stopTimer = setTimeout(() => void this.stop(), RUN_LIMIT_MS);
    return { run };
  }

  async stop(): Promise<void> {
    clearTimeout(this.stopTimer);
    const sandbox = this.sandbox;
    this.sandbox = undefined;
    await sandbox?.close();
  }

  async close(): Promise<void> {
    await this.stop();
    this.server?.closeAllConnections();
    this.server?.close();
  }

  /** The feed's own server for the learner's client (started once), on 127.0.0.1. */
  private async listen(): Promise<string> {
    if (!this.server) {
      const server = http.createServer((request, response) => {
        if (request.url !== '/feed') {
          response.writeHead(404).end();
          return;
        }
        serveFeed(request, response);
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      this.server = server;
    }
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/feed`;
  }
}
