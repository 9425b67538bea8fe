#!/usr/bin/env node
'use strict';
// `npx course` lands here: npm links this workspace package's bin into node_modules/.bin, where npx finds and
// runs it at once. (With the bin in the course's own package.json, npm 10/11 first loads the whole dependency
// tree and installs the project into its npx cache: about a second more on every command.)
// It runs bin/course.js of the course the command was typed in (node_modules may be shared with a linked copy
// of the course), else of the course this package belongs to.
const fs = require('node:fs');
const path = require('node:path');
// (The Node.js version is checked first thing by the bin/course.js this runs, before the grader loads.)

function courseAbove(dir) {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    if (fs.existsSync(path.join(d, 'bin', 'course.js')) && fs.existsSync(path.join(d, 'course.yaml'))) return d;
    if (path.dirname(d) === d) return undefined;
  }
}

const root = courseAbove(process.cwd()) ?? path.join(__dirname, '..', '..');
require(path.join(root, 'bin', 'course.js'));
