// The chat room demo's page (exercises 3 and 4): two panes, each a chat member whose connection the lab server
// holds to the room server (the learner's RoomServer, or the built-in peer). A pane applies the sender's rules of
// exercise 4 to its own keystrokes (typing at once, then at most once per throttle interval; stop-typing after the
// idle time, unless its box is unticked, as a closed laptop would; stop-typing before a message) and the
// receiver's rules to the frames the server sent it, shown as they arrived: who is in the room, the messages, the
// indicator line with each typer's countdown to expiry, and how the last indicator ended. Below, "Stop server"
// closes the server's port and the reconnecting client (the learner's ReconnectingWebSocket, or the built-in
// fixed-schedule one) lists each reconnect it schedules: attempt, delay, the bound it was drawn from.

import { backoffBound, BACKOFF, CHAT_NAMES, CHAT_TIMING, RECONNECTOR_NAME, type ChatFrame, type ChatOutgoing, type ChatView } from '../view-chat';
import { api, el } from './dom';

interface Typer {
  /** When this typer's indicator appeared, and when their latest typing event arrived (performance.now()). */
  since: number;
  last: number;
}

interface PaneState {
  name: string;
  typers: Map<string, Typer>;
  /** Sender side: a burst is on, when its last typing went out, the idle timer. */
  typing: boolean;
  lastTypingSent: number;
  idle: number | undefined;
  /** Sends go out one after the other (stop-typing before the message, in that order). */
  sending: Promise<unknown>;
  nodes: {
    conn: HTMLElement;
    presence: HTMLElement;
    messages: HTMLOListElement;
    indicator: HTMLElement;
    typers: HTMLUListElement;
    ended: HTMLElement;
    input: HTMLInputElement;
    stop: HTMLInputElement;
    wire: HTMLOListElement;
    note: HTMLElement;
  };
}

let run = 0;
let early: ChatView[] = [];
let panes: PaneState[] = [];
let ticker: number | undefined;
let stoppedAt: number | undefined;
let shared:
  | {
      serverBanner: HTMLElement;
      clientBanner: HTMLElement;
      status: HTMLElement;
      stopButton: HTMLButtonElement;
      startButton: HTMLButtonElement;
      clientState: HTMLElement;
      attempts: HTMLOListElement;
      client: HTMLElement;
      settings: HTMLElement;
    }
  | undefined;

/** The indicator's four forms (exercise 4's README), in the order the typers started. */
function indicatorText(users: readonly string[]): string {
  if (users.length === 0) return '';
  if (users.length === 1) return `${users[0]} is typing…`;
  if (users.length === 2) return `${users[0]} and ${users[1]} are typing…`;
  return 'Several people are typing…';
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function renderTypers(pane: PaneState): void {
  const now = performance.now();
  const { indicator, typers } = pane.nodes;
  const names = [...pane.typers.keys()];
  indicator.textContent = indicatorText(names) || '(nobody is typing)';
  indicator.dataset.typers = names.join(',');
  typers.replaceChildren(
    ...[...pane.typers].map(([user, t]) =>
      el('li', { 'data-user': user }, `✎ ${user}: expires in ${seconds(Math.max(0, t.last + CHAT_TIMING.expiryMs - now))} unless another typing event comes`),
    ),
  );
}

function endTyper(pane: PaneState, user: string, reason: 'expired' | 'stop-typing' | 'message' | 'left' | 'disconnected'): void {
  const t = pane.typers.get(user);
  if (!t) return;
  pane.typers.delete(user);
  const now = performance.now();
  const why = {
    expired: `expired: no typing event for ${seconds(CHAT_TIMING.expiryMs)}`,
    'stop-typing': 'their stop-typing arrived',
    message: 'their message arrived',
    left: 'they left the room',
    disconnected: 'this pane’s connection closed',
  }[reason];
  const ended = pane.nodes.ended;
  ended.dataset.user = user;
  ended.dataset.reason = reason;
  ended.dataset.afterLast = String(Math.round(now - t.last));
  ended.textContent = `■ ${user}’s indicator ended ${seconds(now - t.last)} after their last typing event (shown ${seconds(now - t.since)}): ${why}.`;
  renderTypers(pane);
}

function tick(): void {
  const now = performance.now();
  for (const pane of panes) {
    for (const [user, t] of pane.typers) if (now - t.last >= CHAT_TIMING.expiryMs) endTyper(pane, user, 'expired');
    renderTypers(pane);
  }
}

function setUsers(pane: PaneState, users: string[] | undefined): void {
  if (!users) return;
  pane.nodes.presence.textContent = `In the room: ${users.join(', ') || '(nobody)'}`;
  pane.nodes.presence.dataset.users = users.join(',');
}

function onFrame(pane: PaneState, raw: string, f: ChatFrame): void {
  const wire = pane.nodes.wire;
  wire.prepend(el('li', {}, `← ${raw}`));
  while (wire.children.length > 12) wire.lastElementChild?.remove();
  const user = f.user ?? '';
  switch (f.type) {
    case 'joined':
      setUsers(pane, f.users);
      break;
    case 'presence':
      setUsers(pane, f.users);
      if (f.event === 'leave') endTyper(pane, user, 'left');
      break;
    case 'typing': {
      // An event about me (a naive server echoes) is ignored: never "Ada is typing…" to Ada.
      if (user === pane.name) return;
      const now = performance.now();
      const t = pane.typers.get(user);
      if (t) t.last = now;
      else pane.typers.set(user, { since: now, last: now });
      renderTypers(pane);
      break;
    }
    case 'stop-typing':
      endTyper(pane, user, 'stop-typing');
      break;
    case 'message': {
      endTyper(pane, user, 'message');
      const li = el('li', { class: 'chat-message', 'data-user': user });
      li.append(el('strong', {}, `${user}: `), document.createTextNode(f.text ?? ''));
      pane.nodes.messages.appendChild(li);
      break;
    }
    case 'error':
      pane.nodes.messages.appendChild(el('li', { class: 'chat-error' }, `⚠ the server answered with an error: ${f.code ?? '?'} ${f.message ?? ''}`));
      break;
  }
}

function say(index: number, message: ChatOutgoing): void {
  const pane = panes[index];
  if (!pane) return;
  const mine = run;
  pane.sending = pane.sending
    .then(() => api('/api/demo/chat/say', { run: mine, pane: index, message }))
    .then(() => (pane.nodes.note.textContent = ''))
    .catch((err: unknown) => (pane.nodes.note.textContent = `not sent: ${err instanceof Error ? err.message : String(err)}`));
}

/** A keystroke in pane `index`: the sender's rules of exercise 4. */
function keystroke(index: number): void {
  const pane = panes[index]!;
  const now = performance.now();
  if (!pane.typing || now - pane.lastTypingSent >= CHAT_TIMING.throttleMs) {
    say(index, { type: 'typing' });
    pane.lastTypingSent = now;
  }
  pane.typing = true;
  clearTimeout(pane.idle);
  pane.idle = window.setTimeout(() => {
    if (!pane.nodes.stop.checked) return;
    pane.typing = false;
    say(index, { type: 'stop-typing' });
  }, CHAT_TIMING.idleMs);
}

function sendMessage(index: number): void {
  const pane = panes[index]!;
  const text = pane.nodes.input.value;
  if (!text.trim()) return;
  clearTimeout(pane.idle);
  if (pane.typing) say(index, { type: 'stop-typing' });
  pane.typing = false;
  say(index, { type: 'message', text: text.slice(0, 2000) });
  pane.nodes.input.value = '';
}

function paneSection(index: number, name: string): { section: HTMLElement; state: PaneState } {
  const id = (part: string) => `chat-${part}-${index}`;
  const conn = el('span', { class: 'chat-conn', id: id('conn'), 'data-connected': 'false' }, '○ not connected');
  const heading = el('h3', {}, `${name} `);
  heading.append(conn);
  const presence = el('p', { class: 'chat-presence muted', id: id('presence') });
  const messages = el('ol', { class: 'chat-messages', id: id('messages'), 'aria-label': `Messages ${name} received` });
  const indicator = el('p', { class: 'chat-indicator', id: id('indicator'), role: 'status', 'aria-live': 'polite' }, '(nobody is typing)');
  const typers = el('ul', { class: 'chat-typers', id: id('typers') });
  const ended = el('p', { class: 'chat-ended muted', id: id('ended') });
  const input = el('input', { type: 'text', id: id('input'), maxlength: '2000', autocomplete: 'off' });
  const inputLabel = el('label', { for: id('input') }, `${name} types`);
  const send = el('button', { type: 'button', id: id('send') }, 'Send');
  const stop = el('input', { type: 'checkbox', id: id('stop'), checked: '' });
  const stopLabel = el(
    'label',
    { for: id('stop'), class: 'muted' },
    ` send stop-typing after ${seconds(CHAT_TIMING.idleMs)} idle (untick: the others see the expiry)`,
  );
  const note = el('p', { class: 'warn', id: id('note'), role: 'status' });
  const wire = el('ol', { class: 'chat-wire', id: id('wire') });
  const details = el('details', {});
  details.append(el('summary', {}, `What the server sent ${name} (newest first)`), wire);
  const form = el('div', { class: 'chat-compose' });
  form.append(inputLabel, input, send);
  const stopRow = el('p', { class: 'chat-stop-row' });
  stopRow.append(stop, stopLabel);
  const section = el('section', { class: 'chat-pane', id: id('pane'), 'aria-label': `${name}’s pane` });
  section.append(heading, presence, messages, indicator, typers, ended, form, stopRow, note, details);
  const state: PaneState = {
    name,
    typers: new Map(),
    typing: false,
    lastTypingSent: 0,
    idle: undefined,
    sending: Promise.resolve(),
    nodes: { conn, presence, messages, indicator, typers, ended, input, stop, wire, note },
  };
  input.addEventListener('input', () => keystroke(index));
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      sendMessage(index);
    }
  });
  send.addEventListener('click', () => sendMessage(index));
  return { section, state };
}

function clientEvent(view: Extract<ChatView, { kind: 'client' }>): void {
  if (!shared) return;
  const since = stoppedAt === undefined ? '' : ` · t+${seconds(view.at - stoppedAt)} after the stop`;
  if (view.event === 'open') {
    const li = el('li', { class: 'chat-open' }, `✓ connected${since}`);
    shared.attempts.appendChild(li);
    shared.clientState.textContent = `✓ ${RECONNECTOR_NAME} is connected`;
    shared.clientState.dataset.state = 'open';
    return;
  }
  if (view.event === 'giveup') {
    shared.attempts.appendChild(el('li', { class: 'chat-giveup' }, `■ gave up: ${view.reason ?? '?'} (close code ${view.code ?? '?'})${since}`));
    shared.clientState.textContent = `■ ${RECONNECTOR_NAME} gave up`;
    shared.clientState.dataset.state = 'closed';
    return;
  }
  const { attempt, delay, low, high, code } = view;
  const fixed = low !== undefined && low === high;
  const inside = delay !== undefined && low !== undefined && high !== undefined && (fixed ? delay === low : delay > low && delay <= high);
  const bound = low === undefined || high === undefined ? 'no bound (attempt is not a number ≥ 1)' : fixed ? `a fixed ${high} ms` : `(${low}, ${high}] ms`;
  const li = el('li', {
    class: 'chat-attempt',
    'data-attempt': String(attempt ?? ''),
    'data-delay': String(delay ?? ''),
    'data-inside': String(inside),
  });
  li.textContent = `attempt ${attempt ?? '?'} after close code ${code ?? '?'}: waits ${delay === undefined ? '?' : Math.round(delay)} ms, drawn from ${bound} ${inside ? '✓ inside' : '✗ outside'}${since}`;
  shared.attempts.appendChild(li);
  shared.clientState.textContent = `… ${RECONNECTOR_NAME} is waiting to reconnect (attempt ${attempt ?? '?'})`;
  shared.clientState.dataset.state = 'waiting';
}

function setServerButtons(running: boolean): void {
  if (!shared) return;
  shared.stopButton.disabled = !running;
  shared.startButton.disabled = running;
  shared.status.textContent = running ? '● the server’s port is open' : '○ the server is stopped: its port refuses connections';
  shared.status.dataset.running = String(running);
}

/** A view from the lab's event stream. */
export function onChat(view: ChatView): void {
  if (view.run > run) early.push(view);
  if (!shared || view.run !== run) return;
  switch (view.kind) {
    case 'status': {
      const banner = view.half === 'server' ? shared.serverBanner : shared.clientBanner;
      // The backoff settings are those given to the learner's client; the built-in one has its fixed schedule.
      if (view.half === 'client') shared.settings.hidden = view.source === 'fallback';
      banner.hidden = view.source === 'learner';
      banner.dataset.source = view.source;
      banner.textContent =
        view.source === 'learner'
          ? view.text
          : view.half === 'server'
            ? `Built-in chat peer: your RoomServer is not relaying this room. Why: ${view.text}`
            : `Built-in client: your ReconnectingWebSocket is not running, so a client that retries every second (no backoff, no jitter) stands in. Why: ${view.text}`;
      return;
    }
    case 'frame':
      if (panes[view.pane]) onFrame(panes[view.pane]!, view.raw, view.frame);
      return;
    case 'pane': {
      const pane = panes[view.pane];
      if (!pane) return;
      pane.nodes.conn.textContent = view.connected ? '● connected' : `○ disconnected${view.code ? ` (close code ${view.code})` : ''}`;
      pane.nodes.conn.dataset.connected = String(view.connected);
      if (!view.connected) for (const user of [...pane.typers.keys()]) endTyper(pane, user, 'disconnected');
      return;
    }
    case 'server':
      if (!view.running) stoppedAt = view.at;
      setServerButtons(view.running);
      return;
    case 'client':
      clientEvent(view);
      return;
  }
}

function start(panesBox: HTMLElement): void {
  if (!shared) return;
  const s = shared;
  run = 0;
  stoppedAt = undefined;
  // The last run's panes go: their idle timers must not send from the new ones.
  for (const pane of panes) clearTimeout(pane.idle);
  for (const banner of [s.serverBanner, s.clientBanner]) banner.hidden = true;
  const built = CHAT_NAMES.map((name, i) => paneSection(i, name));
  panes = built.map((b) => b.state);
  // The client's section stays last in the same grid: at 1280 px the two panes and the client side by side.
  panesBox.replaceChildren(...built.map((b) => b.section), s.client);
  s.attempts.replaceChildren();
  s.clientState.textContent = '';
  s.status.textContent = 'starting the room server and the clients…';
  clearInterval(ticker);
  ticker = window.setInterval(tick, 100);
  api<{ run: number }>('/api/demo/chat', {})
    .then((answer) => {
      run = answer.run;
      const waiting = early.filter((v) => v.run === run);
      early = early.filter((v) => v.run > run);
      waiting.forEach(onChat);
    })
    .catch((err: unknown) => (s.status.textContent = `failed: ${err instanceof Error ? err.message : String(err)}`));
}

function setServer(running: boolean): void {
  if (!shared || !run) return;
  const s = shared;
  s.stopButton.disabled = s.startButton.disabled = true;
  api<{ running: boolean }>('/api/demo/chat/server', { run, running }).catch((err: unknown) => {
    s.status.textContent = `failed: ${err instanceof Error ? err.message : String(err)}`;
    setServerButtons(!running);
  });
}

export function chatRoom(panel: HTMLElement): void {
  const intro = el(
    'p',
    {},
    `Two chat members, ${CHAT_NAMES.join(' and ')}, each a real WebSocket connection to your room server (exercise 4): what a pane shows is what the server sent it. Type in one pane and watch the other. Then stop the server and watch the reconnecting client (exercise 3) back off.`,
  );
  const serverBanner = el('p', { class: 'banner fallback', id: 'chat-server-banner', role: 'status', hidden: '' });
  const clientBanner = el('p', { class: 'banner fallback', id: 'chat-client-banner', role: 'status', hidden: '' });
  const startChat = el('button', { type: 'button', id: 'chat-start', class: 'primary' }, 'Open the chat room');
  const stopButton = el('button', { type: 'button', id: 'chat-stop', disabled: '' }, 'Stop server');
  const startButton = el('button', { type: 'button', id: 'chat-resume', disabled: '' }, 'Start server');
  const status = el('span', { id: 'chat-status', role: 'status', 'aria-live': 'polite' });
  const controls = el('div', { class: 'controls' });
  controls.append(startChat, stopButton, startButton, status);
  const panesBox = el('div', { class: 'chat-panes', id: 'chat-panes' });
  const clientState = el('p', { id: 'chat-client-state', role: 'status', 'aria-live': 'polite' });
  const settings = el(
    'p',
    {
      class: 'muted',
      id: 'chat-settings',
      'data-base': String(BACKOFF.baseDelayMs),
      'data-max': String(BACKOFF.maxDelayMs),
      'data-factor': String(BACKOFF.factor),
      'data-jitter': String(BACKOFF.jitter),
    },
    `Backoff: base ${BACKOFF.baseDelayMs} ms, factor ${BACKOFF.factor}, cap ${BACKOFF.maxDelayMs} ms, jitter ${BACKOFF.jitter}: attempt n waits a delay in (capped(n) × ${1 - BACKOFF.jitter}, capped(n)], capped(n) = min(${BACKOFF.maxDelayMs}, ${BACKOFF.baseDelayMs} × ${BACKOFF.factor}^(n−1)); attempt 1 in (${backoffBound(1).low}, ${backoffBound(1).high}] ms.`,
  );
  const attempts = el('ol', { class: 'chat-attempts', id: 'chat-attempts' });
  const client = el('section', { class: 'chat-client', 'aria-label': 'The reconnecting client' });
  client.append(el('h3', {}, `The reconnecting client (${RECONNECTOR_NAME})`), clientState, settings, attempts);
  shared = { serverBanner, clientBanner, status, stopButton, startButton, clientState, attempts, client, settings };
  panesBox.append(client);
  startChat.addEventListener('click', () => start(panesBox));
  stopButton.addEventListener('click', () => setServer(false));
  startButton.addEventListener('click', () => setServer(true));
  panel.replaceChildren(el('h2', {}, 'Chat room'), intro, serverBanner, clientBanner, controls, panesBox);
}
