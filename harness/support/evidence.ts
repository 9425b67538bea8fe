// Structured evidence of a failing test, beside its text message: what the lab's Check view draws as a table, a
// byte strip with highlighted fields, a timeline or a chart (grader/lab/browser/evidence-view.ts). A hidden suite
// (trusted code in the jest process) calls showEvidence() just before it fails; the trusted test environment
// attributes it to the running test and sends it to the grader on the jest process's own channel, which the code
// under test (in the sandbox host) cannot reach. Values the learner's code returned may be inside, as data: the
// builders below turn them into plain strings and numbers, and the grader validates and caps everything on
// arrival (grader/run/evidence.ts). The text message stays the evidence every other output shows.
//
//   showEvidence(tableEvidence('RFC 7541 C.3.2', { before, after, expected }));
//   fail([...]);

import { courseHooks } from '../sandbox/contract';

/** One dynamic-table entry as shown: name and value as text, size as a number (NaN-free; -1 = not a number). */
export interface EvidenceEntry {
  name: string;
  value: string;
  size: number;
}

/** The HPACK dynamic table before and after a header block (newest first, index 62 = newest). */
export interface TableEvidence {
  kind: 'hpack-table';
  title: string;
  /** What the learner's code returned is not a list: said in words, the rows left empty. */
  before: EvidenceEntry[] | string;
  after: EvidenceEntry[] | string;
  /** The table the vector expects after the block, when it is known. */
  expected?: EvidenceEntry[];
}

/** One field of a frame's bytes: octets [start, end) of `hex`, what the reference reads there and what the learner's did. */
export interface FrameField {
  name: string;
  start: number;
  end: number;
  expected: string;
  actual?: string;
  /** The learner's reading differs from the reference's here. */
  diverged: boolean;
}

/** The first frame a parser read differently: its octets, its fields, which ones diverged. */
export interface FrameBytesEvidence {
  kind: 'frame-bytes';
  title: string;
  /** The frame's octets as hex, two digits an octet, no spaces (at most 256 octets). */
  hex: string;
  /** Octets of the frame beyond the ones kept in `hex`. */
  cut: number;
  fields: FrameField[];
}

/** One event on a timeline: when it happened (ms since the start), and the window it had to fall in. */
export interface TimelineEvent {
  /** The row of the chart it is drawn on, e.g. "attempts", "alice typing", "expiry". */
  lane: string;
  label: string;
  /** When it happened; absent: it never came. */
  atMs?: number;
  /** The window of acceptable times. */
  window?: [number, number];
  ok: boolean;
}

/** Events over time (reconnect attempts against their backoff bounds, typing notices and their expiry). */
export interface TimelineEvidence {
  kind: 'timeline';
  title: string;
  events: TimelineEvent[];
}

/** A series of values (a flow-control window per stream) over a step axis. */
export interface SeriesEvidence {
  kind: 'series';
  title: string;
  xLabel: string;
  yLabel: string;
  series: Array<{ label: string; points: Array<{ x: number; y: number }> }>;
  /** Horizontal lines worth seeing (the initial window, zero), with their label. */
  marks?: Array<{ label: string; y: number }>;
}

export type Evidence = TableEvidence | FrameBytesEvidence | TimelineEvidence | SeriesEvidence;

/** Hands the evidence to the trusted test environment (a no-op where there is none, e.g. a suite run by bare jest). */
export function showEvidence(evidence: Evidence): void {
  courseHooks().__courseEvidence?.(evidence);
}

/** A value the learner's code returned, as short text. */
export function evidenceText(v: unknown, max = 200): string {
  return (typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v))).slice(0, max);
}

/** A table as the learner's code returned it (unknown) made plain: rows of text and numbers, or a sentence. */
export function evidenceEntries(entries: unknown, maxRows = 64): EvidenceEntry[] | string {
  if (!Array.isArray(entries)) return `not a list: ${evidenceText(entries, 120)}`;
  return entries.slice(0, maxRows).map((e: unknown) => {
    const entry = (typeof e === 'object' && e !== null ? e : {}) as Record<string, unknown>;
    return {
      name: evidenceText(entry.name),
      value: evidenceText(entry.value),
      size: typeof entry.size === 'number' && Number.isFinite(entry.size) ? entry.size : -1,
    };
  });
}

export function tableEvidence(title: string, tables: { before: unknown; after: unknown; expected?: EvidenceEntry[] }): TableEvidence {
  return {
    kind: 'hpack-table',
    title,
    before: evidenceEntries(tables.before),
    after: evidenceEntries(tables.after),
    ...(tables.expected ? { expected: evidenceEntries(tables.expected) as EvidenceEntry[] } : {}),
  };
}

/** Octets as compact hex (at most `max`), and how many were left out. */
export function evidenceHex(bytes: Uint8Array, max = 256): { hex: string; cut: number } {
  const hex = Array.from(bytes.subarray(0, max), (b) => b.toString(16).padStart(2, '0')).join('');
  return { hex, cut: Math.max(0, bytes.length - max) };
}

/** Events as a timeline, the latest 200 kept (the first wrong one always among them). */
export function timelineEvidence(title: string, events: TimelineEvent[]): TimelineEvidence {
  const firstWrong = events.findIndex((e) => !e.ok);
  const start = events.length <= 200 ? 0 : Math.max(0, Math.min(firstWrong < 0 ? events.length - 200 : firstWrong - 100, events.length - 200));
  const finite = (n: number | undefined) => (n !== undefined && Number.isFinite(n) ? n : undefined);
  return {
    kind: 'timeline',
    title,
    events: events.slice(start, start + 200).map((e) => {
      const atMs = finite(e.atMs);
      const window = e.window && e.window.every(Number.isFinite) ? e.window : undefined;
      return { lane: e.lane, label: e.label, ok: e.ok, ...(atMs !== undefined ? { atMs } : {}), ...(window ? { window } : {}) };
    }),
  };
}

/** One window reading of a flow-control test: which window, at which step, what the learner's code said, what it must be. */
export interface WindowReading {
  window: string;
  step: number;
  got: unknown;
  want: number;
}

/** Flow-control windows over the test's steps: the learner's values and the expected ones, one series each per window. */
export function windowEvidence(title: string, readings: WindowReading[]): SeriesEvidence {
  const series = new Map<string, Array<{ x: number; y: number }>>();
  const add = (label: string, x: number, y: unknown) => {
    if (typeof y !== 'number' || !Number.isFinite(y)) return;
    const points = series.get(label) ?? [];
    points.push({ x, y });
    series.set(label, points);
  };
  for (const r of readings.slice(-250)) {
    add(`${r.window} (expected)`, r.step, r.want);
    add(`${r.window} (yours)`, r.step, r.got);
  }
  return {
    kind: 'series',
    title,
    xLabel: 'step of the test',
    yLabel: 'window (octets)',
    series: [...series].slice(0, 12).map(([label, points]) => ({ label, points })),
    marks: [{ label: '0', y: 0 }],
  };
}

/** The typing-indicator suite's timeline rows, by who acted: the lanes of its chart. */
export function typingLane(label: string, expected: string | undefined): string {
  if (expected) return 'expected';
  if (label.startsWith('keystroke') || /^\d+ keystrokes/.test(label)) return 'keystrokes';
  if (label.startsWith('your client sent')) return 'your client sent';
  if (label.startsWith('server sent')) return 'server sent';
  if (label.startsWith('render')) return 'indicator shown';
  return 'other';
}
