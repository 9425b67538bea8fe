'use strict';
// The content hash of the grader's TypeScript sources (grader/, and the harness/ files compiled with it) and the build
// settings, kept beside the compiled grader.
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const STAMP = path.join('dist', '.source-hash');

function sourceHash(root) {
  const hash = crypto.createHash('sha256');
  const walk = (rel) => {
    for (const entry of fs.readdirSync(path.join(root, rel), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const r = path.join(rel, entry.name);
      if (entry.isDirectory()) walk(r);
      else if ((entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) || entry.name.endsWith('.css'))
        hash
          .update(r)
          .update('\0')
          .update(fs.readFileSync(path.join(root, r)))
          .update('\0');
    }
  };
  walk('grader');
  // The harness files the grader imports are compiled with it (dist/harness/): the last build says which they are.
  const built = (rel) => {
    for (const entry of fs.readdirSync(path.join(root, 'dist', rel), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const r = path.join(rel, entry.name);
      if (entry.isDirectory()) built(r);
      else if (entry.name.endsWith('.js')) {
        const source = r.replace(/\.js$/, '.ts');
        if (fs.existsSync(path.join(root, source)))
          hash
            .update(source)
            .update('\0')
            .update(fs.readFileSync(path.join(root, source)))
            .update('\0');
      }
    }
  };
  if (fs.existsSync(path.join(root, 'dist', 'harness'))) built('harness');
  for (const f of ['tsconfig.json', 'tsconfig.build.json']) hash.update(f).update(fs.readFileSync(path.join(root, f)));
  return hash.digest('hex');
}

/** The build was made from the current sources (or there are no sources to build from: a prebuilt copy). */
function buildIsCurrent(root) {
  if (!fs.existsSync(path.join(root, 'grader')) || !fs.existsSync(path.join(root, 'tsconfig.build.json'))) return true;
  try {
    return fs.readFileSync(path.join(root, STAMP), 'utf8').trim() === sourceHash(root);
  } catch {
    return false;
  }
}

module.exports = { sourceHash, buildIsCurrent, STAMP };
