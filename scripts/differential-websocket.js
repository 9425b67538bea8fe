#!/usr/bin/env node
// Author tool: a differential run of a websocket-protocol Receiver against `ws`'s own Receiver on fresh random
// sessions (harness/support/ws-differential.ts: messages, fragments, control frames, closes and one fault at a
// time from the Autobahn categories, cut at random points). The instructor-only suite runs a few hundred of these
// per grade; this runs thousands, for checking the reference solution (or a submission) before a term.
//   node scripts/differential-websocket.js [--cases N] [--seed S] [--file path/to/websocket-protocol.ts]
// Exit code 0 when every case agrees, 1 on the first disagreement (the case is printed, replayable with --seed).
// test/differential/references.test.ts runs it on the reference in CI.
const path = require('node:path');
const { loadTs, parseArgs } = require('./differential-common');

const root = path.join(__dirname, '..');
const REFERENCE = path.join(root, 'solutions', '06-websocket-protocol', 'websocket-protocol.ts');

/**
 * Runs `cases` random sessions; resolves to { agreed, ended } or { disagreement } (a printable report).
 * @param {{ cases?: number, seed?: number, file?: string, onProgress?: (done: number) => void }} [options]
 * @returns {Promise<{ agreed?: number, ended?: Map<string, number>, disagreement?: string }>}
 */
async function run({ cases = 2000, seed = 1, file = REFERENCE, onProgress } = {}) {
  const d = await loadTs(path.join(root, 'harness', 'support', 'ws-differential.ts'));
  const { seededRandom } = await loadTs(path.join(root, 'harness', 'support', 'random.ts'));
  const { Receiver } = await loadTs(file, path.join(root, 'exercises', '06-websocket-protocol'));
  const master = seededRandom(seed);
  const ended = new Map();
  for (let i = 0; i < cases; i++) {
    const caseSeed = 1 + Math.floor(master() * 2 ** 31);
    const c = d.generateCase(seededRandom(caseSeed), i % 10 === 9);
    const accepted = await d.acceptedOutcomes(c);
    let got;
    try {
      got = d.learnerLines(new Receiver({ role: c.role, maxMessageSize: c.maxMessageSize }).pushAll(d.chunksOf(c)));
    } catch (err) {
      got = [`threw ${err instanceof Error ? err.stack : String(err)}`];
    }
    const last = accepted[0][accepted[0].length - 1] ?? 'no events';
    const verdict = last.startsWith('error ') ? last : last.startsWith('close ') ? 'close' : 'no close';
    ended.set(verdict, (ended.get(verdict) ?? 0) + 1);
    if (!accepted.some((a) => a.join('\n') === got.join('\n'))) {
      return {
        disagreement: [
          `case ${i + 1} (run seed ${seed}, case seed ${caseSeed})`,
          d.showCase(c),
          `ws:   ${accepted.map((a) => a.join('\n      ')).join('\n  or  ')}`,
          `this: ${got.join('\n      ')}`,
        ].join('\n'),
      };
    }
    if (onProgress && (i + 1) % 500 === 0) onProgress(i + 1);
  }
  return { agreed: cases, ended };
}

module.exports = { run };

if (require.main === module) {
  const args = parseArgs('node scripts/differential-websocket.js [--cases N] [--seed S] [--file websocket-protocol.ts]', REFERENCE);
  const started = Date.now();
  run({ ...args, onProgress: (n) => process.stderr.write(`${n}/${args.cases} cases agree\n`) }).then(
    (r) => {
      if (r.disagreement) {
        console.log(`DISAGREEMENT on ${r.disagreement}`);
        process.exit(1);
      }
      console.log(`${r.agreed} cases agree with ws's Receiver (seed ${args.seed}, ${((Date.now() - started) / 1000).toFixed(1)} s). How the sessions ended:`);
      for (const [k, v] of [...(r.ended ?? [])].sort((a, b) => b[1] - a[1])) console.log(`  ${k.padEnd(12)} ${v}`);
    },
    (err) => {
      console.error(`differential: ${err && err.message}`);
      process.exit(2);
    },
  );
}
