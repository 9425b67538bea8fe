// hpack.d.ts: the API of hpack.js, the HPACK decoder and encoder (HpackDecoder, HpackEncoder), with its documentation.
// Generated (TypeScript declaration emit, private members left out) by scripts/build-given.js from
// solutions/08-h2-flow-control/given/hpack.ts. Do not edit: course authors change that and run the script again.

// HPACK (RFC 7541), given to you ready to use: the decoder of exercise 1 (static and dynamic tables, Huffman
// strings) and a small encoder. Import it as './hpack' (the code is hpack.js, its API with documentation is
// hpack.d.ts). It is not graded, and the grader always uses the course's copy. One connection has one decoder (for
// the blocks the peer sends) and one encoder (for yours): HPACK state belongs to the connection, so decode every
// header block in the order it arrives, even the blocks of a stream you have already reset (RFC 9113 §4.3).
//
//   const decoder = new HpackDecoder();
//   const headers = decoder.decode(block);                 // [[':status', '200'], ['content-type', 'text/css']]
//   const encoder = new HpackEncoder();
//   const bytes = encoder.encode([[':method', 'GET'], [':path', '/style.css'], ...]);
//
// A decoding error throws an HpackError: in HTTP/2 that is a connection error of type COMPRESSION_ERROR.

/** A header field: [name, value]. */
export type HeaderField = [name: string, value: string];
/** A dynamic table entry as reported by entries() / dynamicTable(). */
export interface TableEntry {
    name: string;
    value: string;
    /** name length + value length + 32 (RFC 7541 §4.1). */
    size: number;
}
/** The result of HeaderTable.find. */
export interface FindResult {
    index: number;
    /** true when only the name matched (the value must still be sent as a literal). */
    nameOnly: boolean;
}
export type HpackErrorCode = 'HPACK_INDEX_OUT_OF_RANGE' | 'HPACK_TRUNCATED' | 'HPACK_INTEGER_OVERFLOW' | 'HPACK_SIZE_UPDATE_NOT_AT_START' | 'HPACK_SIZE_UPDATE_TOO_LARGE';
/** Every error of this module: a decoding error is a connection error of type COMPRESSION_ERROR in HTTP/2. */
export declare class HpackError extends Error {
    readonly code: HpackErrorCode;
    constructor(code: HpackErrorCode, message: string);
}
/** The largest integer decodeInteger accepts (a guard against hostile input, RFC 7541 §5.1 and §7.4). */
export declare const MAX_INTEGER: number;
/** The static table (RFC 7541 Appendix A): STATIC_TABLE[i - 1] is index i. */
export declare const STATIC_TABLE: readonly HeaderField[];
/** The size of an entry (RFC 7541 §4.1). Strings hold one character per octet. */
export declare function entrySize(name: string, value: string): number;
/** The static table followed by the dynamic table, in one index space (RFC 7541 §2.3.3, §4). */
export declare class HeaderTable {
    constructor(maxSize?: number);
    add(name: string, value: string): void;
    get(index: number): HeaderField;
    find(name: string, value: string): FindResult | null;
    setMaxSize(maxSize: number): void;
    maxSize(): number;
    size(): number;
    length(): number;
    entries(): TableEntry[];
}
/** A prefixed integer (RFC 7541 §5.1): the value and the offset of the octet after it. */
export declare function decodeInteger(bytes: Uint8Array, offset: number, prefixBits: number): {
    value: number;
    next: number;
};
/** A string literal (RFC 7541 §5.2), Huffman-decoded when its H bit is set. */
export declare function decodeString(bytes: Uint8Array, offset: number): {
    value: string;
    next: number;
};
/** Decodes header blocks (RFC 7541 §3, §6) against one connection's dynamic table. */
export declare class HpackDecoder {
    /** @param settingsLimit SETTINGS_HEADER_TABLE_SIZE: the largest size a size update may ask for (§4.2). */
    constructor(settingsLimit?: number);
    decode(block: Uint8Array): HeaderField[];
    dynamicTable(): TableEntry[];
    tableSize(): number;
    maxTableSize(): number;
}
/**
 * A simple HPACK encoder: a field that matches a static table entry exactly is sent indexed (§6.1); any other is
 * a literal without indexing (§6.2.2), with the static name index when there is one. It never adds to the
 * dynamic table, so the peer's decoder needs no state from it (any decoder decodes its blocks).
 */
export declare class HpackEncoder {
    encode(headers: ReadonlyArray<readonly [string, string]>): Buffer;
}
