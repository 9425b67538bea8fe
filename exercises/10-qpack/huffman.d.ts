// huffman.d.ts: the API of huffman.js, the HPACK Huffman code (decode and encode), with its documentation.
// Generated (TypeScript declaration emit, private members left out) by scripts/build-given.js from
// solutions/10-qpack/given/huffman.ts. Do not edit: course authors change that and run the script again.

// The HPACK Huffman code (RFC 7541 §5.2 and Appendix B), given to you ready to use: QPACK string literals use the
// same code as HPACK (RFC 9204 §4.1.2). Import it as './huffman' (the code is huffman.js, its API with
// documentation is huffman.d.ts). It is not graded, and the grader always uses the course's copy.
//
//   import { decodeHuffman, encodeHuffman, huffmanLength } from './huffman';
//   const text = Buffer.from(decodeHuffman(octets)).toString('latin1');   // one character per octet
//   const coded = encodeHuffman(Buffer.from(text, 'latin1'));              // the Huffman-coded octets
//   if (huffmanLength(raw) < raw.length) { ... }                           // worth coding?
//
// decodeHuffman throws an Error whose `code` is 'HPACK_HUFFMAN_INVALID' on invalid input: catch it and throw your
// own QpackError with the code of the stream the string came from.

/**
 * Decodes a Huffman-coded string literal (the octets after its length) into its octets.
 * Throws an Error with `code` 'HPACK_HUFFMAN_INVALID' on padding longer than 7 bits, padding that is not all
 * 1 bits, or an EOS symbol inside the data.
 */
export declare function decodeHuffman(octets: Uint8Array): Uint8Array;
/** The number of octets encodeHuffman(octets) returns, without building it. */
export declare function huffmanLength(octets: Uint8Array): number;
/** Huffman-codes octets (RFC 7541 §5.2): the codes most significant bit first, padded with 1 bits (EOS). */
export declare function encodeHuffman(octets: Uint8Array): Uint8Array;
