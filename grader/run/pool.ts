// The one worker pool of the grader (verify, the batch canary, batch grading). N lanes, each owning a long-lived
// resource (a trusted jest process; its index also picks the lane's uid and cgroup): a job runs on a free lane,
// jobs are taken in the order given (FIFO), each result is delivered as it finishes, a job that throws never stops
// the others, and a lane whose resource died (a timeout killed it) gets a fresh one before its next job.
// cancel() settles every job not yet started as cancelled; close() ends every lane's resource (Ctrl-C, the end).

export interface LaneResource<R> {
  /** Makes the resource of lane `index` (lazily, and again whenever the old one is no longer usable). */
  open(index: number): R;
  usable(resource: R): boolean;
  close(resource: R): void;
}

/** One lane: its index (stable for the pool's life) and its resource. */
export class Lane<R> {
  private current: R | undefined;
  constructor(
    readonly index: number,
    private readonly spec: LaneResource<R>,
  ) {}
  /** The lane's resource: a fresh one when there is none yet or the old one died. */
  get(): R {
    if (this.current === undefined || !this.spec.usable(this.current)) this.current = this.spec.open(this.index);
    return this.current;
  }
  /** Ends the current resource and makes a fresh one. */
  renew(): R {
    this.discard();
    return this.get();
  }
  /** Ends the current resource; the next get() makes a fresh one. */
  discard(): void {
    if (this.current !== undefined) this.spec.close(this.current);
    this.current = undefined;
  }
}

/** How a job ended: its value, the error it threw, or never started (cancelled). */
export type Settled<J, T> =
  { status: 'done'; job: J; lane: number; value: T } | { status: 'failed'; job: J; lane: number; error: unknown } | { status: 'cancelled'; job: J };

export class Pool<R> {
  private readonly lanes: Array<Lane<R>>;
  private readonly free: Array<Lane<R>>;
  private readonly waiting: Array<(lane: Lane<R> | undefined) => void> = [];
  private cancelled = false;

  constructor(count: number, spec: LaneResource<R>) {
    this.lanes = Array.from({ length: Math.max(1, count) }, (_, i) => new Lane(i, spec));
    this.free = [...this.lanes].reverse(); // pop() hands out lane 0 first
  }

  get size(): number {
    return this.lanes.length;
  }

  /** Runs `fn` on a free lane, waiting (in order of asking) for one; undefined when the pool was cancelled first. */
  async with<T>(fn: (lane: Lane<R>) => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }> {
    const lane = this.cancelled ? undefined : (this.free.pop() ?? (await new Promise<Lane<R> | undefined>((resolve) => this.waiting.push(resolve))));
    if (!lane) return { ran: false };
    try {
      return { ran: true, value: await fn(lane) };
    } finally {
      const next = this.waiting.shift();
      if (next) next(lane);
      else this.free.push(lane);
    }
  }

  /** Runs every job in order on the lanes; `onSettled` hears each as it ends. Resolves when all have settled. */
  async run<J, T>(
    jobs: readonly J[],
    work: (job: J, lane: Lane<R>) => Promise<T>,
    onSettled?: (settled: Settled<J, T>) => void,
  ): Promise<Array<Settled<J, T>>> {
    return Promise.all(
      jobs.map(async (job): Promise<Settled<J, T>> => {
        let index = -1;
        let settled: Settled<J, T>;
        try {
          const r = await this.with((lane) => {
            index = lane.index;
            return work(job, lane);
          });
          settled = r.ran ? { status: 'done', job, lane: index, value: r.value } : { status: 'cancelled', job };
        } catch (error) {
          settled = { status: 'failed', job, lane: index, error };
        }
        onSettled?.(settled);
        return settled;
      }),
    );
  }

  /** Jobs not yet started are not started (they settle as cancelled); running ones finish. */
  cancel(): void {
    this.cancelled = true;
    for (const resolve of this.waiting.splice(0)) resolve(undefined);
  }

  /** Ends every lane's resource (the lanes make fresh ones if used again). */
  close(): void {
    for (const lane of this.lanes) lane.discard();
  }
}
