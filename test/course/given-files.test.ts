// The helpers exercise 8 gives in minified form (scripts/build-given.js) must match their author-only sources:
// an author who changes a source and forgets to regenerate is stopped here.
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
// eslint-disable-next-line @typescript-eslint/no-require-imports
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

test('a changed doc comment makes the .d.ts stale, a changed line of code the .js', () => {
  // A private copy of what the build reads: the sources, exercise 1's Huffman decoder, the committed output.
  const root = path.join(tmp, 'course');
  for (const group of script.HELPERS) {
    cpSync(path.join(repoRoot, group.source), path.join(root, group.source), { recursive: true });
    cpSync(path.join(repoRoot, group.target), path.join(root, group.target), { recursive: true });
  }
  cpSync(path.join(repoRoot, 'exercises/01-hpack-table/huffman.ts'), path.join(root, 'exercises/01-hpack-table/huffman.ts'));
  symlinkSync(path.join(repoRoot, 'node_modules'), path.join(root, 'node_modules'), 'dir');
  expect(script.staleGiven(root)).toEqual([]);

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
  expect(dts.split('\n').slice(0, 3).join('\n')).toMatch(/^\/\/ h2-codec\.d\.ts: .*\n\/\/ Generated .*\n\/\/ solutions\/08-h2-flow-control\/given\/h2-codec\.ts\. Do not edit/);
  expect(dts).toContain('//   const parser = new FrameParser({ expectPreface: true });');
  expect(dts).toContain('/** Feeds one chunk; returns the frames (and errors) it completed, in order. */\n    push(chunk: Uint8Array): ParserEvent[];');
  expect(dts).not.toMatch(/^\s*private /m);
  const js = files.get('exercises/08-h2-flow-control/h2-codec.js')!;
  expect(js.split('\n')[0]).toMatch(/^\/\/ h2-codec\.js: .*h2-codec\.d\.ts\.$/);
  // Minified: after the header, no comments and no line breaks outside string literals.
  expect(js.split('\n').slice(3).join('\n')).not.toMatch(/\/\*\*|\n\s*\/\//);
  expect(js.split('\n').length).toBeLessThan(12);
});
