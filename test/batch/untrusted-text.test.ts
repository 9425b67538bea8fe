// The hostile corpus (test/security/hostile-corpus.ts) end to end, through the real CLI of the fixture course:
// `course grade` with every output flag, on submissions where the corpus sits in a folder name, in a tar entry
// name (a hard link named with the terminal hyperlink escape, rejected: the issue's grades.csv note column), in
// roster cells, and in what the code under test throws; then `course check` on the same hostile code. Every file
// written and everything printed must be free of raw control characters, bidi overrides and OSC/CSI sequences;
// no CSV cell may be a formula; junit.xml must be well-formed; no message may print a line that passes for the
// grader's own summary.

import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import * as fx from './fixture-course';
import { CORPUS, CORPUS_TEXT, FORGED_SUMMARY, formulaCells, HOSTILE_NAME, OSC8, rawControl, xmlProblem } from '../security/hostile-corpus';

/** The heading over the learner's own output in `course check` and feedback (a black-box test spells it out). */
const OUTPUT_HEADING = 'your output (console.log/console.error while this test ran):';

/**
 * calc whose every method hands the corpus back: thrown messages, a returned string, a 1 MB message; and prints it
 * (console.log, console.error, 1 MB on stdout), which every output shows as the learner's own output.
 */
const HOSTILE_CALC = `const CORPUS = ${JSON.stringify(`${FORGED_SUMMARY}\n${CORPUS_TEXT}`)};
export class Calculator {
  add(_a: number, _b: number): number { console.log(CORPUS); console.error(CORPUS); throw new Error(CORPUS); }
  total(): number { process.stdout.write('A'.repeat(1 << 20) + '\\u001b[2J' + CORPUS); throw new Error('A'.repeat(1 << 20) + '\\u001b[2J' + CORPUS); }
}
export function echoBytes(_bytes: Uint8Array): Uint8Array { return (CORPUS + 'A'.repeat(1 << 20)) as unknown as Uint8Array; }
`;

/** The tar entry of the issue: a hard link named with ESC ] 8 ;; ... ESC \ (tar names are at most 100 bytes). */
const LINK_NAME = `exercises/01-calc/${OSC8}`;

function walk(dir: string, base = dir): string[] {
  return readdirSync(dir).flatMap((name) => {
    const abs = path.join(dir, name);
    return statSync(abs).isDirectory() ? walk(abs, base) : [path.relative(base, abs)];
  });
}

describe('course grade and course check on the hostile corpus, end to end', () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'course-untrusted-e2e-'));
  chmodSync(tmp, 0o755);
  const subs = path.join(tmp, 'submissions');
  const out = path.join(tmp, 'out');
  let course = '';
  let grade: ReturnType<typeof spawnSync>;
  let check: ReturnType<typeof spawnSync>;
  const read = (rel: string) => readFileSync(path.join(out, rel), 'utf8');

  beforeAll(() => {
    course = fx.makeCourse(tmp, { only: ['calc'] });
    fx.writeFolder(path.join(subs, HOSTILE_NAME), fx.courseLayout({ calc: HOSTILE_CALC }));
    fx.writeFolder(path.join(subs, 'h-alice'), fx.courseLayout({ calc: fx.solution('calc') }));
    expect(Buffer.byteLength(LINK_NAME)).toBeLessThanOrEqual(100);
    writeFileSync(
      path.join(subs, 'linker.tar.gz'),
      fx.tarGzBuffer([
        { name: 'exercises/01-calc/calc.ts', data: fx.solution('calc') },
        { name: LINK_NAME, type: '1', linkname: 'exercises/01-calc/calc.ts' },
      ]),
    );
    const csvCell = (s: string) => `"${s.replace(/"/g, '""')}"`;
    const roster = [
      'submission,name,lms_id,email,section,idnumber',
      ['linker', `${CORPUS.formulaEquals} ${OSC8}`, CORPUS.formulaPlus!, `${CORPUS.formulaMinus}@x.example`, CORPUS.csi!, CORPUS.formulaAt!]
        .map(csvCell)
        .join(','),
      ['h-alice', `Alice ${CORPUS.bidi}\n43 passed, 0 failed`, '7', 'alice@x.example', CORPUS.script!, CORPUS.cdata!].map(csvCell).join(','),
      ['ghost', `${CORPUS.script} ${CORPUS.osc}`, CORPUS.formulaTab!, `${CORPUS.formulaAt}`, CORPUS.comment!, CORPUS.controls!.replace(/\u0000/g, '')]
        .map(csvCell)
        .join(','),
    ].join('\n');
    writeFileSync(path.join(tmp, 'roster.csv'), `${roster}\n`);
    grade = spawnSync(
      process.execPath,
      [
        path.join(course, 'bin', 'course.js'),
        'grade',
        subs,
        '--out',
        out,
        '--jobs',
        '2',
        '--roster',
        path.join(tmp, 'roster.csv'),
        '--lms',
        'canvas,moodle',
        '--moodle-id',
        'idnumber',
        '--gradescope',
        '--exercism',
      ],
      { cwd: course, encoding: 'utf8', timeout: 8 * 60_000, maxBuffer: 64 * 1024 * 1024 },
    );
    writeFileSync(path.join(course, 'exercises', '01-calc', 'calc.ts'), HOSTILE_CALC);
    check = spawnSync(process.execPath, [path.join(course, 'bin', 'course.js'), 'check', 'calc'], {
      cwd: course,
      encoding: 'utf8',
      timeout: 4 * 60_000,
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, NO_COLOR: '1' },
    });
  }, 13 * 60_000);

  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  test('the grade ran: the hard link was rejected, the hostile code failed, the honest one passed', () => {
    expect({ code: grade.status === 0 || grade.status === 1, stderr: String(grade.stderr).slice(0, 2000) }).toEqual({
      code: true,
      stderr: expect.not.stringMatching(/internal error/),
    });
    const rows = parse(read('grades.csv')) as string[][];
    const col = (name: string) => rows[0]!.indexOf(name);
    const byStatus = Object.fromEntries(rows.slice(1).map((r) => [r[col('learner')]!.slice(0, 12), r[col('status')]]));
    expect(byStatus).toMatchObject({ linker: 'rejected', 'h-alice': 'graded', ghost: 'missing' });
    const hostile = rows.find((r) => r[0]!.startsWith("'=evil"))!;
    expect([hostile[col('status')], hostile[col('calc_status')], hostile[col('calc')]]).toEqual(['graded', 'failed', '0']);
    expect(rows.find((r) => r[0] === 'h-alice')![col('calc_status')]).toBe('passed');
  });

  test("grades.csv's note column quotes the hard link's name with its escape made visible", () => {
    const csv = read('grades.csv');
    const rows = parse(csv) as string[][];
    const linker = rows.find((r) => r[0] === 'linker')!;
    const note = linker[rows[0]!.indexOf('note')]!;
    expect(note).toContain('is a hard link');
    expect(rawControl(note)).toBeUndefined();
    expect(note).toContain('\\u001b]8;;https://evil.example/\\u001b\\click');
    expect(rawControl(csv)).toBeUndefined();
    expect(formulaCells(rows)).toEqual([]);
  });

  test('every file the grade wrote is free of raw control characters, and bounded', () => {
    const files = walk(out).filter((f) => !f.startsWith('.') && f !== 'submitted-code.json');
    expect(files).toEqual(
      expect.arrayContaining(['grades.csv', 'junit.xml', 'report.html', 'canvas-grades.csv', 'moodle-grades.csv', 'moodle-not-imported.csv', 'gradebook.json']),
    );
    expect(files.some((f) => f.startsWith('feedback/') && f.endsWith('.md'))).toBe(true);
    expect(files.some((f) => f.startsWith('feedback/') && f.endsWith('.html'))).toBe(true);
    expect(files.some((f) => f.startsWith('gradescope/'))).toBe(true);
    expect(files.some((f) => f.startsWith('exercism/'))).toBe(true);
    for (const f of files) {
      const text = read(f);
      expect({ f, raw: rawControl(text) }).toEqual({ f, raw: undefined });
      // The code under test threw a 1 MB message: no file carries it whole.
      expect({ f, bounded: text.length < 600_000 }).toEqual({ f, bounded: true });
      if (f.endsWith('.csv')) expect({ f, formulas: formulaCells(parse(text, { relax_column_count: true }) as string[][]) }).toEqual({ f, formulas: [] });
      if (f.endsWith('.json')) {
        const strings: string[] = [];
        JSON.parse(text, (key: string, value: unknown) => (strings.push(key, typeof value === 'string' ? value : ''), value));
        expect({ f, raw: rawControl(strings.join('\n')) }).toEqual({ f, raw: undefined });
      }
      if (f.endsWith('.html')) expect({ f, script: /<script>alert|<img\b/.test(text) }).toEqual({ f, script: false });
    }
    expect(xmlProblem(read('junit.xml'))).toBeUndefined();
    // What the hostile code printed is in the learner's feedback (neutralised, marked as theirs) and in results/.
    const feedback = files.filter((f) => f.startsWith('feedback/')).map(read);
    expect(feedback.filter((text) => text.includes(OUTPUT_HEADING) && text.includes('owned title')).length).toBe(2);
    const results = files.filter((f) => f.startsWith('results/')).map(read);
    expect(results.some((text) => text.includes('"output"') && text.includes('\\\\u001b]0;owned title'))).toBe(true);
  });

  test("the grade's terminal output is clean", () => {
    expect(rawControl(`${grade.stdout}${grade.stderr}`)).toBeUndefined();
    expect(
      String(grade.stdout)
        .split('\n')
        .filter((l) => /^\d+ passed, \d+ failed$/.test(l)),
    ).toEqual([]);
  });

  test("`course check` on the hostile code: clean, and only the grader's own summary line at column 0", () => {
    const text = String(check.stdout);
    expect(text).toMatch(/^0 passed, 3 failed$/m);
    expect(rawControl(text + String(check.stderr))).toBeUndefined();
    expect(text.split('\n').filter((l) => /^\d+ passed, \d+ failed$/.test(l))).toEqual(['0 passed, 3 failed']);
    expect(text.split('\n').filter((l) => /^\s*✓/.test(l))).toEqual([]);
    // The printed corpus is shown (under the failing tests, as the learner's output), every line after the mark.
    expect(text).toContain(OUTPUT_HEADING);
    const printed = text.split('\n').filter((l) => l.includes('owned title'));
    expect(printed.length).toBeGreaterThan(0);
    for (const l of printed) expect(l).toMatch(/^\s+│ /);
    expect(text.length).toBeLessThan(200_000);
  });
});
