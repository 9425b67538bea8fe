// What the lab server sends the page, as types both sides import (the page's bundle takes only these types, no
// Node code): the course list, the state of the warm check/watch session, each test as it finishes, and the
// demos' results. Plain JSON. Every text that came from the code under test is already neutralised (control
// characters made visible) and the page puts it in the DOM as text only.

import type { ExerciseResult, TestResult } from '../run/result';

/** The event names of the lab's Server-Sent Events stream. */
export const LAB_EVENTS = { course: 'course', watch: 'watch', test: 'test', feed: 'feed' } as const;

export interface CourseView {
  title: string;
  exercises: Array<{
    id: string;
    number: number;
    title: string;
    status: 'not-started' | 'current' | 'failed' | 'done';
    bestScore?: number;
    maxScore?: number;
    attempts: number;
  }>;
  /** A course.yaml that does not load (being edited, malformed): the page keeps the last good list and says so. */
  error?: string;
}

export interface WatchView {
  exerciseId: string;
  /** The run in progress: bumped by every run and switch of exercise, so the page drops older tests' events. */
  generation: number;
  running?: { generation: number; phase: string; expected: number; done: number; failed: number };
  /** The last finished run's result (saved to course.yaml first). */
  result?: ExerciseResult;
  message?: { tone: 'warn' | 'error' | 'success'; text: string };
}

/** One test's result as soon as it finished. */
export interface TestView {
  generation: number;
  test: TestResult;
}

/** One request of the HPACK demo, as the learner listed it. */
export interface HpackRequest {
  path: string;
  /** Extra headers beside the pseudo-headers (e.g. a cookie). */
  headers: Array<[string, string]>;
}

export interface HpackStep {
  path: string;
  /** The header block's octets on the wire (the HEADERS frames' payloads, as nghttp2 encoded them). */
  wireOctets: number;
  /** The same header list as plain text: name + ": " + value + CRLF per field (what HTTP/1.1 would send). */
  plainOctets: number;
  /** The header block, hex. */
  wireHex: string;
  /** The header list as the learner's decoder returned it (absent in the fallback). */
  decoded?: Array<[string, string]>;
  /** The header list as the peer (node:http2's server) received it. */
  received: Array<[string, string]>;
  /** The learner's dynamic table after this request, newest first (absent in the fallback). */
  table?: Array<{ name: string; value: string; size: number }>;
  tableSize?: number;
  maxTableSize?: number;
  /** Entries that left the table with this request (evicted), oldest first. */
  evicted?: Array<{ name: string; value: string }>;
}

export interface HpackDemoResult {
  /** 'learner': the learner's decoder decoded every block as the peer did; 'fallback': it could not. */
  source: 'learner' | 'fallback';
  /** Why the fallback is shown (the learner's code threw, disagreed or does not build). */
  fallbackReason?: string;
  steps: HpackStep[];
  totalWire: number;
  totalPlain: number;
}

/** One frame of the frame explorer, as the peer's walker read its header, and as the learner's parser did. */
export interface ExplorerFrame {
  direction: 'client' | 'server';
  /** Offset of the frame in its direction's byte stream (after the 24-octet preface for the client). */
  offset: number;
  /** The 9 header octets, hex. */
  headerHex: string;
  /** The payload, hex (at most 64 octets shown). */
  payloadHex: string;
  payloadLength: number;
  peer: { length: number; type: number; typeName: string; flags: number; flagNames: string[]; streamId: number; reserved: boolean };
  /** What the learner's FrameParser returned for this frame (absent in the fallback), as text. */
  learner?: string;
  /** The learner's header fields differ from the peer's (which ones). */
  disagrees?: string[];
}

export interface FramesDemoResult {
  source: 'learner' | 'fallback';
  fallbackReason?: string;
  frames: ExplorerFrame[];
}

/** One thing the learner's SseClient did in the live feed demo (relayed from the sandbox as it happens). */
export interface FeedView {
  run: number;
  kind: 'event' | 'open' | 'error' | 'status';
  /** event: the type, data and lastEventId it dispatched; error: the readyState; status: a sentence. */
  type?: string;
  data?: string;
  lastEventId?: string;
  readyState?: number;
  text?: string;
  /** status: the learner's client is running ('learner') or could not start ('fallback'). */
  source?: 'learner' | 'fallback';
}
