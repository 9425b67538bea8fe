// The public contract of exercise 7 (long-polling): the API the hidden suite uses, type-checked together with the
// learner's file so that a wrong name or signature is reported in the learner's terms.
import { fetch } from 'undici';
import { backoffDelay, parseRetryAfter, PollingClient, UpdateServer, type Batch, type RetryEvent, type Update } from '@exercise';

async function contract(): Promise<void> {
  const server = new UpdateServer({ host: '127.0.0.1', port: 0, holdMs: 25_000, historyLimit: 1000, maxBatch: 100, maxWaiting: 10, retryAfterSeconds: 1 });
  const port: number = await server.listen();
  const cursor: number = server.publish({ any: 'data' });
  const latest: number = server.latest;
  const waiting: number = server.waiting;
  await server.close();

  const delay: number = backoffDelay(3, { baseDelayMs: 100, maxDelayMs: 30_000, factor: 2, jitter: 0.5 }, 0.25);
  const wait: number | null = parseRetryAfter('120', Date.now());
  const none: number | null = parseRetryAfter(null, 0);

  const client = new PollingClient(`http://127.0.0.1:${port}/updates`, {
    fetch,
    cursor: 0,
    baseDelayMs: 100,
    maxDelayMs: 30_000,
    factor: 2,
    jitter: 0.5,
    requestTimeoutMs: 60_000,
    random: Math.random,
    now: Date.now,
    onRetry: (event: RetryEvent) => void [event.attempt, event.delayMs, event.status, event.retryAfter],
  });
  const batch: Batch | null = await client.next();
  if (batch?.type === 'updates') {
    const updates: Update[] = batch.updates;
    void updates;
  }
  if (batch?.type === 'resync') void (batch.cursor satisfies number);
  const at: number = client.cursor;
  const url: string = client.url;
  client.stop();
  for await (const b of client) void b;
  void [cursor, latest, waiting, delay, wait, none, at, url];
}
void contract;
