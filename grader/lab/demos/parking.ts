// The parking lot demo (exercise 9): one file downloaded twice side by side over links of the same speed, over TCP
// (parking-tcp.ts) and over the learner's QUIC-shaped transport (parking-quic.ts); Switch network moves both
// clients to a new local port at the same moment. The run's state is published to the page as a snapshot (the
// lab's event stream) every 100 ms and at every event of the timeline. A new run, close() and the end of a run
// stop every server, relay, sandbox host and timer this one started.

import { randomBytes } from 'node:crypto';
import type { ExerciseSpec } from '../../course/schema';
import type { ParkingEvent, ParkingView, TcpRecovery } from '../view-parking';
import { PacedLink } from './parking-link';
import { QuicLane } from './parking-quic';
import { TcpLane } from './parking-tcp';

/** Both links carry the server's bytes at this speed (4 Mbit/s): a few seconds per megabyte. */
export const LINK_RATE = 500_000;
/** A lane with no new byte for this long has stalled. */
const STALL_MS = 15_000;
/** A run stops after this long, whatever its state. */
const RUN_LIMIT_MS = 120_000;
const PUBLISH_MS = 100;

interface Run {
  number: number;
  started: number;
  size: number;
  links: PacedLink[];
  tcp: TcpLane;
  quic: QuicLane;
  timeline: ParkingEvent[];
  state: ParkingView['state'];
  switchedAtMs?: number;
  timer?: NodeJS.Timeout;
  last?: ParkingView;
}

export class ParkingDemo {
  private current: Run | undefined;
  private runs = 0;
  /** Runs that ended by themselves and are still closing their sockets and sandbox host. */
  private readonly releasing = new Set<Promise<void>>();

  constructor(private readonly publish: (view: ParkingView) => void) {}

  /** Starts a run (stopping the one before); the lanes start in the background, the page follows the snapshots. */
  async start(root: string, exercise: ExerciseSpec, size: number, recovery: TcpRecovery): Promise<{ run: number }> {
    await this.stop();
    const payload = randomBytes(size);
    const links = [new PacedLink(LINK_RATE), new PacedLink(LINK_RATE)];
    const started = performance.now();
    const clock = () => Math.round(performance.now() - started);
    const report = (lane: ParkingEvent['lane']) => (kind: ParkingEvent['kind'], text: string) => {
      if (this.current !== run) return;
      run.timeline.push({ atMs: clock(), lane, kind, text });
      this.send(run);
    };
    const run: Run = {
      number: ++this.runs,
      started,
      size,
      links,
      timeline: [],
      state: 'starting',
      tcp: new TcpLane(payload, links[0]!, recovery, report('tcp'), clock),
      quic: new QuicLane(payload, links[1]!, report('quic'), clock),
    };
    this.current = run;
    run.timer = setInterval(() => this.tick(run), PUBLISH_MS);
    report('both')('start', `download of ${size.toLocaleString('en-US')} B starts on both lanes, each link at ${LINK_RATE / 1000} kB/s`);
    void (async () => {
      // The QUIC lane first (building the learner's code takes a moment), then TCP: both downloads start together.
      await run.quic.start(root, exercise);
      if (this.current !== run) return;
      await run.tcp.start();
      if (this.current !== run) return;
      run.state = 'running';
      this.send(run);
    })().catch((err: unknown) => report('both')('failed', `the run did not start: ${String(err)}`));
    return { run: run.number };
  }

  /** Switch network: both clients lose their address at the same moment. */
  async switchNetwork(runNumber: number): Promise<{ switched: boolean }> {
    const run = this.current;
    if (!run || run.number !== runNumber || run.state !== 'running') return { switched: false };
    run.switchedAtMs = Math.round(performance.now() - run.started);
    run.timeline.push({
      atMs: run.switchedAtMs,
      lane: 'both',
      kind: 'switch',
      text: 'Switch network: both clients lose their address and move to a new local port',
    });
    run.tcp.switchNetwork();
    await run.quic.switchNetwork();
    this.send(run);
    return { switched: true };
  }

  async stop(): Promise<void> {
    const run = this.current;
    this.current = undefined;
    if (run) await this.release(run);
  }

  async close(): Promise<void> {
    await this.stop();
    await Promise.all(this.releasing);
  }

  private async release(run: Run): Promise<void> {
    clearInterval(run.timer);
    for (const link of run.links) link.close();
    await Promise.all([run.tcp.close(), run.quic.close()]);
  }

  private view(run: Run): ParkingView {
    return {
      run: run.number,
      state: run.state,
      size: run.size,
      rate: LINK_RATE,
      elapsedMs: Math.round(performance.now() - run.started),
      switchedAtMs: run.switchedAtMs,
      tcp: run.tcp.view(),
      quic: run.quic.view(),
      timeline: run.timeline.slice(),
    };
  }

  private send(run: Run): void {
    run.last = this.view(run);
    this.publish(run.last);
  }

  private tick(run: Run): void {
    if (this.current !== run) return;
    if (run.state === 'running') run.quic.checkStall(STALL_MS);
    if (performance.now() - run.started > RUN_LIMIT_MS && run.state !== 'done') {
      run.timeline.push({ atMs: Math.round(performance.now() - run.started), lane: 'both', kind: 'failed', text: `stopped after ${RUN_LIMIT_MS / 1000} s` });
      run.state = 'done';
    }
    if (run.state === 'running' && run.tcp.finished && run.quic.finished) run.state = 'done';
    this.send(run);
    if (run.state === 'done') {
      // The last snapshot is out: free the run's sockets, sandbox host and timers.
      this.current = undefined;
      const releasing = this.release(run).finally(() => this.releasing.delete(releasing));
      this.releasing.add(releasing);
    }
  }
}
