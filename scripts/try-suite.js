#!/usr/bin/env node
// Author tool: runs one exercise's hidden suite against one folder and prints each test's verdict.
//   node scripts/try-suite.js <course-entry.yaml> <implRoot> [--seed N]
// <course-entry.yaml> holds one exercise entry as it will appear in course.yaml (a YAML map).
// Run `npm run build` first after changing anything under grader/.
const path = require('node:path');
const fs = require('node:fs');
const YAML = require('yaml');
const { Exercise } = require('../dist/grader/course/schema.js');
const { runExercise } = require('../dist/grader/run/run-exercise.js');

const [entryFile, implRoot] = process.argv.slice(2);
const seedAt = process.argv.indexOf('--seed');
if (!entryFile || !implRoot) {
  console.error('usage: node scripts/try-suite.js <course-entry.yaml> <implRoot> [--seed N]');
  process.exit(2);
}
const exercise = Exercise.parse(YAML.parse(fs.readFileSync(entryFile, 'utf8')));
const root = path.resolve(__dirname, '..');
void runExercise({ courseRoot: root, exercise, implRoot: path.resolve(implRoot), seed: seedAt > 0 ? Number(process.argv[seedAt + 1]) : undefined }).then(
  (r) => {
    for (const t of r.tests)
      console.log(`${t.status === 'passed' ? 'PASS' : 'FAIL'} ${t.fullName}${t.message ? `\n     ${t.message.split('\n').join('\n     ')}` : ''}`);
    for (const d of r.diagnostics) console.log(`${d.kind} ${d.file}:${d.line}:${d.column} ${d.message}`);
    console.log(`status=${r.status} score=${r.score}/${r.maxScore} seed=${r.seed} ${r.durationMs}ms${r.message ? `\n${r.message}` : ''}`);
    process.exitCode = r.status === 'passed' ? 0 : 1;
  },
);
