// Given helpers shipped as a .js with its .d.ts (as exercise 8 ships h2-codec and hpack): the .js is built as it
// is, the .d.ts is only read by the type checker, both always from the course, wherever the learner's files are.
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Exercise } from '../../grader/course/schema';
import { buildImplementation } from '../../grader/run/build';
import { runExercise } from '../../grader/run/run-exercise';
import { fixtureExercise, repoRoot } from '../helpers';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'given-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const helperDir = 'test/fixtures/calc/given-js';
const exercise = fixtureExercise('calc', { dir: helperDir, given: ['adder.js', 'adder.d.ts'] });

/** A learner's folder outside the course (as a batch submission is unpacked), holding calc.ts and maybe more. */
function learner(name: string, files: Record<string, string>): string {
  const dir = path.join(tmp, name);
  mkdirSync(dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(path.join(dir, file), text);
  return dir;
}

const CALC = (add: string) => `import { plus } from './adder';

export class Calculator {
  private sum = 0;
  add(a: number, b: number): number {
    ${add}
  }
  total(): number {
    return this.sum;
  }
}

export function echoBytes(bytes: Uint8Array): Uint8Array {
  return Buffer.from(bytes);
}
`;
const RIGHT = CALC('const r = plus(a, b);\n    this.sum += r;\n    return r;');

test('a given .js is copied into the build as it is, and a given .d.ts is not built', () => {
  const build = buildImplementation({ courseRoot: repoRoot, exercise, implRoot: learner('build', { 'calc.ts': RIGHT }), buildRoot: path.join(tmp, 'builds') });
  expect(build.diagnostics).toEqual([]);
  expect(build.files.map((f) => [f.name, f.graded])).toEqual([
    ['calc.ts', true],
    ['adder.js', false],
    ['adder.d.ts', false],
  ]);
  const built = readdirSync(build.buildDir!)
    .filter((f) => !f.startsWith('__') && f !== 'sandbox.json')
    .sort();
  expect(built).toEqual(['adder.js', 'calc.js']);
  expect(readFileSync(path.join(build.buildDir!, 'adder.js'), 'utf8')).toBe(readFileSync(path.join(repoRoot, helperDir, 'adder.js'), 'utf8'));
});

test("the learner's file runs against the given .js and type-checks against its .d.ts; a copy of the helper in the learner's folder is ignored", async () => {
  const implRoot = learner('right', {
    'calc.ts': RIGHT,
    // Not the course's: never built, never type-checked (the course's copy is).
    'adder.js': 'exports.plus = () => 0;\n',
    'adder.d.ts': 'export declare function plus(a: string): string;\n',
  });
  const r = await runExercise({ courseRoot: repoRoot, exercise, implRoot, workDir: path.join(tmp, 'work'), seed: 1 });
  expect(r.status).toBe('passed');
  expect([r.score, r.maxScore]).toEqual([3, 3]);
  expect(r.diagnostics).toEqual([]);
});

test("a wrong use of the given API is a type error in the learner's file, in the terms of the .d.ts", async () => {
  // Runs fine (a number is returned), but the declarations say plus returns a number, not a string.
  const implRoot = learner('wrong-type', { 'calc.ts': CALC('const r: string = plus(a, b);\n    this.sum += Number(r);\n    return Number(r);') });
  const r = await runExercise({ courseRoot: repoRoot, exercise, implRoot, workDir: path.join(tmp, 'work'), seed: 1 });
  expect(r.status).toBe('passed');
  expect(r.diagnostics).toEqual([
    expect.objectContaining({ file: 'calc.ts', line: 6, kind: 'type', message: "Type 'number' is not assignable to type 'string'." }),
  ]);
});

test('the schema takes .js and .d.ts helpers, wants the declarations of each .js, and refuses two files built as one module', () => {
  const entry = { ...exercise, given: ['adder.js'] };
  expect(Exercise.safeParse({ ...entry, given: ['adder.js', 'adder.d.ts', 'table.ts'] }).success).toBe(true);
  const noTypes = Exercise.safeParse(entry);
  expect(noTypes.success).toBe(false);
  expect(noTypes.error?.issues.map((i) => i.message)).toEqual(['adder.js needs its declarations: add adder.d.ts to given']);
  const clash = Exercise.safeParse({ ...entry, given: ['calc.js', 'calc.d.ts'] });
  expect(clash.error?.issues.map((i) => i.message)).toEqual(['calc.ts and calc.js would both be built as calc.js']);
  expect(Exercise.safeParse({ ...entry, given: ['adder.mjs'] }).success).toBe(false);
});
