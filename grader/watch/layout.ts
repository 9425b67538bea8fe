// The watch screen laid out for the terminal's size: (rows, columns, model) → the rows to draw, never more than the
// terminal has and none wider, so nothing scrolls off the top. The header (title, "N of M failing", progress bars)
// and the footer (keys) are always on screen; the other blocks get the rows that are left in order of what a
// learner acts on: an open panel (the hint or list just asked for), the first failure's name, a few lines of its
// evidence, one row of the other failures and of the notes, then the evidence gets all it can use; the other
// failures are one row each, cut with "… N more". Pure (test/watch/layout.test.ts lays it out at 80x24, 120x40 and 40x10).

import { cutLine, wrapLine } from './fit';

export interface ScreenModel {
  /** The title and the status line with its progress bars: always shown. */
  header: string[];
  /**
   * What the learner acts on first, given the rows that are left: the first failing test (its name as `title`,
   * its evidence as `lines`), or a compile error's code frame, or why a run did not finish (no title).
   */
  evidence?: Evidence;
  /** The other failing tests, one row each. */
  others: string[];
  /** The row that stands for the failing tests left out ("… 12 more failing"). */
  moreOthers: (hidden: number) => string;
  /** One row each: the passes counted, type errors, the seed. */
  notes: string[];
  /** A hint, the list of exercises (`focus`: the row of the cursor, kept in view) or a message. */
  panel?: { lines: string[]; focus?: number };
  /** The keys (and "Passed! Press n"): always shown, at the bottom. */
  footer: string[];
  /** The files watched: beside the keys, or above them when there is a row to spare. */
  watching: string;
}

export interface Evidence {
  title: string[];
  lines: string[];
  /** The row that says how many lines were left out. */
  more: (hidden: number) => string;
  /**
   * What the code under test printed while this test ran, already marked as the learner's own (issue 22 point 1):
   * shown under the evidence when there are rows for it. Empty until results carry it.
   */
  output: string[];
}

export interface Size {
  rows: number;
  columns: number;
}

type Part = 'title' | 'evidence' | 'output' | 'others' | 'notes' | 'panel' | 'watching' | 'gapTop' | 'gapPanel' | 'gapFooter';

/** The order in which parts get rows, and how many each may take at that step. */
const GRANTS: readonly (readonly [Part, number])[] = [
  ['panel', Infinity],
  ['title', 1],
  ['evidence', 3],
  ['title', Infinity],
  ['others', 1],
  ['notes', 1],
  ['watching', Infinity],
  ['gapTop', 1],
  ['output', 3],
  ['others', 5],
  ['notes', Infinity],
  ['evidence', Infinity],
  ['output', Infinity],
  ['others', Infinity],
  ['gapPanel', 1],
  ['gapFooter', 1],
];

/** A wrapped block: its rows, and for each row the index of the line it came from. */
interface Wrapped {
  rows: string[];
  lineOf: number[];
}

function wrapAll(lines: readonly string[], columns: number): Wrapped {
  const rows: string[] = [];
  const lineOf: number[] = [];
  lines.forEach((line, i) => {
    for (const row of wrapLine(line, columns)) {
      rows.push(row);
      lineOf.push(i);
    }
  });
  return { rows, lineOf };
}

/** The first `grant` rows; when some are left out, the last of them says how many lines (whole or partly) were. */
function headOf(block: Wrapped, grant: number, more: (hidden: number) => string, columns: number): string[] {
  if (grant >= block.rows.length) return block.rows;
  if (grant <= 0) return [];
  const firstHidden = block.lineOf[grant - 1]!;
  const lines = block.lineOf.at(-1)! + 1;
  return [...block.rows.slice(0, grant - 1), cutLine(more(lines - firstHidden), columns)];
}

/** A title cut to `grant` rows, its last row ending in "…" when some are left out. */
function titleOf(block: Wrapped, grant: number, columns: number): string[] {
  if (grant >= block.rows.length || grant <= 0) return block.rows.slice(0, grant);
  return [...block.rows.slice(0, grant - 1), cutLine(`${block.rows[grant - 1]!} …`, columns)];
}

/** A panel cut to `grant` rows: its heading, then a window that keeps the focused row in view. */
function panelOf(block: Wrapped, grant: number, focus: number | undefined, columns: number): string[] {
  if (grant >= block.rows.length) return block.rows;
  if (focus === undefined) return headOf(block, grant, () => '…', columns);
  const row = block.lineOf.indexOf(focus);
  if (grant <= 1) return block.rows.slice(row, row + grant);
  const window = grant - 1;
  const start = Math.min(Math.max(1, row - Math.floor(window / 2)), block.rows.length - window);
  return [block.rows[0]!, ...block.rows.slice(start, start + window)];
}

/** Header and footer alone do not fit: the footer (the keys) stays whole, the header keeps what is left (≥ 1 row). */
function squeezed(header: string[], footer: string[], rows: number): string[] {
  const top = header.slice(0, Math.max(1, rows - footer.length));
  return [...top, ...footer].slice(-rows);
}

export function layoutScreen(size: Size, model: ScreenModel): string[] {
  const columns = Math.max(1, size.columns);
  const rows = Math.max(1, size.rows);
  const header = wrapAll(model.header, columns).rows;
  const keysWithWatching = `${model.footer.at(-1) ?? ''}   ${model.watching}`;
  const besideKeys = wrapLine(keysWithWatching, columns).length === 1;
  const footerLines = besideKeys ? [...model.footer.slice(0, -1), keysWithWatching] : model.footer;
  const footer = wrapAll(footerLines, columns).rows;
  if (header.length + footer.length >= rows) return squeezed(header, footer, rows);

  const ev = model.evidence;
  const panel = wrapAll(model.panel?.lines ?? [], columns);
  const blocks: Record<Part, Wrapped> = {
    title: wrapAll(ev?.title ?? [], columns),
    evidence: wrapAll(ev?.lines ?? [], columns),
    output: wrapAll(ev?.output ?? [], columns),
    others: { rows: model.others.map((l) => cutLine(l, columns)), lineOf: model.others.map((_, i) => i) },
    notes: { rows: model.notes.map((l) => cutLine(l, columns)), lineOf: model.notes.map((_, i) => i) },
    panel,
    watching: besideKeys ? wrapAll([], columns) : wrapAll([model.watching], columns),
    gapTop: wrapAll([''], columns),
    gapPanel: wrapAll(model.panel ? [''] : [], columns),
    gapFooter: wrapAll([''], columns),
  };
  const granted = grantRows(blocks, rows - header.length - footer.length);
  const part = (p: Part) => blocks[p].rows.slice(0, granted[p]);
  const body = [
    ...part('gapTop'),
    ...titleOf(blocks.title, granted.title, columns),
    ...headOf(blocks.evidence, granted.evidence, ev?.more ?? (() => '…'), columns),
    ...headOf(blocks.output, granted.output, () => '…', columns),
    ...headOf(blocks.others, granted.others, model.moreOthers, columns),
    ...headOf(blocks.notes, granted.notes, () => '…', columns),
    ...part('gapPanel'),
    ...panelOf(panel, granted.panel, model.panel?.focus, columns),
    ...part('gapFooter'),
    ...part('watching'),
  ];
  return [...header, ...body, ...footer];
}

/** Hands out `left` rows by GRANTS: each step raises a part's rows towards its cap, as far as rows last. */
function grantRows(blocks: Record<Part, Wrapped>, left: number): Record<Part, number> {
  const granted = Object.fromEntries(Object.keys(blocks).map((p) => [p, 0])) as Record<Part, number>;
  for (const [p, cap] of GRANTS) {
    const more = Math.min(cap - granted[p], blocks[p].rows.length - granted[p], left);
    if (more <= 0) continue;
    granted[p] += more;
    left -= more;
  }
  return granted;
}
