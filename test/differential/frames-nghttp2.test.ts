// Exercise 2's reference FrameParser against nghttpd, nghttp2's own server (scripts/differential-frames-nghttp2.js):
// random frames, each well formed or broken in one way RFC 9113 names an error code for, must be accepted or
// rejected with the same code by both, on a fresh seed each run. Two shipped mutants (unknown frame types treated
// as errors; the 24-bit length read as 16 bits) show that a disagreement is found and printed with its frames.
// Needs nghttpd (Debian: nghttp2-server; .ci/run installs it); skips, saying so, without.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { applyMutantPatch } from '../../grader/run/mutants';
import { toolPresent } from '../helpers';

const root = path.join(__dirname, '..', '..');
const differential = require(path.join(root, 'scripts', 'differential-frames-nghttp2.js')) as {
  haveNghttpd(): boolean;
  run(o: { cases: number; seed: number; file?: string }): Promise<{ disagreement?: string; agreed?: number; outcomes?: Record<string, number> }>;
};
const seed = Number(process.env.COURSE_SEED) || 1 + Math.floor(Math.random() * 2 ** 31);
const haveNghttpd = differential.haveNghttpd();
const maybe = toolPresent(haveNghttpd, 'nghttpd, for the frame differential (apt-get install -y nghttp2-server)') ? describe : describe.skip;

function mutant(name: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'course-frames-differential-'));
  const file = 'frame-parser.ts';
  const source = new Map([[file, readFileSync(path.join(root, 'solutions', '02-frame-parser', file), 'utf8')]]);
  writeFileSync(
    path.join(dir, file),
    applyMutantPatch(source, readFileSync(path.join(root, 'harness', 'mutants', 'frame-parser', `${name}.patch`), 'utf8')).get(file)!,
  );
  return path.join(dir, file);
}

maybe('the frame-parser reference against nghttpd', () => {
  test(`random frames: the same error codes, the same frames accepted (seed ${seed})`, async () => {
    const r = await differential.run({ cases: 5000, seed });
    expect(r.disagreement).toBeUndefined();
    // Both outcomes occur in numbers: the generator is not only making errors, nor only valid frames.
    expect(r.outcomes!['no error']).toBeGreaterThan(500);
    expect(r.outcomes!['connection error PROTOCOL_ERROR']).toBeGreaterThan(500);
    expect(r.outcomes!['connection error FRAME_SIZE_ERROR']).toBeGreaterThan(500);
  }, 300_000);

  test.each(['unknown-type-error', 'length-16-bit'])(
    'the %s mutant disagrees with nghttpd, and the frames are shown',
    async (name) => {
      const file = mutant(name);
      try {
        const r = await differential.run({ cases: 5000, seed, file });
        expect(r.disagreement).toMatch(/case \d+ \(run seed \d+, case seed \d+\)[\s\S]*\n {2}\S[\s\S]*\nnghttpd[^\n]*: [^\n]+\nparser: +[^\n]+$/);
      } finally {
        rmSync(path.dirname(file), { recursive: true, force: true });
      }
    },
    300_000,
  );
});
