// The peer of an encoder under test: the suite's decoder (qpack-model.ts) receives the encoder's output under a
// seeded delivery schedule (encoder-stream bytes delayed, field sections reordered and delivered early,
// acknowledgments delayed or withheld, streams cancelled), and a checker holds the encoder to RFC 9204: the
// capacity and blocked-streams limits, no eviction of an entry that is unacknowledged or still referenced, and every
// section decoding to the header list that was encoded. Trusted side only; failures are teaching messages.

import {
  describeDecoderInstruction,
  encodeDecoderInstruction,
  formatEntries,
  formatFields,
  firstFieldDifference,
  hex,
  ModelDecoder,
  ModelError,
  type DecoderInstruction,
  type Field,
} from './qpack-model';

export interface EncoderUnderTest {
  encode(streamId: number, headers: Field[]): Promise<{ encoderStream: Uint8Array; section: Uint8Array }>;
  receiveDecoderStream(bytes: Uint8Array): Promise<void>;
}

export interface Schedule {
  /** Probability that an encoder-stream chunk is held back for a while. */
  delayEncoderStream: number;
  /** Probability that a section is held back (others overtake it). */
  delaySection: number;
  /** Probability that decoder-stream bytes are held back; 1 with `withholdAcks` never sends them. */
  delayAcks: number;
  withholdAcks?: boolean;
  /** Probability that the peer cancels a stream whose section is still blocked. */
  cancel?: number;
}

interface Outstanding {
  streamId: number;
  required: number;
  references: number[];
}

/** Thrown with a teaching message when the encoder breaks a rule. */
function fail(lines: string[]): never {
  throw new Error(lines.join('\n'));
}

export class EncoderPeer {
  /** The table as the encoder built it (every encoder-stream byte applied at once). */
  private readonly mirror: ModelDecoder;
  /** The peer's decoder, which sees the bytes as the schedule delivers them. */
  private readonly peer: ModelDecoder;
  private outstanding: Outstanding[] = [];
  private knownReceived = 0;
  private readonly encoderQueue: Uint8Array[] = [];
  private sectionQueue: Array<{ streamId: number; section: Uint8Array; headers: Field[] }> = [];
  private readonly waiting: Array<{ streamId: number; section: Uint8Array; headers: Field[]; required: number }> = [];
  private readonly ackQueue: DecoderInstruction[][] = [];
  private peerAcked = 0; // inserts the peer has acknowledged (sent or queued)
  readonly timeline: string[] = [];
  totalOctets = 0;
  decoded = 0;

  constructor(
    private readonly encoder: EncoderUnderTest,
    readonly maxTableCapacity: number,
    readonly maxBlockedStreams: number,
    private readonly random: () => number,
    private readonly schedule: Schedule,
  ) {
    this.mirror = new ModelDecoder(maxTableCapacity);
    this.peer = new ModelDecoder(maxTableCapacity);
  }

  private note(line: string): void {
    this.timeline.push(line);
    if (this.timeline.length > 400) this.timeline.splice(0, 100);
  }

  private context(): string[] {
    return [
      `  peer settings: SETTINGS_QPACK_MAX_TABLE_CAPACITY ${this.maxTableCapacity}, SETTINGS_QPACK_BLOCKED_STREAMS ${this.maxBlockedStreams}`,
      `  Known Received Count (what your encoder has been told): ${this.knownReceived}; unacknowledged sections: ${this.outstanding.map((o) => `stream ${o.streamId} (Required Insert Count ${o.required})`).join(', ') || 'none'}`,
      '  recent events:',
      ...this.timeline.slice(-12).map((l) => `    ${l}`),
    ];
  }

  /** Encodes one header list on a stream, checks the output, queues it for delivery, then runs the schedule. */
  async send(streamId: number, headers: Field[]): Promise<void> {
    let out: { encoderStream: Uint8Array; section: Uint8Array };
    try {
      out = await this.encoder.encode(streamId, headers);
    } catch (err) {
      fail([`encode(${streamId}, …) threw: ${err instanceof Error ? err.message : String(err)}`, '  header list:', formatFields(headers), ...this.context()]);
    }
    const encoderStream = new Uint8Array(out?.encoderStream ?? []);
    const section = new Uint8Array(out?.section ?? []);
    this.totalOctets += encoderStream.length + section.length;
    const before = this.mirror.table();
    let instructions: string[] = [];
    try {
      instructions = this.mirror.encoderStream(encoderStream);
    } catch (err) {
      fail([
        `stream ${streamId}: the encoder-stream bytes are not valid: ${err instanceof ModelError ? `${err.code}: ${err.message}` : String(err)}`,
        `  encoder stream: ${hex(encoderStream)}`,
        '  dynamic table before:',
        formatEntries(before),
        ...this.context(),
      ]);
    }
    // Eviction: only entries acknowledged and no longer referenced (RFC 9204 §2.1.1).
    const kept = new Set(this.mirror.entries.map((e) => e.index));
    const referenced = new Set(this.outstanding.flatMap((o) => o.references));
    for (const gone of before.filter((e) => !kept.has(e.index))) {
      if (gone.index >= this.knownReceived || referenced.has(gone.index)) {
        fail([
          `stream ${streamId}: your encoder evicted dynamic entry ${gone.index} (${JSON.stringify(gone.name)}: ${JSON.stringify(gone.value)}) while it was not evictable: ` +
            (referenced.has(gone.index)
              ? `an unacknowledged field section still references it (RFC 9204 §2.1.1)`
              : `its insert is not acknowledged yet (Known Received Count ${this.knownReceived}; RFC 9204 §2.1.1)`),
          '  encoder-stream instructions:',
          ...instructions.map((i) => `    ${i}`),
          '  dynamic table before:',
          formatEntries(before),
          '  dynamic table after:',
          formatEntries(this.mirror.table()),
          ...this.context(),
        ]);
      }
    }
    for (const i of instructions) this.note(`encoder stream: ${i}`);
    let decoded;
    try {
      decoded = this.mirror.decodeSection(section);
    } catch (err) {
      fail([
        `stream ${streamId}: the field section does not decode against the table your encoder built: ${err instanceof Error ? err.message : String(err)}`,
        `  section: ${hex(section)}`,
        '  dynamic table:',
        formatEntries(this.mirror.table()),
        ...this.context(),
      ]);
    }
    const diff = firstFieldDifference(headers, decoded.headers);
    if (diff)
      fail([
        `stream ${streamId}: the section decodes to a different header list: ${diff}`,
        '  encoded:',
        formatFields(headers),
        '  decoded field lines:',
        ...decoded.lines.map((l) => `    ${l}`),
      ]);
    this.note(`stream ${streamId}: section with Required Insert Count ${decoded.required}, ${section.length} octets`);
    if (decoded.required > 0) {
      this.outstanding.push({ streamId, required: decoded.required, references: decoded.references });
      const blocking = new Set(this.outstanding.filter((o) => o.required > this.knownReceived).map((o) => o.streamId));
      if (blocking.size > this.maxBlockedStreams) {
        fail([
          `stream ${streamId}: ${blocking.size} streams could now be blocked (streams ${[...blocking].join(', ')} have sections that reference inserts not acknowledged yet), above SETTINGS_QPACK_BLOCKED_STREAMS ${this.maxBlockedStreams} (RFC 9204 §2.1.2)`,
          '  decoded field lines:',
          ...decoded.lines.map((l) => `    ${l}`),
          ...this.context(),
        ]);
      }
    }
    if (encoderStream.length) this.encoderQueue.push(encoderStream);
    this.sectionQueue.push({ streamId, section, headers });
    await this.run(false);
  }

  /** Delivers what the schedule lets through; with `all`, everything (acks too unless withheld). */
  async run(all: boolean): Promise<void> {
    const s = this.schedule;
    while (this.encoderQueue.length && (all || this.random() >= s.delayEncoderStream)) this.peerEncoderStream(this.encoderQueue.shift()!);
    const held: typeof this.sectionQueue = [];
    for (const item of this.sectionQueue) {
      if (!all && this.random() < s.delaySection) held.push(item);
      else this.peerSection(item);
    }
    this.sectionQueue = held;
    if (s.cancel && !all) {
      for (const w of [...this.waiting]) {
        if (this.random() < s.cancel) {
          this.waiting.splice(this.waiting.indexOf(w), 1);
          this.note(`peer cancels stream ${w.streamId} (its section was blocked)`);
          this.ackQueue.push([{ kind: 'cancel', streamId: w.streamId }]);
        }
      }
    }
    if (this.peer.inserted > this.peerAcked) {
      this.ackQueue.push([{ kind: 'increment', increment: this.peer.inserted - this.peerAcked }]);
      this.peerAcked = this.peer.inserted;
    }
    if (s.withholdAcks) return;
    while (this.ackQueue.length && (all || this.random() >= s.delayAcks)) await this.deliverAcks(this.ackQueue.shift()!);
  }

  /** Everything still in flight, then checks that every section was decoded. */
  async drain(): Promise<void> {
    for (let round = 0; round < 3; round++) await this.run(true);
    if (this.sectionQueue.length || this.waiting.length) {
      fail([
        `after every encoder-stream byte arrived, ${this.waiting.length} section(s) still wait for inserts that never came: ${this.waiting.map((w) => `stream ${w.streamId} needs ${w.required}, ${this.peer.inserted} received`).join('; ')}`,
        ...this.context(),
      ]);
    }
  }

  private peerEncoderStream(chunk: Uint8Array): void {
    this.peer.encoderStream(chunk);
    this.note(`peer received encoder-stream bytes: ${this.peer.inserted} inserts`);
    for (const w of [...this.waiting]) {
      if (w.required <= this.peer.inserted) {
        this.waiting.splice(this.waiting.indexOf(w), 1);
        this.note(`peer: stream ${w.streamId} unblocked (needed ${w.required})`);
        this.peerDecode(w);
      }
    }
  }

  private peerSection(item: { streamId: number; section: Uint8Array; headers: Field[] }): void {
    let required: number;
    try {
      required = this.peer.requiredInsertCount(item.section);
    } catch (err) {
      fail([
        `stream ${item.streamId}: the peer cannot read the section prefix: ${err instanceof Error ? err.message : String(err)} (the peer has ${this.peer.inserted} inserts)`,
        `  section: ${hex(item.section)}`,
        ...this.context(),
      ]);
    }
    if (required > this.peer.inserted) {
      if (this.waiting.length + 1 > this.maxBlockedStreams) {
        fail([
          `stream ${item.streamId}: the peer would have ${this.waiting.length + 1} blocked streams, above SETTINGS_QPACK_BLOCKED_STREAMS ${this.maxBlockedStreams} (RFC 9204 §2.1.2): the section needs ${required} inserts, ${this.peer.inserted} have arrived`,
          ...this.context(),
        ]);
      }
      this.note(`peer: stream ${item.streamId} blocked (needs ${required}, has ${this.peer.inserted})`);
      this.waiting.push({ ...item, required });
      return;
    }
    this.peerDecode({ ...item, required });
  }

  private peerDecode(item: { streamId: number; section: Uint8Array; headers: Field[]; required: number }): void {
    let result;
    try {
      result = this.peer.decodeSection(item.section, item.required);
    } catch (err) {
      fail([
        `stream ${item.streamId}: the peer could not decode the section when it became decodable: ${err instanceof Error ? err.message : String(err)}`,
        `  section: ${hex(item.section)}`,
        '  peer dynamic table:',
        formatEntries(this.peer.table()),
        ...this.context(),
      ]);
    }
    const diff = firstFieldDifference(item.headers, result.headers);
    if (diff)
      fail([
        `stream ${item.streamId}: the peer decoded a different header list: ${diff}`,
        '  field lines:',
        ...result.lines.map((l) => `    ${l}`),
        ...this.context(),
      ]);
    this.decoded++;
    if (item.required > 0) {
      this.ackQueue.push([{ kind: 'ack', streamId: item.streamId }]);
      this.peerAcked = Math.max(this.peerAcked, item.required);
    }
  }

  private async deliverAcks(instructions: DecoderInstruction[]): Promise<void> {
    for (const i of instructions) {
      if (i.kind === 'ack') {
        const at = this.outstanding.findIndex((o) => o.streamId === i.streamId);
        if (at >= 0) this.knownReceived = Math.max(this.knownReceived, this.outstanding.splice(at, 1)[0]!.required);
      } else if (i.kind === 'cancel') {
        this.outstanding = this.outstanding.filter((o) => o.streamId !== i.streamId);
      } else {
        this.knownReceived += i.increment;
      }
      this.note(`decoder stream to your encoder: ${describeDecoderInstruction(i)}`);
    }
    const bytes = new Uint8Array(instructions.flatMap(encodeDecoderInstruction));
    try {
      await this.encoder.receiveDecoderStream(bytes);
    } catch (err) {
      fail([`receiveDecoderStream(${hex(bytes)}) threw on valid instructions: ${err instanceof Error ? err.message : String(err)}`, ...this.context()]);
    }
  }
}
