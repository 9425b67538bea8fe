// A failing test's structured evidence (grader/run/evidence.ts), drawn for a browser under its text message: the
// HPACK dynamic table before and after as tables, the diverging frame's octets with its fields highlighted, event
// timelines and window series as SVG the page draws itself (no library, nothing from a CDN). Every value (some
// came from the learner's code) goes in as textContent or a numeric attribute; a wrong row, field or point is
// said with a symbol and words (✗, "differs"), colour only repeats it.

import type { Evidence } from '../../run/evidence';
import type { EvidenceEntry, FrameBytesEvidence, SeriesEvidence, TableEvidence, TimelineEvidence } from '../../../harness/support/evidence';
import { el } from './dom';

const SVG_NS = 'http://www.w3.org/2000/svg';
const STATIC_COUNT = 61;

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}, text?: string): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

const sameEntry = (a: EvidenceEntry | undefined, b: EvidenceEntry | undefined) => !!a && !!b && a.name === b.name && a.value === b.value && a.size === b.size;

/** One dynamic table as an HTML table; rows that differ from `compare` (same index) are marked ✗. */
function dynamicTable(which: string, caption: string, entries: EvidenceEntry[] | string, compare?: EvidenceEntry[]): HTMLElement {
  const box = el('div', { class: 'table-box evidence-table-box' });
  if (typeof entries === 'string') {
    box.append(el('div', { class: 'evidence-caption' }, caption), el('p', { class: 'evidence-note', 'data-table': which }, entries));
    return box;
  }
  const table = el('table', { class: 'evidence-table', 'data-table': which });
  table.append(el('caption', {}, `${caption} (${entries.length} ${entries.length === 1 ? 'entry' : 'entries'})`));
  const head = el('tr');
  for (const h of ['index', 'name', 'value', 'size', '']) head.append(el('th', { scope: 'col' }, h));
  table.append(el('thead'), el('tbody'));
  table.tHead!.append(head);
  const rows = Math.max(entries.length, compare?.length ?? 0);
  for (let i = 0; i < rows; i++) {
    const e = entries[i];
    const differs = compare !== undefined && !sameEntry(e, compare[i]);
    const tr = el('tr', differs ? { class: 'differs', 'data-differs': 'true' } : {});
    tr.append(
      el('td', {}, String(STATIC_COUNT + 1 + i)),
      el('td', {}, e ? e.name : '—'),
      el('td', {}, e ? e.value : '(no entry)'),
      el('td', {}, e ? (e.size < 0 ? '?' : String(e.size)) : '—'),
      el('td', { class: 'mark' }, differs ? '✗ differs' : ''),
    );
    table.tBodies[0]!.append(tr);
  }
  box.append(table);
  return box;
}

function tableEvidence(e: TableEvidence): HTMLElement[] {
  const tables = el('div', { class: 'evidence-tables' });
  tables.append(dynamicTable('before', 'before the block', e.before), dynamicTable('after', 'after it: yours', e.after, e.expected));
  if (e.expected) tables.append(dynamicTable('expected', 'after it: expected', e.expected));
  return [tables];
}

function frameBytes(e: FrameBytesEvidence): HTMLElement[] {
  const octets = e.hex.match(/../g) ?? [];
  const strip = el('div', { class: 'frame-bytes', role: 'group', 'aria-label': 'the frame’s octets, by field' });
  e.fields.forEach((f, n) => {
    const group = el('span', { class: `byte-field field-${n % 5}${f.diverged ? ' diverged' : ''}`, 'data-field': f.name, 'data-diverged': String(f.diverged) });
    group.append(el('span', { class: 'byte-field-name' }, `${f.diverged ? '✗ ' : ''}${f.name}`));
    const bytes = el('span', { class: 'byte-field-octets' }, octets.slice(f.start, f.end).join(' ') || '(none)');
    group.append(bytes);
    strip.append(group);
  });
  if (e.cut) strip.append(el('span', { class: 'evidence-note' }, `… ${e.cut} more octets`));
  const table = el('table', { class: 'evidence-table frame-fields' });
  const head = el('tr');
  for (const h of ['field', 'octets', 'the reference reads', 'your parser read', '']) head.append(el('th', { scope: 'col' }, h));
  table.append(el('thead'), el('tbody'));
  table.tHead!.append(head);
  for (const f of e.fields) {
    const tr = el('tr', f.diverged ? { class: 'differs', 'data-differs': 'true', 'data-field': f.name } : { 'data-field': f.name });
    tr.append(
      el('td', {}, f.name),
      el('td', {}, f.end - f.start === 1 ? `${f.start}` : `${f.start}–${f.end - 1}`),
      el('td', {}, f.expected),
      el('td', {}, f.actual ?? '(nothing)'),
      el('td', { class: 'mark' }, f.diverged ? '✗ differs' : '✓ same'),
    );
    table.tBodies[0]!.append(tr);
  }
  const box = el('div', { class: 'table-box' });
  box.append(table);
  return [strip, box];
}

/** Round figure for an axis: 1, 2 or 5 times a power of ten, at least `max / 5`. */
function tickStep(max: number): number {
  const raw = Math.max(max, 1) / 5;
  const power = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? raw;
}

/** The events on one row per lane, x = time; windows as bars, events as ● (in time) or ✗ (wrong), "never" at the end. */
function timeline(e: TimelineEvidence): HTMLElement[] {
  const lanes = [...new Set(e.events.map((v) => v.lane))];
  const max = Math.max(1, ...e.events.flatMap((v) => [v.atMs ?? 0, v.window?.[1] ?? 0]));
  const left = 150;
  const width = 720;
  const right = 60;
  const rowH = 26;
  const top = 10;
  const height = top + lanes.length * rowH + 30;
  const x = (ms: number) => left + (Math.max(0, ms) / max) * (width - left - right);
  const chart = svg('svg', { class: 'evidence-chart timeline-chart', viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': `${e.title}: a timeline` });
  chart.append(svg('title', {}, e.title));
  const step = tickStep(max);
  const axisY = top + lanes.length * rowH + 4;
  for (let t = 0; t <= max + 1e-9; t += step) {
    chart.append(svg('line', { class: 'grid', x1: x(t), x2: x(t), y1: top, y2: axisY }));
    chart.append(svg('text', { class: 'tick', x: x(t), y: axisY + 14, 'text-anchor': 'middle' }, `${Math.round(t)}`));
  }
  chart.append(svg('text', { class: 'tick', x: width - 4, y: axisY + 26, 'text-anchor': 'end' }, 'ms'));
  lanes.forEach((lane, i) => {
    const y = top + i * rowH + rowH / 2;
    chart.append(svg('text', { class: 'lane', x: left - 8, y: y + 4, 'text-anchor': 'end' }, lane.length > 22 ? `${lane.slice(0, 21)}…` : lane));
    chart.append(svg('line', { class: 'lane-line', x1: left, x2: width - right, y1: y, y2: y }));
  });
  for (const v of e.events) {
    const y = top + lanes.indexOf(v.lane) * rowH + rowH / 2;
    const group = svg('g', { class: `event ${v.ok ? 'ok' : 'wrong'}`, 'data-lane': v.lane, 'data-ok': String(v.ok) });
    group.append(
      svg(
        'title',
        {},
        `${v.ok ? '✓' : '✗'} ${v.label}${v.atMs === undefined ? ': never came' : `: at ${Math.round(v.atMs)} ms`}${v.window ? `, window ${Math.round(v.window[0])} … ${Math.round(v.window[1])} ms` : ''}`,
      ),
    );
    if (v.window) {
      group.append(
        svg('rect', {
          class: 'window',
          x: x(v.window[0]),
          y: y - 7,
          width: Math.max(2, x(v.window[1]) - x(v.window[0])),
          height: 14,
          'data-from': v.window[0],
          'data-to': v.window[1],
        }),
      );
    }
    if (v.atMs === undefined) {
      group.append(svg('text', { class: 'never point', x: width - right + 4, y: y + 4, 'data-at-ms': 'never' }, '✗ never'));
    } else if (v.ok) {
      group.append(svg('circle', { class: 'point', cx: x(v.atMs), cy: y, r: 5, 'data-at-ms': Math.round(v.atMs) }));
    } else {
      const cx = x(v.atMs);
      group.append(
        svg('path', { class: 'point', d: `M${cx - 5},${y - 5}L${cx + 5},${y + 5}M${cx - 5},${y + 5}L${cx + 5},${y - 5}`, 'data-at-ms': Math.round(v.atMs) }),
      );
    }
    chart.append(group);
  }
  const box = el('div', { class: 'chart-box' });
  box.append(chart);
  return [box, eventTable(e)];
}

/** The same events as a table (folded): every number readable without the chart. */
function eventTable(e: TimelineEvidence): HTMLElement {
  const details = el('details', { class: 'evidence-events' });
  details.append(el('summary', {}, `the ${e.events.length} events as a table`));
  const table = el('table', { class: 'evidence-table' });
  const head = el('tr');
  for (const h of ['', 'lane', 'event', 'at (ms)', 'window (ms)']) head.append(el('th', { scope: 'col' }, h));
  table.append(el('thead'), el('tbody'));
  table.tHead!.append(head);
  for (const v of e.events) {
    const tr = el('tr', v.ok ? {} : { class: 'differs' });
    tr.append(
      el('td', { class: 'mark' }, v.ok ? '✓' : '✗'),
      el('td', {}, v.lane),
      el('td', {}, v.label),
      el('td', {}, v.atMs === undefined ? 'never' : String(Math.round(v.atMs))),
      el('td', {}, v.window ? `${Math.round(v.window[0])} … ${Math.round(v.window[1])}` : ''),
    );
    table.tBodies[0]!.append(tr);
  }
  const box = el('div', { class: 'table-box' });
  box.append(table);
  details.append(box);
  return details;
}

/** Dash patterns and point shapes per series, so that the series differ without colour. */
const DASHES = ['', '6 3', '2 3', '10 3 2 3'];

function series(e: SeriesEvidence): HTMLElement[] {
  const all = e.series.flatMap((s) => s.points);
  const ys = [...all.map((p) => p.y), ...(e.marks ?? []).map((m) => m.y)];
  const [minX, maxX] = [Math.min(...all.map((p) => p.x)), Math.max(...all.map((p) => p.x))];
  const [minY, maxY] = [Math.min(0, ...ys), Math.max(1, ...ys)];
  const [left, width, right, top, bottom, height] = [90, 720, 20, 10, 40, 260];
  const x = (v: number) => left + (maxX === minX ? 0.5 : (v - minX) / (maxX - minX)) * (width - left - right);
  const y = (v: number) => top + (1 - (v - minY) / (maxY - minY || 1)) * (height - top - bottom);
  const chart = svg('svg', { class: 'evidence-chart series-chart', viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': `${e.title}: a chart` });
  chart.append(svg('title', {}, e.title));
  const step = tickStep(maxY - minY);
  for (let v = Math.ceil(minY / step) * step; v <= maxY + 1e-9; v += step) {
    chart.append(svg('line', { class: 'grid', x1: left, x2: width - right, y1: y(v), y2: y(v) }));
    chart.append(svg('text', { class: 'tick', x: left - 6, y: y(v) + 4, 'text-anchor': 'end' }, String(Math.round(v))));
  }
  for (const m of e.marks ?? []) chart.append(svg('line', { class: 'mark-line', x1: left, x2: width - right, y1: y(m.y), y2: y(m.y) }));
  chart.append(svg('text', { class: 'tick', x: (left + width) / 2, y: height - 6, 'text-anchor': 'middle' }, e.xLabel));
  const legend = el('ul', { class: 'series-legend' });
  e.series.forEach((s, n) => {
    const expected = s.label.endsWith('(expected)');
    const group = svg('g', { class: `series series-${n % 6}${expected ? ' expected' : ''}`, 'data-series': s.label });
    const points = s.points.map((p) => `${x(p.x)},${y(p.y)}`).join(' ');
    group.append(svg('polyline', { points, fill: 'none', 'stroke-dasharray': expected ? '6 3' : DASHES[n % DASHES.length]! }));
    for (const p of s.points) {
      const dot = expected
        ? svg('rect', { x: x(p.x) - 3, y: y(p.y) - 3, width: 6, height: 6, 'data-x': p.x, 'data-y': p.y })
        : svg('circle', { cx: x(p.x), cy: y(p.y), r: 4, 'data-x': p.x, 'data-y': p.y });
      dot.append(svg('title', {}, `${s.label}: ${p.y} at step ${p.x}`));
      group.append(dot);
    }
    chart.append(group);
    legend.append(el('li', { class: `series-${n % 6}` }, `${expected ? '▫ dashed' : '● solid'}: ${s.label}`));
  });
  const box = el('div', { class: 'chart-box' });
  box.append(chart);
  return [box, legend];
}

/** Every piece of a test's evidence, each under its title. */
export function evidenceView(list: Evidence[] | undefined): HTMLElement[] {
  return (list ?? []).map((e) => {
    const figure = el('figure', { class: `evidence-rich evidence-${e.kind}`, 'data-kind': e.kind });
    figure.append(el('figcaption', {}, e.title));
    const body = e.kind === 'hpack-table' ? tableEvidence(e) : e.kind === 'frame-bytes' ? frameBytes(e) : e.kind === 'timeline' ? timeline(e) : series(e);
    figure.append(...body);
    return figure;
  });
}
