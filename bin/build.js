#!/usr/bin/env node
'use strict';
// Compiles the grader (grader/ -> dist/) and stamps the build with a hash of its sources, so that `course` can
// tell when the sources changed since (a `git pull` of a course update) and rebuild before running.
// report.html's script (grader/report/browser/, typed against the DOM by its own tsconfig) is type-checked and
// bundled with esbuild into one IIFE, dist/grader/report/browser/report.js, which the report writer inlines.
// The lab page's script (grader/lab/browser/, its own tsconfig too) is bundled the same way into
// dist/grader/lab/browser/lab.js, and its stylesheet copied beside it; the lab server serves both.
// Run by `npm install` (the prepare script) and `npm run build`; bin/course.js runs it when the stamp is stale.
require('./node-version').requireSupportedNode('course build');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { sourceHash, STAMP } = require('./source-hash');

const root = path.join(__dirname, '..');
const tsc = require.resolve('typescript/bin/tsc', { paths: [root] });
const browser = path.join(root, 'grader', 'report', 'browser');
const labBrowser = path.join(root, 'grader', 'lab', 'browser');
const bundle = (/** @type {string} */ entry, /** @type {string} */ outfile) =>
  require('esbuild').buildSync({
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: 'iife',
    target: 'es2020',
    charset: 'utf8',
    legalComments: 'none',
    logLevel: 'warning',
  });
try {
  execFileSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' });
  execFileSync(process.execPath, [tsc, '-p', path.join(browser, 'tsconfig.json')], { cwd: root, stdio: 'inherit' });
  execFileSync(process.execPath, [tsc, '-p', path.join(labBrowser, 'tsconfig.json')], { cwd: root, stdio: 'inherit' });
  bundle(path.join(browser, 'report.ts'), path.join(root, 'dist', 'grader', 'report', 'browser', 'report.js'));
  bundle(path.join(labBrowser, 'lab.ts'), path.join(root, 'dist', 'grader', 'lab', 'browser', 'lab.js'));
  fs.copyFileSync(path.join(labBrowser, 'lab.css'), path.join(root, 'dist', 'grader', 'lab', 'browser', 'lab.css'));
} catch (e) {
  const err = /** @type {{ errors?: unknown, status?: unknown, stack?: string } | undefined} */ (e);
  if (err && err.errors === undefined && err.status === undefined) process.stderr.write(`${err.stack ?? require('node:util').inspect(e)}\n`);
  process.stderr.write('course: building the grader failed (see the errors above)\n');
  process.exit(1);
}
fs.writeFileSync(path.join(root, STAMP), `${sourceHash(root)}\n`);
