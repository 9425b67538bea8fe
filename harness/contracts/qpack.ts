// The public API of exercise qpack, as the lesson states it. Type-checked together with the learner's file: an
// error here means the learner's exports do not match the lesson.

import {
  decodeRequiredInsertCount,
  encodeRequiredInsertCount,
  entrySize,
  QpackDecoder,
  QpackEncoder,
  QpackError,
  STATIC_TABLE,
  type EncodedSection,
  type HeaderField,
  type QpackErrorCode,
  type QpackSettings,
  type TableEntry,
  type UnblockedSection,
} from '@exercise';

const field: HeaderField = STATIC_TABLE[0]!;
const size: number = entrySize(field[0], field[1]);
const settings: QpackSettings = { maxTableCapacity: 4096, maxBlockedStreams: 100 };
const required: number = decodeRequiredInsertCount(encodeRequiredInsertCount(5, 4096), 4096, 5);

const decoder: QpackDecoder = new QpackDecoder(settings);
const unblocked: UnblockedSection[] = decoder.receiveEncoderStream(new Uint8Array([0x20]));
const streamId: number | undefined = unblocked[0]?.streamId;
const headers: HeaderField[] | null = decoder.decodeSection(4, new Uint8Array([0, 0]));
decoder.cancelStream(4);
const instructions: Uint8Array = decoder.takeDecoderStream();
const table: TableEntry[] = decoder.dynamicTable();
const entry: { index: number; name: string; value: string; size: number } | undefined = table[0];
const numbers: number[] = [decoder.capacity(), decoder.insertCount(), ...decoder.blockedStreams()];

const encoder: QpackEncoder = new QpackEncoder(settings);
const encoded: EncodedSection = encoder.encode(4, [[':method', 'GET']]);
const bytes: Uint8Array[] = [encoded.encoderStream, encoded.section];
encoder.receiveDecoderStream(instructions);

const code: QpackErrorCode = 'QPACK_DECOMPRESSION_FAILED';
const error: Error = new QpackError(code, 'message');
const errorCode: string = (error as QpackError).code;

export const used = [size, required, streamId, headers, entry, numbers, bytes, errorCode];
