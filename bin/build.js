#!/usr/bin/env node
'use strict';
// Compiles the grader (grader/ -> dist/) and stamps the build with a hash of its sources, so that `course` can
// tell when the sources changed since (a `git pull` of a course update) and rebuild before running.
// Run by `npm install` (the prepare script) and `npm run build`; bin/course.js runs it when the stamp is stale.
require('./node-version').requireSupportedNode('course build');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { sourceHash, STAMP } = require('./source-hash');

const root = path.join(__dirname, '..');
const tsc = require.resolve('typescript/bin/tsc', { paths: [root] });
try {
  execFileSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' });
} catch {
  process.stderr.write('course: building the grader failed (see the errors above)\n');
  process.exit(1);
}
fs.writeFileSync(path.join(root, STAMP), `${sourceHash(root)}\n`);
