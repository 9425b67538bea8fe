#!/usr/bin/env node
// bench/batch: `course grade` on N generated submissions × every exercise of a fixture course, beside the naive
// loop (one `npx course check <id> --dir …` per exercise per submission) on the same input. Prints runs per
// minute for both and the ratio. Run by hand (not part of the test run):
//   npm run build && node bench/batch.js [N=100] [--jobs J] [--naive-sample K] [--npx]
// --naive-sample K times the naive loop on the first K submissions only (it is slow) and compares rates.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const fx = require('../test/batch/fixture-course.js');

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const N = Number(args.find((a) => /^\d+$/.test(a) && args[args.indexOf(a) - 1] !== '--jobs' && args[args.indexOf(a) - 1] !== '--naive-sample') ?? 100);
const jobs = Number(opt('--jobs', String(os.availableParallelism?.() ?? os.cpus().length)));
const sample = Number(opt('--naive-sample', String(N)));
// Default: `node bin/course.js check` (faster than npx, so the ratio is conservative). --npx uses `npx course check`, the
// command a learner (and the issue's naive loop) types: the workspace bin runs the course the command is typed in.
const useNpx = args.includes('--npx');

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'course-bench-'));
fs.chmodSync(tmp, 0o755);
const course = fx.makeCourse(tmp);
const subs = path.join(tmp, 'submissions');
const ids = [];
for (let i = 0; i < N; i++) {
  const id = `s${String(i).padStart(3, '0')}`;
  ids.push(id);
  const kind = i % 4;
  const files =
    kind === 0 || kind === 1
      ? { calc: fx.solution('calc'), words: fx.solution('words') }
      : kind === 2
        ? { calc: fx.CALC_PARTIAL, words: fx.WORDS_PARTIAL }
        : { calc: fx.stub('calc'), words: fx.stub('words') };
  // Folders, so that the naive loop can point `check --dir` at them; a unique comment keeps every build distinct.
  const unique = Object.fromEntries(Object.entries(files).map(([k, v]) => [k, `// ${id}\n${v}`]));
  fx.writeFolder(path.join(subs, id), fx.courseLayout(unique));
}
const exercises = fx.EXERCISES;
const runs = N * exercises.length;

console.log(
  `bench/batch: ${N} submissions × ${exercises.length} exercises = ${runs} runs; ${os.cpus().length} cores; load ${os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')}`,
);
let t0 = Date.now();
const batch = spawnSync(process.execPath, [path.join(course, 'bin', 'course.js'), 'grade', subs, '--out', path.join(tmp, 'out'), '--jobs', String(jobs)], {
  cwd: course,
  encoding: 'utf8',
});
const batchSec = (Date.now() - t0) / 1000;
if (batch.status !== 0) console.log(batch.stdout.slice(-2000), batch.stderr.slice(-2000));
const batchRate = (runs / batchSec) * 60;
console.log(`course grade --jobs ${jobs}: ${batchSec.toFixed(1)} s, ${batchRate.toFixed(1)} runs/min`);

t0 = Date.now();
let naiveRuns = 0;
let naiveFailures = 0;
for (const id of ids.slice(0, sample)) {
  for (const ex of exercises) {
    const dir = path.join(subs, id, 'exercises', `${ex.num}-${ex.id}`);
    const cmd = useNpx ? 'npx' : process.execPath;
    const cargs = useNpx ? ['course', 'check', ex.id, '--dir', dir] : [path.join(course, 'bin', 'course.js'), 'check', ex.id, '--dir', dir];
    const r = spawnSync(cmd, cargs, { cwd: course, encoding: 'utf8' });
    if (r.status !== 0 && r.status !== 1) naiveFailures++;
    naiveRuns++;
  }
}
const naiveSec = (Date.now() - t0) / 1000;
const naiveRate = (naiveRuns / naiveSec) * 60;
console.log(
  `naive loop (${useNpx ? 'npx course check' : 'node bin/course.js check'}, ${naiveRuns} runs${sample < N ? `, first ${sample} submissions` : ''}): ${naiveSec.toFixed(1)} s, ${naiveRate.toFixed(1)} runs/min${naiveFailures ? ` (${naiveFailures} runs did not complete)` : ''}`,
);
console.log(`ratio: ${(batchRate / naiveRate).toFixed(1)}× the naive loop`);
fs.rmSync(tmp, { recursive: true, force: true });
