// The helpers exercise 8 gives in minified form (scripts/build-given.js) must match their author-only sources, the
// references of exercises 1 and 2 included: an author who changes one and forgets to regenerate is stopped here.
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../helpers';

interface Generated {
  file: string;
  text: string;
}
interface BuildGiven {
  HELPERS: Array<{ source: string; target: string; modules: Array<{ name: string }> }>;
  buildGiven(root?: string): Generated[];
  staleGiven(root?: string): string[];
}
const script = require('../../scripts/build-given.js') as BuildGiven;

const tmp = mkdtempSync(path.join(os.tmpdir(), 'given-files-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A fresh build of the real course's helpers, in memory (made once: it costs a TypeScript program). */
let fresh: Map<string, string> | undefined;
const built = () => (fresh ??= new Map(script.buildGiven(repoRoot).map((g) => [g.file, g.text])));

test('the committed helpers are what `node scripts/build-given.js` makes of their sources now', () => {
  // Re-run the script after changing a source under solutions/*/given/ (or the esbuild / TypeScript versions).
  const stale = [...built()].filter(([file, text]) => {
    try {
      return readFileSync(path.join(repoRoot, file), 'utf8') !== text;
    } catch {
      return true;
    }
  });
  expect(stale.map(([file]) => file)).toEqual([]);
  expect(built().size).toBeGreaterThanOrEqual(4);
});

/** A private copy of what the build reads (the sources, the references of exercises 1 and 2, exercise 1's Huffman
 * decoder) and of the committed output, checked to be up to date before the test changes anything. */
function privateCourse(name: string): string {
  const root = path.join(tmp, name);
  const folders = ['solutions/01-hpack-table', 'solutions/02-frame-parser', 'exercises/01-hpack-table'];
  for (const group of script.HELPERS) folders.push(group.source, group.target);
  for (const folder of folders) cpSync(path.join(repoRoot, folder), path.join(root, folder), { recursive: true });
  symlinkSync(path.join(repoRoot, 'node_modules'), path.join(root, 'node_modules'), 'dir');
  expect(script.staleGiven(root)).toEqual([]);
  return root;
}

test('the frame parser and the HPACK decoder are built from the references of exercises 2 and 1, not copied', () => {
  // A change to a reference (a fix found by a mutation sweep, say) reaches exercise 8's helpers at the next build.
  const root = privateCourse('references');
  const parser = path.join(root, 'solutions/02-frame-parser/frame-parser.ts');
  const parserText = readFileSync(parser, 'utf8');
  const parserDoc = '/** Feeds one chunk; returns the frames (and errors) it completed, in order. */';
  expect(parserText).toContain(parserDoc);
  writeFileSync(parser, parserText.replace(parserDoc, '/** Feeds one chunk. */'));
  expect(script.staleGiven(root)).toEqual(['exercises/08-h2-flow-control/h2-codec.d.ts']);
  writeFileSync(parser, parserText.replace('const HEADER_SIZE = 9;', 'const HEADER_SIZE = 10;'));
  expect(script.staleGiven(root)).toEqual(['exercises/08-h2-flow-control/h2-codec.js']);
  writeFileSync(parser, parserText);

  const table = path.join(root, 'solutions/01-hpack-table/hpack-table.ts');
  const tableText = readFileSync(table, 'utf8');
  expect(tableText).toContain('export const MAX_INTEGER = 2 ** 32 - 1;');
  writeFileSync(table, tableText.replace('export const MAX_INTEGER = 2 ** 32 - 1;', 'export const MAX_INTEGER = 2 ** 31 - 1;'));
  expect(script.staleGiven(root)).toEqual(['exercises/08-h2-flow-control/hpack.js']);
});

test('the sources under solutions/08-h2-flow-control/given/ declare nothing their reference declares (no copy)', () => {
  // The names of top-level declarations: a copied class, function or constant would repeat its reference's name.
  const declared = (file: string) =>
    [...readFileSync(path.join(repoRoot, file), 'utf8').matchAll(/^(?:export )?(?:class|function|const|let|interface|type) ([A-Za-z_$][\w$]*)/gm)].map(
      (m) => m[1],
    );
  for (const [helper, reference] of [
    ['h2-codec.ts', 'solutions/02-frame-parser/frame-parser.ts'],
    ['hpack.ts', 'solutions/01-hpack-table/hpack-table.ts'],
  ] as const) {
    const own = new Set(declared(`solutions/08-h2-flow-control/given/${helper}`));
    expect(own.size).toBeGreaterThan(0);
    expect(declared(reference).filter((name) => own.has(name))).toEqual([]);
  }
});

test('a changed doc comment makes the .d.ts stale, a changed line of code the .js', () => {
  const root = privateCourse('doc-and-code');

  const source = path.join(root, 'solutions/08-h2-flow-control/given/h2-codec.ts');
  const original = readFileSync(source, 'utf8');
  const docLine = '/** The largest flow-control window (RFC 9113 §6.9.1): 2^31 - 1. */';
  const codeLine = 'export const DEFAULT_WINDOW = 65_535;';
  expect(original).toContain(docLine);
  expect(original).toContain(codeLine);
  writeFileSync(source, original.replace(docLine, '/** The largest window. */'));
  expect(script.staleGiven(root)).toEqual(['exercises/08-h2-flow-control/h2-codec.d.ts']);
  writeFileSync(source, original.replace(codeLine, 'export const DEFAULT_WINDOW = 65_536;'));
  // The constant's value is also in its declaration (a literal type).
  expect(script.staleGiven(root)).toEqual(['exercises/08-h2-flow-control/h2-codec.js', 'exercises/08-h2-flow-control/h2-codec.d.ts']);
});

test('the .d.ts opens with the usage notes of its source and keeps the documented API, without private members', () => {
  const files = built();
  const dts = files.get('exercises/08-h2-flow-control/h2-codec.d.ts')!;
  expect(dts.split('\n').slice(0, 3).join('\n')).toMatch(
    /^\/\/ h2-codec\.d\.ts: .*\n\/\/ Generated .*\n\/\/ solutions\/08-h2-flow-control\/given\/h2-codec\.ts\. Do not edit/,
  );
  expect(dts).toContain('//   const parser = new FrameParser({ expectPreface: true });');
  expect(dts).toContain('/** Feeds one chunk; returns the frames (and errors) it completed, in order. */\n    push(chunk: Uint8Array): ParserEvent[];');
  expect(dts).not.toMatch(/^\s*private /m);
  const js = files.get('exercises/08-h2-flow-control/h2-codec.js')!;
  expect(js.split('\n')[0]).toMatch(/^\/\/ h2-codec\.js: .*h2-codec\.d\.ts\.$/);
  // Minified: after the header, no comments and no line breaks outside string literals.
  expect(js.split('\n').slice(3).join('\n')).not.toMatch(/\/\*\*|\n\s*\/\//);
  expect(js.split('\n').length).toBeLessThan(12);
});
