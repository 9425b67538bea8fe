// The files a batch writes into --out: grades.csv, results/<learner>.json, junit.xml, report.html with its per-learner
// detail in report/<learner>.js, gradebook.json (the metadata `course merge` reads), and behind flags Gradescope's
// and Exercism's per-learner results.json.
// Per-learner files and folders are named by the learner's collision-free key (learner-key.ts); the files carry
// the exact id inside (`learner`).

import { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ExerciseOutcome, Gradebook, LearnerResult } from '../batch/model';
import { learnerKeys } from '../batch/learner-key';
import type { TestResult } from '../run/result';
import { csvDocument, csvField } from './csv-safe';
import { jsonText, xmlAttr, xmlText } from './escape';
import { DETAIL_DIR, detailScript, renderHtmlReport } from './html';
import { canvasCsv, missingValue, moodleCsv, type Lms, type LmsOptions } from './lms';
import { feedbackFiles } from './feedback';
import { lmsFeedbackArchives } from './lms-feedback';
import { learnerOutcome, learnerReason } from './learner-view';
import { similarityOf, type SimilarityReport } from '../similarity';

export interface OutputFlags {
  gradescope?: boolean;
  /** The visibility of instructor-only tests in Gradescope's results.json (default hidden). */
  gradescopeHidden?: GradescopeHidden;
  exercism?: boolean;
  /** Also write the LMS import files. */
  lms?: Lms[];
  lmsOptions?: LmsOptions;
}

function writeAtomic(file: string, text: string | Buffer): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

/** Where a learner's runs came from: all graded by this invocation, all from the checkpoint, or both. */
export function runsOrigin(exercises: ExerciseOutcome[]): 'this run' | 'checkpoint' | 'mixed' | '' {
  const withRun = exercises.filter((e) => e.run);
  if (!withRun.length) return '';
  const fresh = withRun.filter((e) => e.run!.fresh).length;
  return fresh === withRun.length ? 'this run' : fresh === 0 ? 'checkpoint' : 'mixed';
}

/**
 * grades.csv: one row per submission (and per roster learner without one), points per exercise and in total, the
 * maximum and the percentage, test counts, and with --roster / --deadline who the learner is and what lateness
 * cost. Learner ids and names are neutralised against spreadsheet formulas.
 */
export function gradesCsv(book: Gradebook): string {
  const ids = book.meta.exercises.map((e) => e.id);
  const roster = book.meta.roster !== undefined;
  const deadline = book.meta.deadline !== undefined;
  const header: string[] = ['learner'];
  if (roster) header.push('name', 'lms_id', 'email', 'section', 'in_roster');
  for (const id of ids) header.push(id, `${id}_tests`);
  header.push('points', 'max_points', 'percent', 'tests_passed', 'tests_total');
  if (deadline) header.push('submitted_at', 'time_source', 'deadline', 'late_hours', 'penalty_percent', 'final_points', 'final_percent', 'lateness');
  // (Where each run came from, this run or the checkpoint, is in results/, junit.xml and the report: grades.csv
  // holds grades only, so a merge of shards writes the same file as one run.)
  // Then each exercise's status: passed, failed, compile-error, load-error, timeout, tampered, not submitted, not
  // started (the starter stub, unchanged), rejected, or error (the machinery failed: that score is not the learner's).
  header.push('status', 'note', ...ids.map((id) => `${id}_status`));
  const rows: Array<Array<string | number>> = [header];
  for (const l of book.learners) {
    const row: Array<string | number> = [l.learner];
    if (roster) row.push(l.roster?.name ?? '', l.roster?.lmsId ?? '', l.roster?.email ?? '', l.roster?.section ?? '', l.roster ? 'yes' : 'no');
    for (const id of ids) {
      const o = l.exercises.find((e) => e.exercise === id);
      row.push(o?.points ?? o?.score ?? 0, o ? o.score : 0);
    }
    row.push(l.points ?? l.score, l.maxPoints ?? l.maxScore, l.percent ?? 0, l.score, l.maxScore);
    if (deadline) {
      const s = l.submitted;
      row.push(
        s?.at ?? '',
        s?.source ?? '',
        s?.deadline ?? '',
        s ? Math.round((s.lateMs / 3_600_000) * 100) / 100 : 0,
        s ? Math.round(s.penalty * 1000) / 10 : 0,
        l.finalPoints ?? l.points ?? l.score,
        l.finalPercent ?? l.percent ?? 0,
        s?.label ?? '',
      );
    }
    const note = [l.reason, ...(l.notes ?? []), roster && !l.roster ? 'not in the roster' : undefined].filter(Boolean).join('; ');
    row.push(l.status, note, ...ids.map((id) => l.exercises.find((e) => e.exercise === id)?.status ?? 'not submitted'));
    rows.push(row);
  }
  // Roster learners with no submission: listed, never dropped.
  const max = book.meta.exercises.reduce((s, e) => s + (e.maxPoints ?? e.maxScore), 0);
  const maxTests = book.meta.exercises.reduce((s, e) => s + e.maxScore, 0);
  for (const r of book.meta.roster?.missing ?? []) {
    const value = missingValue(book, r);
    const row: Array<string | number> = [r.submission, r.name ?? '', r.lmsId ?? '', r.email ?? '', r.section ?? '', 'yes'];
    for (let i = 0; i < ids.length; i++) row.push('', '');
    row.push(value, max, value === '' ? '' : 0, 0, maxTests);
    if (deadline) row.push('', '', '', '', '', value, value === '' ? '' : 0, value === '' ? 'no submission yet (deadline ahead)' : 'no submission');
    row.push('missing', 'in the roster, no submission', ...ids.map(() => 'not submitted'));
    rows.push(row);
  }
  return csvDocument(rows);
}

/** Per learner and exercise: the visible tests' and the instructor-only tests' scores, apart. */
export function visibleHiddenCsv(book: Gradebook): string {
  const withHidden = book.meta.exercises.filter((e) => e.hiddenMaxScore !== undefined);
  const header = ['learner'];
  for (const e of withHidden) header.push(`${e.id} visible`, `${e.id} visible max`, `${e.id} hidden`, `${e.id} hidden max`);
  const rows = [header.map(csvField).join(',')];
  for (const l of book.learners) {
    const cells: Array<string | number> = [l.learner];
    for (const e of withHidden) {
      const o = l.exercises.find((x) => x.exercise === e.id);
      const hiddenMax = e.hiddenMaxScore ?? 0;
      const hidden = o?.hidden?.score ?? 0;
      const visibleMax = e.maxScore - hiddenMax;
      cells.push((o?.score ?? 0) - hidden, visibleMax, hidden, hiddenMax);
    }
    rows.push(cells.map(csvField).join(','));
  }
  return `${rows.join('\n')}\n`;
}

export function learnerJson(book: Gradebook, l: LearnerResult): string {
  return jsonText({ ...l, course: book.meta.course, gradedAt: book.meta.finishedAt }, 2);
}

/** Text for junit.xml: escape.ts's XML escaping (control characters visible, no invalid XML character, no `]]>`). */
function xml(text: string): string {
  return xmlText(text);
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
        cases.push(
          `    <testcase classname="${xml(name)}" name="${xml(e.status)}" time="0"><error message="${xmlAttr(e.status)}">${xml(e.message ?? '')}</error></testcase>`,
        );
      }
      for (const t of e.tests) {
        const time = (t.durationMs / 1000).toFixed(3);
        const open = `    <testcase classname="${xml(name)}" name="${xml(t.fullName)}" time="${time}"`;
        if (t.status === 'passed') cases.push(`${open}/>`);
        else if (t.status === 'failed') {
          f++;
          cases.push(`${open}><failure message="${xmlAttr((t.message ?? 'failed').split('\n')[0]!, 200)}">${xml(t.message ?? '')}</failure></testcase>`);
        } else {
          err++;
          cases.push(`${open}><error message="${xml(t.status)}">${xml(t.message ?? '')}</error></testcase>`);
        }
      }
      const count = Math.max(1, e.tests.length);
      tests += count;
      failures += f;
      errors += err;
      const props: Array<[string, string | number | undefined]> = [
        ['points', e.points],
        ['max_points', e.maxPoints],
        ['learner_points', l.points],
        ['learner_max_points', l.maxPoints],
        ['learner_percent', l.percent],
        ['name', l.roster?.name],
        ['lms_id', l.roster?.lmsId],
        ['in_roster', book.meta.roster ? (l.roster ? 'yes' : 'no') : undefined],
        ['submitted_at', l.submitted?.at],
        ['deadline', l.submitted?.deadline],
        ['late_hours', l.submitted ? Math.round((l.submitted.lateMs / 3_600_000) * 100) / 100 : undefined],
        ['penalty_percent', l.submitted ? Math.round(l.submitted.penalty * 1000) / 10 : undefined],
        ['lateness', l.submitted?.label],
        ['final_points', l.submitted ? l.finalPoints : undefined],
        ['run', e.run ? (e.run.fresh ? `this run${e.run.reason ? ` (${e.run.reason})` : ''}` : `checkpoint (${e.run.at ?? '?'})`) : undefined],
      ];
      const properties = props
        .filter(([, v]) => v !== undefined && v !== '')
        .map(([k, v]) => `      <property name="${k}" value="${xml(String(v))}"/>`)
        .join('\n');
      suites.push(
        `  <testsuite name="${xml(name)}" tests="${count}" failures="${f}" errors="${err}" time="${(e.durationMs / 1000).toFixed(3)}">\n    <properties>\n${properties}\n    </properties>\n${cases.join('\n')}\n  </testsuite>`,
      );
    }
  }
  // Roster learners with no submission: one failing case each, so that they are listed here too.
  for (const r of book.meta.roster?.missing ?? []) {
    tests++;
    failures++;
    const name = `${r.submission}.submission`;
    suites.push(
      `  <testsuite name="${xml(name)}" tests="1" failures="1" errors="0" time="0">\n    <properties>\n      <property name="name" value="${xml(r.name ?? '')}"/>\n      <property name="in_roster" value="yes"/>\n    </properties>\n    <testcase classname="${xml(name)}" name="submission" time="0"><failure message="no submission">${xml(`${r.name ?? r.submission} is in the roster and has no submission`)}</failure></testcase>\n  </testsuite>`,
    );
  }
  out.push(`<testsuites name="${xml(book.meta.course)}" tests="${tests}" failures="${failures}" errors="${errors}">`);
  out.push(...suites);
  out.push('</testsuites>');
  return `${out.join('\n')}\n`;
}

function testOutput(t: TestResult): string {
  const verdict = t.status === 'passed' ? '' : (t.message ?? t.status);
  // What the learner's code printed during the test, marked as theirs (the text is escaped as JSON with the rest).
  if (!t.output) return verdict;
  const dropped = t.output.dropped ? `\n(… ${t.output.dropped} more characters were printed and not kept)` : '';
  return `${verdict}${verdict ? '\n\n' : ''}Your output (console.log/console.error while this test ran):\n${t.output.text}${dropped}`;
}

/** The line a learner gets about an exercise's instructor-only tests: their score, nothing else. */
function hiddenSummary(e: ExerciseOutcome): string {
  return `${e.hidden!.score}/${e.hidden!.maxScore} instructor-only test(s) passed; they are not in your copy of the course, so \`course check\` does not run them, and they are not listed`;
}

/** How Gradescope shows instructor-only tests: never to learners, or once the grades are published (the autograder). */
export type GradescopeHidden = 'hidden' | 'after_published';

/**
 * Gradescope autograder format: https://gradescope-autograders.readthedocs.io/en/latest/specs/
 * Instructor-only tests go in with `"visibility": "hidden"` (the instructor sees them in Gradescope, a learner
 * never does; `after_published`, which `course release --gradescope`'s autograder uses, shows them to learners once
 * grades are published), and the visible fields
 * (the learner's other tests, the exercise's message, the overall output) are the learner's view (learner-view.ts),
 * with a visible line worth no points giving the instructor-only score.
 */
export function gradescopeJson(l: LearnerResult, hiddenVisibility: GradescopeHidden = 'hidden'): string {
  const tests = l.exercises.flatMap((raw) => {
    const e = learnerOutcome(raw);
    const secret = raw.tests
      .filter((t) => t.hidden)
      .map((t) => ({
        name: t.fullName,
        name_format: 'text',
        number: e.exercise,
        score: t.score,
        max_score: t.maxScore,
        status: t.status === 'passed' ? 'passed' : 'failed',
        output: testOutput(t),
        output_format: 'text',
        visibility: hiddenVisibility,
        tags: [e.exercise, 'instructor-only'],
      }));
    const summary = e.hidden
      ? [
          {
            name: `${e.exercise}: instructor-only tests`,
            name_format: 'text',
            number: e.exercise,
            score: 0,
            max_score: 0,
            status: e.hidden.status === 'passed' ? 'passed' : 'failed',
            output: hiddenSummary(e),
            output_format: 'text',
            visibility: 'visible',
            tags: [e.exercise],
          },
        ]
      : [];
    return [...visibleTests(e), ...summary, ...secret];
  });
  return jsonText(
    {
      score: l.finalPoints ?? l.score,
      output:
        learnerReason(l.reason, l.exercises) ??
        `${l.status}: ${l.finalPoints ?? l.score}/${l.maxPoints ?? l.maxScore} points${l.submitted?.penalty ? ` (${l.submitted.label})` : ''}`,
      output_format: 'text',
      visibility: 'visible',
      stdout_visibility: 'hidden',
      execution_time: Math.round(l.exercises.reduce((s, e) => s + e.durationMs, 0) / 1000),
      tests,
    },
    2,
  );
}

/** An exercise's tests as Gradescope shows them to the learner (the learner's view: no instructor-only test). */
function visibleTests(e: ExerciseOutcome): object[] {
  return e.tests.length
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
    : [
        {
          name: `${e.exercise}: ${e.status}`,
          name_format: 'text',
          number: e.exercise,
          score: 0,
          max_score: e.maxScore,
          status: 'failed',
          output: e.message ?? '',
          output_format: 'text',
          visibility: 'visible',
          tags: [e.exercise],
        },
      ];
}

/**
 * Exercism test runner interface, version 3: https://exercism.org/docs/building/tooling/test-runners/interface
 * The format has no hidden tests: an exercise's instructor-only tests are one summary test (their count, no name,
 * message or input), from the learner's view (learner-view.ts).
 */
export function exercismJson(raw: LearnerResult): string {
  const l = { ...raw, reason: learnerReason(raw.reason, raw.exercises), exercises: raw.exercises.map(learnerOutcome) };
  const anyError = l.status === 'rejected' || l.exercises.some((e) => e.tests.length === 0 && e.status !== 'not submitted');
  const allPassed = l.exercises.length > 0 && l.exercises.every((e) => e.status === 'passed');
  const firstError = l.reason ?? l.exercises.find((e) => e.tests.length === 0)?.message;
  return jsonText(
    {
      version: 3,
      status: allPassed ? 'pass' : anyError && l.exercises.every((e) => e.tests.length === 0) ? 'error' : 'fail',
      ...(anyError && l.exercises.every((e) => e.tests.length === 0) ? { message: firstError ?? l.status } : {}),
      tests: l.exercises.flatMap((e) => [
        ...e.tests.map((t) => ({
          name: t.fullName,
          status: t.status === 'passed' ? 'pass' : t.status === 'failed' ? 'fail' : 'error',
          ...(t.status === 'passed' ? {} : { message: t.message ?? t.status }),
          test_code: '',
          task_id: e.exercise,
        })),
        ...(e.hidden && e.tests.length
          ? [
              {
                name: `${e.exercise}: instructor-only tests`,
                status: e.hidden.status === 'passed' ? 'pass' : 'fail',
                ...(e.hidden.status === 'passed' ? {} : { message: hiddenSummary(e) }),
                test_code: '',
                task_id: e.exercise,
              },
            ]
          : []),
      ]),
    },
    2,
  );
}

/** Writes every output; returns the paths written (relative to outDir). */
export function writeOutputs(book: Gradebook, outDir: string, flags: OutputFlags = {}): string[] {
  const written: string[] = [];
  const put = (rel: string, text: string | Buffer) => {
    writeAtomic(path.join(outDir, rel), text);
    written.push(rel);
  };
  put('gradebook.json', jsonText(book.meta, 2));
  put('grades.csv', gradesCsv(book));
  // results/ holds exactly this gradebook's learners (a stale file from an earlier run would be merged wrongly).
  const resultsDir = path.join(outDir, 'results');
  mkdirSync(resultsDir, { recursive: true });
  const keys = learnerKeys(book.learners.map((l) => l.learner));
  const keyOf = (l: LearnerResult): string => keys.get(l.learner)!;
  const keep = new Set(book.learners.map((l) => `${keyOf(l)}.json`));
  for (const name of readdirSync(resultsDir)) if (!keep.has(name)) rmSync(path.join(resultsDir, name), { force: true });
  for (const l of book.learners) put(path.join('results', `${keyOf(l)}.json`), learnerJson(book, l));
  if (flags.gradescope) for (const l of book.learners) put(path.join('gradescope', keyOf(l), 'results.json'), gradescopeJson(l, flags.gradescopeHidden));
  if (flags.exercism) for (const l of book.learners) put(path.join('exercism', keyOf(l), 'results.json'), exercismJson(l));
  put('junit.xml', junitXml(book));
  // Feedback to hand back (feedback/<learner>.md and .html); the folder holds exactly this gradebook's learners.
  const feedback = feedbackFiles(book);
  const feedbackDir = path.join(outDir, 'feedback');
  mkdirSync(feedbackDir, { recursive: true });
  for (const name of readdirSync(feedbackDir)) if (!feedback.has(name)) rmSync(path.join(feedbackDir, name), { force: true });
  for (const [name, text] of feedback) put(path.join('feedback', name), text);
  // The same feedback as each LMS's bulk upload takes it, for the learners of its own download.
  const archives = lmsFeedbackArchives(book, feedback);
  for (const lms of ['canvas', 'moodle'] as const) {
    const file = `feedback-${lms}.zip`;
    rmSync(path.join(outDir, file), { force: true });
    const zip = archives[lms];
    if (zip) put(file, zip);
  }
  if (book.meta.exercises.some((e) => e.hiddenMaxScore !== undefined)) put('scores-visible-hidden.csv', visibleHiddenCsv(book));
  let similarity: SimilarityReport | undefined;
  if (book.code) {
    put('submitted-code.json', JSON.stringify(book.code));
    similarity = similarityOf(
      book.code,
      book.meta.exercises.map((e) => e.id),
    );
    put('similarity.json', JSON.stringify(similarity, null, 2));
  }
  // report.html and beside it its per-learner detail (report/<key>.js, loaded on demand); the folder holds exactly
  // this gradebook's learners.
  const detailDir = path.join(outDir, DETAIL_DIR);
  mkdirSync(detailDir, { recursive: true });
  const details = new Set(book.learners.map((l) => `${keyOf(l)}.js`));
  for (const name of readdirSync(detailDir)) if (!details.has(name)) rmSync(path.join(detailDir, name), { recursive: true, force: true });
  for (const l of book.learners) put(path.join(DETAIL_DIR, `${keyOf(l)}.js`), detailScript(book, l, keyOf(l)));
  put('report.html', renderHtmlReport(book, { similarity, keys, detailDir: DETAIL_DIR }));
  for (const file of ['canvas-grades.csv', 'moodle-grades.csv', 'moodle-not-imported.csv']) rmSync(path.join(outDir, file), { force: true });
  if (flags.lms?.includes('canvas')) put('canvas-grades.csv', canvasCsv(book, flags.lmsOptions));
  if (flags.lms?.includes('moodle')) {
    const moodle = moodleCsv(book, flags.lmsOptions);
    put('moodle-grades.csv', moodle.csv);
    if (moodle.notImportedCount) put('moodle-not-imported.csv', moodle.notImported);
  }
  return written;
}
