// Shared by the differential scripts: loading a TypeScript module (bundled on the fly with esbuild, a dependency
// of the course, with its relative imports such as a given helper file) and the common command-line options.
const path = require('node:path');
const fs = require('node:fs');
const esbuild = require('esbuild');

/**
 * Loads a .ts file and what it imports; packages (ws, hpack.js, ...) come from the course's node_modules. A
 * relative import with no file beside the importer is looked for in givenDir (an exercise's folder holds the
 * given helper files, such as huffman.ts, that a solution imports).
 */
async function loadTs(file, givenDir) {
  const given = {
    name: 'given-files',
    setup(build) {
      build.onResolve({ filter: /^\.\.?\// }, (args) => {
        if (!givenDir) return undefined;
        const candidates = ['', '.ts', '.js'].map((ext) => path.join(args.resolveDir, args.path + ext));
        if (candidates.some((c) => fs.existsSync(c) && fs.statSync(c).isFile())) return undefined;
        const there = ['.ts', '.js', ''].map((ext) => path.join(givenDir, args.path + ext)).find((c) => fs.existsSync(c) && fs.statSync(c).isFile());
        return there ? { path: there } : undefined;
      });
    },
  };
  const built = await esbuild.build({
    entryPoints: [file],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    write: false,
    packages: 'external',
    plugins: [given],
    logLevel: 'silent',
  });
  const m = { exports: {} };
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- runs the bundle as a CommonJS module, on purpose
  new Function('module', 'exports', 'require', '__filename', '__dirname', built.outputFiles[0].text)(m, m.exports, require, file, path.dirname(file));
  return m.exports;
}

/** --cases N (default 2000), --seed S (default: a fresh one), --file F (default: the reference), --help. */
function parseArgs(usage, reference) {
  const args = process.argv.slice(2);
  const opt = (name, fallback) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : fallback;
  };
  if (args.includes('--help') || args.includes('-h')) {
    console.log(
      `usage: ${usage}\n  --cases N   how many random cases (default 2000)\n  --seed S    replay a run (default: a fresh seed, printed)\n  --file F    another implementation instead of the reference`,
    );
    process.exit(0);
  }
  const cases = Number(opt('--cases', '2000'));
  const seed = Number(opt('--seed', String(1 + Math.floor(Math.random() * 2 ** 31))));
  if (!Number.isInteger(cases) || cases < 1 || !Number.isInteger(seed) || seed < 1) {
    console.error(`usage: ${usage}\n--cases and --seed take positive integers`);
    process.exit(2);
  }
  return { cases, seed, file: path.resolve(opt('--file', reference)) };
}

module.exports = { loadTs, parseArgs };
