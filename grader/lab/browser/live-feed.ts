// The live feed demo's page: one button starts a run; the learner's SseClient (in the sandbox host, its events
// relayed by the lab's event stream) and the browser's own EventSource read the same faulty feed side by side:
// events with their id and type, opens, and errors (a reconnect, or the end). Below, a comparison in words: the
// same events in the same order, or the first one that differs. Until the learner's client starts, the
// browser's EventSource alone is the built-in peer, and a banner says why.

import type { FeedView } from '../view';
import { api, el, withToken } from './dom';

interface Entry {
  kind: 'event' | 'open' | 'error';
  type?: string;
  data?: string;
  lastEventId?: string;
  readyState?: number;
}

const columns: Record<'learner' | 'browser', Entry[]> = { learner: [], browser: [] };
let run = 0;
/** Events of a run whose number the page does not know yet (they may arrive before the answer to the start). */
let early: FeedView[] = [];
let browserSource: EventSource | undefined;
let learnerSource: 'learner' | 'fallback' | undefined;
let nodes: { learner: HTMLElement; browser: HTMLElement; banner: HTMLElement; compare: HTMLElement } | undefined;

function entryItem(e: Entry): HTMLLIElement {
  const li = el('li', { class: `feed-${e.kind}`, 'data-kind': e.kind });
  if (e.kind === 'event') {
    li.dataset.id = e.lastEventId ?? '';
    li.dataset.type = e.type ?? '';
    li.append(el('span', { class: 'feed-meta' }, `${e.type} · id ${e.lastEventId || '(none)'}`), el('span', { class: 'feed-data' }, e.data ?? ''));
  } else if (e.kind === 'open') li.textContent = '↻ open: connected';
  else li.textContent = e.readyState === 2 ? '■ error: closed for good' : '⚠ error: connection lost, reconnecting';
  return li;
}

const events = (list: Entry[]) => list.filter((e) => e.kind === 'event');

function compare(): void {
  if (!nodes) return;
  const mine = events(columns.learner);
  const theirs = events(columns.browser);
  const browserDone = columns.browser.some((e) => e.kind === 'error' && e.readyState === 2);
  let text: string;
  let state: string;
  if (learnerSource !== 'learner') {
    text = `The browser's EventSource dispatched ${theirs.length} events over ${columns.browser.filter((e) => e.kind === 'open').length} connections${browserDone ? ' and stopped' : ''}.`;
    state = browserDone ? 'peer-only' : 'running';
  } else {
    const k = mine.findIndex((e, i) => !theirs[i] || e.type !== theirs[i]!.type || e.data !== theirs[i]!.data || e.lastEventId !== theirs[i]!.lastEventId);
    const opens = (list: Entry[]) => list.filter((e) => e.kind === 'open').length;
    if (k >= 0 && k < theirs.length) {
      text = `✗ They differ at event ${k + 1}: yours is ${mine[k]!.type} "${mine[k]!.data}" (id ${mine[k]!.lastEventId}), the browser's ${theirs[k]!.type} "${theirs[k]!.data}" (id ${theirs[k]!.lastEventId}).`;
      state = 'differ';
    } else if (browserDone && mine.length === theirs.length) {
      text = `✓ Same ${mine.length} events, in the same order, with the same ids (connections: yours ${opens(columns.learner)}, the browser's ${opens(columns.browser)}).`;
      state = 'same';
    } else {
      text = `… yours ${mine.length} events, the browser's ${theirs.length}`;
      state = 'running';
    }
  }
  nodes.compare.textContent = text;
  nodes.compare.dataset.state = state;
}

function push(side: 'learner' | 'browser', entry: Entry): void {
  columns[side].push(entry);
  nodes?.[side].appendChild(entryItem(entry));
  compare();
}

/** What the learner's client did, from the lab's event stream. */
export function onFeed(view: FeedView): void {
  if (view.run > run) early.push(view);
  if (!nodes || view.run !== run) return;
  if (view.kind === 'status') {
    learnerSource = view.source;
    nodes.banner.hidden = view.source === 'learner';
    nodes.banner.textContent =
      view.source === 'learner'
        ? ''
        : `Built-in peer: your SseClient is not running, so only the browser's EventSource reads the feed. Why: ${view.text ?? 'unknown'}`;
    if (view.source === 'fallback') nodes.learner.replaceChildren(el('li', { class: 'muted' }, 'not running'));
    compare();
    return;
  }
  push('learner', { kind: view.kind, type: view.type, data: view.data, lastEventId: view.lastEventId, readyState: view.readyState });
}

function startBrowser(): void {
  browserSource?.close();
  const source = new EventSource(withToken('/api/demo/feed/stream'));
  browserSource = source;
  const onEvent = (e: Event) => {
    const m = e as MessageEvent<string>;
    push('browser', { kind: 'event', type: m.type, data: m.data, lastEventId: m.lastEventId });
  };
  source.addEventListener('message', onEvent);
  source.addEventListener('notice', onEvent);
  source.addEventListener('open', () => push('browser', { kind: 'open' }));
  source.addEventListener('error', () => push('browser', { kind: 'error', readyState: source.readyState }));
}

export function liveFeed(panel: HTMLElement): void {
  const intro = el(
    'p',
    {},
    'A Server-Sent Events feed with faults: it sets retry, drops the connection every 4 events, and answers 204 once the 10 events are out. Your SseClient (with undici’s fetch) and this browser’s own EventSource read it side by side.',
  );
  const banner = el('p', { class: 'banner fallback', id: 'feed-banner', role: 'status', hidden: '' });
  const start = el('button', { type: 'button', id: 'feed-start', class: 'primary' }, 'Start the feed');
  const status = el('p', { id: 'feed-status', role: 'status', 'aria-live': 'polite' });
  const compareBox = el('p', { id: 'feed-compare', class: 'total', role: 'status', 'aria-live': 'polite' });
  const learner = el('ol', { id: 'feed-learner', class: 'feed' });
  const browser = el('ol', { id: 'feed-browser', class: 'feed' });
  const left = el('section', { class: 'feed-column', 'aria-label': 'Your SseClient' });
  left.append(el('h3', {}, 'Your SseClient'), learner);
  const right = el('section', { class: 'feed-column', 'aria-label': "The browser's EventSource" });
  right.append(el('h3', {}, "The browser's EventSource"), browser);
  const both = el('div', { class: 'feed-columns' });
  both.append(left, right);
  nodes = { learner, browser, banner, compare: compareBox };
  start.addEventListener('click', () => {
    columns.learner = [];
    columns.browser = [];
    learnerSource = undefined;
    learner.replaceChildren();
    browser.replaceChildren();
    compareBox.textContent = '';
    status.textContent = 'starting…';
    api<{ run: number }>('/api/demo/feed', {})
      .then((answer) => {
        run = answer.run;
        status.textContent = `run ${answer.run}`;
        startBrowser();
        const waiting = early.filter((v) => v.run === run);
        early = early.filter((v) => v.run > run);
        waiting.forEach(onFeed);
      })
      .catch((err: unknown) => (status.textContent = `failed: ${err instanceof Error ? err.message : String(err)}`));
  });
  panel.replaceChildren(el('h2', {}, 'Live feed'), intro, banner, start, status, compareBox, both);
}
