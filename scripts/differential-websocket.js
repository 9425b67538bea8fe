#!/usr/bin/env node
// Author tool: a differential run of a websocket-protocol Receiver against `ws`'s own Receiver on fresh random
// sessions (harness/support/ws-differential.ts: messages, fragments, control frames, closes and one fault at a
// time from the Autobahn categories, cut at random points). The instructor-only suite runs a few dozen of these
// per grade; this runs thousands, for checking the reference solution (or a submission) before a term.
//   node scripts/differential-websocket.js [--cases N] [--seed S] [--file path/to/websocket-protocol.ts]
// Exit code 0 when every case agrees, 1 on the first disagreement (the case is printed, replayable with --seed).
const path = require('node:path');
const esbuild = require('esbuild');

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
if (args.includes('--help') || args.includes('-h')) {
  console.log('usage: node scripts/differential-websocket.js [--cases N] [--seed S] [--file websocket-protocol.ts]');
  process.exit(0);
}
const root = path.join(__dirname, '..');
const cases = Number(opt('--cases', '2000'));
const seed = Number(opt('--seed', String(1 + Math.floor(Math.random() * 2 ** 31))));
const file = path.resolve(opt('--file', path.join(root, 'solutions', '06-websocket-protocol', 'websocket-protocol.ts')));

function load(entry) {
  const built = esbuild.buildSync({ entryPoints: [entry], bundle: true, platform: 'node', format: 'cjs', target: 'node20', write: false, external: ['ws'] });
  const m = { exports: {} };
  new Function('module', 'exports', 'require', '__filename', '__dirname', built.outputFiles[0].text)(m, m.exports, require, entry, path.dirname(entry));
  return m.exports;
}

async function main() {
  const d = load(path.join(root, 'harness', 'support', 'ws-differential.ts'));
  const { seededRandom } = load(path.join(root, 'harness', 'support', 'random.ts'));
  const { Receiver } = load(file);
  const master = seededRandom(seed);
  const counts = new Map();
  const started = Date.now();
  for (let i = 0; i < cases; i++) {
    const caseSeed = 1 + Math.floor(master() * 2 ** 31);
    const c = d.generateCase(seededRandom(caseSeed), i % 10 === 9);
    const accepted = await d.acceptedOutcomes(c);
    let got;
    try {
      got = d.learnerLines(new Receiver({ role: c.role, maxMessageSize: c.maxMessageSize }).pushAll(d.chunksOf(c)));
    } catch (err) {
      got = [`threw ${err && err.stack}`];
    }
    const last = accepted[0][accepted[0].length - 1] ?? 'no events';
    const verdict = last.startsWith('error ') ? last : last.startsWith('close ') ? 'close' : 'no close';
    counts.set(verdict, (counts.get(verdict) ?? 0) + 1);
    if (!accepted.some((a) => a.join('\n') === got.join('\n'))) {
      console.log(`DISAGREEMENT on case ${i + 1} (run seed ${seed}, case seed ${caseSeed})\n${d.showCase(c)}`);
      console.log(`ws:   ${accepted.map((a) => a.join('\n      ')).join('\n  or  ')}`);
      console.log(`this: ${got.join('\n      ')}`);
      process.exit(1);
    }
    if ((i + 1) % 500 === 0) process.stderr.write(`${i + 1}/${cases} cases agree\n`);
  }
  console.log(`${cases} cases agree with ws's Receiver (seed ${seed}, ${((Date.now() - started) / 1000).toFixed(1)} s). How the sessions ended:`);
  for (const [k, v] of [...counts].sort((a, b) => b[1] - a[1])) console.log(`  ${k.padEnd(12)} ${v}`);
}
main();
