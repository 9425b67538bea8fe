// `course release --classroom`: the learners' side of GitHub Classroom. The release gets a workflow
// (.github/workflows/classroom.yml) that, on every push, runs `course check <id> --json` for each exercise and
// hands the points to Classroom's autograding reporter (classroom-resources/autograding-grading-reporter), which
// reads, for each runner id listed in `runners`, a base64-encoded JSON document from the environment variable
// <RUNNER-ID>_RESULTS:
//   { "version": 1, "status": "pass" | "fail" | "error", "max_score": N,
//     "tests": [{ "name", "status": "pass" | "fail" | "error", "score", "message", "line_no", "execution_time" }] }
// and reports the sum of the tests' scores out of max_score to Classroom. The conversion is a small script that
// ships with the release (.github/classroom/course-check.js); it needs nothing but Node and the course itself.

export const CLASSROOM_WORKFLOW_PATH = '.github/workflows/classroom.yml';
export const CLASSROOM_SCRIPT_PATH = '.github/classroom/course-check.js';

export const CLASSROOM_WORKFLOW = `# GitHub Classroom autograding (written by \`course release --classroom\`).
# On every push: \`course check <id> --json\` for every exercise of course.yaml, then the points go to Classroom
# through its grading reporter (one test per course test; a test's score is its points).
name: Autograding Tests
on:
  push:
  workflow_dispatch:
  repository_dispatch:
permissions:
  checks: write
  actions: read
  contents: read
jobs:
  run-autograding-tests:
    runs-on: ubuntu-latest
    if: github.actor != 'github-classroom[bot]'
    timeout-minutes: 30
    steps:
      - name: Checkout code
        uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with:
          node-version: 22
      - name: Install
        run: npm ci --no-audit --no-fund
      - name: course check
        id: course-check
        run: node .github/classroom/course-check.js >> "$GITHUB_OUTPUT"
      - name: Autograding Reporter
        uses: classroom-resources/autograding-grading-reporter@v1
        env:
          COURSE-CHECK_RESULTS: "\${{ steps.course-check.outputs.result }}"
        with:
          runners: course-check
`;

export const CLASSROOM_SCRIPT = `#!/usr/bin/env node
// Written by \`course release --classroom\`. Runs \`course check <id> --json\` for every exercise in course.yaml and
// prints one line, result=<base64 JSON>, in the format GitHub Classroom's autograding reporter reads
// (classroom-resources/autograding-grading-reporter). Exit code 0 whatever the scores: the reporter decides.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const YAML = require('yaml');

const root = path.resolve(__dirname, '..', '..');
// The same neutralising as the grader's escape.ts (this script stands alone in the learners' repository): text from
// the code under test is shown in the Actions log, so lone surrogates become U+FFFD, control and bidi characters
// visible \\uXXXX escapes, and a long text is cut.
const CONTROLS = /[\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f\\u061c\\u200e\\u200f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069\\ufffe\\uffff]/g;
const LONE_SURROGATE = /[\\ud800-\\udbff](?![\\udc00-\\udfff])|(?<![\\ud800-\\udbff])[\\udc00-\\udfff]/g;
function safe(value, cap) {
  const text = String(value).replace(LONE_SURROGATE, '\\ufffd').replace(CONTROLS, (ch) => '\\\\u' + ch.charCodeAt(0).toString(16).padStart(4, '0'));
  return text.length <= cap ? text : text.slice(0, cap) + ' … [cut: ' + text.length + ' characters in all]';
}
const course = YAML.parse(fs.readFileSync(path.join(root, 'course.yaml'), 'utf8'));
const ids = (course.exercises || []).map((e) => e.id);
const only = process.argv.slice(2);
const tests = [];
let maxScore = 0;
let anyError = false;
for (const id of only.length ? ids.filter((x) => only.includes(x)) : ids) {
  const run = spawnSync(process.execPath, [path.join(root, 'bin', 'course.js'), 'check', id, '--json'], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, NO_COLOR: '1' },
  });
  let result;
  try {
    result = JSON.parse(run.stdout);
  } catch {
    anyError = true;
    tests.push({ name: id + ': could not be checked', status: 'error', score: 0, message: safe(run.stderr || run.stdout, 2000), line_no: 0, execution_time: '0s' });
    continue;
  }
  // Instructor-only tests never go to Classroom (learners see its results); \`course check\` does not run them.
  maxScore += (Number(result.maxScore) || 0) - (result.hidden ? Number(result.hidden.maxScore) || 0 : 0);
  if (Array.isArray(result.tests)) result.tests = result.tests.filter((t) => !t.hidden);
  if (!Array.isArray(result.tests) || result.tests.length === 0) {
    tests.push({ name: safe(id + ': ' + result.status, 500), status: result.status === 'passed' ? 'pass' : 'error', score: 0, message: safe(result.message || result.status, 2000), line_no: 0, execution_time: ((result.durationMs || 0) / 1000).toFixed(2) + 's' });
    if (result.status !== 'passed') anyError = true;
    continue;
  }
  for (const t of result.tests) {
    tests.push({
      name: safe(id + ': ' + t.fullName, 500),
      status: t.status === 'passed' ? 'pass' : 'fail',
      score: t.status === 'passed' ? Number(t.score) || 0 : 0,
      message: t.status === 'passed' ? '' : safe(t.message || t.status, 2000),
      line_no: 0,
      execution_time: ((t.durationMs || 0) / 1000).toFixed(2) + 's',
    });
  }
}
const failed = tests.some((t) => t.status !== 'pass');
const report = { version: 1, status: anyError ? 'error' : failed ? 'fail' : 'pass', max_score: maxScore, tests };
process.stdout.write('result=' + Buffer.from(JSON.stringify(report)).toString('base64') + '\\n');
`;
