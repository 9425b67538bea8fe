// The files a batch writes into --out: grades.csv, results/<learner>.json, junit.xml, report.html, gradebook.json
// (the metadata `course merge` reads), and behind flags Gradescope's and Exercism's per-learner results.json.

import { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { safeName, type Gradebook, type LearnerResult } from '../batch/model';
import type { TestResult } from '../run/result';
import { renderHtmlReport } from './html';
import { feedbackFiles } from './feedback';
import { similarityOf, type SimilarityReport } from '../similarity';

export interface OutputFlags {
  gradescope?: boolean;
  exercism?: boolean;
}

function writeAtomic(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

function csvCell(value: string | number): string {
  let text = String(value);
  // A cell starting with = + - @ is a formula in a spreadsheet: defuse it (learner ids come from file names).
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function gradesCsv(book: Gradebook): string {
  const ids = book.meta.exercises.map((e) => e.id);
  const rows = [['learner', ...ids, 'total', 'max', 'status', 'note'].map(csvCell).join(',')];
  for (const l of book.learners) {
    const cells: Array<string | number> = [l.learner];
    for (const id of ids) cells.push(l.exercises.find((e) => e.exercise === id)?.score ?? 0);
    cells.push(l.score, l.maxScore, l.status, l.reason ?? '');
    rows.push(cells.map(csvCell).join(','));
  }
  return `${rows.join('\n')}\n`;
}

/** Per learner and exercise: the visible tests' and the instructor-only tests' scores, apart. */
export function visibleHiddenCsv(book: Gradebook): string {
  const withHidden = book.meta.exercises.filter((e) => e.hiddenMaxScore !== undefined);
  const header = ['learner'];
  for (const e of withHidden) header.push(`${e.id} visible`, `${e.id} visible max`, `${e.id} hidden`, `${e.id} hidden max`);
  const rows = [header.map(csvCell).join(',')];
  for (const l of book.learners) {
    const cells: Array<string | number> = [l.learner];
    for (const e of withHidden) {
      const o = l.exercises.find((x) => x.exercise === e.id);
      const hiddenMax = e.hiddenMaxScore ?? 0;
      const hidden = o?.hidden?.score ?? 0;
      const visibleMax = e.maxScore - hiddenMax;
      cells.push((o?.score ?? 0) - hidden, visibleMax, hidden, hiddenMax);
    }
    rows.push(cells.map(csvCell).join(','));
  }
  return `${rows.join('\n')}\n`;
}

export function learnerJson(book: Gradebook, l: LearnerResult): string {
  return JSON.stringify({ ...l, course: book.meta.course, gradedAt: book.meta.finishedAt }, null, 2);
}

function xml(text: string): string {
  // Also strips characters XML 1.0 cannot carry (control characters from a learner's output).
  return text
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

export function junitXml(book: Gradebook): string {
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  let tests = 0;
  let failures = 0;
  let errors = 0;
  const suites: string[] = [];
  for (const l of book.learners) {
    for (const e of l.exercises) {
      const cases: string[] = [];
      let f = 0;
      let err = 0;
      const name = `${l.learner}.${e.exercise}`;
      if (e.tests.length === 0) {
        err = 1;
        cases.push(`    <testcase classname="${xml(name)}" name="${xml(e.status)}" time="0"><error message="${xml(e.status)}">${xml(e.message ?? '')}</error></testcase>`);
      }
      for (const t of e.tests) {
        const time = (t.durationMs / 1000).toFixed(3);
        const open = `    <testcase classname="${xml(name)}" name="${xml(t.fullName)}" time="${time}"`;
        if (t.status === 'passed') cases.push(`${open}/>`);
        else if (t.status === 'failed') {
          f++;
          cases.push(`${open}><failure message="${xml((t.message ?? 'failed').split('\n')[0]!.slice(0, 200))}">${xml(t.message ?? '')}</failure></testcase>`);
        } else {
          err++;
          cases.push(`${open}><error message="${xml(t.status)}">${xml(t.message ?? '')}</error></testcase>`);
        }
      }
      const count = Math.max(1, e.tests.length);
      tests += count;
      failures += f;
      errors += err;
      suites.push(
        `  <testsuite name="${xml(name)}" tests="${count}" failures="${f}" errors="${err}" time="${(e.durationMs / 1000).toFixed(3)}">\n${cases.join('\n')}\n  </testsuite>`,
      );
    }
  }
  out.push(`<testsuites name="${xml(book.meta.course)}" tests="${tests}" failures="${failures}" errors="${errors}">`);
  out.push(...suites);
  out.push('</testsuites>');
  return `${out.join('\n')}\n`;
}

function testOutput(t: TestResult): string {
  return t.status === 'passed' ? '' : (t.message ?? t.status);
}

/** Gradescope autograder format: https://gradescope-autograders.readthedocs.io/en/latest/specs/ */
export function gradescopeJson(l: LearnerResult): string {
  const tests = l.exercises.flatMap((e) =>
    e.tests.length
      ? e.tests.map((t) => ({
          name: t.fullName,
          name_format: 'text',
          number: e.exercise,
          score: t.score,
          max_score: t.maxScore,
          status: t.status === 'passed' ? 'passed' : 'failed',
          output: testOutput(t),
          output_format: 'text',
          visibility: 'visible',
          tags: [e.exercise],
        }))
      : [{ name: `${e.exercise}: ${e.status}`, name_format: 'text', number: e.exercise, score: 0, max_score: e.maxScore, status: 'failed', output: e.message ?? '', output_format: 'text', visibility: 'visible', tags: [e.exercise] }],
  );
  return JSON.stringify(
    {
      score: l.score,
      output: l.reason ?? `${l.status}: ${l.score}/${l.maxScore}`,
      output_format: 'text',
      visibility: 'visible',
      stdout_visibility: 'hidden',
      execution_time: Math.round(l.exercises.reduce((s, e) => s + e.durationMs, 0) / 1000),
      tests,
    },
    null,
    2,
  );
}

/** Exercism test runner interface, version 3: https://exercism.org/docs/building/tooling/test-runners/interface */
export function exercismJson(l: LearnerResult): string {
  const anyError = l.status === 'rejected' || l.exercises.some((e) => e.tests.length === 0 && e.status !== 'not submitted');
  const allPassed = l.exercises.length > 0 && l.exercises.every((e) => e.status === 'passed');
  const firstError = l.reason ?? l.exercises.find((e) => e.tests.length === 0)?.message;
  return JSON.stringify(
    {
      version: 3,
      status: allPassed ? 'pass' : anyError && l.exercises.every((e) => e.tests.length === 0) ? 'error' : 'fail',
      ...(anyError && l.exercises.every((e) => e.tests.length === 0) ? { message: firstError ?? l.status } : {}),
      tests: l.exercises.flatMap((e) =>
        e.tests.map((t) => ({
          name: t.fullName,
          status: t.status === 'passed' ? 'pass' : t.status === 'failed' ? 'fail' : 'error',
          ...(t.status === 'passed' ? {} : { message: t.message ?? t.status }),
          test_code: '',
          task_id: e.exercise,
        })),
      ),
    },
    null,
    2,
  );
}

/** Writes every output; returns the paths written (relative to outDir). */
export function writeOutputs(book: Gradebook, outDir: string, flags: OutputFlags = {}): string[] {
  const written: string[] = [];
  const put = (rel: string, text: string) => {
    writeAtomic(path.join(outDir, rel), text);
    written.push(rel);
  };
  put('gradebook.json', JSON.stringify(book.meta, null, 2));
  put('grades.csv', gradesCsv(book));
  // results/ holds exactly this gradebook's learners (a stale file from an earlier run would be merged wrongly).
  const resultsDir = path.join(outDir, 'results');
  mkdirSync(resultsDir, { recursive: true });
  const keep = new Set(book.learners.map((l) => `${safeName(l.learner)}.json`));
  for (const name of readdirSync(resultsDir)) if (!keep.has(name)) rmSync(path.join(resultsDir, name), { force: true });
  for (const l of book.learners) put(path.join('results', `${safeName(l.learner)}.json`), learnerJson(book, l));
  if (flags.gradescope) for (const l of book.learners) put(path.join('gradescope', safeName(l.learner), 'results.json'), gradescopeJson(l));
  if (flags.exercism) for (const l of book.learners) put(path.join('exercism', safeName(l.learner), 'results.json'), exercismJson(l));
  put('junit.xml', junitXml(book));
  // Feedback to hand back (feedback/<learner>.md and .html); the folder holds exactly this gradebook's learners.
  const feedback = feedbackFiles(book);
  const feedbackDir = path.join(outDir, 'feedback');
  mkdirSync(feedbackDir, { recursive: true });
  for (const name of readdirSync(feedbackDir)) if (!feedback.has(name)) rmSync(path.join(feedbackDir, name), { force: true });
  for (const [name, text] of feedback) put(path.join('feedback', name), text);
  if (book.meta.exercises.some((e) => e.hiddenMaxScore !== undefined)) put('scores-visible-hidden.csv', visibleHiddenCsv(book));
  let similarity: SimilarityReport | undefined;
  if (book.code) {
    put('submitted-code.json', JSON.stringify(book.code));
    similarity = similarityOf(book.code, book.meta.exercises.map((e) => e.id));
    put('similarity.json', JSON.stringify(similarity, null, 2));
  }
  put('report.html', renderHtmlReport(book, { similarity }));
  return written;
}
