// The similarity check (issue 12 point 8) on real code: the reference solution of hpack-table, a byte-identical
// copy, a copy with every local name, private field and comment changed and re-indented, an independently written
// solution (test/fixtures/similarity/hpack-table-alt.ts, which passes the same suite), and the untouched stub.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { mergeCode, similarityOf } from '../../grader/similarity';
import { compareSubmissions, tokenize } from '../../grader/similarity/winnow';

const REPO = path.resolve(__dirname, '..', '..');
const read = (rel: string) => readFileSync(path.join(REPO, rel), 'utf8');
const FILE = 'hpack-table.ts';
const reference = read('solutions/01-hpack-table/hpack-table.ts');
const stub = read('exercises/01-hpack-table/hpack-table.ts');
const independent = read('test/fixtures/similarity/hpack-table-alt.ts');

/** What a learner hiding a copy does: new names for locals and private members, other comments, other layout. */
function disguise(source: string): string {
  const renames: Record<string, string> = {
    dynamic: 'store',
    used: 'octetCount',
    max: 'capacity',
    evictTo: 'trim',
    limit: 'ceilingValue',
    headers: 'result',
    field: 'hdr',
    next: 'after',
    cursor: 'pos',
    nameIndex: 'ref',
    literalName: 'nm',
    factor: 'multiplier',
    huffman: 'isCoded',
    octets: 'payload',
    entry: 'item',
    table: 'tbl',
    at: 'idx',
    byte: 'b0',
  };
  let out = source.replace(/\/\/[^\n]*|\/\*[\s\S]*?\*\//g, '');
  for (const [from, to] of Object.entries(renames)) out = out.replace(new RegExp(`\\b${from}\\b`, 'g'), to);
  out = out
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => l.replace(/^( +)/, (m) => '\t'.repeat(m.length / 2)))
    .join('\n');
  return `// my own work, written from scratch\n${out}\n`;
}

test('the tokeniser drops comments and layout and replaces identifiers and literals', () => {
  const a = tokenize({ 'x.ts': 'const total = add(a, 2); // sum\n' }).map((t) => t.text);
  const b = tokenize({ 'x.ts': '/* other */ const   sum=plus( b ,2 )\n;' }).map((t) => t.text);
  expect(a).toEqual(['const', 'ID', '=', 'ID', '(', 'ID', ',', '2', ')', ';']);
  expect(b).toEqual(a);
  expect(tokenize({ 'x.ts': 'f(`a${b}c`, "s", /re+/g)' }).map((t) => t.text)).toEqual(['ID', '(', 'TPL(', 'ID', 'TPL)', ',', 'STR', ',', 'RE', ')']);
});

test('code after a closed template literal is tokenised as code, not as the rest of the template', () => {
  // The `}` closing the method must not be read as the continuation of `${w}\n`: before the fix, everything
  // after the template became one token, so files that differ after a template literal looked identical.
  const before = 'class A {\n  add(w: string): void {\n    this.log += `${w}\\n`;\n  }\n';
  const a = tokenize({ 'x.ts': `${before}  count(): number {\n    return 1;\n  }\n}\n` }).map((t) => t.text);
  const b = tokenize({
    'x.ts': `${before}  size(): number {\n    let n = 0;\n    for (const c of this.log) if (c === '\\n') n++;\n    return n;\n  }\n}\n`,
  }).map((t) => t.text);
  expect(a.slice(-12)).toEqual(['}', 'ID', '(', ')', ':', 'number', '{', 'return', '1', ';', '}', '}']);
  expect(b).toContain('for');
  expect(a).not.toEqual(b);
  // Substitutions with objects, middles and a nested template, then more code.
  const nested = tokenize({ 'x.ts': 'const s = `a${b}-${ {x: 1}.x }c${`in${d}ner`}e`; if (s) { f(); }' }).map((t) => t.text);
  expect(nested).toEqual([
    'const',
    'ID',
    '=',
    'TPL(',
    'ID',
    'TPL|',
    '{',
    'ID',
    ':',
    '1',
    '}',
    '.',
    'ID',
    'TPL|',
    'TPL(',
    'ID',
    'TPL)',
    'TPL)',
    ';',
    'if',
    '(',
    'ID',
    ')',
    '{',
    'ID',
    '(',
    ')',
    ';',
    '}',
  ]);
});

test('a name that is also a keyword (symbol, type, of, delete) is an identifier where the code uses it as one', () => {
  const plain = tokenize({ 'x.ts': 'for (const ch of text) { const half = ch / 2; m.remove(half); }' }).map((t) => t.text);
  const keywordish = tokenize({ 'x.ts': 'for (const symbol of text) { const type = symbol / 2; m.delete(type); }' }).map((t) => t.text);
  expect(keywordish).toEqual(plain);
  expect(plain).toEqual(['for', '(', 'const', 'ID', 'of', 'ID', ')', '{', 'const', 'ID', '=', 'ID', '/', '2', ';', 'ID', '.', 'ID', '(', 'ID', ')', ';', '}']);
  // Where they are keywords they stay keywords.
  expect(tokenize({ 'x.ts': 'type T = { get a(): number };' }).map((t) => t.text)).toEqual([
    'type',
    'ID',
    '=',
    '{',
    'get',
    'ID',
    '(',
    ')',
    ':',
    'number',
    '}',
    ';',
  ]);
});

test('copies and disguised copies are flagged; an independent solution and the stub are not', () => {
  const disguised = disguise(reference);
  expect(disguised).not.toContain('evictTo');
  const result = compareSubmissions(
    'hpack-table',
    [
      { id: 'ref', files: { [FILE]: reference } },
      { id: 'byte-copy', files: { [FILE]: reference } },
      { id: 'renamed-copy', files: { [FILE]: disguised } },
      { id: 'independent', files: { [FILE]: independent } },
      { id: 'stub-only', files: { [FILE]: stub } },
    ],
    { [FILE]: stub },
  );
  const pairs = result.pairs.map((p) => `${p.a}~${p.b}`).sort();
  expect(pairs).toEqual(['byte-copy~renamed-copy', 'ref~byte-copy', 'ref~renamed-copy'].sort());
  const exact = result.pairs.find((p) => p.a === 'ref' && p.b === 'byte-copy')!;
  expect(exact.identical).toBe(true);
  expect(exact.score).toBe(1);
  const renamed = result.pairs.find((p) => p.b === 'renamed-copy' && p.a === 'ref')!;
  expect(renamed.identical).toBe(false);
  expect(renamed.score).toBeGreaterThan(0.9);
  // The shared fragments point at real lines of both files, side by side.
  expect(renamed.fragments.length).toBeGreaterThan(0);
  const f = renamed.fragments[0]!;
  // The same passage, under its original names on one side and the new ones on the other.
  expect(f.a.text).toMatch(/dynamic|evictTo|used/);
  expect(f.b.text).toMatch(/store|trim|octetCount/);
  expect(f.a.toLine).toBeGreaterThanOrEqual(f.a.fromLine);
  // The independent solution stays far below the threshold.
  expect(result.highestUnflagged!.score).toBeLessThan(0.3);
  expect(result.ignored.starter).toBeGreaterThan(0);
});

test('a submission equal to the starter code is left out; shared idioms in many submissions are ignored', () => {
  const report = similarityOf(
    {
      starters: { 'hpack-table': { [FILE]: stub } },
      learners: {
        a: { 'hpack-table': { [FILE]: stub } },
        b: { 'hpack-table': { [FILE]: stub } },
        ...Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`same-${i}`, { 'hpack-table': { [FILE]: reference } }])),
        c: { 'hpack-table': { [FILE]: independent } },
      },
    },
    ['hpack-table'],
  );
  const x = report.exercises[0]!;
  expect(x.submissions).toBe(13);
  // Twelve identical submissions: every fingerprint is in more than max(10, n/10) of them (MOSS's -m), so none
  // counts as evidence (code handed out in class looks like this).
  expect(x.pairs).toEqual([]);
  expect(x.ignored.common).toBeGreaterThan(0);
});

test('copies of the reference solution are their own finding, even when many learners share them', () => {
  const report = similarityOf(
    {
      starters: { 'hpack-table': { [FILE]: stub } },
      references: { 'hpack-table': { [FILE]: reference } },
      learners: {
        ...Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`same-${i}`, { 'hpack-table': { [FILE]: reference } }])),
        disguised: { 'hpack-table': { [FILE]: disguise(reference) } },
        independent: { 'hpack-table': { [FILE]: independent } },
        'stub-only': { 'hpack-table': { [FILE]: stub } },
      },
    },
    ['hpack-table'],
  );
  const x = report.exercises[0]!;
  // Twelve identical copies hide each other as pairs (every fingerprint is common), never as copies of the reference.
  expect(x.pairs.filter((p) => p.a.startsWith('same-') && p.b.startsWith('same-'))).toEqual([]);
  const found = x.reference!.map((m) => m.learner).sort();
  expect(found).toEqual([...Array.from({ length: 12 }, (_, i) => `same-${i}`), 'disguised'].sort());
  expect(x.reference!.find((m) => m.learner === 'same-0')).toMatchObject({ identical: true, score: 1 });
  const disguised = x.reference!.find((m) => m.learner === 'disguised')!;
  expect(disguised.identical).toBe(false);
  expect(disguised.score).toBeGreaterThan(0.9);
  expect(disguised.fragments.length).toBeGreaterThan(0);
});

test('a learner named __proto__ is compared like any other (no prototype setter swallows it)', () => {
  const parts = [
    {
      starters: {},
      learners: JSON.parse('{"__proto__": {"calc": {"calc.ts": "x"}}, "bob": {"calc": {"calc.ts": "y"}}}') as Record<
        string,
        Record<string, Record<string, string>>
      >,
    },
  ];
  const merged = mergeCode(parts);
  expect(Object.keys(merged.learners).sort()).toEqual(['__proto__', 'bob']);
  expect(JSON.parse(JSON.stringify(merged)).learners).toHaveProperty(['__proto__', 'calc', 'calc.ts'], 'x');
});
