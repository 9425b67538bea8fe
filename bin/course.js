#!/usr/bin/env node
'use strict';
// Entry point of `npx course`. The grader is TypeScript compiled to dist/ by `npm install` (the prepare script).
// Checked before anything else loads: on an older Node the grader would fail later, with a less clear error.
require('./node-version').requireSupportedNode('course');
// The code under test runs as this user too: SIGUSR1 must not open this process's debugger (see
// grader/run/debug-signal.ts; a listener replaces Node's own handler).
process.on('SIGUSR1', () => undefined);
const path = require('node:path');
const fs = require('node:fs');
const { execFileSync } = require('node:child_process');
const { buildIsCurrent } = require('./source-hash');
const root = path.join(__dirname, '..');
const dist = path.join(root, 'dist', 'grader');
if (!fs.existsSync(path.join(root, 'node_modules', 'typescript'))) {
  process.stderr.write('course: the course is not installed yet. Run `npm install` in the course folder first.\n');
  process.exit(2);
}
// A course update (git pull) may change the grader: rebuild it before running, instead of running a stale one.
if (!buildIsCurrent(root)) {
  const built = fs.existsSync(path.join(dist, 'cli.js'));
  process.stderr.write(built ? 'course: the grader changed since it was built (a course update?); rebuilding it…\n' : 'course: building the grader…\n');
  try {
    execFileSync(process.execPath, [path.join(__dirname, 'build.js')], { stdio: ['ignore', 'ignore', 'inherit'] });
  } catch {
    if (!built) process.exit(2);
    process.stderr.write('course: rebuilding failed; running the previous build of the grader\n');
  }
}
if (!fs.existsSync(path.join(dist, 'cli.js'))) {
  process.stderr.write('course: the grader is not built. Run `npm install` (or `npm run build`) in the course folder.\n');
  process.exit(2);
}
const args = process.argv.slice(2);
// For a check, start the trusted jest process first: it loads while the CLI does.
if ((args[0] === 'check' || args[0] === 'watch') && !args.includes('--help') && !args.includes('-h')) {
  require(path.join(dist, 'run', 'prestart.js')).prestartJest();
}
require(path.join(dist, 'cli.js')).run(args);
