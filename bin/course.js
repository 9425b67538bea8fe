#!/usr/bin/env node
'use strict';
// Entry point of `npx course`. The grader is TypeScript compiled to dist/ by `npm install` (the prepare script).
const path = require('node:path');
const fs = require('node:fs');
const cli = path.join(__dirname, '..', 'dist', 'grader', 'cli.js');
if (!fs.existsSync(cli)) {
  process.stderr.write('course: the grader is not built yet. Run `npm install` (or `npm run build`) in the course folder first.\n');
  process.exit(2);
}
require(cli).run(process.argv.slice(2));
