// Builds throw-away courses and submissions for the batch grader's tests and for bench/batch.js.
// A temporary course is a copy of the repository's dist/, bin/, harness/sandbox, harness/support and package.json
// (node_modules is a symlink) with two small fixture exercises (calc: 3 tests, words: 4 tests): since the grader
// derives the course root from where dist/ is, the copy is a course of its own and never reads course.yaml or the
// exercises of the real course.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');

const REPO = path.resolve(__dirname, '..', '..');

function copy(from, to) {
  fs.cpSync(path.join(REPO, from), to, { recursive: true, dereference: false });
}

const EXERCISES = [
  { id: 'calc', num: '01', file: 'calc.ts', fixture: 'test/fixtures/calc', suite: 'calc.test.ts', tests: 3 },
  { id: 'words', num: '02', file: 'words.ts', fixture: 'test/fixtures/batch-words', suite: 'words.test.ts', tests: 4 },
];
/** With `makeCourse(dir, { packages: true })`: an exercise whose code needs the provided packages ws and undici. */
const PKG_EXERCISE = { id: 'pkg', num: '03', file: 'pkg.ts', fixture: 'test/fixtures/pkg', suite: 'pkg.test.ts', tests: 2, packages: ['ws', 'undici'] };

/** Creates a course under `dir` and returns its root. options.points: { calc: '10', ... } (course.yaml's points:). */
function makeCourse(dir, options = {}) {
  const root = path.join(dir, 'course');
  fs.mkdirSync(root, { recursive: true, mode: 0o755 });
  for (const d of [dir, root]) fs.chmodSync(d, 0o755);
  copy('dist', path.join(root, 'dist'));
  fs.rmSync(path.join(root, 'dist', '.tsbuildinfo'), { force: true });
  copy('bin', path.join(root, 'bin'));
  copy('package.json', path.join(root, 'package.json'));
  copy('harness/sandbox', path.join(root, 'harness', 'sandbox'));
  copy('harness/support', path.join(root, 'harness', 'support'));
  fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(root, 'node_modules'));
  const timeout = options.timeout ?? '12s';
  const entries = [];
  const chosen = (options.packages ? [...EXERCISES, PKG_EXERCISE] : EXERCISES).filter((e) => !options.only || options.only.includes(e.id));
  for (const ex of chosen) {
    const dirName = `${ex.num}-${ex.id}`;
    fs.mkdirSync(path.join(root, ex.fixture), { recursive: true });
    copy(path.join(ex.fixture, ex.suite), path.join(root, ex.fixture, ex.suite));
    copy(path.join(ex.fixture, 'stub'), path.join(root, 'exercises', dirName));
    copy(path.join(ex.fixture, 'solution'), path.join(root, 'solutions', dirName));
    fs.writeFileSync(path.join(root, 'exercises', dirName, 'README.md'), `# ${ex.id}\n\nA fixture exercise.\n`);
    entries.push(
      [
        `  - id: ${ex.id}`,
        `    title: ${ex.id} fixture`,
        `    summary: A fixture exercise for the batch grader's tests.`,
        `    dir: exercises/${dirName}`,
        `    solution: solutions/${dirName}`,
        `    files: [${ex.file}]`,
        `    suite: ${ex.fixture}/${ex.suite}`,
        `    timeout: ${timeout}`,
        ...(ex.packages ? [`    packages: [${ex.packages.join(', ')}]`] : []),
        `    hints: [one, two]`,
        ...(options.points?.[ex.id] ? [`    points: ${options.points[ex.id]}`] : []),
      ].join('\n'),
    );
  }
  fs.writeFileSync(path.join(root, 'course.yaml'), `title: Batch fixture course\nexercises:\n${entries.join('\n')}\n`);
  return root;
}

function solution(id) {
  const ex = [...EXERCISES, PKG_EXERCISE].find((e) => e.id === id);
  return fs.readFileSync(path.join(REPO, ex.fixture, 'solution', ex.file), 'utf8');
}
function stub(id) {
  const ex = [...EXERCISES, PKG_EXERCISE].find((e) => e.id === id);
  return fs.readFileSync(path.join(REPO, ex.fixture, 'stub', ex.file), 'utf8');
}

/** calc with add and echoBytes right and total wrong: 2/3. */
const CALC_PARTIAL = `export class Calculator {
  add(a: number, b: number): number { return a + b; }
  total(): number { return 0; }
}
export function echoBytes(bytes: Uint8Array): Uint8Array { return Buffer.from(bytes); }
`;
/** words with countWords right, the rest wrong: 2/4. */
const WORDS_PARTIAL = `export function countWords(text: string): number { return text.split(/\\s+/).filter((w) => w).length; }
export function topWord(_text: string): string | null { return null; }
export class Tally { add(_w: string): void {} count(_w: string): number { return -1; } }
`;
const CALC_SYNTAX_ERROR = `export class Calculator {\n  add(a: number, b: number): number { return a + ; }\n}\n`;

/** Files of a submission in the course layout: { 'exercises/01-calc/calc.ts': text, ... } */
function courseLayout(files, prefix = '') {
  const out = {};
  for (const [id, text] of Object.entries(files)) {
    const ex = [...EXERCISES, PKG_EXERCISE].find((e) => e.id === id);
    out[`${prefix}exercises/${ex.num}-${ex.id}/${ex.file}`] = text;
  }
  return out;
}

function writeFolder(dir, files) {
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) {
    const p = path.join(dir, name);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, text);
  }
}

// ---- archives, written by hand so that tests can put anything in them (.., absolute paths, links, devices) ----

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * entries: [{ name, data (string|Buffer), mode? (unix mode incl. type, e.g. 0o120777 for a symlink),
 *             declaredSize? (a lying uncompressed size) }]
 */
function zipBuffer(entries) {
  const locals = [];
  const centrals = [];
  let offset = 0;
  for (const e of entries) {
    const data = Buffer.isBuffer(e.data) ? e.data : Buffer.from(e.data ?? '');
    const deflated = zlib.deflateRawSync(data);
    const name = Buffer.from(e.name);
    const crc = crc32(data);
    const size = e.declaredSize ?? data.length;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0, 6);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(0, 10);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(deflated.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4); // made by unix
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(0, 12);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(deflated.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt16LE(0, 30);
    central.writeUInt16LE(0, 32);
    central.writeUInt16LE(0, 34);
    central.writeUInt16LE(0, 36);
    central.writeUInt32LE(((e.mode ?? 0o100644) << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, deflated);
    centrals.push(central, name);
    offset += local.length + name.length + deflated.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

/** entries: [{ name, data?, type? ('0' file, '1' hard link, '2' symlink, '3' char device, '5' dir), linkname?, mtime? (s) }] */
function tarBuffer(entries) {
  const blocks = [];
  for (const e of entries) {
    const data = Buffer.isBuffer(e.data) ? e.data : Buffer.from(e.data ?? '');
    const type = e.type ?? '0';
    const size = type === '0' ? data.length : 0;
    const h = Buffer.alloc(512);
    h.write(e.name.slice(0, 100), 0, 'utf8');
    h.write('0000644\0', 100);
    h.write('0000000\0', 108);
    h.write('0000000\0', 116);
    h.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
    h.write(
      `${Math.floor(e.mtime ?? Date.now() / 1000)
        .toString(8)
        .padStart(11, '0')}\0`,
      136,
    );
    h.write('        ', 148);
    h.write(type, 156);
    if (e.linkname) h.write(e.linkname.slice(0, 100), 157);
    h.write('ustar\0', 257);
    h.write('00', 263);
    if (type === '3') {
      h.write('0000001\0', 329);
      h.write('0000003\0', 337);
    }
    let sum = 0;
    for (const b of h) sum += b;
    h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
    blocks.push(h);
    if (size) {
      blocks.push(data);
      if (size % 512) blocks.push(Buffer.alloc(512 - (size % 512)));
    }
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

function tarGzBuffer(entries) {
  return zlib.gzipSync(tarBuffer(entries));
}

function filesToEntries(files) {
  return Object.entries(files).map(([name, data]) => ({ name, data }));
}

const ADVERSARIAL = path.join(REPO, 'test', 'fixtures', 'adversarial');

function listCases() {
  return fs
    .readdirSync(ADVERSARIAL)
    .filter((n) => fs.existsSync(path.join(ADVERSARIAL, n, 'case.json')))
    .sort();
}

function readCase(name) {
  return JSON.parse(fs.readFileSync(path.join(ADVERSARIAL, name, 'case.json'), 'utf8'));
}

function substitute(text, vars) {
  return text.replace(/__([A-Z_]+)__/g, (m, key) => (key in vars ? String(vars[key]) : m));
}

/**
 * Writes adversarial case `name` into `subsDir` as submission `id` (a folder, .zip or .tar.gz).
 * vars: { CANARY, SUITE, NET_HOST, NET_PORT, HARDLINK_TARGET } replace __KEY__ in the case's files.
 */
function materializeCase(name, subsDir, id, vars) {
  const c = readCase(name);
  const files = {};
  const filesDir = path.join(ADVERSARIAL, name, 'files');
  const walk = (dir, rel) => {
    if (!fs.existsSync(dir)) return;
    for (const n of fs.readdirSync(dir)) {
      const abs = path.join(dir, n);
      const r = rel ? `${rel}/${n}` : n;
      if (fs.statSync(abs).isDirectory()) walk(abs, r);
      else files[r] = substitute(fs.readFileSync(abs, 'utf8'), vars);
    }
  };
  walk(filesDir, '');
  if (c.padGraded) files['exercises/01-calc/calc.ts'] += `// ${'x'.repeat(c.padGraded)}\n`;
  if (c.kind === 'folder') {
    const dir = path.join(subsDir, id);
    writeFolder(dir, files);
    for (const link of c.links ?? []) {
      const p = path.join(dir, link.name);
      fs.mkdirSync(path.dirname(p), { recursive: true });
      const target = substitute(link.target, vars);
      if (link.type === 'symlink') fs.symlinkSync(target, p);
      else fs.linkSync(target, p);
    }
    return c;
  }
  const entries = [];
  for (const e of c.entries ?? []) {
    if (e.count) {
      for (let i = 0; i < e.count; i++) entries.push({ name: e.name.replace('%d', String(i)), data: e.data ?? '' });
      continue;
    }
    const data = e.zeros ? Buffer.alloc(e.zeros) : Buffer.from(substitute(e.data ?? '', vars));
    entries.push({ ...e, data });
  }
  const file = path.join(subsDir, `${id}.${c.kind === 'zip' ? 'zip' : 'tar.gz'}`);
  fs.writeFileSync(file, c.kind === 'zip' ? zipBuffer(entries) : tarGzBuffer(entries));
  return c;
}

module.exports = {
  PKG_EXERCISE,
  ADVERSARIAL,
  listCases,
  readCase,
  materializeCase,
  REPO,
  EXERCISES,
  makeCourse,
  solution,
  stub,
  CALC_PARTIAL,
  WORDS_PARTIAL,
  CALC_SYNTAX_ERROR,
  courseLayout,
  writeFolder,
  zipBuffer,
  tarBuffer,
  tarGzBuffer,
  filesToEntries,
};
