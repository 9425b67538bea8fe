// The waterfall demo's page (exercise 11): the learner sets N resources, their size, the relay's one-way latency
// and loss rate, and runs both lanes; the page draws two waterfalls from the MEASURED times, one row per
// resource, its bar from the moment the request left the client to the last octet of its response (the dashed
// line before it: waiting for a free HTTP/1.1 connection, or for the connection itself). Each row names its
// connection in text (c1…c6) and draws it in a pattern of its own, so colour is never the only signal. Both lanes
// share one time scale; their totals, connection counts and the relay's lost chunks are said in words.

import type { WaterfallLane, WaterfallRequest, WaterfallResult } from '../view-waterfall';
import { api, el } from './dom';

const SVG_NS = 'http://www.w3.org/2000/svg';
const WIDTH = 760;
const LABEL_W = 116;
const CHART_W = 580;
const ROW_H = 18;
const AXIS_H = 22;

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}, text?: string): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/** Six fills told apart by shape as well as hue: solid, stripes at three angles, dots, cross-hatch. */
const PATTERNS: Array<{ colour: string; draw: 'solid' | 'stripe-45' | 'stripe-135' | 'stripe-0' | 'dots' | 'cross' }> = [
  { colour: '#0550ae', draw: 'solid' },
  { colour: '#116329', draw: 'stripe-45' },
  { colour: '#8250df', draw: 'stripe-135' },
  { colour: '#953800', draw: 'stripe-0' },
  { colour: '#1b7c83', draw: 'dots' },
  { colour: '#a40e26', draw: 'cross' },
];

function patternDefs(prefix: string): SVGDefsElement {
  const defs = svg('defs');
  PATTERNS.forEach(({ colour, draw }, i) => {
    const p = svg('pattern', { id: `${prefix}-${i + 1}`, patternUnits: 'userSpaceOnUse', width: 6, height: 6 });
    if (draw.startsWith('stripe')) p.setAttribute('patternTransform', `rotate(${draw.slice(7)})`);
    p.appendChild(svg('rect', { width: 6, height: 6, fill: draw === 'solid' ? colour : '#ffffff' }));
    if (draw.startsWith('stripe')) p.appendChild(svg('rect', { width: 3, height: 6, fill: colour }));
    if (draw === 'dots') p.appendChild(svg('circle', { cx: 3, cy: 3, r: 1.8, fill: colour }));
    if (draw === 'cross') p.append(svg('path', { d: 'M0 0L6 6M6 0L0 6', stroke: colour, 'stroke-width': 1.6 }));
    defs.appendChild(p);
  });
  return defs;
}

/** A round step for the axis: about five ticks over `max` ms. */
function tickStep(max: number): number {
  const rough = max / 5;
  const power = 10 ** Math.floor(Math.log10(Math.max(rough, 1)));
  return [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough) ?? power * 10;
}

function rowTitle(r: WaterfallRequest): string {
  return `GET ${r.path} on connection ${r.connection}: sent at ${r.sentAt.toFixed(0)} ms, header at ${r.firstByteAt.toFixed(0)} ms, last octet at ${r.lastByteAt.toFixed(0)} ms (${r.bytes} octets)`;
}

function laneChart(lane: WaterfallLane, scaleMs: number, prefix: string): SVGSVGElement {
  const height = AXIS_H + lane.requests.length * ROW_H + 8;
  const chart = svg('svg', {
    class: 'wf-chart',
    viewBox: `0 0 ${WIDTH} ${height}`,
    role: 'img',
    'aria-label': `${lane.protocol} waterfall: ${lane.requests.length} requests on ${lane.connections} connection${lane.connections === 1 ? '' : 's'}, ${lane.totalMs.toFixed(0)} ms`,
  });
  chart.appendChild(patternDefs(prefix));
  const x = (ms: number) => LABEL_W + (CHART_W * Math.max(0, ms)) / scaleMs;
  const step = tickStep(scaleMs);
  for (let t = 0; t <= scaleMs; t += step) {
    chart.appendChild(svg('line', { x1: x(t), x2: x(t), y1: AXIS_H - 4, y2: height, class: 'wf-grid' }));
    chart.appendChild(svg('text', { x: x(t), y: 12, class: 'wf-tick', 'text-anchor': 'middle' }, `${t} ms`));
  }
  for (const stall of lane.stalls) {
    chart.appendChild(svg('text', { x: x(stall.atMs), y: AXIS_H - 2, class: 'wf-stall', 'text-anchor': 'middle' }, '✕'));
  }
  lane.requests.forEach((r, i) => {
    const y = AXIS_H + i * ROW_H;
    const row = svg('g', {
      class: 'wf-row',
      'data-path': r.path,
      'data-connection': r.connection,
      'data-sent': r.sentAt,
      'data-end': r.lastByteAt,
    });
    row.appendChild(svg('title', {}, rowTitle(r)));
    row.appendChild(svg('text', { x: 4, y: y + 13, class: 'wf-label' }, r.path));
    if (r.sentAt > 0) row.appendChild(svg('line', { x1: x(0), x2: x(r.sentAt), y1: y + 9, y2: y + 9, class: 'wf-wait' }));
    const pattern = ((r.connection - 1) % PATTERNS.length) + 1;
    row.appendChild(
      svg('rect', {
        x: x(r.sentAt),
        y: y + 3,
        width: Math.max(2, x(r.lastByteAt) - x(r.sentAt)),
        height: ROW_H - 6,
        fill: `url(#${prefix}-${pattern})`,
        stroke: PATTERNS[pattern - 1]!.colour,
        class: 'wf-bar',
      }),
    );
    row.appendChild(svg('text', { x: x(r.lastByteAt) + 4, y: y + 13, class: 'wf-conn' }, `c${r.connection}`));
    chart.appendChild(row);
  });
  return chart;
}

function laneSection(lane: WaterfallLane, scaleMs: number): HTMLElement {
  const name = lane.protocol === 'h2' ? 'HTTP/2, one connection' : 'HTTP/1.1, at most six connections';
  const section = el('section', { class: 'wf-lane', 'data-protocol': lane.protocol, 'aria-label': name });
  section.appendChild(el('h3', {}, name));
  const counted = lane.serverCounted === undefined ? '' : ` (your server counted ${lane.serverCounted})`;
  section.appendChild(
    el(
      'p',
      { class: 'wf-total', 'data-total-ms': String(lane.totalMs), 'data-connections': String(lane.connections), 'data-rows': String(lane.requests.length) },
      `Total ${lane.totalMs.toFixed(0)} ms for ${lane.requests.length} resources over ${lane.connections} connection${lane.connections === 1 ? '' : 's'}${counted}.`,
    ),
  );
  section.appendChild(laneChart(lane, scaleMs, `wf-${lane.protocol === 'h2' ? 'h2' : 'h1'}-pat`));
  section.appendChild(
    el(
      'p',
      { class: 'wf-stalls' },
      lane.stalls.length
        ? `✕ ${lane.stalls.length} lost chunk${lane.stalls.length === 1 ? '' : 's'}: ${lane.stalls
            .map(
              (s) =>
                `connection ${s.connection} (${s.direction === 'to-client' ? 'to the client' : 'to the server'}) at ${s.atMs.toFixed(0)} ms, held ${s.delayMs} ms`,
            )
            .join('; ')}.`
        : 'No chunk lost.',
    ),
  );
  return section;
}

function timesTable(lanes: WaterfallLane[]): HTMLElement {
  const details = el('details', { class: 'wf-table' });
  details.appendChild(el('summary', {}, 'The measured times as a table'));
  const box = details.appendChild(el('div', { class: 'table-box' }));
  const table = box.appendChild(el('table'));
  const head = el('tr');
  for (const h of ['protocol', 'resource', 'connection', 'sent (ms)', 'header (ms)', 'last octet (ms)', 'octets'])
    head.appendChild(el('th', { scope: 'col' }, h));
  table.appendChild(el('thead')).appendChild(head);
  const body = table.appendChild(el('tbody'));
  for (const lane of lanes)
    for (const r of lane.requests) {
      const tr = el('tr');
      for (const v of [lane.protocol, r.path, `c${r.connection}`, r.sentAt.toFixed(1), r.firstByteAt.toFixed(1), r.lastByteAt.toFixed(1), String(r.bytes)])
        tr.appendChild(el('td', {}, v));
      body.appendChild(tr);
    }
  return details;
}

export function showWaterfall(out: HTMLElement, banner: HTMLElement, result: WaterfallResult): void {
  banner.hidden = result.source === 'learner';
  banner.textContent =
    result.source === 'learner' ? '' : `Built-in peer: your AlpnServer is not serving this demo yet. Why: ${result.fallbackReason ?? 'unknown'}`;
  const scaleMs = Math.max(1, ...result.lanes.map((l) => l.totalMs));
  const s = result.settings;
  const about = el(
    'p',
    { id: 'wf-server', 'data-source': result.source },
    `Served by ${result.server}. ${s.resources} resources of ${result.sizeApplied ? `${s.size} octets` : 'the server’s own size ("resource N")'}, ${s.latencyMs} ms each way (a round trip of ${2 * s.latencyMs} ms), ${s.lossPercent}% of chunks lost (a lost chunk arrives ${result.rtoMs} ms late, seed ${s.seed}).`,
  );
  const [h1, h2] = result.lanes;
  const compare =
    h1 && h2
      ? el(
          'p',
          { id: 'wf-compare' },
          `HTTP/1.1 took ${h1.totalMs.toFixed(0)} ms on ${h1.connections} connections; HTTP/2 took ${h2.totalMs.toFixed(0)} ms on ${h2.connections}: ${(h1.totalMs / Math.max(1, h2.totalMs)).toFixed(1)}× as long for HTTP/1.1.`,
        )
      : el('p');
  out.replaceChildren(about, compare, ...result.lanes.map((l) => laneSection(l, scaleMs)), timesTable(result.lanes));
}

function numberField(id: string, label: string, value: number, min: number, max: number, step = 1): { label: HTMLLabelElement; input: HTMLInputElement } {
  const l = el('label', {}, `${label} `);
  const input = el('input', { type: 'number', id, min: String(min), max: String(max), step: String(step), value: String(value) });
  l.appendChild(input);
  return { label: l, input };
}

export function waterfallDemo(panel: HTMLElement): void {
  const intro = el(
    'p',
    {},
    'A page of N resources fetched twice from your exercise 11 server: over HTTP/1.1 with at most six connections (each carries one request at a time), and over one HTTP/2 connection (every request at once, as streams). Both go through a relay on 127.0.0.1 that adds the latency to every chunk each way, the TCP handshake’s round trip, and with loss on holds a chunk back as a lost segment would be: everything behind it on that connection waits.',
  );
  const banner = el('p', { class: 'banner fallback', id: 'waterfall-banner', role: 'status', hidden: '' });
  const n = numberField('wf-resources', 'Resources (N)', 12, 1, 60);
  const size = numberField('wf-size', 'Size (octets)', 2000, 1, 100000);
  const latency = numberField('wf-latency', 'Latency, one way (ms)', 40, 0, 300);
  const loss = numberField('wf-loss', 'Loss (%)', 0, 0, 20, 0.5);
  const seed = numberField('wf-seed', 'Seed', 1, 1, 2147483647);
  const run = el('button', { type: 'button', id: 'wf-run', class: 'primary' }, 'Run both lanes');
  const status = el('p', { id: 'wf-status', role: 'status', 'aria-live': 'polite' });
  const out = el('div', { id: 'wf-out' });
  run.addEventListener('click', () => {
    status.textContent = 'running: HTTP/1.1, then HTTP/2…';
    run.disabled = true;
    api<WaterfallResult>('/api/demo/waterfall', {
      resources: Number(n.input.value),
      size: Number(size.input.value),
      latencyMs: Number(latency.input.value),
      lossPercent: Number(loss.input.value),
      seed: Number(seed.input.value),
    })
      .then((result) => {
        showWaterfall(out, banner, result);
        status.textContent = `done: ${result.settings.resources} resources per lane`;
      })
      .catch((err: unknown) => (status.textContent = `failed: ${err instanceof Error ? err.message : String(err)}`))
      .finally(() => (run.disabled = false));
  });
  const controls = el('div', { class: 'controls wf-controls' });
  controls.append(n.label, size.label, latency.label, loss.label, seed.label, run);
  const later = el('p', { class: 'muted' }, 'Not built yet: a third lane over exercise 9’s transport (per-stream delivery).');
  panel.replaceChildren(el('h2', {}, 'Waterfall: HTTP/1.1 vs HTTP/2'), intro, banner, controls, status, out, later);
}
