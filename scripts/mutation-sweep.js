#!/usr/bin/env node
// Author tool: looks for gaps in an exercise's suites with machine-made mutants of its reference solution, beside
// the hand-written ones in harness/mutants/. Each mutant changes one operator, literal or statement of the
// solution (=== and !==, < and <=, > and >=, && and ||, true and false, an integer n to n+1, a statement
// removed), is graded as `course grade` would (the visible suite and the instructor-only one, fail-fast) and
// is reported when it still gets full marks. A survivor is a gap in the suites or an equivalent mutant (a change
// that cannot alter behaviour): read each one. Sampled at random unless --all. Each mutant is graded --runs times
// (default 2) with one grading seed, without fail-fast, and reported as a FLIP when the failing tests differ between
// those runs: a verdict must be a function of the code and the seed, for wrong code too (issue 23).
//   node scripts/mutation-sweep.js <exercise-id> [--count N] [--seed S] [--all] [--runs N]
// The course must be built (npm install / npm run build).
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const YAML = require('yaml');

const root = path.join(__dirname, '..');
const args = process.argv.slice(2);
const opt = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const id = args[0];
if (!id || id.startsWith('-') || args.includes('--help')) {
  console.log(
    'usage: node scripts/mutation-sweep.js <exercise-id> [--count N] [--seed S] [--all] [--runs N]\n  --count N  how many sampled mutants (default 40)\n  --seed S   which sample, and the seed of every grading run (default: a fresh one, printed)\n  --all      every mutant instead of a sample\n  --runs N   gradings of each mutant with that seed; differing failing tests are a flip (default 2)',
  );
  process.exit(id ? 0 : 2);
}
const count = Number(opt('--count', '40'));
const runs = Number(opt('--runs', '2'));
const seed = Number(opt('--seed', String(1 + Math.floor(Math.random() * 2 ** 31))));
if (!Number.isInteger(count) || count < 1 || !Number.isInteger(seed) || seed < 1 || !Number.isInteger(runs) || runs < 1) {
  console.error('mutation-sweep: --count, --seed and --runs take positive integers');
  process.exit(2);
}
if (!fs.existsSync(path.join(root, 'dist', 'grader', 'run', 'hidden.js'))) {
  console.error('mutation-sweep: the grader is not built; run `npm run build` (or `npm install`) first');
  process.exit(2);
}
const { runGraded } = require(path.join(root, 'dist', 'grader', 'run', 'hidden.js'));
const { Exercise } = require(path.join(root, 'dist', 'grader', 'course', 'schema.js'));
const course = YAML.parse(fs.readFileSync(path.join(root, 'course.yaml'), 'utf8'));
const entry = course.exercises.find((e) => e.id === id);
if (!entry) {
  console.error(`no exercise "${id}" in course.yaml (${course.exercises.map((e) => e.id).join(', ')})`);
  process.exit(2);
}
const exercise = Exercise.parse(entry);

const SWAPS = [
  [/ === /g, ' !== '],
  [/ !== /g, ' === '],
  [/ < /g, ' <= '],
  [/ <= /g, ' < '],
  [/ > /g, ' >= '],
  [/ >= /g, ' > '],
  [/ && /g, ' || '],
  [/ \|\| /g, ' && '],
  [/\btrue\b/g, 'false'],
  [/\bfalse\b/g, 'true'],
  [/(?<![\w.$])(\d+)(?![\w.$])/g, (n) => String(Number(n) + 1)],
];

/** True when offset `at` of the line is inside a string or template literal (good enough for formatted code). */
function inString(line, at) {
  let quote = null;
  for (let i = 0; i < at; i++) {
    const c = line[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = null;
    } else if (c === "'" || c === '"' || c === '`') quote = c;
    else if (c === '/' && line[i + 1] === '/') return true;
  }
  return quote !== null;
}

function mutantsOf(file, text) {
  const out = [];
  const lines = text.split('\n');
  lines.forEach((line, n) => {
    const t = line.trim();
    if (
      !t ||
      t.startsWith('//') ||
      t.startsWith('*') ||
      t.startsWith('/*') ||
      t.startsWith('import ') ||
      t.startsWith('export type') ||
      t.startsWith('type ') ||
      /^(readonly |private |public )*\w+\??: [^=]+;$/.test(t)
    )
      return;
    for (const [re, to] of SWAPS) {
      for (const m of line.matchAll(re)) {
        if (inString(line, m.index)) continue;
        const replacement = typeof to === 'function' ? to(m[0]) : to;
        const mutated = line.slice(0, m.index) + replacement + line.slice(m.index + m[0].length);
        out.push({ file, line: n + 1, before: t, after: mutated.trim(), apply: () => lines.map((l, k) => (k === n ? mutated : l)).join('\n') });
      }
    }
    // A statement removed: an assignment or a call on its own line.
    if (/^(this\.[\w.[\]]+ (=|\+=|-=)|[\w.]+\(.*\);$|[\w.]+ (\+=|-=) )/.test(t) && t.endsWith(';') && !t.startsWith('return')) {
      out.push({ file, line: n + 1, before: t, after: '(removed)', apply: () => lines.map((l, k) => (k === n ? '' : l)).join('\n') });
    }
  });
  return out;
}

function seeded(s) {
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

void (async () => {
  const solutionDir = path.join(root, exercise.solution);
  const all = exercise.files.flatMap((f) => mutantsOf(f, fs.readFileSync(path.join(solutionDir, f), 'utf8')));
  const random = seeded(seed);
  const chosen = args.includes('--all')
    ? all
    : all
        .map((m) => [random(), m])
        .sort((a, b) => a[0] - b[0])
        .slice(0, count)
        .map(([, m]) => m);
  console.log(`${id}: ${all.length} possible mutants, grading ${chosen.length} (seed ${seed})`);
  const survivors = [];
  const flips = [];
  const started = Date.now();
  for (const [i, m] of chosen.entries()) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'course-sweep-'));
    try {
      fs.cpSync(solutionDir, dir, { recursive: true });
      fs.writeFileSync(path.join(dir, m.file), m.apply());
      const results = [];
      for (let k = 0; k < runs; k++) results.push(await runGraded({ courseRoot: root, exercise, implRoot: dir, typecheck: false, hidden: true, seed }));
      const failing = results.map((x) =>
        x.tests
          .filter((t) => t.status !== 'passed')
          .map((t) => t.fullName)
          .join('\n'),
      );
      const flipped = failing.some((f) => f !== failing[0]);
      const r = results[0];
      const verdict = flipped ? 'FLIP' : r.status === 'passed' ? 'SURVIVED' : r.status === 'error' ? `error: ${r.message}` : 'caught';
      if (flipped) flips.push({ ...m, scores: results.map((x) => `${x.score}/${x.maxScore}`).join(', ') });
      else if (r.status === 'passed') survivors.push(m);
      console.log(`[${i + 1}/${chosen.length}] ${verdict.padEnd(8)} ${m.file}:${m.line}  ${m.before}  ->  ${m.after}`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  const minutes = ((Date.now() - started) / 60000).toFixed(1);
  const caught = chosen.length - survivors.length - flips.length;
  console.log(`\n${caught}/${chosen.length} caught, ${survivors.length} survived, ${flips.length} flipped (${runs} runs each; ${minutes} min, seed ${seed})`);
  for (const m of survivors) console.log(`  survived: ${m.file}:${m.line}  ${m.before}  ->  ${m.after}`);
  for (const m of flips) console.log(`  flipped (scores ${m.scores}): ${m.file}:${m.line}  ${m.before}  ->  ${m.after}`);
  process.exitCode = survivors.length || flips.length ? 1 : 0;
})();
