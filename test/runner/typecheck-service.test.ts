// Watch's warm type checker (grader/run/typecheck.ts, TypecheckService): one checker process answers every save of
// a session, keeping only the parsed files of node_modules. Its diagnostics must be those of a checker started for
// the one request (as `course check` does), and a later save must never get an earlier save's answer.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startTypecheck, TypecheckService } from '../../grader/run/typecheck';
import type { Diagnostic } from '../../grader/run/result';
import { repoRoot } from '../helpers';

const fixture = path.join(repoRoot, 'test', 'fixtures', 'calc');
const work = mkdtempSync(path.join(os.tmpdir(), 'typecheck-service-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const typeError = readFileSync(path.join(fixture, 'variants', 'type-error', 'calc.ts'), 'utf8');
const versions = [
  typeError,
  readFileSync(path.join(fixture, 'solution', 'calc.ts'), 'utf8'),
  // Another error, on another line: the answer must be about this text.
  typeError.replace('const label: string = this.sum;', 'const label: string = this.sum;\n    const count: boolean = a;'),
  typeError,
];

/** Checks `text` as the learner's calc.ts, in a folder (and a cache) of its own, on `service` or on a fresh checker. */
let n = 0;
function check(text: string, service?: TypecheckService): Promise<Diagnostic[]> {
  const dir = path.join(work, `save-${n++}`);
  const file = path.join(dir, 'calc.ts');
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, text);
  const request = { files: [file], entry: file, implRoot: dir, graded: ['calc.ts'], support: [] };
  return startTypecheck({ request, filesHash: `${n}:${text}`, cacheDir: path.join(dir, 'cache'), service });
}

test('a warm checker answers each save as a fresh checker does, never with an earlier answer', async () => {
  const service = new TypecheckService();
  try {
    const warm: Diagnostic[][] = [];
    for (const text of versions) warm.push(await check(text, service));
    const fresh: Diagnostic[][] = [];
    for (const text of versions) fresh.push(await check(text));
    expect(warm).toEqual(fresh);
    expect(warm.map((d) => d.map((x) => `${x.line}:${x.column}`))).toEqual([['6:11'], [], ['6:11', '7:11'], ['6:11']]);
  } finally {
    service.kill();
  }
}, 120_000);

test('a warm checker that was stopped answers with a note, and the next save gets a new checker', async () => {
  const service = new TypecheckService();
  try {
    const pending = check(versions[0]!, service);
    service.kill();
    expect((await pending).map((d) => d.message)).toEqual([expect.stringMatching(/type-checking failed: the type checker was stopped/)]);
    expect((await check(versions[0]!, service)).map((d) => d.line)).toEqual([6]);
  } finally {
    service.kill();
  }
}, 120_000);
