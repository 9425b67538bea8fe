// report.html's script: renders the summary the server computed (report-view.ts) as a sortable table, and on a
// click on a learner loads that learner's detail file (report/<key>.js, beside the page) and shows it. Bundled at
// build time (bin/build.js, esbuild, an IIFE) and inlined into the page by html.ts. Text goes into the page only
// through textContent and attribute values: nothing a submission printed can become markup.

import { DETAIL_CALLBACK, type LearnerDetail, type ReportView, type SummaryRow } from '../report-view';

type ColumnKey = string;
interface Column {
  key: ColumnKey;
  label: string;
  numeric: boolean;
  value: (row: SummaryRow) => number | string;
  cls?: string;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Record<string, string>, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

function pts(n: number): string {
  return String(Math.round(n * 100) / 100);
}

// The nonce of this script: the detail files' <script> elements carry it (the page's CSP allows no other script).
const nonce = document.currentScript?.nonce ?? '';
const dataElement = document.getElementById('data');
const view = JSON.parse(dataElement?.textContent ?? '{}') as ReportView;

// ---- the detail files ------------------------------------------------------------------------------------------

const waiting = new Map<string, Array<(data: string) => void>>();
const details = new Map<string, Promise<LearnerDetail>>();

(window as unknown as Record<string, unknown>)[DETAIL_CALLBACK] = (key: string, data: string): void => {
  const callbacks = waiting.get(key);
  waiting.delete(key);
  for (const f of callbacks ?? []) f(data);
};

/** The detail file's data: base64 of the gzipped JSON. */
async function inflate(base64: string): Promise<LearnerDetail> {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
  return JSON.parse(await new Response(stream).text()) as LearnerDetail;
}

/** Loads report/<key>.js once (a <script src>: a page opened from file:// may not fetch its sibling files). */
function loadDetail(key: string): Promise<LearnerDetail> {
  let promise = details.get(key);
  if (!promise) {
    promise = new Promise<string>((resolve, reject) => {
      waiting.set(key, [resolve]);
      const script = el('script');
      script.nonce = nonce;
      script.src = `${view.detailDir}/${encodeURIComponent(key)}.js`;
      script.onerror = () => {
        waiting.delete(key);
        reject(new Error(`could not load ${script.getAttribute('src')} (it belongs beside report.html)`));
      };
      script.onload = () => script.remove();
      document.head.appendChild(script);
    }).then(inflate);
    promise.catch(() => details.delete(key));
    details.set(key, promise);
  }
  return promise;
}

function renderDetail(box: HTMLElement, d: LearnerDetail): void {
  for (const line of d.lines) box.appendChild(el('p', line.cls ? { class: line.cls } : {}, line.text));
  for (const x of d.exercises) {
    const div = el('div', { class: 'exercise-detail', 'data-exercise': x.exercise });
    div.appendChild(el('h4', {}, x.heading));
    for (const line of x.lines) div.appendChild(el('p', line.cls ? { class: line.cls } : {}, line.text));
    for (const diag of x.diagnostics) div.appendChild(el('pre', {}, diag));
    for (const t of x.failed) {
      const f = el('div', { class: 'failed-test' });
      f.appendChild(el('div', { class: 'name' }, t.name));
      f.appendChild(el('pre', {}, t.message));
      div.appendChild(f);
    }
    if (!x.failed.length && x.ran) div.appendChild(el('p', { class: 'muted' }, `all ${x.ran} tests passed`));
    box.appendChild(div);
  }
}

// ---- the table -----------------------------------------------------------------------------------------------

const maxTotal = view.exercises.reduce((s, x) => s + x.maxPoints, 0);
const columns: Column[] = [
  { key: 'learner', label: 'Learner', numeric: false, value: (r) => r.learner, cls: 'learner-col' },
  ...view.exercises.map((x, i): Column => ({
    key: `ex:${x.id}`,
    label: `${x.id} /${pts(x.maxPoints)}`,
    numeric: true,
    value: (r) => r.cells[i]?.points ?? -1,
  })),
  { key: 'total', label: `Total /${pts(maxTotal)}`, numeric: true, value: (r) => r.points, cls: 'total-col' },
  { key: 'percent', label: '%', numeric: true, value: (r) => r.percent },
  ...(view.hasDeadline
    ? [
        { key: 'late', label: 'Late', numeric: true, value: (r: SummaryRow) => r.late?.lateMs ?? 0 },
        { key: 'final', label: 'Final', numeric: true, value: (r: SummaryRow) => r.finalPoints ?? r.points },
      ]
    : []),
  { key: 'status', label: 'Status', numeric: false, value: (r) => r.status },
  { key: 'run', label: 'Run', numeric: false, value: (r) => r.run },
];

const table = document.getElementById('grades') as HTMLTableElement;
const head = el('tr');
for (const c of columns) head.appendChild(el('th', { 'data-key': c.key, scope: 'col', ...(c.cls ? { class: c.cls } : {}) }, c.label));
const thead = el('thead');
thead.appendChild(head);
const tbody = el('tbody');
table.append(thead, tbody);

function toggle(tr: HTMLTableRowElement, button: HTMLButtonElement, row: SummaryRow): void {
  const next = tr.nextElementSibling;
  if (next && next.getAttribute('data-detail-for') === row.learner) {
    next.remove();
    button.setAttribute('aria-expanded', 'false');
    return;
  }
  // data-state: loading, shown or failed (a test or a user agent can wait for `shown`).
  const detailRow = el('tr', { class: 'detail', 'data-detail-for': row.learner, 'data-state': row.key ? 'loading' : 'shown' });
  const cell = el('td', { colspan: String(columns.length) });
  const box = el('div', { class: 'detail-box' });
  cell.appendChild(box);
  detailRow.appendChild(cell);
  tr.after(detailRow);
  button.setAttribute('aria-expanded', 'true');
  if (!row.key) return;
  const loading = el('p', { class: 'muted loading' }, 'loading…');
  box.appendChild(loading);
  loadDetail(row.key).then(
    (d) => {
      loading.remove();
      renderDetail(box, d);
      detailRow.setAttribute('data-state', 'shown');
    },
    (e: unknown) => {
      detailRow.setAttribute('data-state', 'failed');
      loading.className = 'status-error';
      loading.textContent = e instanceof Error ? e.message : String(e);
    },
  );
}

function rowElement(row: SummaryRow): HTMLTableRowElement {
  const tr = el('tr', { 'data-learner': row.learner, class: `row-${row.status.replace(' ', '-')}` });
  const first = el('td', { class: 'learner-col' });
  if (row.key) {
    const button = el('button', { class: 'learner', type: 'button', 'aria-expanded': 'false' }, row.learner);
    button.addEventListener('click', () => toggle(tr, button, row));
    first.appendChild(button);
  } else first.appendChild(el('span', { class: 'learner-id' }, row.learner));
  if (row.name) first.appendChild(el('span', { class: 'learner-name' }, row.name));
  tr.appendChild(first);
  view.exercises.forEach((x, i) => {
    const c = row.cells[i]!;
    tr.appendChild(
      el(
        'td',
        {
          class: `score-${c.shade} st-${c.kind}`,
          'data-exercise': x.id,
          'data-kind': c.kind,
          'data-score': String(c.score),
          'data-points': String(c.points),
          title: c.title,
        },
        c.text,
      ),
    );
  });
  tr.appendChild(
    el(
      'td',
      { class: 'total total-col', 'data-score': String(row.score), 'data-points': String(row.points), title: `${row.score}/${row.maxScore} tests` },
      `${pts(row.points)}/${pts(row.maxPoints)}`,
    ),
  );
  tr.appendChild(el('td', { class: 'percent' }, `${pts(row.percent)}%`));
  if (view.hasDeadline) {
    const late = row.late;
    tr.appendChild(el('td', { class: `late${late?.penalty ? ' late-penalty' : late?.late ? ' late-only' : ''}`, title: late?.title ?? '' }, late?.text ?? ''));
    tr.appendChild(el('td', { class: 'final', 'data-points': String(row.finalPoints ?? row.points) }, pts(row.finalPoints ?? row.points)));
  }
  tr.appendChild(el('td', { class: `status status-${row.status.replace(' ', '-')}` }, row.status));
  tr.appendChild(el('td', { class: `run run-${row.run.replace(' ', '-')}`, title: row.runTitle }, row.run));
  return tr;
}

// Rows are made once; sorting only reorders them (an open detail moves with its learner).
const rowElements = new Map<SummaryRow, HTMLTableRowElement>(view.rows.map((r) => [r, rowElement(r)]));
const state = { key: '', dir: 1 };

function sortBy(key: ColumnKey): void {
  const column = columns.find((c) => c.key === key);
  if (!column) return;
  state.dir = state.key === key ? -state.dir : column.numeric ? -1 : 1;
  state.key = key;
  const sorted = [...view.rows].sort((a, b) => {
    const va = column.value(a);
    const vb = column.value(b);
    let cmp = typeof va === 'number' && typeof vb === 'number' ? va - vb : String(va).localeCompare(String(vb));
    if (cmp === 0) cmp = a.learner.localeCompare(b.learner);
    return cmp * state.dir;
  });
  const fragment = document.createDocumentFragment();
  for (const r of sorted) {
    const tr = rowElements.get(r)!;
    const detail = tr.nextElementSibling?.getAttribute('data-detail-for') === r.learner ? tr.nextElementSibling : null;
    fragment.appendChild(tr);
    if (detail) fragment.appendChild(detail);
  }
  tbody.appendChild(fragment);
  for (const th of Array.from(head.children)) {
    if (th.getAttribute('data-key') === key) th.setAttribute('aria-sort', state.dir > 0 ? 'ascending' : 'descending');
    else th.removeAttribute('aria-sort');
  }
}

head.addEventListener('click', (event) => {
  const th = (event.target as Element | null)?.closest('th');
  const key = th?.getAttribute('data-key');
  if (key) sortBy(key);
});
sortBy('learner');
