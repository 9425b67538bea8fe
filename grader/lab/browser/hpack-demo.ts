// The HPACK savings demo's page: the learner edits a list of requests (path and extra headers, e.g. a cookie),
// repeats one, picks the table size, and sends them; the lab sends them on a real HTTP/2 connection and returns
// what the learner's decoder made of each header block. Shown per request: octets on the wire against the plain
// text, the dynamic table after it (index, name, value, size) and the entries evicted; and the running total
// saved. While the learner's decoder does not work yet, a banner says the view is the built-in peer's.

import type { HpackDemoResult, HpackRequest, HpackStep } from '../view';
import { api, el } from './dom';

const START: HpackRequest[] = [
  { path: '/index.html', headers: [['cookie', 'session=4f2a9c81']] },
  { path: '/index.html', headers: [['cookie', 'session=4f2a9c81']] },
];

function parseHeaders(text: string): Array<[string, string]> {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line): [string, string] => {
      const colon = line.indexOf(':', 1);
      return colon < 0 ? [line.toLowerCase(), ''] : [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()];
    });
}

function requestRow(list: HTMLOListElement, request: HpackRequest): HTMLLIElement {
  const li = el('li', { class: 'request' });
  const n = list.children.length + 1;
  const pathLabel = el('label', {}, 'Path ');
  const path = el('input', { type: 'text', class: 'req-path', value: request.path, 'aria-label': `Request ${n} path` });
  pathLabel.appendChild(path);
  const headersLabel = el('label', {}, 'Headers (name: value, one a line) ');
  const headers = el('textarea', { class: 'req-headers', rows: '2', 'aria-label': `Request ${n} headers` });
  headers.value = request.headers.map(([k, v]) => `${k}: ${v}`).join('\n');
  headersLabel.appendChild(headers);
  const remove = el('button', { type: 'button', class: 'remove', 'aria-label': `Remove request ${n}` }, 'Remove');
  remove.addEventListener('click', () => li.remove());
  li.append(pathLabel, headersLabel, remove);
  return li;
}

function readRequests(list: HTMLOListElement): HpackRequest[] {
  return [...list.querySelectorAll('li.request')].map((li) => ({
    path: (li.querySelector('.req-path') as HTMLInputElement).value.trim() || '/',
    headers: parseHeaders((li.querySelector('.req-headers') as HTMLTextAreaElement).value),
  }));
}

function fieldsTable(caption: string, rows: Array<[string, string]>): HTMLTableElement {
  const table = el('table', { class: 'fields' });
  table.appendChild(el('caption', {}, caption));
  const head = el('tr');
  head.append(el('th', { scope: 'col' }, 'name'), el('th', { scope: 'col' }, 'value'));
  table.appendChild(el('thead')).appendChild(head);
  const body = table.appendChild(el('tbody'));
  for (const [n, v] of rows) {
    const tr = el('tr');
    tr.append(el('td', {}, n), el('td', {}, v));
    body.appendChild(tr);
  }
  return table;
}

function dynamicTable(step: HpackStep): HTMLElement {
  const box = el('div', { class: 'dyn' });
  const table = el('table', { class: 'dynamic-table' });
  table.appendChild(
    el(
      'caption',
      {},
      `Dynamic table after this request: ${step.table!.length} ${step.table!.length === 1 ? 'entry' : 'entries'}, ${step.tableSize} of ${step.maxTableSize} octets`,
    ),
  );
  const head = el('tr');
  for (const h of ['index', 'name', 'value', 'size']) head.appendChild(el('th', { scope: 'col' }, h));
  table.appendChild(el('thead')).appendChild(head);
  const body = table.appendChild(el('tbody'));
  step.table!.forEach((e, i) => {
    const tr = el('tr', { class: 'entry' });
    tr.append(el('td', {}, String(62 + i)), el('td', {}, e.name), el('td', {}, e.value), el('td', {}, String(e.size)));
    body.appendChild(tr);
  });
  box.appendChild(table);
  if (step.evicted?.length) {
    box.appendChild(el('p', { class: 'evicted' }, `Evicted (oldest first): ${step.evicted.map((e) => `${e.name}: ${e.value}`).join(' · ')}`));
  }
  return box;
}

function stepCard(step: HpackStep, index: number): HTMLElement {
  const card = el('section', { class: 'hpack-step', 'data-step': String(index + 1), 'aria-label': `Request ${index + 1}` });
  const saved = step.plainOctets - step.wireOctets;
  card.appendChild(el('h4', {}, `Request ${index + 1}: GET ${step.path}`));
  const stats = el('p', { class: 'octets' });
  stats.append(
    el('span', { class: 'wire', 'data-octets': String(step.wireOctets) }, `${step.wireOctets} octets on the wire`),
    document.createTextNode(' vs '),
    el('span', { class: 'plain', 'data-octets': String(step.plainOctets) }, `${step.plainOctets} as plain text`),
    document.createTextNode(': '),
    el('strong', { class: 'saved', 'data-octets': String(saved) }, `${saved} saved (${step.plainOctets ? Math.round((100 * saved) / step.plainOctets) : 0}%)`),
  );
  const bar = el('div', { class: 'bar', role: 'img', 'aria-label': `wire ${step.wireOctets} of ${step.plainOctets} plain octets` });
  // (Through the CSSOM: the page's CSP allows no inline style attributes.)
  const wire = bar.appendChild(el('div', { class: 'bar-wire' }));
  wire.style.width = `${step.plainOctets ? Math.min(100, (100 * step.wireOctets) / step.plainOctets) : 0}%`;
  card.append(stats, bar);
  card.appendChild(el('pre', { class: 'wire-hex', tabindex: '0', 'aria-label': 'the header block, hex' }, step.wireHex.replace(/(..)/g, '$1 ').trim()));
  if (step.table) card.appendChild(dynamicTable(step));
  card.appendChild(
    fieldsTable(step.decoded ? 'Decoded by your HpackDecoder' : 'Received by the node:http2 server (your decoder not used)', step.decoded ?? step.received),
  );
  return card;
}

export function showHpackResult(out: HTMLElement, banner: HTMLElement, result: HpackDemoResult): void {
  banner.hidden = result.source === 'learner';
  banner.textContent =
    result.source === 'learner'
      ? ''
      : `Built-in peer: your HpackDecoder is not driving this demo yet, so the dynamic table is not shown. Why: ${result.fallbackReason ?? 'unknown'}`;
  const saved = result.totalPlain - result.totalWire;
  const total = el('p', { class: 'total', id: 'hpack-total', 'data-saved': String(saved), 'data-source': result.source });
  total.textContent = `Total: ${result.totalWire} octets on the wire for ${result.totalPlain} octets of headers: ${saved} saved (${
    result.totalPlain ? Math.round((100 * saved) / result.totalPlain) : 0
  }%). Decoded by ${result.source === 'learner' ? 'your HpackDecoder' : 'the built-in peer (node:http2)'}.`;
  out.replaceChildren(total, ...result.steps.map(stepCard));
}

export function hpackDemo(panel: HTMLElement): void {
  const intro = el(
    'p',
    {},
    "Each request below is sent for real on one HTTP/2 connection (node:http2's encoder, i.e. nghttp2's). Your HpackDecoder decodes each header block; watch the dynamic table learn and the octets saved when a request repeats.",
  );
  const banner = el('p', { class: 'banner fallback', id: 'hpack-banner', role: 'status', hidden: '' });
  const list = el('ol', { class: 'requests', id: 'hpack-requests' });
  for (const r of START) list.appendChild(requestRow(list, r));
  const add = el('button', { type: 'button', id: 'hpack-add' }, 'Add request');
  add.addEventListener('click', () => list.appendChild(requestRow(list, { path: '/', headers: [] })));
  const repeat = el('button', { type: 'button', id: 'hpack-repeat' }, 'Repeat last');
  repeat.addEventListener('click', () => {
    const all = readRequests(list);
    list.appendChild(requestRow(list, all[all.length - 1] ?? { path: '/', headers: [] }));
  });
  const sizeLabel = el('label', {}, 'Table size (SETTINGS_HEADER_TABLE_SIZE) ');
  const size = el('input', { type: 'number', id: 'hpack-size', min: '0', max: '65536', value: '4096' });
  sizeLabel.appendChild(size);
  const send = el('button', { type: 'button', id: 'hpack-send', class: 'primary' }, 'Send requests');
  const status = el('p', { id: 'hpack-status', role: 'status', 'aria-live': 'polite' });
  const out = el('div', { id: 'hpack-out' });
  send.addEventListener('click', () => {
    status.textContent = 'sending…';
    send.disabled = true;
    api<HpackDemoResult>('/api/demo/hpack', { requests: readRequests(list), tableSize: Number(size.value) })
      .then((result) => {
        showHpackResult(out, banner, result);
        status.textContent = `done: ${result.steps.length} requests`;
      })
      .catch((err: unknown) => (status.textContent = `failed: ${err instanceof Error ? err.message : String(err)}`))
      .finally(() => (send.disabled = false));
  });
  const controls = el('div', { class: 'controls' });
  controls.append(add, repeat, sizeLabel, send);
  panel.replaceChildren(el('h2', {}, 'HPACK savings'), intro, banner, list, controls, status, out);
}
