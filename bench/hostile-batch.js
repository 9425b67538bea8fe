#!/usr/bin/env node
// bench/hostile-batch: what loopers and crashers cost the rest of a class. Grades a class of 20 with `course grade`
// (the fixture course of test/batch/fixture-course.js: calc 3 tests, words 4): 5 learners whose every call spins
// forever (adversarial case bench-loop-every-call), 5 whose every call kills its own process (bench-crash-every-call)
// and 10 correct ones; then the 10 correct ones alone. Prints the wall time of each, the ratio (target < 1.5×), the
// scores of the correct ones in both runs (must be full in both), and the processes of the code under test still
// running after each batch: any of the run's worker uids (gradebook.json `uids`, grader/batch/uid-block.ts) and any
// `node` whose cwd or argv points into the bench's folder (course, submissions, output and work folder). Survivors
// are listed, then killed by pid so they do not slow the next run. While a batch runs it also samples the sandbox
// hosts alive at once (each runs one suite file's code under test; more than --jobs at once means hosts outlived
// their test, e.g. a looper still spinning). Run by hand, as root for every isolation layer:
//   npm run build && node bench/hostile-batch.js [--jobs J] [--keep]
'use strict';
const { execFileSync, spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const fx = require('../test/batch/fixture-course.js');

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
};
const jobs = Number(opt('--jobs', String(os.availableParallelism?.() ?? os.cpus().length)));
const keep = args.includes('--keep');
/** A batch that takes longer than this is killed and reported as such (the numbers are then lower bounds). */
const BATCH_LIMIT_MS = 20 * 60_000;
const LOOPERS = 5;
const CRASHERS = 5;
const CORRECT = 10;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'course-hostile-bench-'));
fs.chmodSync(tmp, 0o755);
const course = fx.makeCourse(tmp);

/** Appends a comment naming the learner to every file of a submission folder, so that no two builds are the same. */
function personalise(dir, id) {
  const walk = (d) => {
    for (const name of fs.readdirSync(d)) {
      const p = path.join(d, name);
      if (fs.statSync(p).isDirectory()) walk(p);
      else fs.appendFileSync(p, `\n// ${id}\n`);
    }
  };
  walk(dir);
}

const all = path.join(tmp, 'class');
const correctOnly = path.join(tmp, 'correct-only');
// A class of the same size with every learner correct: the ratio class / this one is what hostility costs, apart
// from the cost of grading twice as many learners (every learner needs a build and a run of each suite).
const allCorrect = path.join(tmp, 'all-correct');
const correctIds = [];
for (let i = 0; i < LOOPERS; i++) {
  fx.materializeCase('bench-loop-every-call', all, `looper-${i}`, {});
  personalise(path.join(all, `looper-${i}`), `looper-${i}`);
}
for (let i = 0; i < CRASHERS; i++) {
  fx.materializeCase('bench-crash-every-call', all, `crasher-${i}`, {});
  personalise(path.join(all, `crasher-${i}`), `crasher-${i}`);
}
for (let i = 0; i < CORRECT; i++) {
  const id = `correct-${i}`;
  correctIds.push(id);
  const files = fx.courseLayout({ calc: `// ${id}\n${fx.solution('calc')}`, words: `// ${id}\n${fx.solution('words')}` });
  fx.writeFolder(path.join(all, id), files);
  fx.writeFolder(path.join(correctOnly, id), files);
}
for (let i = 0; i < LOOPERS + CRASHERS + CORRECT; i++) {
  const id = `correct-${i}`;
  fx.writeFolder(path.join(allCorrect, id), fx.courseLayout({ calc: `// ${id}\n${fx.solution('calc')}`, words: `// ${id}\n${fx.solution('words')}` }));
}
const fullScore = fx.EXERCISES.reduce((sum, e) => sum + e.tests, 0);

/** pid → command line of every process on the machine, with its uid and cwd (when readable). */
function processes() {
  /** @type {string} */
  let out;
  try {
    out = execFileSync('ps', ['-eo', 'pid=,uid=,stat=,args='], { encoding: 'utf8', maxBuffer: 32 * 1024 * 1024 });
  } catch {
    return [];
  }
  return out
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(\S+)\s+(.*)$/.exec(line))
    .filter(/** @returns {m is RegExpExecArray} */ (m) => m !== null)
    .map(([, pid, uid, state, argv]) => {
      let cwd = '';
      try {
        cwd = fs.readlinkSync(`/proc/${pid}/cwd`);
      } catch {
        /* gone, or not ours to read */
      }
      return { pid: Number(pid), uid: Number(uid), state, argv, cwd };
    });
}

/** Processes of the code under test (or of the grading machinery) still alive after a batch. */
function survivors(uids) {
  return processes().filter((p) => {
    if (p.pid === process.pid || / ps -eo /.test(` ${p.argv}`)) return false;
    const ofUid = uids !== undefined && p.uid >= uids.first && p.uid <= uids.last;
    // Any process, node or a wrapper, whose cwd or arguments point into the bench's folder.
    const inFolder = p.argv.includes(tmp) || p.cwd.startsWith(tmp);
    return ofUid || inFolder;
  });
}

/**
 * A sandbox host is a node running the build's `__sandbox_host.js` (grader/run/build.ts); the wrappers before it
 * (unshare --fork waits as its parent) carry the same arguments and are not counted.
 */
const isNode = (p) => path.basename(p.argv.split(' ')[0] ?? '') === 'node' || p.argv.startsWith(`${process.execPath} `);
const isHost = (p) => isNode(p) && p.argv.includes('__sandbox_host.js') && (p.argv.includes(tmp) || p.cwd.startsWith(tmp));

/** Grades `subs` into a fresh output folder; returns the wall time, the scores and what was left running. */
async function grade(label, subs) {
  const out = path.join(tmp, `out-${label}`);
  const started = Date.now();
  const child = spawn(process.execPath, [path.join(course, 'bin', 'course.js'), 'grade', subs, '--out', out, '--jobs', String(jobs)], {
    cwd: course,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c) => (stdout = (stdout + c).slice(-64_000)));
  child.stderr.on('data', (c) => (stderr = (stderr + c).slice(-64_000)));
  let timedOut = false;
  const limit = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, BATCH_LIMIT_MS);
  // Hosts alive at once, and hosts busy on a CPU (state R), sampled twice a second.
  let maxHosts = 0;
  let maxRunningHosts = 0;
  const sampler = setInterval(() => {
    const hosts = processes().filter(isHost);
    maxHosts = Math.max(maxHosts, hosts.length);
    maxRunningHosts = Math.max(maxRunningHosts, hosts.filter((p) => p.state.startsWith('R')).length);
  }, 500);
  const code = await new Promise((resolve) => child.on('exit', (c) => resolve(c)));
  clearTimeout(limit);
  clearInterval(sampler);
  const seconds = (Date.now() - started) / 1000;
  let meta = {};
  try {
    meta = JSON.parse(fs.readFileSync(path.join(out, 'gradebook.json'), 'utf8'));
  } catch {
    /* no gradebook: the batch failed or was killed */
  }
  const scores = new Map();
  const statuses = new Map();
  const resultsDir = path.join(out, 'results');
  for (const f of fs.existsSync(resultsDir) ? fs.readdirSync(resultsDir) : []) {
    try {
      const l = JSON.parse(fs.readFileSync(path.join(resultsDir, f), 'utf8'));
      scores.set(
        l.learner,
        l.exercises.reduce((sum, e) => sum + e.score, 0),
      );
      statuses.set(l.learner, l.exercises.map((e) => `${e.exercise} ${e.status} ${e.score}/${e.maxScore}`).join(', '));
    } catch {
      /* a half-written result */
    }
  }
  const atExit = survivors(meta.uids);
  await new Promise((r) => setTimeout(r, 3000));
  const later = survivors(meta.uids);
  // Kill what is still there (by pid: these are processes this bench caused), so the next run starts clean.
  for (const p of later) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  return { label, seconds, code, timedOut, stderr, stdout, meta, scores, statuses, atExit, later, maxHosts, maxRunningHosts };
}

async function main() {
  console.log(
    `bench/hostile-batch: ${LOOPERS} loopers + ${CRASHERS} crashers + ${CORRECT} correct learners × ${fx.EXERCISES.length} exercises; --jobs ${jobs}; ` +
      `${os.cpus().length} cores; load ${os
        .loadavg()
        .map((x) => x.toFixed(1))
        .join(' ')}; ${process.getuid?.() === 0 ? 'root' : 'not root'}`,
  );
  const hostile = await grade('class', all);
  const alone = await grade('correct', correctOnly);
  const same = await grade('all-correct', allCorrect);

  const fmt = (s) => `${s.toFixed(1)} s`;
  const correctScores = (run) => correctIds.map((id) => run.scores.get(id));
  const full = (run) => correctScores(run).every((s) => s === fullScore);
  const summary = (run) => {
    const got = correctScores(run);
    const fullCount = got.filter((s) => s === fullScore).length;
    return `${fullCount}/${CORRECT} full (${got.map((s) => (s === undefined ? '-' : s)).join(' ')} of ${fullScore})`;
  };
  const rows = [
    ['run', 'wall', 'exit', 'correct learners', 'hosts at once (running)', 'left at exit', 'left after 3 s'],
    ...[hostile, alone, same].map((run) => [
      run.label === 'class'
        ? `class of ${LOOPERS + CRASHERS + CORRECT}`
        : run.label === 'correct'
          ? `${CORRECT} correct alone`
          : `${LOOPERS + CRASHERS + CORRECT} correct`,
      run.timedOut ? `>${fmt(run.seconds)} (killed)` : fmt(run.seconds),
      String(run.code),
      summary(run),
      `${run.maxHosts} (${run.maxRunningHosts})`,
      String(run.atExit.length),
      String(run.later.length),
    ]),
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  console.log('');
  for (const row of rows) console.log(row.map((cell, i) => cell.padEnd(widths[i])).join('  '));
  console.log('');
  const ratio = hostile.seconds / alone.seconds;
  console.log(`ratio class / correct alone: ${ratio.toFixed(2)}× (target < 1.5×)${ratio < 1.5 ? '' : '  ← over target'}`);
  const sizeRatio = same.seconds / alone.seconds;
  console.log(
    `ratio ${LOOPERS + CRASHERS + CORRECT} correct / ${CORRECT} correct alone: ${sizeRatio.toFixed(2)}× (the cost of the class's size alone); ` +
      `class / ${LOOPERS + CRASHERS + CORRECT} correct: ${(hostile.seconds / same.seconds).toFixed(2)}× (the cost of the loopers and crashers)`,
  );
  console.log(`correct learners at full marks in both runs: ${full(hostile) && full(alone) ? 'yes' : 'NO'}`);
  console.log(`sandbox hosts alive at once (at most --jobs ${jobs} expected): class ${hostile.maxHosts}, correct alone ${alone.maxHosts}`);
  if (hostile.meta.isolation) {
    const on = hostile.meta.isolation.filter((l) => l.on).map((l) => l.name);
    const off = hostile.meta.isolation.filter((l) => !l.on).map((l) => `${l.name} (${l.why})`);
    console.log(`isolation on: ${on.join('; ') || 'none'}${off.length ? `\nisolation OFF: ${off.join('; ')}` : ''}`);
  }
  for (const run of [hostile, alone]) {
    const hostiles = [...run.statuses.entries()].filter(([id]) => !id.startsWith('correct-'));
    if (hostiles.length) {
      console.log(`\n${run.label}: verdicts of the loopers and crashers`);
      for (const [id, s] of hostiles.sort()) console.log(`  ${id.padEnd(11)} ${s}`);
    }
    if (run.later.length) {
      console.log(`\n${run.label}: processes still running 3 s after the batch ended (killed now):`);
      for (const p of run.later.slice(0, 20)) console.log(`  pid ${p.pid} uid ${p.uid} ${p.argv.slice(0, 160)}`);
      if (run.later.length > 20) console.log(`  … and ${run.later.length - 20} more`);
    }
    if (run.code !== 0 && run.code !== 1)
      console.log(
        `\n${run.label}: course grade exited with ${run.code}${run.timedOut ? ' (killed by the bench)' : ''}\n${run.stdout.slice(-1500)}\n${run.stderr.slice(-1500)}`,
      );
  }
  if (keep) console.log(`\nkept: ${tmp}`);
  else fs.rmSync(tmp, { recursive: true, force: true });
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
