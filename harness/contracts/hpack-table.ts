// The public API of exercise hpack-table, as the lesson states it. Type-checked together with the learner's file:
// an error here means the learner's exports do not match the lesson.

import {
  decodeInteger,
  decodeString,
  entrySize,
  HeaderTable,
  HpackDecoder,
  HpackError,
  STATIC_TABLE,
  type FindResult,
  type HeaderField,
  type HpackErrorCode,
  type TableEntry,
} from '@exercise';

const field: HeaderField = STATIC_TABLE[0]!;
const name: string = field[0];
const size: number = entrySize(name, field[1]);

const table: HeaderTable = new HeaderTable();
const sized: HeaderTable = new HeaderTable(size);
sized.add('custom-key', 'custom-header');
const got: HeaderField = table.get(1);
const found: FindResult | null = table.find(got[0], got[1]);
const index: number | undefined = found?.index;
const nameOnly: boolean | undefined = found?.nameOnly;
table.setMaxSize(256);
const numbers: number[] = [table.maxSize(), table.size(), table.length(), index ?? 0, nameOnly ? 1 : 0];
const entries: TableEntry[] = table.entries();
const first: { name: string; value: string; size: number } | undefined = entries[0];

const bytes = new Uint8Array([0x0a]);
const integer: { value: number; next: number } = decodeInteger(bytes, 0, 5);
const text: { value: string; next: number } = decodeString(bytes, 0);

const decoder: HpackDecoder = new HpackDecoder();
const limited: HpackDecoder = new HpackDecoder(256);
const headers: HeaderField[] = decoder.decode(bytes);
const dynamic: TableEntry[] = limited.dynamicTable();
const sizes: number[] = [decoder.tableSize(), decoder.maxTableSize()];

const code: HpackErrorCode = 'HPACK_TRUNCATED';
const error: Error = new HpackError(code, 'message');
const errorCode: string = (error as HpackError).code;

export const used = [numbers, first, integer, text, headers, dynamic, sizes, errorCode];
