// The parking lot demo's page (exercise 9): the learner picks the file's size and how the TCP client recovers,
// starts the two downloads and presses Switch network mid-transfer. Two lanes, TCP and QUIC, each a progress bar
// with its bytes; the TCP lane counts its connections (a new one after the switch), the QUIC lane shows its
// connection ID (the same before and after) and its paths (the new one validated by PATH_CHALLENGE/RESPONSE);
// below, the timeline of the run in words with its times. The lab server publishes a snapshot of the run on its
// event stream; this page renders the newest one. Until the learner's exercise 9 works, a banner says the QUIC
// lane runs on the lab's built-in peer, and why.

import type { ParkingEvent, ParkingView } from '../view-parking';
import { api, el } from './dom';

const MB = 1024 * 1024;
const SYMBOL: Record<ParkingEvent['kind'], string> = {
  start: '▶',
  connection: '●',
  switch: '⇄',
  broken: '✗',
  'new-path': '→',
  challenge: '?',
  validated: '✓',
  resumed: '↪',
  complete: '✓',
  failed: '✗',
  note: '·',
};

interface Nodes {
  banner: HTMLElement;
  status: HTMLElement;
  switchButton: HTMLButtonElement;
  tcp: HTMLElement;
  quic: HTMLElement;
  timeline: HTMLOListElement;
}

let nodes: Nodes | undefined;
let latest: ParkingView | undefined;

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

function bar(label: string, bytes: number, size: number): HTMLElement {
  const box = el('div', { class: 'parking-bar' });
  const progress = el('progress', { max: String(size), value: String(bytes), 'aria-label': label });
  const pct = size ? Math.floor((bytes / size) * 100) : 0;
  box.append(progress, el('span', { class: 'parking-bytes' }, `${bytes.toLocaleString('en-US')} of ${size.toLocaleString('en-US')} B (${pct}%)`));
  return box;
}

function facts(rows: Array<[string, string, string?]>): HTMLElement {
  const dl = el('dl', { class: 'parking-facts' });
  for (const [term, value, cls] of rows) dl.append(el('dt', {}, term), el('dd', cls ? { class: cls } : {}, value));
  return dl;
}

function laneState(lane: { done: boolean; failed?: string; doneAtMs?: number }, running: boolean): string {
  if (lane.done) return `✓ complete at ${seconds(lane.doneAtMs ?? 0)}`;
  if (lane.failed) return `✗ ${lane.failed}`;
  return running ? '… downloading' : '… starting';
}

function renderTcp(view: ParkingView): void {
  const t = view.tcp;
  const box = nodes!.tcp;
  box.dataset.fileBytes = String(t.fileBytes);
  box.dataset.connections = String(t.connections.length);
  box.dataset.done = String(t.done);
  const list = el('ol', { class: 'parking-conns' });
  for (const c of t.connections) {
    const word = c.state === 'broken' ? '✗ broken' : c.state === 'complete' ? '✓ complete' : '● open';
    list.appendChild(
      el(
        'li',
        { 'data-state': c.state },
        `client port ${c.clientPort}: ${word}, ${c.bytes.toLocaleString('en-US')} B from byte ${c.firstByte.toLocaleString('en-US')}`,
      ),
    );
  }
  box.replaceChildren(
    el('h3', {}, 'TCP (HTTP/1.1 over node:net)'),
    el('p', { class: 'parking-state' }, laneState(t, view.state !== 'starting')),
    bar('TCP download', t.fileBytes, view.size),
    facts([
      ['TCP connections', String(t.connections.length), 'tcp-connections'],
      ['after a switch', t.recovery === 'range' ? 'resume: Range: bytes=N-' : 'restart from byte 0'],
      ['received in all', `${t.receivedTotal.toLocaleString('en-US')} B`, 'tcp-total'],
    ]),
    list,
  );
}

/** When the newest path was validated, measured from the press of Switch network (the timeline's times). */
function validatedAfterSwitch(view: ParkingView): string {
  const pressed = view.switchedAtMs;
  if (pressed === undefined) return '— (no switch yet)';
  const validated = view.timeline.find((e) => e.lane === 'quic' && e.kind === 'validated' && e.atMs >= pressed);
  return validated ? `✓ ${validated.atMs - pressed} ms after the switch` : '… waiting for the PATH_RESPONSE';
}

function renderQuic(view: ParkingView): void {
  const q = view.quic;
  const box = nodes!.quic;
  box.dataset.fileBytes = String(q.fileBytes);
  box.dataset.cids = String(q.dcidsSeen.length);
  box.dataset.done = String(q.done);
  box.dataset.source = q.source;
  const unchanged = q.dcidsSeen.length === 1 ? ' (unchanged ✓)' : q.dcidsSeen.length > 1 ? ` ✗ changed: ${q.dcidsSeen.join(', ')}` : '';
  const list = el('ol', { class: 'parking-paths' });
  q.paths.forEach((p, i) => {
    const state = p.validated ? '✓ validated' : p.challenges ? '? challenged, not validated yet' : '… not validated';
    list.appendChild(
      el(
        'li',
        { 'data-validated': String(p.validated) },
        `path ${i}: client port ${p.clientPort} (server sees ${p.serverSeesPort}): ${state}${i ? `, ${p.challenges} PATH_CHALLENGE` : ', by the handshake'}`,
      ),
    );
  });
  box.replaceChildren(
    el('h3', {}, q.source === 'learner' ? 'QUIC-shaped (your QuicServer and QuicClient)' : 'QUIC-shaped (built-in peer)'),
    el('p', { class: 'parking-state' }, laneState(q, view.state !== 'starting')),
    bar('QUIC download', q.fileBytes, view.size),
    facts([
      ['connection ID', `${q.serverCid ?? '…'}${unchanged}`, 'quic-cid'],
      ['connection IDs seen', String(q.dcidsSeen.length), 'quic-cid-count'],
      ['new path validated', validatedAfterSwitch(view), 'quic-validated'],
      ['after a switch', q.resumedAt === undefined ? '—' : `went on at byte ${q.resumedAt.toLocaleString('en-US')}`, 'quic-resumed'],
    ]),
    list,
  );
}

function render(view: ParkingView): void {
  if (!nodes) return;
  const n = nodes;
  const fallback = view.quic.source === 'fallback' && view.quic.fallbackReason !== undefined;
  n.banner.hidden = !fallback;
  n.banner.textContent = fallback
    ? `Built-in peer: your exercise 9 code is not running, so the QUIC lane uses a QUIC-shaped peer built into the lab. Why: ${view.quic.fallbackReason}`
    : '';
  const switched = view.switchedAtMs !== undefined ? `, switched at ${seconds(view.switchedAtMs)}` : '';
  n.status.textContent =
    view.state === 'done'
      ? `done: run ${view.run}${switched}`
      : `${view.state === 'starting' ? 'starting' : 'running'}: run ${view.run}, ${seconds(view.elapsedMs)}${switched}`;
  n.status.dataset.state = view.state;
  n.status.dataset.run = String(view.run);
  n.switchButton.disabled = view.state !== 'running' || (view.tcp.done && view.quic.done);
  renderTcp(view);
  renderQuic(view);
  n.timeline.replaceChildren(
    ...view.timeline.map((e) =>
      el(
        'li',
        { 'data-kind': e.kind, 'data-lane': e.lane, 'data-at': String(e.atMs) },
        `${seconds(e.atMs)} ${e.lane === 'both' ? 'both' : e.lane.toUpperCase()} ${SYMBOL[e.kind]} ${e.text}`,
      ),
    ),
  );
}

/** A snapshot from the lab's event stream: the newest run wins. */
export function onParking(view: ParkingView): void {
  if (latest && view.run < latest.run) return;
  latest = view;
  render(view);
}

export function parkingLot(panel: HTMLElement): void {
  const intro = el(
    'p',
    {},
    'One file, downloaded twice over links of the same speed (4 Mbit/s, on 127.0.0.1): over TCP, and over your QUIC-shaped transport through a UDP relay that acts as a NAT. Press Switch network mid-transfer: both clients move to a new local port, as a phone does when it leaves the Wi-Fi for 4G.',
  );
  const banner = el('p', { class: 'banner fallback', id: 'parking-banner', role: 'status', hidden: '' });
  const sizeLabel = el('label', {}, 'File size ');
  const size = el('select', { id: 'parking-size' });
  for (const mb of [1, 2, 4]) size.appendChild(el('option', { value: String(mb * MB), ...(mb === 2 ? { selected: '' } : {}) }, `${mb} MB`));
  sizeLabel.appendChild(size);
  const recoveryLabel = el('label', {}, 'TCP after the switch ');
  const recovery = el('select', { id: 'parking-recovery' });
  recovery.append(el('option', { value: 'restart' }, 'restart from byte 0'), el('option', { value: 'range' }, 'resume with a Range request'));
  recoveryLabel.appendChild(recovery);
  const start = el('button', { type: 'button', id: 'parking-start', class: 'primary' }, 'Start both downloads');
  const switchButton = el('button', { type: 'button', id: 'parking-switch', disabled: '' }, '⇄ Switch network');
  const controls = el('div', { class: 'parking-controls' });
  controls.append(sizeLabel, recoveryLabel, start, switchButton);
  const status = el('p', { id: 'parking-status', role: 'status', 'aria-live': 'polite' });
  const tcp = el('section', { id: 'parking-tcp', class: 'parking-lane', 'aria-label': 'TCP download' });
  const quic = el('section', { id: 'parking-quic', class: 'parking-lane', 'aria-label': 'QUIC-shaped download' });
  const lanes = el('div', { class: 'parking-lanes' });
  lanes.append(tcp, quic);
  const timeline = el('ol', { id: 'parking-timeline', class: 'parking-timeline', 'aria-label': 'Timeline of the run' });
  nodes = { banner, status, switchButton, tcp, quic, timeline };
  start.addEventListener('click', () => {
    status.textContent = 'starting…';
    status.dataset.state = 'starting';
    switchButton.disabled = true;
    // The last run's lanes go; the new run's first snapshot fills them.
    latest = undefined;
    for (const lane of [tcp, quic]) {
      lane.replaceChildren();
      delete lane.dataset.fileBytes;
      delete lane.dataset.done;
    }
    timeline.replaceChildren();
    api<{ run: number }>('/api/demo/parking', { size: Number(size.value), recovery: recovery.value })
      .then((answer) => {
        if (!latest || latest.run < answer.run) status.textContent = `starting: run ${answer.run}`;
      })
      .catch((err: unknown) => (status.textContent = `failed: ${err instanceof Error ? err.message : String(err)}`));
  });
  switchButton.addEventListener('click', () => {
    if (!latest) return;
    switchButton.disabled = true;
    api<{ switched: boolean }>('/api/demo/parking/switch', { run: latest.run }).catch((err: unknown) => (status.textContent = `switch failed: ${String(err)}`));
  });
  panel.replaceChildren(
    el('h2', {}, 'The parking lot: a network switch mid-download'),
    intro,
    banner,
    controls,
    status,
    lanes,
    el('h3', {}, 'Timeline'),
    timeline,
  );
  if (latest) render(latest);
}
