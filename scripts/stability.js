#!/usr/bin/env node
// Author tool: the flakiness check. Runs one exercise's suite against one implementation N times in a row while
// another copy of the same loop runs beside it (load), and reports every run that did not pass, with its seed.
// Any folder works (a solution, a learner's folder, `.course/mutants/<id>/<name>-<hash>` as verify prepares a
// mutant). With --seed S every run uses that seed and the verdict must not change: runs whose failing tests differ
// from the first run's are reported as flips (issue 23: a verdict is a function of the code and the seed).
//   node scripts/stability.js <course-entry.yaml> <implRoot> [runs=100] [--beside 1] [--seed S]
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
const seedAt = args.indexOf('--seed');
const seed = seedAt >= 0 ? Number(args[seedAt + 1]) : undefined;
if (!entryFile || !implRoot) {
  console.error('usage: node scripts/stability.js <course-entry.yaml> <implRoot> [runs=100] [--beside 1] [--seed S]');
  process.exit(2);
}
const exercise = Exercise.parse(YAML.parse(fs.readFileSync(entryFile, 'utf8')));
const root = path.resolve(__dirname, '..');
// A wrong folder would "fail" every run in milliseconds and look like a flaky suite: say so instead.
const absent = exercise.files.filter((file) => !fs.existsSync(path.join(implRoot, file)));
if (absent.length) {
  console.error(`${implRoot} has no ${absent.join(', ')}: give the folder that holds the exercise's files (e.g. solutions/01-hpack-table)`);
  process.exit(2);
}

/** With --seed: the failing tests of the first run, which every later run must repeat. */
let firstFailing;
const flips = [];

async function loop(label, count, quiet) {
  const failures = [];
  const started = Date.now();
  for (let i = 1; i <= count; i++) {
    const r = await runExercise({ courseRoot: root, exercise, implRoot: path.resolve(implRoot), typecheck: false, seed });
    if (seed !== undefined && !quiet) {
      const failing = r.tests.filter((t) => t.status !== 'passed').map((t) => t.fullName);
      if (firstFailing === undefined) firstFailing = failing;
      else if (failing.join('\n') !== firstFailing.join('\n')) {
        flips.push(i);
        console.log(
          `[${label}] run ${i}: FLIP with seed ${seed}: ${r.score}/${r.maxScore}; failing now: ${failing.join(' | ') || 'none'}; in run 1: ${firstFailing.join(' | ') || 'none'}`,
        );
      }
    }
    if (r.status !== 'passed') {
      // The whole message (cut at 40 lines): a flake on a loaded machine may not come back, so say all it said.
      const bad = r.tests.filter((t) => t.status !== 'passed').map((t) => `${t.fullName}:\n    ${(t.message ?? '').split('\n').slice(0, 40).join('\n    ')}`);
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
  if (seed !== undefined) {
    // A folder of wrong code fails every run: what matters is that it fails the same tests each time.
    console.log(`${runs - flips.length}/${runs} runs with seed ${seed} gave run 1's verdict, ${flips.length} flipped (${beside} copy/copies beside)`);
    process.exitCode = flips.length ? 1 : 0;
    return;
  }
  console.log(`${runs - failures.length} passed, ${failures.length} failed (${runs} consecutive runs with ${beside} copy/copies beside)`);
  process.exitCode = failures.length ? 1 : 0;
})();
