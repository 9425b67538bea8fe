// The waterfall demo (exercise 11; the lesson's "6 connections vs 1"): a page of N resources fetched over HTTP/1.1
// with at most six connections and over one HTTP/2 connection, each lane through its own latency-and-loss relay
// (waterfall-relay.ts), every request's times measured by the clients (waterfall-fetch.ts). The server is the
// learner's AlpnServer, in the sandbox host exactly as the suite starts it (a throwaway CA's certificate; ALPN
// picks http/1.1 for one lane and h2 for the other on the same port), whose own connections() count is shown
// beside the relay's. While it does not build, throws, answers wrongly or the openssl command line is missing,
// the built-in node:http + node:http2 pair serves instead (waterfall-peer.ts), and the result says why.
// (Exercise 8's H2Server is not used: it speaks h2c only, so it could serve one lane of the two.)

import type { Sandbox } from '../../../harness/sandbox/client';
import { makeThrowawayCa, type ThrowawayCa } from '../../../harness/support/throwaway-ca';
import type { ExerciseSpec } from '../../course/schema';
import { visibleControls } from '../../report/safe-text';
import { openLearnerCode } from '../learner-code';
import type { WaterfallLane, WaterfallResult, WaterfallSettings } from '../view-waterfall';
import { fetchOverHttp1, fetchOverHttp2, type FetchedRequest } from './waterfall-fetch';
import { resourceBody, startBuiltInPair } from './waterfall-peer';
import { LatencyRelay } from './waterfall-relay';

const LANE_TIMEOUT_MS = 60_000;

/** A lost chunk waits one retransmission timeout: Linux's minimum (200 ms), or three one-way latencies if longer. */
export const rtoFor = (latencyMs: number) => Math.max(200, 3 * latencyMs);

class FallbackNeeded extends Error {}

type Closer = () => Promise<void> | void;

/** What one run keeps open. Once the run is closed (a newer run started, the lab stops), whatever it still opens
 * is closed at once: a superseded run that was waiting on the sandbox cannot leave a server behind. */
class RunResources {
  private closers: Closer[] = [];
  private closed = false;

  add(close: Closer): void {
    if (this.closed) void Promise.resolve(close()).catch(() => undefined);
    else this.closers.push(close);
  }

  /** Closes what is open so far; the run goes on (its fallback opens more). */
  async release(): Promise<void> {
    const closers = this.closers.reverse();
    this.closers = [];
    for (const close of closers) await Promise.resolve(close()).catch(() => undefined);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.release();
  }
}

export class WaterfallDemo {
  private current = new RunResources();

  async start(root: string, exercise: ExerciseSpec, settings: WaterfallSettings): Promise<WaterfallResult | { superseded: true }> {
    await this.current.close();
    const run = new RunResources();
    this.current = run;
    const superseded = () => this.current !== run;
    try {
      try {
        return await this.overLearnerServer(run, root, exercise, settings);
      } catch (err) {
        if (superseded()) return { superseded: true };
        await run.release();
        const reason = err instanceof Error ? err.message : String(err);
        return await this.overBuiltInPair(run, settings, visibleControls(reason).slice(0, 500));
      }
    } catch (err) {
      if (superseded()) return { superseded: true };
      throw err;
    } finally {
      await run.close();
    }
  }

  /** Ends the run in progress (it answers "superseded"): the lab is closing. */
  close(): Promise<void> {
    const run = this.current;
    this.current = new RunResources();
    return run.close();
  }

  private async overLearnerServer(run: RunResources, root: string, exercise: ExerciseSpec, settings: WaterfallSettings): Promise<WaterfallResult> {
    const code = await openLearnerCode(root, exercise);
    if (!code.sandbox) throw new FallbackNeeded(code.problem);
    const sandbox: Sandbox = code.sandbox;
    run.add(() => sandbox.close());
    let ca: ThrowawayCa;
    try {
      ca = makeThrowawayCa('course lab waterfall');
    } catch {
      throw new FallbackNeeded('the openssl command line, which makes the certificate your TLS server needs, is not available here');
    }
    run.add(() => ca.dispose());
    const server = await sandbox.construct('AlpnServer', { key: ca.key, cert: ca.cert, host: '127.0.0.1', port: 0, delayMs: 0 });
    const port = await server.call('listen');
    if (typeof port !== 'number' || !Number.isInteger(port) || port <= 0)
      throw new FallbackNeeded(`AlpnServer.listen() resolved with ${JSON.stringify(port)}, not a port`);
    run.add(async () => void (await server.call('close').catch(() => undefined)));
    const counted = async (): Promise<number> => {
      const records = await server.call('connections');
      if (!Array.isArray(records)) throw new FallbackNeeded('AlpnServer.connections() did not return an array');
      return records.length;
    };
    const expected = (i: number) => `resource ${i}`;
    const h1 = await this.lane(run, 'http/1.1', port, settings, ca.caCert, expected);
    const afterH1 = await counted();
    const h2 = await this.lane(run, 'h2', port, settings, ca.caCert, expected);
    const afterH2 = await counted();
    return {
      source: 'learner',
      server: 'your AlpnServer (exercise 11): TLS on one port, ALPN chose http/1.1 for one lane and h2 for the other',
      settings,
      sizeApplied: false,
      rtoMs: rtoFor(settings.latencyMs),
      lanes: [
        { ...h1, serverCounted: afterH1 },
        { ...h2, serverCounted: afterH2 - afterH1 },
      ],
    };
  }

  private async overBuiltInPair(run: RunResources, settings: WaterfallSettings, reason: string): Promise<WaterfallResult> {
    const pair = await startBuiltInPair(settings.size);
    run.add(() => pair.close());
    const expected = (i: number) => resourceBody(String(i), settings.size);
    const h1 = await this.lane(run, 'http/1.1', pair.http1Port, settings, undefined, expected);
    const h2 = await this.lane(run, 'h2', pair.http2Port, settings, undefined, expected);
    return {
      source: 'fallback',
      fallbackReason: reason,
      server: 'the built-in pair: a node:http server and a node:http2 server, cleartext (h2c)',
      settings,
      sizeApplied: true,
      rtoMs: rtoFor(settings.latencyMs),
      lanes: [h1, h2],
    };
  }

  /** One lane: a fresh relay in front of the server, the page's resources fetched through it, checked. */
  private async lane(
    run: RunResources,
    protocol: WaterfallLane['protocol'],
    serverPort: number,
    settings: WaterfallSettings,
    ca: string | undefined,
    expectedBody: (i: number) => string,
  ): Promise<WaterfallLane> {
    const startedAt = performance.now();
    const relay = new LatencyRelay(serverPort, { ...settings, rtoMs: rtoFor(settings.latencyMs), startedAt });
    const relayPort = await relay.listen();
    run.add(() => relay.close());
    const target = {
      port: relayPort,
      ca,
      paths: Array.from({ length: settings.resources }, (_, i) => `/resource/${i}`),
      connectionOf: (p: number | undefined) => relay.connectionOf(p),
      startedAt,
      timeoutMs: LANE_TIMEOUT_MS,
    };
    let fetched: FetchedRequest[];
    try {
      fetched = protocol === 'h2' ? await fetchOverHttp2(target) : await fetchOverHttp1(target);
    } catch (err) {
      throw new FallbackNeeded(`the ${protocol} lane failed: ${err instanceof Error ? err.message : String(err)}`);
    }
    fetched.forEach((r, i) => {
      if (r.status !== 200 || r.body !== expectedBody(i))
        throw new FallbackNeeded(
          `${protocol}: GET ${r.path} answered ${r.status} ${JSON.stringify(r.body.slice(0, 60))}, expected 200 ${JSON.stringify(expectedBody(i).slice(0, 60))}`,
        );
    });
    const requests = fetched.map(({ body: _body, ...r }) => r);
    relay.close();
    return {
      protocol,
      connections: new Set(requests.map((r) => r.connection)).size,
      totalMs: Math.max(...requests.map((r) => r.lastByteAt)),
      requests,
      stalls: [...relay.stalls].sort((a, b) => a.atMs - b.atMs),
    };
  }
}
