// The parking lot's "network": a link of fixed speed that both relays (TCP and UDP) push the server's bytes
// through, so that a download on loopback takes seconds instead of milliseconds and the learner has time to press
// Switch network. A queue drained by a token bucket: what is queued is delivered in order at `rate` bytes per
// second; the queue's size is what a sender sees as backpressure (TCP) or, past its limit, as loss (UDP).

const TICK_MS = 5;
const CREDIT_MS = 50;

interface Queued {
  size: number;
  deliver: () => void;
  /** False once the bytes have nowhere to go (their connection is gone): dropped without using the link. */
  alive: () => boolean;
}

export class PacedLink {
  private readonly queue: Queued[] = [];
  private queued = 0;
  private budget = 0;
  private last = performance.now();
  private readonly timer: NodeJS.Timeout;
  private readonly drainedHooks: Array<() => void> = [];

  constructor(readonly rate: number) {
    this.timer = setInterval(() => this.tick(), TICK_MS);
  }

  /** Bytes waiting to go. */
  get backlog(): number {
    return this.queued;
  }

  /** Queues `size` bytes; `deliver` runs when the link has carried them. */
  push(size: number, deliver: () => void, alive: () => boolean = () => true): void {
    this.queue.push({ size, deliver, alive });
    this.queued += size;
  }

  /** Called after every tick that delivered something (a TCP relay resumes its reader there). */
  onDrained(hook: () => void): void {
    this.drainedHooks.push(hook);
  }

  close(): void {
    clearInterval(this.timer);
    this.queue.length = 0;
    this.queued = 0;
  }

  private tick(): void {
    const now = performance.now();
    // Credit for the time since the last tick (a loaded machine fires timers late), up to 50 ms' worth; an idle
    // link saves up nothing (below).
    this.budget = Math.min(this.budget + ((now - this.last) / 1000) * this.rate, (CREDIT_MS * this.rate) / 1000 + 1500);
    this.last = now;
    let delivered = false;
    while (this.queue.length && (this.queue[0]!.size <= this.budget || !this.queue[0]!.alive())) {
      const item = this.queue.shift()!;
      this.queued -= item.size;
      if (!item.alive()) continue;
      this.budget -= item.size;
      item.deliver();
      delivered = true;
    }
    if (!this.queue.length) this.budget = Math.min(this.budget, 1500);
    if (delivered) for (const hook of this.drainedHooks) hook();
  }
}
