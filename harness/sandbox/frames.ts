// The wire format between the trusted suite (client.ts) and the sandbox host (host.ts): a 4-byte big-endian
// length, then that many bytes of V8-serialized payload. The code under test runs in the host and can write any
// bytes to the channel, so the trusted side parses them with this code, which never throws: a decoder returns
// whole frames, waits for more bytes, or names the first thing that is wrong (and stays broken from then on).
// Bundled into the build folder with host.ts: Node built-ins only.

/** Bytes of the length prefix. */
export const HEADER_BYTES = 4;

/** Largest value (V8-serialized bytes) a reply or a callback may carry. */
export const VALUE_CAP = 32 * 1024 * 1024;

/** Largest payload a frame may announce: the largest value plus room for the rest of the message. */
export const FRAME_CAP = VALUE_CAP + 1024 * 1024;

export function encodeFrame(payload: Uint8Array): Buffer {
  if (payload.byteLength > 0xffffffff) throw new RangeError(`a frame cannot carry ${payload.byteLength} bytes`);
  const header = Buffer.allocUnsafe(HEADER_BYTES);
  header.writeUInt32BE(payload.byteLength, 0);
  return Buffer.concat([header, payload]);
}

export type DecodeResult = { frames: Buffer[]; error?: undefined } | { frames: Buffer[]; error: string };

/**
 * Splits a byte stream into frames. `push` takes chunks cut anywhere and returns the frames they complete; the
 * first frame that announces more than `cap` bytes is an error, and so is anything pushed after an error. Memory
 * held between calls is bounded by one frame (header plus at most `cap` bytes).
 */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private broken: string | undefined;

  constructor(private readonly cap = FRAME_CAP) {}

  /** Bytes received and not yet part of a whole frame. */
  get pending(): number {
    return this.buffered;
  }

  push(chunk: Uint8Array): DecodeResult {
    if (this.broken) return { frames: [], error: this.broken };
    if (chunk.byteLength) {
      this.chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      this.buffered += chunk.byteLength;
    }
    const frames: Buffer[] = [];
    for (;;) {
      if (this.buffered < HEADER_BYTES) return { frames };
      const length = this.peekLength();
      if (length > this.cap) {
        this.broken = `a frame announced ${length} bytes (the limit is ${this.cap})`;
        this.chunks = [];
        this.buffered = 0;
        return { frames, error: this.broken };
      }
      if (this.buffered < HEADER_BYTES + length) return { frames };
      const all = this.take(HEADER_BYTES + length);
      frames.push(all.subarray(HEADER_BYTES));
    }
  }

  private peekLength(): number {
    const first = this.chunks[0]!;
    if (first.byteLength >= HEADER_BYTES) return first.readUInt32BE(0);
    const header = Buffer.concat(this.chunks, this.buffered).subarray(0, HEADER_BYTES);
    this.chunks = [Buffer.concat(this.chunks, this.buffered)];
    return header.readUInt32BE(0);
  }

  /** Removes and returns the first `count` buffered bytes (count <= buffered). */
  private take(count: number): Buffer {
    const first = this.chunks[0]!;
    if (first.byteLength >= count) {
      const out = first.subarray(0, count);
      if (first.byteLength === count) this.chunks.shift();
      else this.chunks[0] = first.subarray(count);
      this.buffered -= count;
      return out;
    }
    const out = Buffer.allocUnsafe(count);
    let at = 0;
    while (at < count) {
      const head = this.chunks[0]!;
      const n = Math.min(head.byteLength, count - at);
      head.copy(out, at, 0, n);
      at += n;
      if (n === head.byteLength) this.chunks.shift();
      else this.chunks[0] = head.subarray(n);
    }
    this.buffered -= count;
    return out;
  }
}
