// Trusted-side flow-control audit of one HTTP/2 connection recorded by the recording proxy (its transcript keeps
// the order of the reads in both directions). It replays the windows the code under test had to respect as a
// sender (RFC 9113 §5.2, §6.9) and the stream limit (§5.1.2), and reports the first frame that broke them, with
// the window accounting of that stream as a timeline.
//
// Ordering: a frame from the peer counts from the read that completed it (the proxy forwards it at once, so the
// code under test cannot have seen it earlier); a frame from the code under test counts from the read holding its
// first octet (it was sent before that). A peer's SETTINGS that enlarges a window is applied when it arrives,
// one that shrinks it when the code under test acknowledges it (RFC 9113 §6.5.3: it may apply it any time in
// between), so a correct sender is never blamed for the race.

import type { Direction, TranscriptChunk } from '../mocks/h2-recording-proxy';
import { CLIENT_PREFACE, decodeHeader, describeHeader, type WireHeader } from './h2-frames';
import { renderTimeline, type TimelineRow } from './timeline';

export interface AuditedFrame {
  from: 'you' | 'peer';
  header: WireHeader;
  payload: Buffer;
  /** Sort key: the proxy read at which the frame counts (see above). */
  at: number;
  offset: number;
}

export interface Audit {
  /** The first violation, with the timeline; undefined when the sender respected every window and limit. */
  violation?: string;
  /** Most streams opened by the code under test that were active at once. */
  maxActive: number;
  frames: AuditedFrame[];
  /** DATA octets sent by the code under test, per stream. */
  dataSent: Map<number, number>;
  /** WINDOW_UPDATE increments sent by the code under test, per stream (0 = connection). */
  creditsGiven: Map<number, number>;
}

const DATA = 0x0;
const HEADERS = 0x1;
const RST_STREAM = 0x3;
const SETTINGS = 0x4;
const WINDOW_UPDATE = 0x8;
const END_STREAM = 0x1;
const ACK = 0x1;

function framesOf(transcript: TranscriptChunk[], direction: Direction, from: 'you' | 'peer'): AuditedFrame[] {
  const seqs: number[] = [];
  const parts: Buffer[] = [];
  const starts: number[] = [];
  let total = 0;
  transcript.forEach((c, seq) => {
    if (c.direction !== direction) return;
    seqs.push(seq);
    starts.push(total);
    parts.push(c.chunk);
    total += c.chunk.length;
  });
  const bytes = Buffer.concat(parts);
  const seqAt = (offset: number) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return seqs[lo]!;
  };
  let at = bytes.length >= 24 && bytes.subarray(0, 24).equals(CLIENT_PREFACE) ? 24 : 0;
  const out: AuditedFrame[] = [];
  while (at + 9 <= bytes.length) {
    const header = decodeHeader(bytes, at);
    const end = at + 9 + header.length;
    if (end > bytes.length) break;
    out.push({ from, header, payload: bytes.subarray(at + 9, end), at: from === 'peer' ? seqAt(end - 1) : seqAt(at), offset: at });
    at = end;
  }
  return out;
}

function describe(f: AuditedFrame): string {
  const who = f.from === 'you' ? 'you  →' : 'peer →';
  if (f.header.type === WINDOW_UPDATE) return `${who} WINDOW_UPDATE stream=${f.header.streamId} +${f.payload.readUInt32BE(0) & 0x7fffffff}`;
  if (f.header.type === SETTINGS) {
    if (f.header.flags & ACK) return `${who} SETTINGS ACK`;
    const pairs: string[] = [];
    for (let i = 0; i + 6 <= f.payload.length; i += 6) pairs.push(`${f.payload.readUInt16BE(i)}=${f.payload.readUInt32BE(i + 2)}`);
    return `${who} SETTINGS ${pairs.join(' ') || '(empty)'}`;
  }
  return `${who} ${describeHeader(f.header)}`;
}

/**
 * Replays the windows of the side `you` speaks on `yourDirection`. role: whose streams count against the peer's
 * SETTINGS_MAX_CONCURRENT_STREAMS ('client': the streams you open).
 */
export function auditSender(transcript: TranscriptChunk[], yourDirection: Direction, role: 'client' | 'server'): Audit {
  const peerDirection: Direction = yourDirection === 'clientToServer' ? 'serverToClient' : 'clientToServer';
  const frames = [...framesOf(transcript, yourDirection, 'you'), ...framesOf(transcript, peerDirection, 'peer')].sort(
    (a, b) => a.at - b.at || a.offset - b.offset,
  );
  let initial = 65_535;
  let maxConcurrent = Infinity;
  let conn = 65_535;
  const windows = new Map<number, number>();
  const pending: Array<{ initial?: number; maxConcurrent?: number }> = [];
  const endYou = new Set<number>();
  const endPeer = new Set<number>();
  const active = new Set<number>();
  const closed = new Set<number>();
  const rows: Array<{ stream: number; row: TimelineRow; data?: boolean }> = [];
  const dataSent = new Map<number, number>();
  const creditsGiven = new Map<number, number>();
  let maxActive = 0;
  let violation: string | undefined;

  const windowOf = (s: number) => windows.get(s) ?? initial;
  const setInitial = (value: number, label: string) => {
    const delta = value - initial;
    initial = value;
    for (const [s, w] of windows) {
      if (closed.has(s)) continue;
      windows.set(s, w + delta);
      rows.push({
        stream: s,
        row: {
          label,
          expected: `stream ${s}: ${w} → ${w + delta}`,
          actual: `connection: ${conn}`,
          ok: true,
          note: `SETTINGS_INITIAL_WINDOW_SIZE ${delta >= 0 ? '+' : ''}${delta}`,
        },
      });
    }
  };
  const close = (s: number) => {
    closed.add(s);
    active.delete(s);
  };
  const fail = (stream: number, f: AuditedFrame, what: string) => {
    if (violation) return;
    // This stream's rows, the connection's, and other streams' DATA (they spend the same connection window).
    const mine = rows
      .filter((r) => r.stream === stream || r.stream === 0 || r.data)
      .map((r) => (r.stream === stream || r.stream === 0 ? r.row : { ...r.row, expected: '' }));
    violation = [
      what,
      `  the frame: ${describeHeader(f.header)} (octet ${f.offset} of what you sent)`,
      renderTimeline(mine, {
        title: `  window accounting of stream ${stream} and the connection, in the order the proxy saw the frames:`,
        headings: ['frame', `stream ${stream}`, 'connection'],
        maxRows: 24,
      }),
    ].join('\n');
  };

  for (const f of frames) {
    const { type, flags, streamId: s } = f.header;
    const label = describe(f);
    if (f.from === 'peer') {
      if (type === SETTINGS && !(flags & ACK)) {
        const entry: { initial?: number; maxConcurrent?: number } = {};
        for (let i = 0; i + 6 <= f.payload.length; i += 6) {
          const id = f.payload.readUInt16BE(i);
          const value = f.payload.readUInt32BE(i + 2);
          if (id === 4) entry.initial = value;
          if (id === 3) entry.maxConcurrent = value;
        }
        if (entry.initial !== undefined && entry.initial >= initial) {
          setInitial(entry.initial, label);
          delete entry.initial;
        }
        if (entry.maxConcurrent !== undefined && entry.maxConcurrent >= maxConcurrent) {
          maxConcurrent = entry.maxConcurrent;
          delete entry.maxConcurrent;
        }
        pending.push(entry);
      } else if (type === WINDOW_UPDATE && f.payload.length >= 4) {
        const inc = f.payload.readUInt32BE(0) & 0x7fffffff;
        if (s === 0) {
          rows.push({ stream: 0, row: { label, expected: '', actual: `${conn} → ${conn + inc}`, ok: true } });
          conn += inc;
        } else {
          const w = windowOf(s);
          windows.set(s, w + inc);
          rows.push({ stream: s, row: { label, expected: `${w} → ${w + inc}`, actual: `${conn}`, ok: true } });
        }
      } else if (type === HEADERS) {
        if (!windows.has(s)) windows.set(s, initial);
        if (flags & END_STREAM) endPeer.add(s);
      } else if (type === DATA) {
        if (flags & END_STREAM) endPeer.add(s);
      } else if (type === RST_STREAM) {
        close(s);
      }
    } else {
      if (type === SETTINGS && flags & ACK) {
        const entry = pending.shift();
        if (entry?.initial !== undefined) setInitial(entry.initial, `${label} (applies the peer's smaller window)`);
        if (entry?.maxConcurrent !== undefined) maxConcurrent = entry.maxConcurrent;
      } else if (type === HEADERS) {
        if (!windows.has(s)) {
          windows.set(s, initial);
          if (role === 'client') {
            active.add(s);
            maxActive = Math.max(maxActive, active.size);
            if (active.size > maxConcurrent) {
              fail(
                s,
                f,
                `you opened stream ${s} while ${active.size - 1} of your streams were active; the peer's SETTINGS_MAX_CONCURRENT_STREAMS is ${maxConcurrent} (RFC 9113 §5.1.2).`,
              );
            }
          }
        }
        if (flags & END_STREAM) endYou.add(s);
      } else if (type === DATA) {
        const len = f.header.length;
        dataSent.set(s, (dataSent.get(s) ?? 0) + len);
        const w = windowOf(s);
        windows.set(s, w - len);
        const bad = len > 0 && (w - len < 0 || conn - len < 0);
        rows.push({ stream: s, data: true, row: { label, expected: `${w} → ${w - len}`, actual: `${conn} → ${conn - len}`, ok: !bad } });
        conn -= len;
        if (bad) {
          fail(
            s,
            f,
            `you sent ${len} DATA octets on stream ${s} when the peer allowed ${Math.max(0, Math.min(w, conn + len))} ` +
              `(stream window ${w}, connection window ${conn + len}): a sender must never exceed either window (RFC 9113 §6.9.1).`,
          );
        }
        if (flags & END_STREAM) endYou.add(s);
      } else if (type === WINDOW_UPDATE && f.payload.length >= 4) {
        creditsGiven.set(s, (creditsGiven.get(s) ?? 0) + (f.payload.readUInt32BE(0) & 0x7fffffff));
      } else if (type === RST_STREAM) {
        close(s);
      }
    }
    if (s !== 0 && endYou.has(s) && endPeer.has(s)) close(s);
  }
  return { violation, maxActive, frames, dataSent, creditsGiven };
}
