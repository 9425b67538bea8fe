// The public contract of exercise 5 (sse-consumer): the API the hidden suite uses, type-checked together with the
// learner's file so that a wrong name or signature is reported in the learner's terms.
import { fetch } from 'undici';
import {
  CLOSED,
  CONNECTING,
  EventStreamParser,
  OPEN,
  parseChunks,
  SseClient,
  type ClientEvent,
  type ParseResult,
  type ReadyState,
  type SseEvent,
} from '@exercise';

const parser = new EventStreamParser();
const seeded = new EventStreamParser('41');
const events: SseEvent[] = parser.feed(new Uint8Array([0x64, 0x61, 0x74, 0x61, 0x0a, 0x0a]));
const first: { type: string; data: string; lastEventId: string } | undefined = events[0];
const lastEventId: string = seeded.lastEventId;
const retry: number | null = parser.reconnectionTime;
const whole: ParseResult = parseChunks([new Uint8Array(0)], '');

const states: ReadyState[] = [CONNECTING, OPEN, CLOSED, SseClient.CONNECTING, SseClient.OPEN, SseClient.CLOSED];
const client = new SseClient('http://127.0.0.1:1/events', {
  fetch,
  reconnectionTime: 3000,
  lastEventId: '',
  listeners: { open: (e: ClientEvent) => void e, message: (e: ClientEvent) => void e.type, error: (e: ClientEvent) => void e },
});
const listener = (event: ClientEvent): void => {
  if (event.type === 'error' && 'readyState' in event) void (event.readyState satisfies ReadyState);
};
client.addEventListener('update', listener);
client.removeEventListener('update', listener);
const state: ReadyState = client.readyState;
const clientLastEventId: string = client.lastEventId;
const clientRetry: number = client.reconnectionTime;
const url: string = client.url;
client.close();

void [first, lastEventId, retry, whole, states, state, clientLastEventId, clientRetry, url];
