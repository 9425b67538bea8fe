'use strict';
// Runs once before the project's tests (jest.config.js's globalSetup). The tests run the compiled grader in dist/:
// after an edit under grader/ (or a harness/ file compiled with it), a jest run without `npm run build` first would
// silently test the previous build. The build's stamp (bin/source-hash.js, the check `course` itself makes) says
// whether dist/ is current; if not, this rebuilds it, saying so in one line.
const { execFileSync } = require('node:child_process');
const path = require('node:path');
const { requireSupportedNode } = require('./bin/node-version');
const { buildIsCurrent } = require('./bin/source-hash');

module.exports = function globalSetup() {
  requireSupportedNode('jest');
  const root = __dirname;
  if (buildIsCurrent(root)) return;
  process.stderr.write('\njest: dist/ is older than the grader sources; rebuilding it (node bin/build.js)\n');
  execFileSync(process.execPath, [path.join(root, 'bin', 'build.js')], { cwd: root, stdio: 'inherit' });
};
