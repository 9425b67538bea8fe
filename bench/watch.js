#!/usr/bin/env node
// Benchmark (run by hand, issue 25): how live the check/watch views are. A save of the exercise file, alternately
// the reference solution and a variant that fails some tests, and the time until (1) the first test result and
// (2) the whole result is shown: on the terminal's `course watch` screen (in a pseudo-terminal, util-linux
// `script`), and on the `course lab` page's event stream (the Server-Sent Events the page renders); beside a bare
// `jest` run of the same suite with the same config, transform and build (the floor the grader adds to).
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
const env = { ...process.env, NO_COLOR: '1', NODE_EXTRA_CA_CERTS: '' };
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
  try {
    await until(() => /q quit/.test(out) && /passed|failing/.test(out), 'the first screen');
    for (let i = 0; i < saves + 1; i++) {
      await sleep(300);
      const from = out.length;
      const t = save();
      const since = () => out.slice(from);
      const f = await until(() => /tests \[[█░]+\] [1-9]\d*\/\d+/.test(since()) || /✔ passed|tests failing/.test(since()), 'a test result on the screen');
      const w = await until(() => /(✔ passed: all \d+ tests|✗ \d+ of \d+ tests failing)[\s\S]*q quit/.test(since()), 'the result on the screen');
      // (The first save warms the session: not counted.)
      if (i > 0) {
        first.push(f - t);
        whole.push(w - t);
      }
    }
  } finally {
    if (child.pid) process.kill(-child.pid, 'SIGTERM');
  }
  return { first, whole };
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
      const t = save();
      const f = await until(() => events.slice(from).some((e) => e.event === 'test'), 'a test event');
      await until(() => result(from) !== undefined, 'the result');
      if (i > 0) {
        first.push(f - t);
        whole.push(/** @type {{at: number}} */ (result(from)).at - t);
      }
    }
    request.destroy();
  } finally {
    child.kill('SIGTERM');
  }
  return { first, whole };
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
  fs.rmSync(dir, { recursive: true, force: true });
})().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
