// The structured evidence channel (grader/run/evidence.ts, harness/support/evidence.ts): only the hidden suite, in
// the trusted jest process, can hand a test evidence; what the code under test prints or returns reaches it only
// as data, neutralised and capped. End to end with `course check --json` on a wrong HPACK decoder that prints a
// forged evidence message and returns a hostile table entry; then the collector's caps on what arrives.

import { appendFileSync, copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CheckJson } from '../../grader/course/output-schema';
import { RunCollector } from '../../grader/run/collect';
import { applyMutantPatch } from '../../grader/run/mutants';
import type { TestResult } from '../../grader/run/result';
import { copyCourse, course } from '../helpers';

const HOSTILE_NAME = '\u001b[2J\u202e<img src=x onerror=alert(1)>';

describe('course check: evidence comes from the hidden suite only', () => {
  let dir: string;
  let tests: TestResult[];

  beforeAll(() => {
    dir = copyCourse();
    const file = path.join(dir, 'exercises/01-hpack-table/hpack-table.ts');
    copyFileSync(path.join(dir, 'solutions/01-hpack-table/hpack-table.ts'), file);
    const patched = applyMutantPatch(
      new Map([['hpack-table.ts', readFileSync(file, 'utf8')]]),
      readFileSync(path.join(dir, 'harness/mutants/hpack-table/evicts-newest.patch'), 'utf8'),
    );
    writeFileSync(file, patched.get('hpack-table.ts')!);
    // The code under test prints what a trusted message looks like, and returns a hostile entry as data.
    appendFileSync(
      file,
      `
const forged = { kind: 'hpack-table', title: 'FORGED by the learner', before: [], after: [] };
console.log(JSON.stringify({ type: 'evidence', fullName: 'x', evidence: forged }));
console.log(JSON.stringify([{ type: 'evidence', evidence: forged }]));
const ownTable = HpackDecoder.prototype.dynamicTable;
HpackDecoder.prototype.dynamicTable = function (this: HpackDecoder) {
  console.log(JSON.stringify({ type: 'evidence', fullName: 'x', evidence: forged }));
  return [...ownTable.call(this), { name: ${JSON.stringify(HOSTILE_NAME)}, value: 'v'.repeat(5000), size: 1 }];
};
`,
    );
    const r = course(dir, ['check', 'hpack-table', '--json']);
    const output = JSON.parse(r.stdout) as { tests: TestResult[] };
    // The documented shape of `course check --json` (docs/schemas/check.schema.json) includes the evidence.
    const valid = CheckJson.safeParse(output);
    if (!valid.success) throw new Error(`check --json does not match its schema: ${valid.error.message.slice(0, 2000)}`);
    tests = output.tests;
  }, 240_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("a failing vector carries the suite's table evidence, with the learner's returned values as neutralised text", () => {
    // (The hostile entry makes the first block of each vector fail already: C.5.1 adds one entry to an empty table.)
    const c52 = tests.find((t) => t.evidence?.some((e) => e.title === 'RFC 7541 C.5.1: the dynamic table'));
    expect(c52?.status).toBe('failed');
    const evidence = c52!.evidence![0]!;
    if (evidence.kind !== 'hpack-table' || typeof evidence.after === 'string') throw new Error(`unexpected evidence ${JSON.stringify(evidence)}`);
    // The expected table is the RFC's; the learner's "after" holds the hostile entry as plain, visible text, cut.
    expect(evidence.before).toEqual([]);
    expect(evidence.expected?.map((e) => e.name)).toEqual(['location', 'date', 'cache-control', ':status']);
    const hostile = evidence.after.at(-1)!;
    expect(hostile.name).toContain('<img src=x onerror=alert(1)>');
    expect(hostile.name).not.toMatch(/[\u001b\u202e]/);
    expect(hostile.name).toMatch(/^\\u001b\[2J\\u202e</);
    expect(hostile.value.length).toBeLessThanOrEqual(200);
    // The text message is unchanged by the evidence: it still tells the whole story.
    expect(c52!.message).toMatch(/dynamic table after \(yours\):/);
  });

  test('nothing the learner printed became evidence: it is their output, shown as text', () => {
    const everything = JSON.stringify(tests.map((t) => t.evidence ?? []));
    expect(everything).not.toContain('FORGED');
    expect(tests.some((t) => t.output?.text.includes('FORGED by the learner'))).toBe(true);
    // Only failing tests carry evidence.
    expect(tests.filter((t) => t.status === 'passed' && t.evidence)).toEqual([]);
  });
});

describe('RunCollector: evidence is checked and capped on arrival', () => {
  const table = (title: string) => ({ kind: 'hpack-table', title, before: [], after: [{ name: 'a', value: 'b', size: 34 }] });

  function run(messages: Array<{ evidence: unknown }>, status: 'passed' | 'failed' = 'failed'): TestResult {
    const collector = new RunCollector(() => undefined);
    for (const m of messages) collector.receive({ type: 'evidence', fullName: 'g › t', evidence: m.evidence });
    collector.receive({ type: 'test-result', fullName: 'g › t', group: ['g'], title: 't', status, durationMs: 1 });
    return collector.facts({ end: 'done' } as never, 1000, false).results[0]!;
  }

  test('a well-formed piece is kept; an unknown kind, a wrong shape or an oversized piece is dropped', () => {
    expect(run([{ evidence: table('ok') }]).evidence).toEqual([table('ok')]);
    expect(run([{ evidence: { kind: 'script', title: 'x' } }]).evidence).toBeUndefined();
    expect(run([{ evidence: { kind: 'frame-bytes', title: 'x', hex: '<b>', cut: 0, fields: [] } }]).evidence).toBeUndefined();
    expect(
      run([{ evidence: { ...table('big'), before: Array.from({ length: 64 }, () => ({ name: 'n'.repeat(1200), value: 'v', size: 1 })) } }]).evidence,
    ).toBeUndefined();
    const points = { kind: 'series', title: 's', xLabel: 'x', yLabel: 'y', series: [{ label: 'l', points: [{ x: 1, y: Number.NaN }] }] };
    expect(run([{ evidence: points }]).evidence).toBeUndefined();
  });

  test('at most four pieces per test, and none on a passing test', () => {
    expect(run(Array.from({ length: 6 }, (_, i) => ({ evidence: table(`t${i}`) }))).evidence?.map((e) => e.title)).toEqual(['t0', 't1', 't2', 't3']);
    expect(run([{ evidence: table('ok') }], 'passed').evidence).toBeUndefined();
  });
});
