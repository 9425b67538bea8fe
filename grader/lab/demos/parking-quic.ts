// The parking lot's QUIC lane: the learner's QuicServer and QuicClient (exercise 9), in the sandbox host exactly as
// the suite's end-to-end tests run them, download the file through the paced UDP relay; Switch network calls the
// client's migrate() (a new socket, a new local port). Everything the page shows is read on the wire by the relay:
// the connection IDs of the handshake and of every 1-RTT packet, the stream bytes delivered, the server's
// PATH_CHALLENGE to the new address and the PATH_RESPONSE that validates it, where the stream went on. When the
// learner's code does not build, throws, or does not complete the handshake, the lab's built-in peer
// (parking-peer.ts, not the reference solution) runs instead and the view says why.

import type { Sandbox } from '../../../harness/sandbox/client';
import type { ExerciseSpec } from '../../course/schema';
import { visibleControls } from '../../report/safe-text';
import { openLearnerCode } from '../learner-code';
import type { ParkingEvent, ParkingQuicView } from '../view-parking';
import type { PacedLink } from './parking-link';
import { BuiltinQuicClient, BuiltinQuicServer } from './parking-peer';
import { PacedUdpRelay, type Crossing } from './parking-udp-relay';

type Report = (kind: ParkingEvent['kind'], text: string) => void;

/** The two endpoints of one lane, whoever wrote them. */
interface QuicEnds {
  listen(): Promise<number>;
  connect(relayPort: number): Promise<void>;
  migrate(): Promise<number>;
  /** The client's bytes, when it can give them (to compare with the file). */
  received(): Promise<Uint8Array | undefined>;
  close(): Promise<void>;
}

const short = (hex: string | undefined) => hex ?? '?';
const message = (err: unknown) => visibleControls(err instanceof Error ? err.message : String(err)).slice(0, 400);

function learnerEnds(sandbox: Sandbox, payload: Buffer, onComplete: (bytes: number) => void): QuicEnds {
  let client: Awaited<ReturnType<Sandbox['construct']>> | undefined;
  let server: Awaited<ReturnType<Sandbox['construct']>> | undefined;
  return {
    async listen() {
      server = await sandbox.construct('QuicServer', { payload: new Uint8Array(payload), retransmitMs: 300 });
      const port = await server.call('listen');
      if (typeof port !== 'number' || !Number.isInteger(port) || port <= 0 || port > 65535)
        throw new Error(`QuicServer.listen() resolved with ${String(port)}, not a port`);
      return port;
    },
    async connect(relayPort) {
      client = await sandbox.construct('QuicClient', {
        host: '127.0.0.1',
        port: relayPort,
        probeMs: 60,
        handshakeTimeoutMs: 5000,
        onComplete: sandbox.callback((bytes) => onComplete(Number(bytes))),
      });
      await client.callWithin(8000, 'connect');
    },
    async migrate() {
      const port = await client!.callWithin(5000, 'migrate');
      return typeof port === 'number' ? port : 0;
    },
    async received() {
      const bytes = await client?.callWithin(10_000, 'receivedBytes');
      return bytes instanceof Uint8Array ? bytes : undefined;
    },
    close: () => sandbox.close(),
  };
}

function builtinEnds(payload: Buffer, onComplete: (bytes: number) => void): QuicEnds {
  const server = new BuiltinQuicServer(payload);
  let client: BuiltinQuicClient | undefined;
  return {
    listen: () => server.listen(),
    async connect(relayPort) {
      client = new BuiltinQuicClient(relayPort, onComplete);
      await client.connect();
    },
    migrate: () => client!.migrate(),
    received: () => Promise.resolve(undefined),
    async close() {
      client?.close();
      server.close();
    },
  };
}

export class QuicLane {
  private source: ParkingQuicView['source'] = 'fallback';
  private fallbackReason: string | undefined;
  private ends: QuicEnds | undefined;
  private relay: PacedUdpRelay | undefined;
  private serverCid: string | undefined;
  private clientCid: string | undefined;
  private readonly dcids = new Set<string>();
  private readonly have: Uint8Array;
  private fileBytes = 0;
  private resumedAt: number | undefined;
  private done = false;
  private doneAtMs: number | undefined;
  private failed: string | undefined;
  private lastProgress = performance.now();
  /** The newest path announced in the timeline, and the newest on which the stream's resumption was noted. */
  private newPathSeen = 0;
  private resumedOnPath = 0;
  private closed = false;

  constructor(
    private readonly payload: Buffer,
    private readonly link: PacedLink,
    private readonly report: Report,
    private readonly clock: () => number,
  ) {
    this.have = new Uint8Array(payload.length);
  }

  /** The learner's endpoints if they start and shake hands, else the built-in peer's. */
  async start(root: string, exercise: ExerciseSpec): Promise<void> {
    const code = await openLearnerCode(root, exercise);
    // Stopped while the learner's code was building: nothing of this lane may outlive the run.
    if (this.closed) return void (await code.sandbox?.close());
    if (code.sandbox) {
      const learner = learnerEnds(code.sandbox, this.payload, (bytes) => void this.completed(bytes));
      const problem = await this.attempt(learner);
      if (!problem) {
        this.source = 'learner';
        return;
      }
      await learner.close();
      this.fallbackReason = problem;
    } else this.fallbackReason = code.problem;
    if (this.closed) return;
    this.report('note', `your QuicServer/QuicClient is not running (${this.fallbackReason}): the lab's built-in peer carries this lane`);
    const problem = await this.attempt(builtinEnds(this.payload, (bytes) => void this.completed(bytes)));
    if (problem) this.fail(`the built-in peer did not start: ${problem}`);
  }

  /** Client moves to a new local port; the relay will see a new address. */
  async switchNetwork(): Promise<void> {
    if (this.done || !this.ends || this.finished) return;
    try {
      const port = await this.ends.migrate();
      this.report('switch', `migrate() returned: the client is on local port ${port}, same connection, nothing else changed`);
    } catch (err) {
      this.fail(`migrate() failed: ${message(err)}`);
    }
  }

  /** No new byte for `ms`: the download has stalled. */
  checkStall(ms: number): void {
    if (this.finished || !this.ends || performance.now() - this.lastProgress < ms) return;
    this.fail(`no new byte of the file arrived for ${Math.round(ms / 1000)} s`);
  }

  get finished(): boolean {
    return this.done || this.failed !== undefined;
  }

  view(): ParkingQuicView {
    const paths = this.relay?.paths ?? [];
    return {
      source: this.source,
      fallbackReason: this.source === 'fallback' ? this.fallbackReason : undefined,
      serverCid: this.serverCid,
      clientCid: this.clientCid,
      dcidsSeen: [...this.dcids],
      paths: paths.map((p) => ({ clientPort: p.clientPort, serverSeesPort: p.backPort, challenges: p.challenges.length, validated: p.validated })),
      resumedAt: this.resumedAt,
      fileBytes: this.fileBytes,
      done: this.done,
      doneAtMs: this.doneAtMs,
      failed: this.failed,
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.relay?.close();
    await this.ends?.close();
  }

  /** Starts the server, a relay in front of it and the client; a sentence when something failed. */
  private async attempt(ends: QuicEnds): Promise<string | undefined> {
    try {
      const serverPort = await ends.listen();
      this.relay?.close();
      this.relay = new PacedUdpRelay(serverPort, this.link, (c) => this.crossed(c));
      const relayPort = await this.relay.start();
      this.ends = ends;
      this.lastProgress = performance.now();
      if (!this.closed) await ends.connect(relayPort);
      // Stopped meanwhile: close() may have run before these existed.
      if (this.closed) await this.close();
      return undefined;
    } catch (err) {
      this.ends = undefined;
      this.relay?.close();
      this.relay = undefined;
      this.serverCid = undefined;
      this.clientCid = undefined;
      this.dcids.clear();
      return message(err);
    }
  }

  private fail(why: string): void {
    if (this.finished) return;
    this.failed = why;
    this.report('failed', why);
  }

  private async completed(bytes: number): Promise<void> {
    if (this.finished) return;
    const onWire = this.fileBytes === this.payload.length;
    const received = await this.ends?.received().catch(() => undefined);
    if (!onWire) return this.fail(`onComplete(${bytes}) was called, but only ${this.fileBytes} of ${this.payload.length} B crossed the relay in order`);
    if (received && !Buffer.from(received).equals(this.payload)) return this.fail(`receivedBytes() gave ${received.length} B that differ from the file`);
    this.done = true;
    this.doneAtMs = this.clock();
    this.report(
      'complete',
      `complete: ${this.payload.length.toLocaleString('en-US')} B on one connection (ID ${short(this.serverCid)}), ${this.relay?.paths.length ?? 0} address${this.relay?.paths.length === 1 ? '' : 'es'}`,
    );
  }

  /** Every datagram that crossed the relay: the page's numbers and the timeline's wire events. */
  private crossed({ dir, path, packet, validates }: Crossing): void {
    if (this.closed) return;
    if (dir === 'c2s') {
      if (packet.form === 'short') {
        if (!this.dcids.has(packet.dcid) && this.dcids.size) this.report('note', `the client's packets now carry another connection ID: ${packet.dcid}`);
        this.dcids.add(packet.dcid);
      }
      if (path.index > 0 && path === this.relay?.paths[this.relay.paths.length - 1] && this.newPathSeen < path.index) {
        this.newPathSeen = path.index;
        this.report(
          'new-path',
          `the server sees a new address (port ${path.backPort}; the client is on port ${path.clientPort}): same connection ID ${packet.dcid}`,
        );
      }
      if (validates && validates.index > 0)
        this.report('validated', `path validated: the client's PATH_RESPONSE echoed the challenge sent to port ${validates.backPort}`);
      return;
    }
    if (packet.form === 'long' && packet.scid && !this.serverCid) {
      this.serverCid = packet.scid;
      this.clientCid = packet.dcid;
      this.report('connection', `handshake: the server chose connection ID ${packet.scid}, the client's is ${packet.dcid}`);
    }
    for (const f of packet.frames) {
      if (f.type === 'PATH_CHALLENGE' && path.index > 0)
        this.report('challenge', `the server sends PATH_CHALLENGE ${f.data} to the new address (port ${path.backPort})`);
      if (f.type !== 'STREAM' || f.streamId !== 3) continue;
      if (path.index > this.resumedOnPath) {
        this.resumedOnPath = path.index;
        this.resumedAt = f.offset;
        this.report('resumed', `the stream goes on at byte ${f.offset} on the new path (not from 0)`);
      }
      const end = Math.min(f.offset + f.length, this.have.length);
      if (end > f.offset) this.have.fill(1, f.offset, end);
    }
    const before = this.fileBytes;
    while (this.fileBytes < this.have.length && this.have[this.fileBytes]) this.fileBytes++;
    if (this.fileBytes > before) this.lastProgress = performance.now();
  }
}
