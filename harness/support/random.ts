// Seeded randomness for the suites: fault schedules, chunk split points and jitter sources all derive from the
// run's seed (COURSE_SEED, set by the runner), so a failure can be replayed with `course check --seed N`.

import { ENV } from '../sandbox/contract';

/** The run's seed. */
export function runSeed(): number {
  const seed = Number(process.env[ENV.seed]);
  return Number.isInteger(seed) && seed > 0 ? seed : 1;
}

/** mulberry32: small, fast and good enough for test schedules (not for anything secret). */
export function seededRandom(seed: number = runSeed()): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random integer in [min, max] from the given source. */
export function randomInt(random: () => number, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

/** Splits bytes at random points (each piece 1..maxPiece bytes long). */
export function randomSplit(bytes: Uint8Array, random: () => number, maxPiece = 64): Uint8Array[] {
  const pieces: Uint8Array[] = [];
  let at = 0;
  while (at < bytes.length) {
    const size = Math.min(bytes.length - at, randomInt(random, 1, maxPiece));
    pieces.push(bytes.subarray(at, at + size));
    at += size;
  }
  return pieces;
}
