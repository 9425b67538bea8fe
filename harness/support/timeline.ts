// Shared helper for failure messages about timed events (reconnect attempts, typing expiry, SSE retries): renders
// "expected vs actual" as an aligned text table, one row per event, with a mark on the rows that are wrong.
//
//   renderTimeline([
//     { label: 'attempt 1 (after 1006)', expected: formatWindow(50, 300), actual: formatMs(48), ok: false },
//     { label: 'attempt 2', expected: formatWindow(100, 350), actual: undefined, ok: false },
//   ])
//
//       event                   expected          actual
//   ✗   attempt 1 (after 1006)  50 … 300 ms       48 ms
//   ✗   attempt 2               100 … 350 ms      —
//
// Keep this API small and stable: other suites import it.

export interface TimelineRow {
  /** What the event is, e.g. "attempt 2 (after close 1011)". */
  label: string;
  /** What should have happened (a time, a window, "none"); omitted shows "—". */
  expected?: string;
  /** What did happen; omitted shows "—" (the event never came). */
  actual?: string;
  /** false marks the row as wrong. */
  ok: boolean;
  /** An optional short remark shown at the end of the row. */
  note?: string;
}

export interface TimelineOptions {
  /** A line printed above the table. */
  title?: string;
  /** Column headings (default: event, expected, actual). */
  headings?: [string, string, string];
  /** At most this many rows are shown (default 30); the first wrong row is always kept. */
  maxRows?: number;
}

/** Milliseconds as a short text: "48 ms", "1.25 s". Undefined shows "—". */
export function formatMs(ms: number | undefined): string {
  if (ms === undefined || Number.isNaN(ms)) return '—';
  if (Math.abs(ms) >= 10_000) return `${(ms / 1000).toFixed(2)} s`;
  return `${Math.round(ms)} ms`;
}

/** A window of acceptable times: "50 … 300 ms". */
export function formatWindow(minMs: number, maxMs: number): string {
  return `${Math.round(minMs)} … ${Math.round(maxMs)} ms`;
}

/** Renders the rows as an aligned table; wrong rows start with "✗", right ones with "✓". */
export function renderTimeline(rows: TimelineRow[], options: TimelineOptions = {}): string {
  const [h1, h2, h3] = options.headings ?? ['event', 'expected', 'actual'];
  const maxRows = options.maxRows ?? 30;
  let shown = rows;
  let cut = 0;
  if (rows.length > maxRows) {
    const firstBad = Math.max(
      0,
      rows.findIndex((r) => !r.ok),
    );
    const start = Math.min(Math.max(0, firstBad - Math.floor(maxRows / 2)), rows.length - maxRows);
    shown = rows.slice(start, start + maxRows);
    cut = rows.length - maxRows;
  }
  const cells = shown.map((r) => [r.label, r.expected ?? '—', r.actual ?? '—']);
  const widths = [h1, h2, h3].map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const pad = (text: string, i: number) => text.padEnd(widths[i]!);
  const lines: string[] = [];
  if (options.title) lines.push(options.title);
  lines.push(`    ${pad(h1, 0)}  ${pad(h2, 1)}  ${h3}`);
  shown.forEach((r, k) => {
    const c = cells[k]!;
    const line = `${r.ok ? '✓' : '✗'}   ${pad(c[0]!, 0)}  ${pad(c[1]!, 1)}  ${pad(c[2]!, 2)}${r.note ? `  ${r.note}` : ''}`;
    lines.push(line.trimEnd());
  });
  if (cut > 0) lines.push(`    (${cut} more row${cut === 1 ? '' : 's'} not shown)`);
  return lines.join('\n');
}
