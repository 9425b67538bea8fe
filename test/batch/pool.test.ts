// The one worker pool (grader/run/pool.ts) with fake jobs: plain async functions and a counter as the lane's
// resource, no process. Order, the concurrency limit, lane replacement, one failure not stopping the others, cancel.

import { Pool, type Settled } from '../../grader/run/pool';

/** A fake lane resource: numbered as made; `dead` marks one a job "killed". */
interface Fake {
  serial: number;
  lane: number;
  dead: boolean;
  closed: boolean;
}

function fakePool(lanes: number) {
  const made: Fake[] = [];
  const pool = new Pool<Fake>(lanes, {
    open: (lane) => {
      const f = { serial: made.length, lane, dead: false, closed: false };
      made.push(f);
      return f;
    },
    usable: (f) => !f.dead && !f.closed,
    close: (f) => {
      f.closed = true;
    },
  });
  return { pool, made };
}

const tick = (ms = 1) => new Promise((r) => setTimeout(r, ms));

describe('pool', () => {
  test('jobs start in order, never more at once than there are lanes, results as they finish', async () => {
    const { pool } = fakePool(3);
    const started: number[] = [];
    const finished: number[] = [];
    let running = 0;
    let peak = 0;
    const jobs = Array.from({ length: 12 }, (_, i) => i);
    // Job i takes longer when i is even: finishing order differs from starting order.
    const settled = await pool.run(
      jobs,
      async (job) => {
        started.push(job);
        running++;
        peak = Math.max(peak, running);
        await tick(job % 2 === 0 ? 15 : 2);
        running--;
        return job * 10;
      },
      (s) => finished.push(s.job),
    );
    expect(started).toEqual(jobs);
    expect(peak).toBe(3);
    expect(finished).not.toEqual(jobs); // delivered as they finished, not at the end in order
    expect(finished.slice().sort((a, b) => a - b)).toEqual(jobs);
    expect(settled.map((s) => (s.status === 'done' ? s.value : -1))).toEqual(jobs.map((j) => j * 10));
  });

  test('a lane keeps its resource across jobs; a dead one is replaced before the next job', async () => {
    const { pool, made } = fakePool(1);
    const seen: number[] = [];
    await pool.run([0, 1, 2, 3], async (job, lane) => {
      const r = lane.get();
      seen.push(r.serial);
      if (job === 1) r.dead = true; // a timeout killed it
    });
    expect(seen).toEqual([0, 0, 1, 1]);
    expect(made).toHaveLength(2);
    // renew() inside a job: the old one is closed, the job goes on with a fresh one.
    await pool.with(async (lane) => {
      const before = lane.get();
      const after = lane.renew();
      expect(before.closed).toBe(true);
      expect(after.serial).toBe(2);
    });
    pool.close();
    expect(made.every((f) => f.closed || f.dead)).toBe(true);
  });

  test('one failing job does not stop the others; its lane is free again', async () => {
    const { pool } = fakePool(2);
    const settled: Array<Settled<number, string>> = await pool.run([0, 1, 2, 3, 4], async (job) => {
      await tick();
      if (job === 1) throw new Error('boom');
      return `ok ${job}`;
    });
    expect(settled.map((s) => s.status)).toEqual(['done', 'failed', 'done', 'done', 'done']);
    const failed = settled[1]!;
    expect(failed.status === 'failed' && (failed.error as Error).message).toBe('boom');
  });

  test('lane indexes are stable and each job sees the lane it ran on', async () => {
    const { pool } = fakePool(2);
    const settled = await pool.run([0, 1, 2, 3], async (_, lane) => {
      await tick();
      return lane.get().lane === lane.index;
    });
    expect(settled.every((s) => s.status === 'done' && s.value && s.lane >= 0 && s.lane < 2)).toBe(true);
  });

  test('cancel: jobs not yet started settle as cancelled, running ones finish', async () => {
    const { pool } = fakePool(2);
    const ran: number[] = [];
    const settled = await pool.run([0, 1, 2, 3, 4, 5], async (job) => {
      ran.push(job);
      await tick(job === 0 ? 1 : 5);
      if (job === 0) pool.cancel(); // jobs 0 and 1 are running, 2..5 wait for a lane
      return job;
    });
    expect(ran).toEqual([0, 1]);
    expect(settled.map((s) => s.status)).toEqual(['done', 'done', 'cancelled', 'cancelled', 'cancelled', 'cancelled']);
  });
});
