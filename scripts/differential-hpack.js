#!/usr/bin/env node
// Author tool: a differential run of an hpack-table HpackDecoder against hpack.js (the HPACK implementation of the
// spdy stack, a devDependency) on fresh random connections: hpack.js's compressor encodes random header lists
// (static and dynamic name references, Huffman on and off, literals without indexing and never indexed, values
// with octets above 0x7f, tables of 4096 down to 0 octets, table resets between blocks) and the decoder must give
// back every list and end each block with the same dynamic table as the compressor.
//   node scripts/differential-hpack.js [--cases N] [--seed S] [--file path/to/hpack-table.ts]
// Exit code 0 when every block agrees, 1 on the first disagreement (printed, replayable with --seed).
// test/differential/references.test.ts runs it on the reference in CI.
const path = require('node:path');
const hpack = require('hpack.js');
const { loadTs, parseArgs } = require('./differential-common');

const root = path.join(__dirname, '..');
const REFERENCE = path.join(root, 'solutions', '01-hpack-table', 'hpack-table.ts');
const NAMES = [
  ':authority',
  ':method',
  ':path',
  ':scheme',
  ':status',
  'accept',
  'accept-encoding',
  'cache-control',
  'content-length',
  'content-type',
  'cookie',
  'date',
  'etag',
  'host',
  'location',
  'set-cookie',
  'user-agent',
  'authorization',
  'x-request-id',
  'x-custom',
];
const COMMON_VALUES = ['GET', 'POST', '/', '/index.html', 'https', 'http', '200', '404', 'gzip, deflate', ''];
const SIZES = [4096, 4096, 4096, 256, 100, 64, 0];

/** The decoder was built with a 4096 limit: a block for a smaller table starts with a size update (§6.3). */
function sizeUpdate(size) {
  if (size < 31) return Buffer.from([0x20 | size]);
  const out = [0x3f];
  let v = size - 31;
  while (v >= 128) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return Buffer.from(out);
}

function readAll(stream) {
  const out = [];
  let chunk;
  while ((chunk = stream.read()) !== null) out.push(Buffer.from(chunk));
  return Buffer.concat(out);
}

/** @param {{ cases?: number, seed?: number, file?: string, onProgress?: (done: number) => void }} [options] */
async function run({ cases = 2000, seed = 1, file = REFERENCE, onProgress } = {}) {
  const { HpackDecoder } = await loadTs(file, path.join(root, 'exercises', '01-hpack-table'));
  const { seededRandom, randomInt } = await loadTs(path.join(root, 'harness', 'support', 'random.ts'));
  const master = seededRandom(seed);
  let blocks = 0;
  let huffmanStrings = 0;
  for (let i = 0; i < cases; i++) {
    const caseSeed = 1 + Math.floor(master() * 2 ** 31);
    const r = seededRandom(caseSeed);
    const text = (n, high) => {
      let s = '';
      for (let k = 0; k < n; k++) s += String.fromCharCode(high && r() < 0.1 ? randomInt(r, 0x80, 0xff) : randomInt(r, 0x20, 0x7e));
      return s;
    };
    const size = SIZES[randomInt(r, 0, SIZES.length - 1)];
    const compressor = hpack.compressor.create({ table: { maxSize: size } });
    const decoder = new HpackDecoder(4096);
    const seen = [];
    const log = [];
    for (let b = randomInt(r, 1, 8), k = 0; k < b; k++) {
      const headers = [];
      for (let h = randomInt(r, 0, 12); h > 0; h--) {
        let name;
        let value;
        if (seen.length && r() < 0.3) [name, value] = seen[randomInt(r, 0, seen.length - 1)];
        else {
          name = r() < 0.7 ? NAMES[randomInt(r, 0, NAMES.length - 1)] : text(randomInt(r, 1, 12), false).toLowerCase();
          value = r() < 0.15 ? COMMON_VALUES[randomInt(r, 0, COMMON_VALUES.length - 1)] : text(r() < 0.05 ? randomInt(r, 100, 400) : randomInt(r, 0, 30), true);
          seen.push([name, value]);
        }
        const header = { name, value };
        if (r() < 0.25) header.huffman = false;
        else huffmanStrings++;
        if (r() < 0.15) header.incremental = false;
        if (r() < 0.1) header.neverIndex = true;
        headers.push(header);
      }
      // reset() sends a size update to 0 and one back to the table's size: two updates at the start of a block.
      if (k > 0 && r() < 0.15) compressor.reset();
      compressor.write(headers);
      const block = Buffer.concat([k === 0 && size !== 4096 ? sizeUpdate(size) : Buffer.alloc(0), readAll(compressor)]);
      const want = headers.map((h) => [h.name, h.value]);
      log.push(`block ${k}: ${block.toString('hex')}\n  encodes ${JSON.stringify(want)}`);
      let got;
      try {
        got = decoder.decode(block);
      } catch (err) {
        got = `threw ${err instanceof Error ? err.message : String(err)}`;
      }
      const fail = (what) => ({
        disagreement: [`connection ${i + 1} (run seed ${seed}, case seed ${caseSeed}; hpack.js table of ${size} octets): ${what}`, ...log].join('\n'),
      });
      if (JSON.stringify(got) !== JSON.stringify(want)) return fail(`block ${k} decodes to ${typeof got === 'string' ? got : JSON.stringify(got)}`);
      // hpack.js keeps its dynamic table oldest first.
      const theirs = compressor._table.dynamic.map((e) => [e.name, e.value]).reverse();
      const ours = decoder.dynamicTable().map((e) => [e.name, e.value]);
      if (JSON.stringify(theirs) !== JSON.stringify(ours))
        return fail(`after block ${k} the dynamic tables differ:\n  hpack.js ${JSON.stringify(theirs)}\n  this     ${JSON.stringify(ours)}`);
      blocks++;
    }
    if (onProgress && (i + 1) % 500 === 0) onProgress(i + 1);
  }
  return { agreed: cases, blocks, huffmanStrings };
}

module.exports = { run };

if (require.main === module) {
  const args = parseArgs('node scripts/differential-hpack.js [--cases N] [--seed S] [--file hpack-table.ts]', REFERENCE);
  const started = Date.now();
  run({ ...args, onProgress: (n) => process.stderr.write(`${n}/${args.cases} connections agree\n`) }).then(
    (r) => {
      if (r.disagreement) {
        console.log(`DISAGREEMENT on ${r.disagreement}`);
        process.exit(1);
      }
      console.log(
        `${r.agreed} connections, ${r.blocks} header blocks (${r.huffmanStrings} fields Huffman-coded) agree with hpack.js (seed ${args.seed}, ${((Date.now() - started) / 1000).toFixed(1)} s)`,
      );
    },
    (err) => {
      console.error(`differential: ${err && err.message}`);
      process.exit(2);
    },
  );
}
