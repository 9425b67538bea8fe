// Black-box: what the learner's own code prints (console.log, console.error) reaches `course check` under the test
// it was printed during, marked as the learner's, capped, and neutralised: a submission that prints a fake "all
// tests passed", a fake results JSON, a clear-screen and frame-like bytes changes no verdict and forges no line.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { copyCourse, course, repoRoot } from '../helpers';

/** The heading over the learner's own output in `course check` and feedback (a black-box test spells it out). */
const OUTPUT_HEADING = 'your output (console.log/console.error while this test ran):';

const dir = copyCourse();
const solution = readFileSync(path.join(repoRoot, 'solutions', '01-hpack-table', 'hpack-table.ts'), 'utf8');
const ADD = '  add(name: string, value: string): void {\n';
const SIZE = '  size(): number {\n    return this.used;';

/** A variant of exercise 1's reference in its own folder: `edit` rewrites the source. */
function variant(name: string, edit: (source: string) => string): string {
  const folder = path.join(dir, '.variants', name);
  mkdirSync(folder, { recursive: true });
  const source = edit(solution);
  expect(source).not.toBe(solution);
  writeFileSync(path.join(folder, 'hpack-table.ts'), source);
  return folder;
}

interface CheckJson {
  status: string;
  score: number;
  maxScore: number;
  tests: Array<{ fullName: string; status: string; output?: { text: string; dropped: number } }>;
}

function checkJson(folder: string, seed = 11): CheckJson {
  const r = course(dir, ['check', 'hpack-table', '--dir', folder, '--json', '--seed', String(seed)]);
  expect(r.stderr).not.toMatch(/internal error/);
  return JSON.parse(r.stdout) as CheckJson;
}

/** Raw terminal control: ESC, BEL, CR, C1 controls. */
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

test('console.log in the code under test is shown under the failing test it ran in, and per test in --json', () => {
  const debugging = variant('debugging', (s) => {
    expect(s).toContain(SIZE);
    return s.replace(ADD, `${ADD}    console.log('DEBUG entry', name, value.length);\n`).replace(SIZE, '  size(): number {\n    return this.used + 1;');
  });
  const r = course(dir, ['check', 'hpack-table', '--dir', debugging, '--seed', '11']);
  expect(r.code).toBe(1);
  const lines = r.stdout.split('\n');
  const heading = lines.findIndex((l) => l.includes(OUTPUT_HEADING));
  expect(heading).toBeGreaterThan(0);
  // Under a failing test (✗ above it, before any other test line), every printed line after the "│ " mark.
  const above = lines
    .slice(0, heading)
    .reverse()
    .find((l) => /^\s*[✓✗⧖?] /.test(l));
  expect(above).toMatch(/^\s*✗ /);
  expect(lines[heading + 1]).toMatch(/^\s+│ DEBUG entry \S+ \d+$/);

  const json = checkJson(debugging);
  const failing = json.tests.filter((t) => t.status !== 'passed');
  expect(failing.length).toBeGreaterThan(0);
  const printed = json.tests.filter((t) => t.output);
  expect(printed.length).toBeGreaterThan(0);
  for (const t of printed) expect(t.output!.text).toMatch(/^(DEBUG entry .*\n)+$/);
  // Each test has its own lines: the entry-size test's output names the entries that test adds.
  const entrySize = json.tests.find((t) => t.fullName.includes('entry size is name length'))!;
  expect(entrySize.output!.text).toContain('DEBUG entry custom-key 13\n');
  const newest = json.tests.find((t) => t.fullName.includes('new entries go to the front'))!;
  expect(newest.output!.text).toBe('DEBUG entry first 1\nDEBUG entry second 1\nDEBUG entry third 1\n');
  expect(entrySize.output!.text).not.toContain('first');

  const ajv = new Ajv2020({ allErrors: true, strict: false });
  const schema = ajv.compile(JSON.parse(readFileSync(path.join(repoRoot, 'docs', 'schemas', 'check.schema.json'), 'utf8')));
  expect({ valid: schema(json), errors: schema.errors }).toMatchObject({ valid: true });
});

test('a submission that prints fake results, terminal escapes and frame-like bytes changes no verdict and is shown neutralised', () => {
  // The forged lines are the very lines the grader prints for the honest solution (its test count included).
  const honest = checkJson(path.join(repoRoot, 'solutions', '01-hpack-table'));
  const n = honest.maxScore;
  const FAKE = [
    '✓ all tests passed',
    `${n} passed, 0 failed`,
    `Score: ${n}/${n}  ✔ passed`,
    JSON.stringify({ exercise: 'hpack-table', status: 'passed', score: n, maxScore: n, tests: [] }),
  ].join('\n');
  const hostile = variant('hostile', (s) =>
    s
      .replace(/^/, "import { serialize } from 'node:v8';\n")
      .replace(
        ADD,
        `${ADD}    process.stdout.write(${JSON.stringify(`\u001b[2J\u001b[H\u001b]0;owned\u0007\r${FAKE}\n`)});\n` +
          `    const frame = serialize({ type: 'reply', id: 1, ok: true, value: 45 });\n` +
          `    const head = Buffer.alloc(4); head.writeUInt32BE(frame.length);\n` +
          `    process.stdout.write(Buffer.concat([head, frame]));\n` +
          `    console.error(${JSON.stringify(FAKE)});\n`,
      ),
  );
  const printed = checkJson(hostile);
  expect(honest).toMatchObject({ status: 'passed', score: honest.maxScore });
  // The same verdict, test by test.
  expect({ status: printed.status, score: printed.score, tests: printed.tests.map((t) => [t.fullName, t.status]) }).toEqual({
    status: honest.status,
    score: honest.score,
    tests: honest.tests.map((t) => [t.fullName, t.status]),
  });
  const withOutput = printed.tests.filter((t) => t.output);
  expect(withOutput.length).toBeGreaterThan(0);
  for (const t of withOutput) {
    expect(t.output!.text).toContain('\\u001b[2J');
    expect(RAW_CONTROL.test(t.output!.text)).toBe(false);
  }

  // --all shows the output of passing tests: every line of it after the "│ " mark, nothing raw.
  const all = course(dir, ['check', 'hpack-table', '--dir', hostile, '--seed', '11', '--all']);
  expect(all.code).toBe(0);
  expect(RAW_CONTROL.test(all.stdout + all.stderr)).toBe(false);
  const lines = all.stdout.split('\n');
  expect(lines.filter((l) => l.includes(OUTPUT_HEADING)).length).toBe(withOutput.length);
  const forged = lines.filter((l) => l.includes('all tests passed') || l.includes('"status":"passed"'));
  expect(forged.length).toBeGreaterThan(0);
  for (const l of forged) expect(l).toMatch(/^\s+│ /);
  // The grader's own summary and score lines, once each, and only the grader's at column 0.
  expect(lines.filter((l) => /^\d+ passed, \d+ failed$/.test(l))).toEqual([`${n} passed, 0 failed`]);
  expect(lines.filter((l) => /^Score: /.test(l))).toEqual([`Score: ${n}/${n}  ✔ passed`]);
  expect(lines.filter((l) => /^\s*✓ all tests passed/.test(l))).toEqual([]);

  // Without --all, a passing check shows none of it, and says where it is.
  const plain = course(dir, ['check', 'hpack-table', '--dir', hostile, '--seed', '11']);
  expect(plain.stdout).not.toContain('all tests passed');
  expect(plain.stdout).toMatch(new RegExp(`… ${withOutput.length} tests with output of your code not shown: \`npx course check --all\` shows everything`));
});

test('a flood of output is capped per test, and the check says how much was dropped', () => {
  const flooding = variant('flooding', (s) =>
    s
      .replace(ADD, `${ADD}    if (name === 'custom-key') { for (let i = 0; i < 20000; i++) console.log('line ' + i + ' ' + 'x'.repeat(50)); }\n`)
      .replace(SIZE, '  size(): number {\n    return this.used + 1;'),
  );
  const json = checkJson(flooding);
  const entrySize = json.tests.find((t) => t.fullName.includes('entry size is name length'))!;
  expect(entrySize.status).toBe('failed');
  expect(entrySize.output!.text.length).toBeLessThanOrEqual(4000);
  expect(entrySize.output!.text.startsWith('line 0 x')).toBe(true);
  // 20,000 lines of about 58 characters: all but the first 4,000 characters dropped, and counted.
  expect(entrySize.output!.dropped).toBeGreaterThan(1_000_000);
  const total = json.tests.reduce((n, t) => n + (t.output?.text.length ?? 0), 0);
  expect(total).toBeLessThanOrEqual(40_000);
  const r = course(dir, ['check', 'hpack-table', '--dir', flooding, '--seed', '11']);
  expect(r.stdout).toMatch(/… \d+ more lines: `--json` shows them; \d+ more characters were printed and not kept/);
  expect(r.stdout.length).toBeLessThan(60_000);
});
