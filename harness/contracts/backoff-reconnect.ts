// The public API of exercise 3 (backoff-reconnect), type-checked together with the learner's file: a mismatch
// here means an exported name or signature differs from the one the lesson asks for.
import {
  backoffDelay,
  shouldReconnect,
  ReconnectingWebSocket,
  type BackoffOptions,
  type ClientState,
  type GiveUpEvent,
  type ReconnectEvent,
  type ReconnectOptions,
  type WebSocketConstructor,
  type WebSocketLike,
} from '@exercise';

declare const WebSocketImpl: WebSocketConstructor;

const backoff: BackoffOptions = { baseDelayMs: 1000, maxDelayMs: 30_000, factor: 2, jitter: 0.5 };
const delay: number = backoffDelay(1, backoff, 0.5);
const retry: boolean = shouldReconnect(1006);

const options: ReconnectOptions = {
  WebSocket: WebSocketImpl,
  baseDelayMs: 50,
  maxDelayMs: 400,
  factor: 2,
  jitter: 0.5,
  maxRetries: 5,
  stableAfterMs: 1000,
  connectTimeoutMs: 2000,
  maxQueue: 10,
  random: () => 0.5,
  onOpen: () => undefined,
  onMessage: (data: string) => void data.length,
  onClose: (event: { code: number; reason: string }) => void event.code,
  onReconnect: (event: ReconnectEvent) => void (event.attempt + event.delay + event.code),
  onGiveUp: (event: GiveUpEvent) => void (event.reason === 'max-retries' || event.reason === 'not-retryable'),
};

const client = new ReconnectingWebSocket('ws://127.0.0.1:8080/live', options);
const state: ClientState = client.state;
const url: string = client.url;
client.send('hello');
client.close();
client.close(1000, 'bye');

const socket: WebSocketLike | undefined = undefined;
export { delay, retry, state, url, socket };
