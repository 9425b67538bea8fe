'use strict';
// The oldest Node.js the course runs on, checked first by every entry point (`course`, the build, the project's
// tests), so an older Node stops at once with one clear line instead of failing later on a missing flag or API.
// 22.14 has what the sandbox relies on: the stable --permission flag and --disable-sigusr1. Keep MINIMUM in step
// with "engines" in package.json. This file must parse on any Node: no syntax newer than ES5 here.
var MINIMUM = [22, 14];

function nodeIsSupported(version) {
  var parts = String(version).split('.').map(Number);
  return parts[0] > MINIMUM[0] || (parts[0] === MINIMUM[0] && parts[1] >= MINIMUM[1]);
}

/** Exits with code 2 and one line on stderr when this Node is older than MINIMUM. */
function requireSupportedNode(who) {
  if (nodeIsSupported(process.versions.node)) return;
  var tooOld = 'Node.js ' + process.versions.node + ' is too old: this course needs Node.js ' + MINIMUM.join('.') + ' or newer';
  process.stderr.write((who || 'course') + ': ' + tooOld + ' (Node 24 LTS recommended). See https://nodejs.org/\n');
  process.exit(2);
}

module.exports = { MINIMUM: MINIMUM, nodeIsSupported: nodeIsSupported, requireSupportedNode: requireSupportedNode };
