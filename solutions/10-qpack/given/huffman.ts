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

// The code table is exercise 1's own (one copy in the course): the encoder below walks it the other way.
import { CODES, LENGTHS, decodeHuffman as decodeHpackHuffman } from '../../../exercises/01-hpack-table/huffman';

/**
 * Decodes a Huffman-coded string literal (the octets after its length) into its octets.
 * Throws an Error with `code` 'HPACK_HUFFMAN_INVALID' on padding longer than 7 bits, padding that is not all
 * 1 bits, or an EOS symbol inside the data.
 */
export function decodeHuffman(octets: Uint8Array): Uint8Array {
  return decodeHpackHuffman(octets);
}

/** The number of octets encodeHuffman(octets) returns, without building it. */
export function huffmanLength(octets: Uint8Array): number {
  let bits = 0;
  for (const o of octets) bits += LENGTHS[o]!;
  return Math.ceil(bits / 8);
}

/** Huffman-codes octets (RFC 7541 §5.2): the codes most significant bit first, padded with 1 bits (EOS). */
export function encodeHuffman(octets: Uint8Array): Uint8Array {
  const out = new Uint8Array(huffmanLength(octets));
  let at = 0;
  let acc = 0; // pending bits, at most 7 + 30 of them: kept below 2^53 with multiplication
  let pending = 0;
  for (const o of octets) {
    acc = acc * 2 ** LENGTHS[o]! + CODES[o]!;
    pending += LENGTHS[o]!;
    while (pending >= 8) {
      pending -= 8;
      const byte = Math.floor(acc / 2 ** pending);
      out[at++] = byte;
      acc -= byte * 2 ** pending;
    }
  }
  if (pending > 0) out[at++] = acc * 2 ** (8 - pending) + (2 ** (8 - pending) - 1);
  return out;
}
