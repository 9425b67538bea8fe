// A TCP relay in front of a learner's server that decides, from the run's seed, where the bytes a live peer wrote
// are cut before the learner's code reads them. The kernel cuts a live `ws` peer's stream wherever it likes (a
// small message almost never, a 1 MB one at whatever the socket buffers held), so a receiver that depends on
// where reads end (a mask index restarted at each chunk, a header lost across a cut) would pass or fail by luck.
// Behind this relay the cut points are a function of the stream offset and the seed only: each piece is written,
// flushed, and followed by a short pause so that it arrives as a read of its own, and the same seed replays them.
// What the learner's server sends back is relayed untouched: the verdict rests on what the live peer received.

import net from 'node:net';
import { randomInt } from './random';

export interface RechunkRelay {
  /** The port the live peer connects to (127.0.0.1). */
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Pause after each cut: long enough for the learner's process to read the piece on its own, even on a loaded
 * machine (at 2 ms a ping cut in 2 or 3 places still arrived whole now and then with 40 processes runnable).
 */
const PAUSE_MS = 3;

/** Where cuts are dense: the handshake and the first frames (a ping, a close, short messages). */
const DENSE_OCTETS = 512;

/**
 * Piece sizes by stream offset: pieces of 1..4 octets through the first DENSE_OCTETS (a short payload is cut in
 * several places, so one read that joins two pieces cannot hide every cut), then a small piece after every large
 * one (1..32 KB), so every message of any size is cut at seeded points inside it.
 */
function pieceSizes(random: () => number): () => number {
  let offset = 0;
  let small = true;
  return () => {
    const size = offset < DENSE_OCTETS || small ? randomInt(random, 1, 4) : randomInt(random, 1024, 32_768);
    small = !small;
    offset += size;
    return size;
  };
}

export async function startRechunkRelay(targetPort: number, random: () => number): Promise<RechunkRelay> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((peer) => {
    const learner = net.connect(targetPort, '127.0.0.1');
    for (const s of [peer, learner]) {
      s.setNoDelay(true);
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    }
    learner.on('data', (d) => peer.write(d));
    learner.on('end', () => peer.end());
    learner.on('close', () => peer.destroy());
    learner.on('error', () => peer.destroy());
    peer.on('close', () => learner.destroy());
    peer.on('error', () => learner.destroy());

    const nextSize = pieceSizes(random);
    const pending: Buffer[] = [];
    let pumping = false;
    let peerEnded = false;
    let leftInPiece = nextSize();
    const pump = async (): Promise<void> => {
      if (pumping) return;
      pumping = true;
      while (pending.length) {
        let buf = Buffer.concat(pending.splice(0));
        while (buf.length) {
          if (learner.destroyed) return;
          const take = Math.min(buf.length, leftInPiece);
          const piece = buf.subarray(0, take);
          buf = buf.subarray(take);
          leftInPiece -= take;
          await new Promise<void>((resolve) => learner.write(piece, () => resolve()));
          if (leftInPiece === 0) {
            leftInPiece = nextSize();
            await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
          }
        }
      }
      pumping = false;
      if (peerEnded && !learner.destroyed) learner.end();
    };
    peer.on('data', (d: Buffer) => {
      pending.push(d);
      void pump();
    });
    peer.on('end', () => {
      peerEnded = true;
      void pump();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('harness: the rechunk relay has no port');
  return {
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
