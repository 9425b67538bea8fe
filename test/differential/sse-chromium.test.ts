// Exercise 5's reference parser against Chromium's own EventSource on fresh random streams
// (scripts/differential-sse-chromium.js): the events dispatched and the Last-Event-ID sent on reconnect must
// agree. One shipped mutant (a parser that ends lines only at LF) shows that a disagreement is found. Needs
// playwright-core (a devDependency) and the Debian chromium (.ci/run installs it); skips, saying so, without.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { applyMutantPatch } from '../../grader/run/mutants';
import { toolPresent } from '../helpers';

const root = path.join(__dirname, '..', '..');
const differential = require(path.join(root, 'scripts', 'differential-sse-chromium.js')) as {
  available(): boolean;
  run(o: { cases: number; seed: number; file?: string }): Promise<{ disagreement?: string; agreed?: number; reconnects?: number }>;
};
const seed = Number(process.env.COURSE_SEED) || 1 + Math.floor(Math.random() * 2 ** 31);
const haveChromium = differential.available();
const maybe = toolPresent(haveChromium, '/usr/bin/chromium, for the SSE differential (apt-get install -y chromium)') ? describe : describe.skip;

maybe("the sse-consumer reference against Chromium's EventSource", () => {
  test(`random streams: the same events, and the same Last-Event-ID on reconnect (seed ${seed})`, async () => {
    const r = await differential.run({ cases: 80, seed });
    expect(r.disagreement).toBeUndefined();
    expect(r.reconnects).toBe(80);
  }, 300_000);

  test('a parser that ends lines only at LF disagrees with Chromium, and the stream is shown', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'course-sse-differential-'));
    try {
      const file = 'sse-consumer.ts';
      const source = new Map([[file, readFileSync(path.join(root, 'solutions', '05-sse-consumer', file), 'utf8')]]);
      writeFileSync(
        path.join(dir, file),
        applyMutantPatch(source, readFileSync(path.join(root, 'harness', 'mutants', 'sse-consumer', 'lf-only.patch'), 'utf8')).get(file)!,
      );
      const r = await differential.run({ cases: 80, seed, file: path.join(dir, file) });
      expect(r.disagreement).toMatch(/case seed \d+\)\nstream "[\s\S]*\nhex [0-9a-f]+[\s\S]*(events differ|last event ID differs)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
