#!/usr/bin/env node
// Benchmark (run by hand, issue 25): how live the check/watch views are. A save of the exercise file, alternately
// the reference solution and a variant that fails some tests, and the time until (1) the first test result and
// (2) the whole result is shown: on the terminal's `course watch` screen (in a pseudo-terminal, util-linux
// `script`), and on the `course lab` page's event stream (the Server-Sent Events the page renders); beside a bare
// `jest` run of the same suite with the same config, transform and build (the floor the grader adds to).
// Below it, where the time goes: each stage of a re-check (file event, debounce, build, jest, sandbox host, first
// test, shown) as the median time since the save, from the marks the processes write (grader/run/stage-marks.ts).
//   node bench/watch.js [exercise-id] [saves=7]
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const id = process.argv[2] || 'hpack-table';
const saves = Number(process.argv[3] || 7);
const YAML = require(path.join(root, 'node_modules', 'yaml'));
const exercise = YAML.parse(fs.readFileSync(path.join(root, 'course.yaml'), 'utf8')).exercises.find((/** @type {{id: string}} */ e) => e.id === id);
if (!exercise) throw new Error(`no exercise ${id}`);
if (spawnSync('script', ['--version'], { stdio: 'ignore' }).status !== 0) throw new Error('util-linux `script` is needed for the terminal measurement');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-watch-'));
for (const name of fs.readdirSync(root)) {
  if (['node_modules', '.git', '.course'].includes(name)) continue;
  fs.cpSync(path.join(root, name), path.join(dir, name), { recursive: true });
}
fs.symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
const file = path.join(dir, exercise.dir, exercise.files[0]);
const solution = fs.readFileSync(path.join(dir, exercise.solution, exercise.files[0]), 'utf8');
// The variant: something that fails a few tests (the eviction order for hpack-table), else a comment (all pass).
const broken = solution.includes('this.dynamic.pop()!') ? solution.replace('this.dynamic.pop()!', 'this.dynamic.shift()!') : `${solution}\n// changed\n`;
let flip = false;
/** Saves the other version of the file; returns the time of the save. */
function save() {
  flip = !flip;
  fs.writeFileSync(file, flip ? broken : `${solution}\n// save ${Date.now()}\n`);
  return performance.now();
}
const marksFile = path.join(dir, 'stage-marks.jsonl');
const env = { ...process.env, NO_COLOR: '1', NODE_EXTRA_CA_CERTS: '', COURSE_STAGE_MARKS: marksFile };
/** The stages of one re-check in their order (grader/run/stage-marks.ts). */
const STAGES = [
  ['file-event', 'file event (fs.watch)'],
  ['debounced', 'debounce over (content changed)'],
  ['run-start', 'check started'],
  ['built', 'build done (cached host, transpiled file)'],
  ['jest-started', 'jest process took the job (runCLI)'],
  ['suite-loaded', 'suite loaded, tests declared'],
  ['sandbox-ready', 'sandbox host ready (code under test loaded)'],
  ['first-test-done', 'first test done (in the grader)'],
  ['first-shown', 'first test shown (screen / SSE)'],
  ['tests-done', 'all tests done'],
  ['typechecked', 'type check done'],
  ['result-shown', 'whole result shown'],
];
/** The marks written since `from` (a byte offset of the marks file), each as { stage, at } in performance.now() time. */
function marksSince(/** @type {number} */ from) {
  let text = '';
  try {
    text = fs.readFileSync(marksFile, 'utf8').slice(from);
  } catch {
    /* none yet */
  }
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line))
    .map((/** @type {{stage: string, at: number}} */ m) => ({ stage: m.stage, at: m.at - performance.timeOrigin }));
}
const marksLength = () => (fs.existsSync(marksFile) ? fs.statSync(marksFile).size : 0);
/** Per stage, the time from the save to its first mark after the save. */
function stagesOf(/** @type {number} */ savedAt, /** @type {number} */ from) {
  /** @type {Record<string, number>} */
  const out = {};
  for (const m of marksSince(from)) if (m.at >= savedAt - 1 && out[m.stage] === undefined) out[m.stage] = m.at - savedAt;
  return out;
}
const median = (/** @type {number[]} */ xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const sleep = (/** @type {number} */ ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `test` every 2 ms until it is true (60 s at most). */
async function until(/** @type {() => boolean} */ test, /** @type {string} */ what) {
  const deadline = Date.now() + 60_000;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(2);
  }
  return performance.now();
}

/** The terminal: `course watch` in a pseudo-terminal; the screen's test bar and its summary line. */
async function terminal() {
  const quoted = [process.execPath, path.join(dir, 'bin', 'course.js'), 'watch', id].map((a) => `'${a}'`).join(' ');
  const child = spawn('script', ['--quiet', '--flush', '--command', quoted, '/dev/null'], {
    cwd: dir,
    env: { ...env, TERM: 'xterm-256color', COLUMNS: '120', LINES: '40' },
    stdio: ['pipe', 'pipe', 'pipe'],
    // Its own process group: stopped as a whole, by its id, at the end.
    detached: true,
  });
  let out = '';
  child.stdout.on('data', (/** @type {Buffer} */ d) => (out += d.toString().replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '')));
  const first = [];
  const whole = [];
  /** @type {Array<Record<string, number>>} */
  const stages = [];
  try {
    await until(() => /q quit/.test(out) && /passed|failing/.test(out), 'the first screen');
    for (let i = 0; i < saves + 1; i++) {
      await sleep(300);
      const from = out.length;
      const marked = marksLength();
      const t = save();
      const since = () => out.slice(from);
      const f = await until(() => /tests \[[█░]+\] [1-9]\d*\/\d+/.test(since()) || /✔ passed|tests failing/.test(since()), 'a test result on the screen');
      const w = await until(() => /(✔ passed: all \d+ tests|✗ \d+ of \d+ tests failing)[\s\S]*q quit/.test(since()), 'the result on the screen');
      // (The first save warms the session: not counted.)
      if (i > 0) {
        first.push(f - t);
        whole.push(w - t);
        await sleep(50);
        stages.push(stagesOf(t, marked));
      }
    }
  } finally {
    if (child.pid) process.kill(-child.pid, 'SIGTERM');
  }
  return { first, whole, stages };
}

/** The lab page's data: `course lab`'s event stream, the first `test` event and the `watch` event with the result. */
async function lab() {
  const child = spawn(process.execPath, [path.join(dir, 'bin', 'course.js'), 'lab', '--no-open', id], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let printed = '';
  child.stdout.on('data', (/** @type {Buffer} */ d) => (printed += d.toString()));
  /** @type {Array<{ event: string, data: any, at: number }>} */
  const events = [];
  const first = [];
  const whole = [];
  /** @type {Array<Record<string, number>>} */
  const stages = [];
  try {
    await until(() => /http:\/\/127\.0\.0\.1:\d+\/\?t=[\w-]+/.test(printed), 'the lab URL');
    const url = new URL(/** @type {RegExpExecArray} */ (/http:\/\/127\.0\.0\.1:\d+\/\?t=[\w-]+/.exec(printed))[0]);
    const request = http.get({ host: '127.0.0.1', port: url.port, path: `/events?t=${url.searchParams.get('t')}` }, (res) => {
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (/** @type {string} */ chunk) => {
        buffer += chunk;
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event && data) events.push({ event, data: JSON.parse(data), at: performance.now() });
        }
      });
    });
    request.on('error', () => undefined);
    const result = (/** @type {number} */ from) => events.slice(from).find((e) => e.event === 'watch' && e.data.result && !e.data.running);
    await until(() => result(0) !== undefined, 'the first result');
    for (let i = 0; i < saves + 1; i++) {
      await sleep(300);
      const from = events.length;
      const marked = marksLength();
      const t = save();
      const f = await until(() => events.slice(from).some((e) => e.event === 'test'), 'a test event');
      await until(() => result(from) !== undefined, 'the result');
      if (i > 0) {
        first.push(f - t);
        whole.push(/** @type {{at: number}} */ (result(from)).at - t);
        await sleep(50);
        stages.push(stagesOf(t, marked));
      }
    }
    request.destroy();
  } finally {
    child.kill('SIGTERM');
  }
  return { first, whole, stages };
}

/** A bare jest run of the same suite (same config, transform and build folder), as bench/check does it. */
function bareJest() {
  fs.writeFileSync(file, solution);
  const check = spawnSync(process.execPath, [path.join(dir, 'bin', 'course.js'), 'check', id], { cwd: dir, env, stdio: 'ignore' });
  if (check.status !== 0) throw new Error('the solution does not pass');
  const buildRoot = path.join(dir, '.course', 'build', id);
  const buildDir = path.join(buildRoot, fs.readdirSync(buildRoot).filter((n) => !n.endsWith('.tmp'))[0] ?? '');
  const { jestConfig } = require(path.join(dir, 'dist', 'grader', 'run', 'jest-worker-config.js'));
  const config = jestConfig(
    { suite: path.join(dir, exercise.suite), rootDir: dir, cacheDir: path.join(dir, '.course', 'cache', 'jest'), testTimeoutMs: 5000 },
    { reporters: ['default'], testEnvironment: 'node' },
  );
  const args = [
    path.join(dir, 'node_modules', 'jest', 'bin', 'jest.js'),
    '--config',
    JSON.stringify(config),
    '--runInBand',
    '--silent',
    path.join(dir, exercise.suite),
  ];
  const times = [];
  for (let i = 0; i < saves + 1; i++) {
    const t = performance.now();
    const r = spawnSync(process.execPath, args, { cwd: dir, env: { ...env, COURSE_BUILD_DIR: buildDir, COURSE_SEED: '1' }, stdio: 'ignore' });
    if (r.status !== 0) throw new Error('bare jest failed');
    if (i > 0) times.push(performance.now() - t);
  }
  return times;
}

(async () => {
  const bare = bareJest();
  const term = await terminal();
  const page = await lab();
  console.log(
    `exercise ${id}, ${saves} saves each (after one warm-up), node ${process.version}, ${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(2)}`,
  );
  console.log('');
  const row = (/** @type {string} */ name, /** @type {number[]} */ xs) =>
    console.log(
      `${name.padEnd(48)}${(median(xs) / 1000).toFixed(2).padStart(10)}${(Math.min(...xs) / 1000).toFixed(2).padStart(8)}${(Math.max(...xs) / 1000).toFixed(2).padStart(8)}`,
    );
  console.log(`${'save -> ...'.padEnd(48)}${'median s'.padStart(10)}${'min s'.padStart(8)}${'max s'.padStart(8)}`);
  row('terminal watch: first test result on screen', term.first);
  row('lab page: first test result (SSE event)', page.first);
  row('terminal watch: whole result on screen', term.whole);
  row('lab page: whole result (SSE event)', page.whole);
  row('bare jest, whole suite (a process per run)', bare);
  console.log('');
  const ms = (/** @type {number} */ x) => (Number.isFinite(x) ? Math.round(x) : '-').toString();
  const at = (/** @type {Array<Record<string, number>>} */ runs, /** @type {string} */ stage) =>
    median(runs.map((r) => r[stage]).filter((x) => x !== undefined));
  console.log(
    `${'stage (median ms since the save; step = since the stage above)'.padEnd(64)}${'terminal'.padStart(10)}${'step'.padStart(7)}${'lab'.padStart(8)}${'step'.padStart(7)}`,
  );
  let previous = [0, 0];
  for (const [stage, label] of STAGES) {
    const now = [at(term.stages, stage), at(page.stages, stage)];
    const step = now.map((x, i) => x - previous[i]);
    console.log(`${label.padEnd(64)}${ms(now[0]).padStart(10)}${ms(step[0]).padStart(7)}${ms(now[1]).padStart(8)}${ms(step[1]).padStart(7)}`);
    previous = now.map((x, i) => (Number.isFinite(x) ? x : previous[i]));
  }
  console.log(
    `load average at the end: ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
  fs.rmSync(dir, { recursive: true, force: true });
})().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
