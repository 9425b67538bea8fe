#!/usr/bin/env node
// Author tool: the flakiness check. Runs one exercise's suite against one implementation N times in a row while
// another copy of the same loop runs beside it (load), and reports every run that did not pass, with its seed.
//   node scripts/stability.js <course-entry.yaml> <implRoot> [runs=100] [--beside 1]
const path = require('node:path');
const fs = require('node:fs');
const YAML = require('yaml');
const { Exercise } = require('../dist/grader/course/schema.js');
const { runExercise } = require('../dist/grader/run/run-exercise.js');

const args = process.argv.slice(2);
const [entryFile, implRoot] = args;
const runs = Number(args[2] && !args[2].startsWith('--') ? args[2] : 100);
const besideAt = args.indexOf('--beside');
const beside = besideAt >= 0 ? Number(args[besideAt + 1]) : 1;
if (!entryFile || !implRoot) {
  console.error('usage: node scripts/stability.js <course-entry.yaml> <implRoot> [runs=100] [--beside 1]');
  process.exit(2);
}
const exercise = Exercise.parse(YAML.parse(fs.readFileSync(entryFile, 'utf8')));
const root = path.resolve(__dirname, '..');

async function loop(label, count, quiet) {
  const failures = [];
  const started = Date.now();
  for (let i = 1; i <= count; i++) {
    const r = await runExercise({ courseRoot: root, exercise, implRoot: path.resolve(implRoot), typecheck: false });
    if (r.status !== 'passed') {
      const bad = r.tests.filter((t) => t.status !== 'passed').map((t) => `${t.fullName}: ${(t.message ?? '').split('\n')[0]}`);
      failures.push({ run: i, seed: r.seed, status: r.status, message: r.message, bad });
      if (!quiet) console.log(`[${label}] run ${i}: ${r.status} seed=${r.seed} ${r.message ?? ''}\n  ${bad.join('\n  ')}`);
    }
    if (!quiet && i % 10 === 0)
      console.log(`[${label}] ${i}/${count} runs, ${failures.length} not passed, ${((Date.now() - started) / i / 1000).toFixed(2)} s/run`);
  }
  return failures;
}

void (async () => {
  let stop = false;
  const background = Array.from({ length: beside }, async (_, k) => {
    while (!stop) await loop(`beside-${k + 1}`, 1, true);
  });
  const failures = await loop('main', runs, false);
  stop = true;
  await Promise.all(background);
  console.log(`${runs - failures.length} passed, ${failures.length} failed (${runs} consecutive runs with ${beside} copy/copies beside)`);
  process.exitCode = failures.length ? 1 : 0;
})();
