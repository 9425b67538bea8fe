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

// (Author's note: the readable source of hpack.js and hpack.d.ts, which learners get in
// exercises/08-h2-flow-control/. `node scripts/build-given.js` builds them from the reference of exercise 1,
// solutions/01-hpack-table/hpack-table.ts (its Huffman import resolves to the decoder exercise 1 gives), put in
// place of the `build-given:` line below, followed by the encoder of this file (which uses that reference's
// STATIC_TABLE: this file type-checks only as that whole). There is no copy of the decoder to keep in step: run the
// script after a change to either file, test/course/given-files.test.ts fails until then. Only the comment block
// above goes into the .d.ts; none of this source ships.)

// build-given: solutions/01-hpack-table/hpack-table.ts

/** A prefixed integer (RFC 7541 §5.1) with the first octet's high bits set to `pattern`. */
function encodeInteger(value: number, prefixBits: number, pattern: number, out: number[]): void {
  const limit = (1 << prefixBits) - 1;
  if (value < limit) {
    out.push(pattern | value);
    return;
  }
  out.push(pattern | limit);
  let rest = value - limit;
  while (rest >= 128) {
    out.push((rest % 128) | 0x80);
    rest = Math.floor(rest / 128);
  }
  out.push(rest);
}

function encodeString(text: string, out: number[]): void {
  const octets = Buffer.from(text, 'latin1');
  encodeInteger(octets.length, 7, 0x00, out); // H bit 0: a raw literal (no Huffman coding)
  for (const b of octets) out.push(b);
}

/**
 * A simple HPACK encoder: a field that matches a static table entry exactly is sent indexed (§6.1); any other is
 * a literal without indexing (§6.2.2), with the static name index when there is one. It never adds to the
 * dynamic table, so the peer's decoder needs no state from it (any decoder decodes its blocks).
 */
export class HpackEncoder {
  encode(headers: ReadonlyArray<readonly [string, string]>): Buffer {
    const out: number[] = [];
    for (const [name, value] of headers) {
      let exact = 0;
      let nameOnly = 0;
      for (let i = 0; i < STATIC_TABLE.length; i++) {
        const [n, v] = STATIC_TABLE[i]!;
        if (n !== name) continue;
        if (v === value) {
          exact = i + 1;
          break;
        }
        if (!nameOnly) nameOnly = i + 1;
      }
      if (exact) {
        encodeInteger(exact, 7, 0x80, out);
        continue;
      }
      encodeInteger(nameOnly, 4, 0x00, out);
      if (!nameOnly) encodeString(name, out);
      encodeString(value, out);
    }
    return Buffer.from(out);
  }
}
