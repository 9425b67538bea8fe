// Differential checks of two reference solutions against real peers on fresh random cases (the scripts in
// scripts/differential-*.js; run them with --cases 20000 before a term): the hpack-table decoder against hpack.js,
// the websocket-protocol Receiver against ws's own Receiver. Each also runs one shipped mutant, to show that a
// disagreement is found and reported with a case to replay.

import { mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { applyMutantPatch } from '../../grader/run/mutants';

const root = path.join(__dirname, '..', '..');
interface RunOptions {
  cases: number;
  seed: number;
  file?: string;
}
interface RunResult {
  disagreement?: string;
  agreed?: number;
  blocks?: number;
  huffmanStrings?: number;
  ended?: Map<string, number>;
}
// Plain JS scripts, loaded as they are run from the command line.
const hpack = require(path.join(root, 'scripts', 'differential-hpack.js')) as { run(o: RunOptions): Promise<RunResult> };
const websocket = require(path.join(root, 'scripts', 'differential-websocket.js')) as { run(o: RunOptions): Promise<RunResult> };

/** A fresh seed each run, printed on failure: the differential is meant to see new cases every time. */
const seed = Number(process.env.COURSE_SEED) || 1 + Math.floor(Math.random() * 2 ** 31);

/** Writes the solution with a mutant's patch applied to a temporary folder; returns the patched file. */
function mutant(solutionDir: string, file: string, patch: string, dir: string): string {
  const source = new Map([[file, readFileSync(path.join(root, solutionDir, file), 'utf8')]]);
  const patched = applyMutantPatch(source, readFileSync(path.join(root, patch), 'utf8'));
  writeFileSync(path.join(dir, file), patched.get(file)!);
  return path.join(dir, file);
}

describe('reference solutions against real peers on random cases', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'course-differential-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test(`hpack-table's decoder decodes what hpack.js encodes, with the same dynamic table (seed ${seed})`, async () => {
    const r = await hpack.run({ cases: 1500, seed });
    expect(r.disagreement).toBeUndefined();
    expect(r.blocks).toBeGreaterThan(3000);
    expect(r.huffmanStrings).toBeGreaterThan(10_000);
  }, 120_000);

  test('a decoder that evicts the newest entry disagrees with hpack.js, and the case is shown', async () => {
    const file = mutant('solutions/01-hpack-table', 'hpack-table.ts', 'harness/mutants/hpack-table/evicts-newest.patch', dir);
    copyFileSync(path.join(root, 'exercises', '01-hpack-table', 'huffman.ts'), path.join(dir, 'huffman.ts'));
    const r = await hpack.run({ cases: 300, seed, file });
    expect(r.disagreement).toMatch(/case seed \d+[\s\S]*block 0: [0-9a-f]+/);
  }, 120_000);

  test(`websocket-protocol's Receiver makes of random sessions what ws's Receiver makes of them (seed ${seed})`, async () => {
    const r = await websocket.run({ cases: 1500, seed });
    expect(r.disagreement).toBeUndefined();
    // Sessions of every kind were seen: closes, and each failure code.
    for (const end of ['close', 'error 1002', 'error 1007', 'error 1009']) expect(r.ended!.get(end) ?? 0).toBeGreaterThan(20);
  }, 120_000);

  test('a Receiver that drops a leading BOM disagrees with ws, and the case is shown', async () => {
    const file = mutant('solutions/06-websocket-protocol', 'websocket-protocol.ts', 'harness/mutants/websocket-protocol/bom-stripped.patch', dir);
    const r = await websocket.run({ cases: 500, seed, file });
    expect(r.disagreement).toMatch(/case seed \d+[\s\S]*ws:[\s\S]*text "\\u\{feff\}[\s\S]*this:/);
  }, 120_000);
});
