// The server side of report.html's view model (report-view.ts): from a gradebook, the summary table's rows (roster
// learners without a submission included) and, per learner, the detail the drill-down shows. Every word the page
// shows is chosen here, so the page's script only places text.

import type { ExerciseOutcome, Gradebook, LearnerResult } from '../batch/model';
import { missingValue } from './lms';
import { neutraliseLine } from './escape';
import { runsOrigin } from './gradebook';
import type { CellKind, DetailLine, ExerciseDetail, LatenessCell, LearnerDetail, ReportView, Shade, SummaryCell, SummaryRow } from './report-view';

/** Points as the page shows them: at most two decimals. */
export function pts(n: number): string {
  return String(Math.round(n * 100) / 100);
}

/**
 * How the table shows each outcome kind: an icon (never colour alone) and, where no points mean much, words. Icons
 * from fonts every system has (DejaVu included): no emoji, which a Linux without an emoji font shows as boxes.
 */
const ICON: Record<CellKind, string> = {
  passed: '✓',
  failed: '✗',
  'compile-error': '✎ compile error',
  'load-error': '↯ load error',
  timeout: '◷',
  tampered: '⚑ tampered',
  'not-submitted': '– not submitted',
  'not-started': '○ not started',
  rejected: '⊘ rejected',
  error: '⚠ not graded',
  missing: '∅ no submission',
};

/** The kinds whose cell shows the points after the icon (the tests ran); the others show words only. */
const WITH_POINTS = new Set<CellKind>(['passed', 'failed', 'timeout']);

function kindOf(o: ExerciseOutcome): CellKind {
  return o.status === 'not submitted' ? 'not-submitted' : o.status === 'not started' ? 'not-started' : o.status;
}

function shadeOf(o: ExerciseOutcome): Shade {
  if (o.status === 'not submitted' || o.status === 'not started' || o.status === 'rejected') return 'none';
  if (o.status === 'error') return 'error';
  if (o.maxScore > 0 && o.score >= o.maxScore && o.status === 'passed') return 'full';
  if (o.score > 0) return 'partial';
  return 'zero';
}

const pointsOf = (o: ExerciseOutcome): number => o.points ?? o.score;

function cell(o: ExerciseOutcome | undefined): SummaryCell {
  if (!o) return { kind: 'not-submitted', shade: 'none', text: ICON['not-submitted'], title: 'no outcome', score: -1, points: -1 };
  const kind = kindOf(o);
  const graded = kind !== 'not-submitted' && kind !== 'not-started' && kind !== 'rejected' && kind !== 'error';
  const message = o.message ? `: ${neutraliseLine(o.message, 160)}` : '';
  return {
    kind,
    shade: shadeOf(o),
    text: WITH_POINTS.has(kind) ? `${ICON[kind]} ${pts(pointsOf(o))}` : ICON[kind],
    title: `${o.status} (${o.score}/${o.maxScore} tests)${message}`,
    score: graded ? o.score : -1,
    points: graded ? pointsOf(o) : -1,
  };
}

function lateness(l: LearnerResult): LatenessCell {
  const s = l.submitted;
  if (!s) return { text: '', title: '', lateMs: 0, penalty: false, late: false };
  const text = !s.at ? '?' : s.penalty ? `⇥ -${pts(s.penalty * 100)}%` : s.lateMs ? '⇥ late' : 'on time';
  return { text, title: s.label, lateMs: s.lateMs, penalty: s.penalty > 0, late: s.lateMs > 0 };
}

const RUN_TITLE: Record<string, string> = {
  checkpoint: 'every run of this learner came from the checkpoint',
  mixed: 'some runs graded now, some from the checkpoint',
  'this run': 'graded by this run',
  '': '',
};

function learnerRow(book: Gradebook, l: LearnerResult, key: string): SummaryRow {
  const run = runsOrigin(l.exercises);
  const points = l.points ?? l.score;
  return {
    learner: l.learner,
    key,
    ...(l.roster?.name ? { name: l.roster.name } : {}),
    status: l.status,
    cells: book.meta.exercises.map((x) => cell(l.exercises.find((o) => o.exercise === x.id))),
    score: l.score,
    maxScore: l.maxScore,
    points,
    maxPoints: l.maxPoints ?? l.maxScore,
    percent: l.percent ?? 0,
    ...(book.meta.deadline ? { late: lateness(l), finalPoints: l.finalPoints ?? points } : {}),
    run,
    runTitle: RUN_TITLE[run] ?? '',
  };
}

/** A roster learner with no submission: a row of its own, every exercise "no submission", no detail file. */
function missingRow(book: Gradebook, entry: NonNullable<Gradebook['meta']['roster']>['missing'][number]): SummaryRow {
  const value = missingValue(book, entry);
  const max = book.meta.exercises.reduce((s, e) => s + (e.maxPoints ?? e.maxScore), 0);
  const maxScore = book.meta.exercises.reduce((s, e) => s + e.maxScore, 0);
  const title = value === '' ? 'in the roster, no submission yet (deadline ahead)' : 'in the roster, no submission';
  return {
    learner: entry.submission,
    ...(entry.name ? { name: entry.name } : {}),
    status: 'no submission',
    cells: book.meta.exercises.map(() => ({ kind: 'missing', shade: 'none', text: ICON.missing, title, score: -1, points: -1 })),
    score: 0,
    maxScore,
    points: 0,
    maxPoints: max,
    percent: 0,
    ...(book.meta.deadline ? { late: { text: '', title, lateMs: 0, penalty: false, late: false }, finalPoints: 0 } : {}),
    run: '',
    runTitle: title,
  };
}

/** The summary the page embeds: a row per learner (keys from learner-key.ts) and per roster learner without one. */
export function reportView(book: Gradebook, keys: Map<string, string>, detailDir: string): ReportView {
  return {
    exercises: book.meta.exercises.map((x) => ({ id: x.id, title: x.title, maxPoints: x.maxPoints ?? x.maxScore })),
    hasDeadline: book.meta.deadline !== undefined,
    rows: [...book.learners.map((l) => learnerRow(book, l, keys.get(l.learner)!)), ...(book.meta.roster?.missing ?? []).map((r) => missingRow(book, r))],
    detailDir,
  };
}

/** The longest failure message the drill-down shows (the whole one is in results/<key>.json). */
const MESSAGE_CAP = 4_000;

function exerciseDetail(o: ExerciseOutcome): ExerciseDetail {
  const lines: DetailLine[] = [];
  const run = o.run ? (o.run.fresh ? `graded by this run${o.run.reason ? ` (${o.run.reason})` : ''}` : `from the checkpoint (graded ${o.run.at ?? '?'})`) : '';
  if (run) lines.push({ cls: 'muted run', text: run });
  for (const g of o.groups ?? [])
    lines.push({
      cls: 'muted group-points',
      text: `${g.name || '(other tests)'}: ${pts(g.points)}/${pts(g.max)} points, ${pts(g.passed)} of ${g.tests} tests passed`,
    });
  if (o.message) lines.push({ cls: '', text: o.message });
  if (o.anomalies.length) lines.push({ cls: 'status-error', text: `anomalies: ${o.anomalies.join('; ')}` });
  const hidden = o.hidden
    ? ` (visible ${o.score - o.hidden.score}/${o.maxScore - o.hidden.maxScore}, instructor-only ${o.hidden.score}/${o.hidden.maxScore})`
    : '';
  const points = o.points !== undefined ? `, ${pts(o.points)}/${pts(o.maxPoints ?? 0)} points` : '';
  const time = o.durationMs ? ` (${(o.durationMs / 1000).toFixed(1)} s)` : '';
  return {
    exercise: o.exercise,
    heading: `${o.exercise} — ${o.status} ${o.score}/${o.maxScore} tests${hidden}${points}${time}`,
    lines,
    diagnostics: o.diagnostics
      .filter((d) => d.kind === 'syntax')
      .slice(0, 10)
      .map((d) => `${d.file}:${d.line}:${d.column} ${d.message}`),
    failed: o.tests
      .filter((t) => t.status !== 'passed')
      .map((t) => {
        const message = t.message || t.status;
        return {
          name: `✗ ${t.fullName} [${t.status}]${t.hidden ? ' [instructor-only]' : ''}`,
          message:
            message.length > MESSAGE_CAP
              ? `${message.slice(0, MESSAGE_CAP)}\n… (${message.length - MESSAGE_CAP} more characters: the whole message is in results/)`
              : message,
        };
      }),
    ran: o.tests.length,
  };
}

/** What the drill-down shows for one learner. */
export function learnerDetail(book: Gradebook, l: LearnerResult): LearnerDetail {
  const lines: DetailLine[] = [];
  const statusCls = `status-${l.status.replace(' ', '-')}`;
  if (l.reason) lines.push({ cls: statusCls, text: `${l.status}: ${l.reason}` });
  if (l.roster)
    lines.push({
      cls: 'roster',
      text: [l.roster.name, l.roster.email, l.roster.section, l.roster.lmsId ? `LMS id ${l.roster.lmsId}` : ''].filter(Boolean).join(' · '),
    });
  else if (book.meta.roster) lines.push({ cls: 'status-error', text: 'not in the roster' });
  const s = l.submitted;
  if (s) {
    const when = s.at ? `${s.at} (${s.source})` : '?';
    const deduction = s.penalty ? ` → ${pts(l.finalPoints ?? 0)} of ${pts(l.points ?? 0)} points` : '';
    lines.push({
      cls: 'submitted',
      text: `submitted ${when}, deadline ${s.deadline}${s.extension ? ` (extension ${s.extension})` : ''}: ${s.label}${deduction}`,
    });
  }
  for (const n of l.notes ?? []) lines.push({ cls: 'status-error', text: `note: ${n}` });
  return { learner: l.learner, lines, exercises: l.exercises.map(exerciseDetail) };
}
