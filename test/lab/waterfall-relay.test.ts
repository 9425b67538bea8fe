// The waterfall demo's relay (grader/lab/demos/waterfall-relay.ts) on real sockets: an echo server behind it, a
// client in front. What the design guarantees, as lower bounds and orderings only (the machine may be slow, never
// fast): no byte reaches the server before the emulated TCP handshake (3 one-way trips) plus its own trip, each way
// costs the latency, bytes come out in the order they went in, and a "lost" chunk (seed 1 at 10% loses connection
// 1's first chunk towards the client, not connection 2's) arrives one retransmission timeout late with every later
// byte of its connection behind it, while the other connection is not held: the relay lists that one stall only.

import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { LatencyRelay } from '../../grader/lab/demos/waterfall-relay';

const LATENCY = 15;
const RTO = 200;

let echo: net.Server;
let echoPort: number;
const relays: LatencyRelay[] = [];

beforeAll(async () => {
  echo = net.createServer((s) => s.pipe(s));
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
  echoPort = (echo.address() as AddressInfo).port;
});

afterAll(async () => {
  for (const r of relays) r.close();
  await new Promise((resolve) => echo.close(resolve));
});

async function relayWith(lossPercent: number): Promise<{ relay: LatencyRelay; port: number }> {
  const relay = new LatencyRelay(echoPort, { latencyMs: LATENCY, lossPercent, seed: 1, rtoMs: RTO, startedAt: performance.now() });
  relays.push(relay);
  return { relay, port: await relay.listen() };
}

/** Connects, writes each piece (one write each), and resolves with when each byte came back (ms from connecting). */
async function exchange(port: number, pieces: string[]): Promise<{ text: string; arrivals: number[]; localPort: number }> {
  // Time zero before connecting: the relay accepts (and starts its handshake's clock) after this.
  const t0 = performance.now();
  const socket = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve) => socket.once('connect', resolve));
  socket.setNoDelay(true);
  const expected = pieces.join('').length;
  let text = '';
  const arrivals: number[] = [];
  const done = new Promise<void>((resolve) =>
    socket.on('data', (c: Buffer) => {
      text += c.toString('latin1');
      for (let i = 0; i < c.length; i++) arrivals.push(performance.now() - t0);
      if (text.length >= expected) resolve();
    }),
  );
  for (const p of pieces) {
    socket.write(p);
    await new Promise((r) => setTimeout(r, 2));
  }
  await done;
  const localPort = socket.localPort!;
  socket.destroy();
  return { text, arrivals, localPort };
}

test('each way costs the latency, after the emulated TCP handshake; bytes keep their order; the connection is known by its port', async () => {
  const { relay, port } = await relayWith(0);
  const { text, arrivals, localPort } = await exchange(port, ['a', 'b', 'c', 'd']);
  expect(text).toBe('abcd');
  // SYN, SYN-ACK and the first byte's trip (3 one-way), then the echo's trip back: at least 4 × latency.
  expect(arrivals[0]).toBeGreaterThanOrEqual(4 * LATENCY - 1);
  for (let i = 1; i < arrivals.length; i++) expect(arrivals[i]).toBeGreaterThanOrEqual(arrivals[i - 1]!);
  expect(relay.connectionOf(localPort)).toBe(1);
  expect(relay.connections).toBe(1);
  expect(relay.stalls).toEqual([]);
});

test("a lost chunk holds back its own connection's later bytes, and only its own", async () => {
  const { relay, port } = await relayWith(10);
  const first = await exchange(port, ['x', 'y']);
  const second = await exchange(port, ['x', 'y']);
  expect([first.text, second.text]).toEqual(['xy', 'xy']);
  // Connection 1: the echo's first chunk is lost; it and what follows it wait one retransmission timeout.
  expect(first.arrivals[0]).toBeGreaterThanOrEqual(4 * LATENCY + RTO - 1);
  expect(first.arrivals[1]).toBeGreaterThanOrEqual(first.arrivals[0]!);
  expect(relay.stalls).toEqual([expect.objectContaining({ connection: 1, direction: 'to-client', delayMs: RTO })]);
  // Connection 2 lost nothing (its draws start at 0.43 each way): held only by the latency.
  expect([relay.connectionOf(first.localPort), relay.connectionOf(second.localPort)]).toEqual([1, 2]);
  expect(second.arrivals[0]).toBeGreaterThanOrEqual(4 * LATENCY - 1);
});

test('a server that answers and closes at once: its answer still crosses, late, then the client sees the end', async () => {
  const closer = net.createServer((s) => s.end('bye'));
  await new Promise<void>((resolve) => closer.listen(0, '127.0.0.1', resolve));
  const relay = new LatencyRelay((closer.address() as AddressInfo).port, {
    latencyMs: LATENCY,
    lossPercent: 0,
    seed: 1,
    rtoMs: RTO,
    startedAt: performance.now(),
  });
  relays.push(relay);
  try {
    const relayPort = await relay.listen();
    const t0 = performance.now();
    const socket = net.connect(relayPort, '127.0.0.1');
    let text = '';
    socket.on('data', (c: Buffer) => (text += c.toString('latin1')));
    const endedAfter = await new Promise<number>((resolve) => socket.on('end', () => resolve(performance.now() - t0)));
    socket.destroy();
    expect(text).toBe('bye');
    expect(endedAfter).toBeGreaterThanOrEqual(LATENCY - 1);
  } finally {
    await new Promise((resolve) => closer.close(resolve));
  }
});
