// One hostile corpus (hostile-corpus.ts) through every output format, in process: a gradebook whose every text from
// outside carries the corpus, written by writeOutputs with every flag (grades.csv, the Canvas and Moodle CSVs,
// results/*.json, junit.xml, report.html, feedback .md and .html, Gradescope's and Exercism's JSON), the terminal of
// `course check` (renderResult) and of `course grade` (renderBatchSummary), and the Classroom script's JSON. The
// gradebook is built with the raw texts (as a stored gradebook from an older version would hold them), so each
// writer's own escaping is what is checked, not only the marking at entry. The end-to-end run is
// test/batch/untrusted-text.test.ts.

import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import type { ExerciseOutcome, Gradebook, LearnerResult } from '../../grader/batch/model';
import type { RosterEntry } from '../../grader/batch/roster';
import type { Untrusted } from '../../grader/report/escape';
import { neutralise, untrusted } from '../../grader/report/escape';
import { renderBatchSummary } from '../../grader/report/batch-summary';
import { PLAIN } from '../../grader/report/feedback';
import { writeOutputs } from '../../grader/report/gradebook';
import { renderResult } from '../../grader/report/terminal';
import { CLASSROOM_SCRIPT } from '../../grader/release/classroom';
import type { ExerciseResult, TestResult } from '../../grader/run/result';
import { CORPUS, CORPUS_TEXT, FORGED_SUMMARY, formulaCells, MEGABYTE, rawControl, xmlProblem } from './hostile-corpus';

const raw = (text: string) => text as Untrusted;
const REPO = path.resolve(__dirname, '..', '..');

function tests(): TestResult[] {
  const out: TestResult[] = Object.entries(CORPUS).map(([name, text]) => ({
    fullName: `Calculator › ${name}`,
    group: ['Calculator'],
    title: name,
    status: 'failed',
    message: text,
    durationMs: 1,
    score: 0,
    maxScore: 1,
  }));
  out.push({
    fullName: 'Calculator › megabyte',
    group: ['Calculator'],
    title: 'megabyte',
    status: 'failed',
    message: MEGABYTE,
    durationMs: 1,
    score: 0,
    maxScore: 1,
  });
  return out;
}

function outcome(): ExerciseOutcome {
  return {
    exercise: 'calc',
    status: 'failed',
    score: 0,
    maxScore: Object.keys(CORPUS).length + 1,
    message: raw(`${FORGED_SUMMARY}\n${CORPUS_TEXT}`),
    hungTest: raw(CORPUS.osc8!),
    tests: tests(),
    anomalies: [raw(CORPUS_TEXT), raw(MEGABYTE)],
    diagnostics: [{ file: `calc.ts${CORPUS.osc8}`, line: 1, column: 1, message: CORPUS_TEXT, kind: 'type' }],
    durationMs: 5,
    seed: 7,
    suiteHash: 'a'.repeat(64),
  };
}

function rosterEntry(submission: string): RosterEntry {
  const cell = (s: string) => s as Untrusted;
  return {
    submission: cell(submission),
    name: cell(`${CORPUS.formulaEquals} ${CORPUS.osc8}`),
    lmsId: cell(CORPUS.formulaPlus!),
    sisUserId: cell(CORPUS.formulaAt!),
    sisLoginId: cell(CORPUS.formulaTab!),
    email: cell(`${CORPUS.formulaMinus}${CORPUS.bidi}@x`),
    section: cell(CORPUS.script!),
  };
}

const IDS = Object.keys(CORPUS).map((name) => `${name}-${CORPUS[name]}`);

function book(): Gradebook {
  const learners: LearnerResult[] = IDS.map((id, n) => ({
    learner: raw(id),
    kind: 'folder',
    status: n % 3 === 0 ? 'rejected' : 'graded',
    reason: n % 3 === 0 ? raw(`${CORPUS.osc8} is a hard link; ${CORPUS_TEXT}; ${MEGABYTE}`) : undefined,
    score: 0,
    maxScore: 21,
    points: 0,
    maxPoints: 21,
    percent: 0,
    finalPoints: 0,
    finalPercent: 0,
    roster: n % 2 === 0 ? rosterEntry(id) : undefined,
    submitted: { at: '2026-11-21T10:00:00.000Z', source: 'git commit', lateMs: 0, penalty: 0, label: 'on time' },
    notes: [raw(`git: ${CORPUS_TEXT}`), raw(MEGABYTE)],
    exercises: [outcome()],
  }));
  return {
    meta: {
      tool: 'course grade',
      version: 1,
      course: 'Hostile course',
      startedAt: '2026-11-21T10:00:00.000Z',
      finishedAt: '2026-11-21T10:05:00.000Z',
      allLearners: IDS,
      learners: IDS,
      exercises: [{ id: 'calc', title: 'Calc', suiteHash: 'a'.repeat(64), maxScore: 21 }],
      isolation: [],
      jobs: 1,
      runs: { graded: IDS.length, resumed: 0 },
      roster: { file: 'roster.csv', missing: [rosterEntry(`missing-${CORPUS.osc8}${CORPUS.formulaEquals}`)], unrostered: IDS.filter((_, n) => n % 2 === 1) },
      deadline: { at: '2026-11-22T00:00:00.000Z', policy: 'none', late: 'none' },
    },
    learners,
  };
}

/** Everything a reader of this output must never see raw. */
function expectClean(name: string, text: string, options: { allowCr?: boolean } = {}): void {
  expect({ name, raw: rawControl(text, options.allowCr) }).toEqual({ name, raw: undefined });
  expect({ name, esc: text.includes('\u001b') }).toEqual({ name, esc: false });
}

/** Bounded: the corpus (with the 1 MB strings in it several times per learner) makes no file much larger. */
function expectBounded(name: string, text: string, perLearner = 400_000): void {
  expect({ name, bounded: text.length <= perLearner * Math.max(1, IDS.length) }).toEqual({ name, bounded: true });
}

describe('one hostile corpus through every output format', () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'course-untrusted-'));
  const out = path.join(tmp, 'out');
  let written: string[] = [];
  const read = (rel: string) => readFileSync(path.join(out, rel), 'utf8');

  beforeAll(() => {
    written = writeOutputs(book(), out, { gradescope: true, exercism: true, lms: ['canvas', 'moodle'] });
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  test('every file written is free of raw control characters, bidi overrides, OSC/CSI and lone surrogates', () => {
    expect(written).toEqual(
      expect.arrayContaining(['grades.csv', 'junit.xml', 'report.html', 'canvas-grades.csv', 'moodle-grades.csv', 'moodle-not-imported.csv']),
    );
    expect(written.filter((f) => f.startsWith('feedback/')).length).toBe(2 * IDS.length);
    expect(written.filter((f) => f.startsWith('gradescope/')).length).toBe(IDS.length);
    expect(written.filter((f) => f.startsWith('exercism/')).length).toBe(IDS.length);
    for (const rel of written) {
      const text = read(rel);
      expectClean(rel, text);
      expectBounded(rel, text);
    }
  });

  test('grades.csv: the note column holds the reason without its escape, and no cell is a formula', () => {
    const csv = read('grades.csv');
    const rows = parse(csv, { relax_column_count: true }) as string[][];
    const note = rows[0]!.indexOf('note');
    const rejected = rows.filter((r) => r[rows[0]!.indexOf('status')] === 'rejected');
    expect(rejected.length).toBeGreaterThan(0);
    for (const r of rejected) {
      expect(r[note]).toContain('\\u001b]8;;https://evil.example/\\u001b\\click');
      expect(r[note]!.length).toBeLessThan(2_000);
    }
    expect(formulaCells(rows)).toEqual([]);
    // One row per learner and per missing roster learner: no cell's newline started a row of its own.
    expect(rows.length).toBe(1 + IDS.length + 1);
  });

  test.each(['canvas-grades.csv', 'moodle-grades.csv', 'moodle-not-imported.csv'])('%s: no formula cell, no row broken by a newline', (file) => {
    const rows = parse(read(file), { relax_column_count: true }) as string[][];
    expect(formulaCells(rows)).toEqual([]);
    const width = rows[0]!.length;
    for (const r of rows) expect(r.length).toBe(width);
  });

  test('junit.xml is well-formed XML (valid characters, balanced tags, no "]]>" in text)', () => {
    const xml = read('junit.xml');
    expect(xmlProblem(xml)).toBeUndefined();
    expect(xml).not.toContain('<injected/>');
    // The checker itself finds what the old escaping let through.
    expect(xmlProblem('<a>\u0085\ud800</a>')).toBeDefined();
    expect(xmlProblem('<a>x ]]> y</a>')).toBeDefined();
  });

  test('report.html and feedback .html hold no <script> or markup from the corpus', () => {
    for (const rel of ['report.html', ...written.filter((f) => f.startsWith('feedback/') && f.endsWith('.html'))]) {
      const html = read(rel);
      expect({ rel, script: html.includes('<script>alert') }).toEqual({ rel, script: false });
      expect({ rel, img: /<img\b/i.test(html) }).toEqual({ rel, img: false });
      expect({ rel, injected: html.includes('<injected') }).toEqual({ rel, injected: false });
    }
    // The report's own scripts only: the data block and the page script.
    const report = read('report.html');
    expect(report.match(/<script\b/g)!.length).toBe(2);
    const data = /<script type="application\/json" id="data">([\s\S]*?)<\/script>/.exec(report)![1]!;
    expect(() => JSON.parse(data)).not.toThrow();
  });

  test('feedback Markdown: the corpus only inside fences, no heading or link injected', () => {
    for (const rel of written.filter((f) => f.startsWith('feedback/') && f.endsWith('.md'))) {
      const md = read(rel);
      let fence = '';
      let fenced = 0;
      for (const line of md.split('\n')) {
        const f = /^(`{3,})/.exec(line)?.[1];
        if (f && !fence) fence = f;
        else if (f && line === fence) fence = '';
        else if (fence) fenced += line.includes('Injected heading') ? 1 : 0;
        // (Outside code spans: inside one, a "](javascript:" is text, not a link.)
        else expect({ rel, line, injected: /^# Injected|\]\(javascript:/.test(line.replace(/`[^`]*`/g, '')) }).toEqual({ rel, line, injected: false });
      }
      expect(fence).toBe('');
      // The corpus is there, inside fences (the test messages and notes quote it).
      expect(fenced).toBeGreaterThan(0);
    }
  });

  test('results, Gradescope and Exercism JSON parse, and hold no raw control character', () => {
    for (const rel of written.filter((f) => f.endsWith('.json'))) {
      const text = read(rel);
      // What a reader gets after parsing (a JSON escape such as \u001b decodes to the raw character) is clean too.
      const strings: string[] = [];
      JSON.parse(text, (key: string, value: unknown) => {
        strings.push(key);
        if (typeof value === 'string') strings.push(value);
        return value;
      });
      expectClean(`${rel} (parsed)`, strings.join('\n'));
    }
    const gs = JSON.parse(read(written.find((f) => f.startsWith('gradescope/'))!)) as { score: number; tests: unknown[] };
    expect(gs.score).toBe(0);
  });

  test("the terminal of `course check`: clean, and no line of a message can pass for the grader's summary", () => {
    const result: ExerciseResult = {
      ...outcome(),
      status: 'failed',
      tests: tests(),
      anomalies: [CORPUS_TEXT, FORGED_SUMMARY],
      message: FORGED_SUMMARY,
    } as unknown as ExerciseResult;
    const text = renderResult(PLAIN, result, { id: 'calc', title: 'Calc', dir: 'exercises/01-calc', files: ['calc.ts'] } as never, 1);
    expectClean('check', text);
    const summaries = text.split('\n').filter((l) => /^\d+ passed, \d+ failed$/.test(l));
    expect(summaries).toEqual([`0 passed, ${result.tests.length} failed`]);
    expect(text.split('\n').filter((l) => /^\s*✓/.test(l))).toEqual([]);
    expect(text.split('\n').filter((l) => /^Score: 3\/3/.test(l))).toEqual([]);
    expect(text.length).toBeLessThan(400_000);
  });

  test('the terminal of `course grade` (the batch summary): clean and bounded', () => {
    const b = book();
    b.learners[1]!.status = 'error';
    b.learners[1]!.exercises[0]!.status = 'error';
    const text = renderBatchSummary(PLAIN, b);
    expectClean('grade summary', text);
    expect(text.length).toBeLessThan(200_000);
  });

  test("the Classroom script's JSON: clean, bounded, and it parses", () => {
    // The script as released, in a folder laid out like a learner's copy; its `course check --json` is a stand-in
    // that answers what a hostile implementation makes the real one answer (raw texts, as an older grader printed).
    const rel = path.join(tmp, 'release');
    mkdirSync(path.join(rel, '.github', 'classroom'), { recursive: true });
    mkdirSync(path.join(rel, 'bin'), { recursive: true });
    chmodSync(tmp, 0o755);
    writeFileSync(path.join(rel, '.github', 'classroom', 'course-check.js'), CLASSROOM_SCRIPT);
    writeFileSync(path.join(rel, 'course.yaml'), 'exercises:\n  - id: calc\n  - id: broken\n');
    const answer = { status: 'failed', maxScore: 2, durationMs: 3, tests: tests().map((t) => ({ ...t, fullName: `${t.fullName} ${CORPUS.osc8}` })) };
    writeFileSync(path.join(rel, 'answer.json'), JSON.stringify(answer));
    writeFileSync(
      path.join(rel, 'bin', 'course.js'),
      `const fs = require('fs'); const path = require('path');\n` +
        `if (process.argv[3] === 'broken') { process.stderr.write(${JSON.stringify(`${CORPUS_TEXT}\n${MEGABYTE}`)}); process.exit(1); }\n` +
        `process.stdout.write(fs.readFileSync(path.join(__dirname, '..', 'answer.json'), 'utf8'));\n`,
    );
    const run = spawnSync(process.execPath, [path.join(rel, '.github', 'classroom', 'course-check.js')], {
      cwd: rel,
      encoding: 'utf8',
      env: { ...process.env, NODE_PATH: path.join(REPO, 'node_modules') },
    });
    expect(run.stderr).toBe('');
    const line = run.stdout.trim();
    expect(line.startsWith('result=')).toBe(true);
    const json = Buffer.from(line.slice('result='.length), 'base64').toString('utf8');
    const report = JSON.parse(json) as { tests: Array<{ name: string; message: string }> };
    expect(report.tests.length).toBe(answer.tests.length + 1);
    for (const t of report.tests) {
      expectClean(`classroom ${t.name}`, `${t.name}\n${t.message}`);
      expect(t.message.length).toBeLessThan(3_000);
    }
  });

  test('Untrusted is made only by untrusted(): a plain string in the model is a type error (npm run typecheck)', () => {
    // @ts-expect-error a raw string is not Untrusted: it has to go through untrusted() where it enters
    const id: LearnerResult['learner'] = 'raw\u001b[2J';
    // @ts-expect-error the same for a roster cell
    const cell: RosterEntry['name'] = 'raw';
    expect([id, cell]).toHaveLength(2);
    const marked: LearnerResult['learner'] = untrusted('raw\u001b[2J');
    expect(marked).toBe('raw\\u001b[2J');
  });

  test('neutralise: idempotent, bounded, and what `untrusted` marks at entry', () => {
    for (const text of [...Object.values(CORPUS), MEGABYTE]) {
      const once = neutralise(text);
      expect(neutralise(once)).toBe(once);
      expect(untrusted(text)).toBe(once);
      expect(once.length).toBeLessThanOrEqual(16_000);
      expect(rawControl(once)).toBeUndefined();
    }
    expect(neutralise(MEGABYTE)).toMatch(/… \[cut: \d+ characters in all\]$/);
    // A cut never splits a surrogate pair.
    expect(rawControl(neutralise('😀'.repeat(20_000)))).toBeUndefined();
  });
});
