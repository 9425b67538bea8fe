// The frame explorer's page: the learner picks the request paths, the lab records a real HTTP/2 session and
// returns every frame of both directions. Each frame's 9-octet header is shown as its four fields (Length, Type,
// Flags, R + Stream Identifier), each a button: hovering or focusing one explains it (value, meaning, RFC 9113
// section) in the info box. A frame the learner's parser reads differently from the peer's walker is marked in
// words (✗ and the fields that differ). While the learner's parser does not work, a banner says the view is the
// built-in peer's.

import type { ExplorerFrame, FramesDemoResult } from '../view';
import { api, el } from './dom';

const TYPE_SECTIONS: Record<string, string> = {
  DATA: '§6.1',
  HEADERS: '§6.2',
  PRIORITY: '§6.3',
  RST_STREAM: '§6.4',
  SETTINGS: '§6.5',
  PUSH_PROMISE: '§6.6',
  PING: '§6.7',
  GOAWAY: '§6.8',
  WINDOW_UPDATE: '§6.9',
  CONTINUATION: '§6.10',
};

const TYPE_MEANING: Record<string, string> = {
  DATA: 'carries a stream’s body octets (flow-controlled)',
  HEADERS: 'opens a stream and carries a header block fragment (HPACK)',
  PRIORITY: 'the deprecated priority signal',
  RST_STREAM: 'ends one stream at once, with an error code',
  SETTINGS: 'announces (or, with ACK, acknowledges) the connection’s parameters',
  PUSH_PROMISE: 'announces a server-pushed stream',
  PING: 'measures the round trip and checks the connection is alive',
  GOAWAY: 'starts shutting the connection down: the last stream that will be processed',
  WINDOW_UPDATE: 'gives the peer more flow-control credit',
  CONTINUATION: 'continues a header block that did not fit in one frame',
};

interface FieldInfo {
  key: string;
  label: string;
  octets: [number, number];
  explain: (f: ExplorerFrame) => string;
}

const hex2 = (n: number) => `0x${n.toString(16).padStart(2, '0')}`;

const FIELDS: FieldInfo[] = [
  {
    key: 'length',
    label: 'Length',
    octets: [0, 3],
    explain: (f) => `Length: ${f.peer.length} — the payload’s size in octets (24 bits), not counting this 9-octet header. RFC 9113 §4.1`,
  },
  {
    key: 'type',
    label: 'Type',
    octets: [3, 4],
    explain: (f) =>
      `Type: ${hex2(f.peer.type)} ${f.peer.typeName} — ${TYPE_MEANING[f.peer.typeName] ?? 'a type this endpoint does not know: ignored'}. RFC 9113 ${TYPE_SECTIONS[f.peer.typeName] ?? '§4.1'}`,
  },
  {
    key: 'flags',
    label: 'Flags',
    octets: [4, 5],
    explain: (f) =>
      `Flags: ${hex2(f.peer.flags)}${f.peer.flagNames.length ? ` ${f.peer.flagNames.join(' | ')}` : ' (none set)'} — boolean flags whose meaning depends on the frame type. RFC 9113 §4.1, ${TYPE_SECTIONS[f.peer.typeName] ?? ''}`.trim(),
  },
  {
    key: 'stream',
    label: 'R + Stream Identifier',
    octets: [5, 9],
    explain: (f) =>
      `Stream Identifier: ${f.peer.streamId} (reserved bit ${f.peer.reserved ? '1' : '0'}) — ${
        f.peer.streamId === 0
          ? 'stream 0 is the connection itself'
          : f.peer.streamId % 2
            ? 'an odd stream: opened by the client'
            : 'an even stream: opened by the server'
      }. RFC 9113 §4.1, §5.1.1`,
  },
];

function frameItem(frame: ExplorerFrame, index: number, info: HTMLElement): HTMLLIElement {
  const li = el('li', {
    class: `frame ${frame.direction}`,
    'data-index': String(index),
    'data-type': frame.peer.typeName,
    'data-stream': String(frame.peer.streamId),
    'data-length': String(frame.peer.length),
    ...(frame.learner !== undefined ? { 'data-agrees': frame.disagrees ? 'no' : 'yes' } : {}),
  });
  const head = el('div', { class: 'frame-head' });
  head.append(
    el('span', { class: 'dir' }, frame.direction === 'client' ? '→ client' : '← server'),
    el('strong', {}, `${frame.peer.typeName}`),
    el('span', {}, `stream ${frame.peer.streamId} · ${frame.peer.length} octets${frame.peer.flagNames.length ? ` · ${frame.peer.flagNames.join('|')}` : ''}`),
  );
  if (frame.learner !== undefined)
    head.appendChild(
      el(
        'span',
        { class: `verdict ${frame.disagrees ? 'bad' : 'good'}` },
        frame.disagrees ? `✗ your parser differs: ${frame.disagrees.join(', ')}` : '✓ your parser agrees',
      ),
    );
  li.appendChild(head);
  const octets = el('div', { class: 'octets-row', role: 'group', 'aria-label': `Frame ${index + 1} header octets` });
  const bytes = frame.headerHex.match(/../g) ?? [];
  for (const field of FIELDS) {
    const button = el('button', { type: 'button', class: `field field-${field.key}`, 'data-field': field.key, 'aria-describedby': 'frame-field-info' });
    button.append(el('span', { class: 'field-label' }, field.label), el('code', {}, bytes.slice(...field.octets).join(' ')));
    const show = () => {
      info.textContent = field.explain(frame);
      info.dataset.frame = String(index);
      info.dataset.field = field.key;
    };
    button.addEventListener('mouseenter', show);
    button.addEventListener('focus', show);
    button.addEventListener('click', show);
    octets.appendChild(button);
  }
  li.appendChild(octets);
  if (frame.payloadLength)
    li.appendChild(
      el(
        'pre',
        { class: 'payload', tabindex: '0' },
        `payload: ${(frame.payloadHex.match(/../g) ?? []).join(' ')}${frame.payloadLength > frame.payloadHex.length / 2 ? ' …' : ''}`,
      ),
    );
  if (frame.learner !== undefined) li.appendChild(el('pre', { class: 'learner', tabindex: '0' }, `your parser: ${frame.learner}`));
  return li;
}

export function showFrames(list: HTMLElement, banner: HTMLElement, info: HTMLElement, result: FramesDemoResult): void {
  banner.hidden = result.source === 'learner';
  banner.textContent =
    result.source === 'learner'
      ? ''
      : `Built-in peer: your FrameParser is not reading these frames yet; the fields below are the peer’s. Why: ${result.fallbackReason ?? 'unknown'}`;
  list.dataset.source = result.source;
  list.replaceChildren(...result.frames.map((f, i) => frameItem(f, i, info)));
}

export function frameExplorer(panel: HTMLElement): void {
  const intro = el(
    'p',
    {},
    'A real HTTP/2 connection between node:http2 peers on this machine: the client sends the requests below, the server answers each one. Every frame of both directions is listed; hover over or focus a field of a frame’s 9-octet header to see what it means.',
  );
  const banner = el('p', { class: 'banner fallback', id: 'frames-banner', role: 'status', hidden: '' });
  const label = el('label', {}, 'Request paths (separated by spaces) ');
  const paths = el('input', { type: 'text', id: 'frames-paths', value: '/ /style.css' });
  label.appendChild(paths);
  const send = el('button', { type: 'button', id: 'frames-send', class: 'primary' }, 'Record a session');
  const status = el('p', { id: 'frames-status', role: 'status', 'aria-live': 'polite' });
  const info = el('p', { id: 'frame-field-info', class: 'field-info', 'aria-live': 'polite' }, 'Hover over or focus a header field.');
  const list = el('ol', { id: 'frame-list', class: 'frames' });
  send.addEventListener('click', () => {
    status.textContent = 'recording…';
    send.disabled = true;
    const requests = paths.value
      .split(/\s+/)
      .filter(Boolean)
      .map((p) => ({ path: p.startsWith('/') ? p : `/${p}`, headers: [] as Array<[string, string]> }));
    api<FramesDemoResult>('/api/demo/frames', { requests })
      .then((result) => {
        showFrames(list, banner, info, result);
        status.textContent = `done: ${result.frames.length} frames`;
      })
      .catch((err: unknown) => (status.textContent = `failed: ${err instanceof Error ? err.message : String(err)}`))
      .finally(() => (send.disabled = false));
  });
  const controls = el('div', { class: 'controls' });
  controls.append(label, send);
  panel.replaceChildren(el('h2', {}, 'Frame explorer'), intro, banner, controls, status, info, list);
}
