// Plays a sequence of QPACK records (encoder-stream chunks and field sections) to a decoder under test and checks
// every answer against the suite's own decoder: the section decoded now, blocked (null), or returned by the very
// encoder-stream call that brings its last insert. Used for the interop files and the generated property tests.

import { RemoteError, SandboxFailure, type Remote } from '../sandbox/client';
import { expectedSteps, type InteropFile, type QpackRecord } from './qpack-interop';
import { firstFieldDifference, formatEntries, formatFields, hex, ModelDecoder, parseDecoderStream } from './qpack-model';

function fail(lines: Array<string | undefined>): never {
  throw new Error(lines.filter((l) => l !== undefined).join('\n'));
}

function describeThrown(err: unknown): string {
  if (err instanceof RemoteError) return `threw ${err.name}${err.code ? ` with code ${err.code}` : ' without a code'}: ${err.remoteMessage}`;
  return `failed: ${err instanceof Error ? err.message : String(err)}`;
}

const WINDOW = 64;

/** Plays one delivery order of a file to a decoder under test, record by record, against the expected steps. */
export async function playRecords(
  decoder: Remote,
  file: Pick<InteropFile, 'label' | 'expected' | 'maxTableCapacity'>,
  records: QpackRecord[],
  orderName: string,
): Promise<void> {
  const steps = expectedSteps(records, file.maxTableCapacity);
  const decoded = new Map<number, unknown>();
  const timeline: string[] = [];
  const where = (i: number): string => `${file.label} (${orderName}), record ${i + 1} of ${records.length}`;
  const replay = (i: number): string[] => {
    const model = new ModelDecoder(file.maxTableCapacity);
    for (let j = 0; j < i; j++) if (records[j]!.streamId === 0) model.encoderStream(records[j]!.data);
    const before = model.table();
    const r = records[i]!;
    const lines =
      r.streamId === 0
        ? model.encoderStream(r.data)
        : (() => {
            try {
              return model.decodeSection(r.data, steps[i]!.required).lines;
            } catch (err) {
              return [`(blocked: ${err instanceof Error ? err.message : String(err)})`];
            }
          })();
    return [
      '  the record, instruction by instruction:',
      ...lines.slice(0, 14).map((l) => `    ${l}`),
      '  dynamic table before it:',
      formatEntries(before),
      ...(r.streamId === 0 ? ['  dynamic table after it:', formatEntries(model.table())] : []),
    ];
  };
  // The calls go out in windows of WINDOW without waiting for each answer (the host runs them in order), then the
  // answers are checked one by one: thousands of records per file would otherwise cost one round trip each.
  let settled: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
  for (let i = 0; i < records.length; i++) {
    const step = steps[i]!;
    const r = step.record;
    if (i % WINDOW === 0) {
      settled = await Promise.all(
        records.slice(i, i + WINDOW).map((x) =>
          (x.streamId === 0 ? decoder.call('receiveEncoderStream', x.data) : decoder.call('decodeSection', x.streamId, x.data)).then(
            (value) => ({ ok: true as const, value }),
            (error: unknown) => ({ ok: false as const, error }),
          ),
        ),
      );
    }
    const answer = settled[i % WINDOW]!;
    let got: unknown;
    try {
      if (!answer.ok) throw answer.error;
      got = answer.value;
    } catch (err) {
      if (err instanceof SandboxFailure) throw err;
      fail([
        `${where(i)}: ${r.streamId === 0 ? 'receiveEncoderStream' : `decodeSection(${r.streamId}, …)`} ${describeThrown(err)}`,
        `  bytes: ${hex(r.data)}`,
        ...replay(i),
        '  blocking timeline:',
        ...timeline.slice(-10).map((t) => `    ${t}`),
      ]);
    }
    if (r.streamId === 0) {
      const list = Array.isArray(got) ? (got as Array<{ streamId?: unknown; headers?: unknown }>) : [];
      const ids = list.map((u) => u?.streamId);
      if (!Array.isArray(got) || JSON.stringify(ids) !== JSON.stringify(step.unblocks)) {
        fail([
          `${where(i)}: after this encoder-stream record (inserts now ${step.insertsAfter}), the sections of streams [${step.unblocks!.join(', ')}] must unblock, in the order they arrived; receiveEncoderStream returned streams ${JSON.stringify(ids)}`,
          ...replay(i),
          '  blocking timeline:',
          ...timeline.slice(-10).map((t) => `    ${t}`),
        ]);
      }
      if (step.unblocks!.length) timeline.push(`record ${i + 1}: inserts reach ${step.insertsAfter}: streams ${step.unblocks!.join(', ')} unblock`);
      for (const u of list) decoded.set(u.streamId as number, u.headers);
    } else {
      if (step.blocks) {
        timeline.push(`record ${i + 1}: stream ${r.streamId} waits for insert count ${step.required} (has ${step.insertsAfter})`);
        if (got !== null)
          fail([
            `${where(i)}: stream ${r.streamId} needs ${step.required} inserts and ${step.insertsAfter} have arrived: decodeSection must return null (blocked), it returned ${JSON.stringify(got)?.slice(0, 120)}`,
            ...replay(i),
            '  blocking timeline:',
            ...timeline.slice(-10).map((t) => `    ${t}`),
          ]);
      } else {
        if (got === null)
          fail([
            `${where(i)}: stream ${r.streamId} needs ${step.required} inserts and ${step.insertsAfter} have arrived: it must decode now, but decodeSection returned null (blocked)`,
            ...replay(i),
            '  blocking timeline:',
            ...timeline.slice(-10).map((t) => `    ${t}`),
          ]);
        decoded.set(r.streamId, got);
      }
    }
    for (const [id, headers] of decoded) {
      const diff = firstFieldDifference(file.expected.get(id) ?? [], headers);
      if (diff)
        fail([
          `${where(i)}: stream ${id} decodes differently from the .qif: ${diff}`,
          ...replay(records.findIndex((x) => x.streamId === id)),
          '  expected:',
          formatFields(file.expected.get(id)),
        ]);
    }
    decoded.clear();
  }
  // Every inserted entry and decoded section must end up acknowledged on the decoder stream.
  const raw = new Uint8Array((await decoder.call('takeDecoderStream')) as Uint8Array);
  const acked = parseDecoderStream(raw).reduce((n, i) => n + (i.kind === 'increment' ? i.increment : 0), 0);
  const last = steps[steps.length - 1]?.insertsAfter ?? 0;
  if (acked > last)
    fail([`${file.label} (${orderName}): the Insert Count Increments add up to ${acked}, more than the ${last} inserts received (RFC 9204 §4.4.3)`]);
}
