// Renders HPACK evidence for failure messages: header blocks as hex, dynamic tables with their absolute indices,
// and header lists side by side. Used by harness/suites/hpack-table.test.ts (trusted side only).

export interface EntryLike {
  name: string;
  value: string;
  size: number;
}

const STATIC_COUNT = 61;

/** Bytes as spaced hex, cut after `max` octets, with the offset of the cut. */
export function hex(bytes: Uint8Array, max = 48): string {
  const shown = Array.from(bytes.subarray(0, max), (b) => b.toString(16).padStart(2, '0')).join(' ');
  return bytes.length > max ? `${shown} … (${bytes.length} octets in all)` : shown || '(empty)';
}

function quote(text: string, max = 60): string {
  const s = JSON.stringify(text);
  return s.length > max ? `${s.slice(0, max - 4)}…"` : s;
}

/** A dynamic table, newest first, with absolute indices (62 = newest) and the size of each entry. */
export function formatTable(entries: unknown, maxLines = 8): string {
  if (!Array.isArray(entries)) return `    (not a list: ${quote(String(JSON.stringify(entries)), 80)})`;
  if (entries.length === 0) return '    (empty)';
  const lines = (entries as EntryLike[]).slice(0, maxLines).map((e, i) => {
    const name = typeof e?.name === 'string' ? quote(e.name, 40) : String(e?.name);
    const value = typeof e?.value === 'string' ? quote(e.value, 50) : String(e?.value);
    return `    [${STATIC_COUNT + 1 + i}] ${name}: ${value}  size ${String(e?.size)}`;
  });
  if (entries.length > maxLines) lines.push(`    … ${entries.length - maxLines} older entries`);
  const total = (entries as EntryLike[]).reduce((sum, e) => sum + (typeof e?.size === 'number' ? e.size : 0), 0);
  lines.push(`    (${entries.length} ${entries.length === 1 ? 'entry' : 'entries'}, ${total} octets)`);
  return lines.join('\n');
}

/** A header list, one field a line. */
export function formatHeaders(headers: unknown, maxLines = 8): string {
  if (!Array.isArray(headers)) return `    (not a list: ${quote(String(JSON.stringify(headers)), 80)})`;
  if (headers.length === 0) return '    (no header fields)';
  const lines = headers.slice(0, maxLines).map((h, i) => {
    if (!Array.isArray(h) || h.length !== 2) return `    ${i + 1}. ${quote(String(JSON.stringify(h)), 70)} (expected a [name, value] pair)`;
    return `    ${i + 1}. ${quote(String(h[0]), 40)}: ${quote(String(h[1]), 60)}`;
  });
  if (headers.length > maxLines) lines.push(`    … ${headers.length - maxLines} more`);
  return lines.join('\n');
}

function renderField(a: unknown): string {
  if (a === undefined) return 'nothing';
  if (Array.isArray(a) && a.length === 2 && typeof a[0] === 'string' && typeof a[1] === 'string') return `${quote(a[0], 40)}: ${quote(a[1], 60)}`;
  return `${quote(String(JSON.stringify(a)), 100)} (expected a [name, value] pair)`;
}

/** The first position where two header lists differ, described in words; undefined when they are equal. */
export function firstHeaderDifference(expected: Array<[string, string]>, actual: unknown): string | undefined {
  if (!Array.isArray(actual)) return `decode() returned ${quote(String(JSON.stringify(actual)), 80)} instead of a list of [name, value] pairs`;
  const n = Math.max(expected.length, actual.length);
  for (let i = 0; i < n; i++) {
    const e = expected[i];
    const a = actual[i] as unknown;
    if (!e) return `field ${i + 1}: got ${renderField(a)} but the block holds only ${expected.length} fields`;
    if (!Array.isArray(a) || a.length !== 2 || a[0] !== e[0] || a[1] !== e[1]) {
      return `field ${i + 1}: expected ${quote(e[0], 40)}: ${quote(e[1], 60)}, got ${renderField(a)}`;
    }
  }
  return undefined;
}

/** The first difference between two dynamic tables (entries newest first); undefined when they are equal. */
export function firstTableDifference(expected: EntryLike[], actual: unknown): string | undefined {
  if (!Array.isArray(actual)) return `dynamicTable() returned ${quote(String(JSON.stringify(actual)), 80)} instead of a list of entries`;
  const n = Math.max(expected.length, actual.length);
  for (let i = 0; i < n; i++) {
    const e = expected[i];
    const a = actual[i] as Partial<EntryLike> | undefined;
    if (!e)
      return `index ${STATIC_COUNT + 1 + i}: unexpected entry ${quote(String(a?.name), 40)}: ${quote(String(a?.value), 40)} (the table should hold ${expected.length} entries)`;
    if (!a) return `index ${STATIC_COUNT + 1 + i}: missing entry ${quote(e.name, 40)}: ${quote(e.value, 40)} (size ${e.size})`;
    if (a.name !== e.name || a.value !== e.value || a.size !== e.size) {
      return `index ${STATIC_COUNT + 1 + i}: expected ${quote(e.name, 40)}: ${quote(e.value, 40)} size ${e.size}, got ${quote(String(a.name), 40)}: ${quote(String(a.value), 40)} size ${String(a.size)}`;
    }
  }
  return undefined;
}
