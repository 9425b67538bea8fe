#!/usr/bin/env node
'use strict';
// Entry point of `npx course`. The grader is TypeScript compiled to dist/ by `npm install` (the prepare script).
const path = require('node:path');
const fs = require('node:fs');
const dist = path.join(__dirname, '..', 'dist', 'grader');
if (!fs.existsSync(path.join(dist, 'cli.js'))) {
  process.stderr.write('course: the grader is not built yet. Run `npm install` (or `npm run build`) in the course folder first.\n');
  process.exit(2);
}
const args = process.argv.slice(2);
// For a check, start the trusted jest process first: it loads while the CLI does.
if ((args[0] === 'check' || args[0] === 'watch') && !args.includes('--help') && !args.includes('-h')) {
  require(path.join(dist, 'run', 'prestart.js')).prestartJest();
}
require(path.join(dist, 'cli.js')).run(args);
