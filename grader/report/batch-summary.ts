// The summary a batch prints at the end: one row per exercise (how many passed, failed, timed out, ... and the
// mean score), the learners' statuses, and the learners who need a look (rejected, error, tampered).

import type { ChalkInstance } from 'chalk' with { 'resolution-mode': 'import' };
import type { Gradebook } from '../batch/model';
import { terminalLine } from './escape';
import { runsOrigin } from './gradebook';
import { missingValue } from './lms';

function num(n: number): string {
  return String(Math.round(n * 100) / 100);
}

function table(rows: string[][], align: Array<'l' | 'r'>): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => [...(r[i] ?? '')].length)));
  return rows
    .map((r) =>
      r
        .map((cell, i) => (align[i] === 'r' ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function renderBatchSummary(c: ChalkInstance, book: Gradebook): string {
  return [
    ...perExercise(c, book),
    '',
    learnerCounts(c, book),
    ...machineryErrors(c, book),
    '',
    ...runLines(c, book),
    ...needsALook(c, book),
    ...(book.learners.length <= 40 ? ['', c.bold('Learners'), learnersTable(book)] : []),
  ].join('\n');
}

const STATUSES = ['passed', 'failed', 'compile-error', 'load-error', 'timeout', 'tampered', 'error', 'not submitted', 'not started', 'rejected'] as const;

/** One row per exercise: points, tests, how many learners had each status, the mean points. */
function perExercise(c: ChalkInstance, book: Gradebook): string[] {
  const rows: string[][] = [['exercise', 'points', 'tests', ...STATUSES, 'mean pts']];
  for (const e of book.meta.exercises) {
    const outcomes = book.learners.map((l) => l.exercises.find((x) => x.exercise === e.id)).filter((x) => x !== undefined);
    // (A machinery error is not a score: it is left out of the mean.)
    const counted = outcomes.filter((o) => o.status !== 'not submitted' && o.status !== 'not started' && o.status !== 'rejected' && o.status !== 'error');
    const mean = counted.length ? counted.reduce((s, o) => s + (o.points ?? o.score), 0) / counted.length : 0;
    rows.push([
      e.id,
      num(e.maxPoints ?? e.maxScore),
      String(e.maxScore),
      ...STATUSES.map((s) => String(outcomes.filter((o) => o.status === s).length)),
      mean.toFixed(1),
    ]);
  }
  return [c.bold('Per exercise'), table(rows, ['l', 'r', 'r', ...STATUSES.map(() => 'r' as const), 'r'])];
}

function learnerCounts(c: ChalkInstance, book: Gradebook): string {
  const count = (s: string) => book.learners.filter((l) => l.status === s).length;
  return (
    `${book.learners.length} learner(s): ${c.green(`${count('graded')} graded`)}, ${count('not submitted')} not submitted, ` +
    `${count('rejected') ? c.red(`${count('rejected')} rejected`) : '0 rejected'}, ${count('error') ? c.red(`${count('error')} error`) : '0 error'}`
  );
}

/** Failures of the grading machinery: never charged to a learner, and the run's exit code says so. */
function machineryErrors(c: ChalkInstance, book: Gradebook): string[] {
  const errors = book.learners.flatMap((l) => l.exercises.filter((e) => e.status === 'error').map((e) => ({ l, e })));
  if (!errors.length) return [];
  const out = ['', c.red(c.bold(`${errors.length} run(s) could not be graded (a failure of the grading machinery, not of the learners' code):`))];
  for (const { l, e } of errors.slice(0, 10))
    out.push(`  ${terminalLine(l.learner)} ${e.exercise}: ${terminalLine((e.message ?? '').split('\n')[0]!.slice(0, 200))}`);
  if (errors.length > 10) out.push(`  … and ${errors.length - 10} more (see report.html)`);
  out.push('  Fix the cause and run the same command again: these runs are not in the checkpoint, so only they are graded again.');
  return out;
}

/** How the run went: isolation layers, runs graded or resumed, suites changed, --only, the deadline, the roster. */
function runLines(c: ChalkInstance, book: Gradebook): string[] {
  const m = book.meta;
  const on = m.isolation.filter((l) => l.on).map((l) => l.name);
  const off = m.isolation.filter((l) => !l.on).map((l) => `${l.name} (${l.why ?? 'off'})`);
  const out = [`${c.bold('Isolation layers on')}: ${on.length ? on.join('; ') : 'none beyond the sandbox child process'}`];
  if (off.length) out.push(`${c.bold('Off')}: ${off.join('; ')}`);
  const reasons = Object.entries(m.runs.reasons ?? {}).filter(([, n]) => n);
  out.push(
    `runs: ${m.runs.graded} graded by this run${reasons.length ? ` (${reasons.map(([r, n]) => `${n} ${r}`).join(', ')})` : ''}, ${m.runs.resumed} from the checkpoint`,
  );
  for (const ch of m.suiteChanges ?? []) out.push(c.yellow(`  the suite of ${ch.exercise} changed since the checkpoint: regraded for ${ch.runs} learner(s)`));
  if (m.only?.length) out.push(`  --only: ${m.only.join(', ')}`);
  if (m.deadline) {
    const late = book.learners.filter((l) => (l.submitted?.lateMs ?? 0) > 0);
    const deducted = late.filter((l) => (l.submitted?.penalty ?? 0) > 0);
    const unknown = book.learners.filter((l) => l.submitted && !l.submitted.at);
    out.push(
      `deadline ${m.deadline.at} (${m.deadline.policy}): ${late.length} late, ${deducted.length} with a deduction${unknown.length ? c.yellow(`, ${unknown.length} with no known submission time`) : ''}`,
    );
  }
  return [...out, ...rosterLines(c, book)];
}

function rosterLines(c: ChalkInstance, book: Gradebook): string[] {
  const roster = book.meta.roster;
  if (!roster) return [];
  const out = [`roster ${roster.file}: ${roster.missing.length} learner(s) without a submission, ${roster.unrostered.length} submission(s) not in the roster`];
  for (const r of roster.missing.slice(0, 30)) {
    const v = missingValue(book, r);
    out.push(
      `  ${c.yellow('no submission')}  ${terminalLine(r.submission)}${r.name ? ` (${terminalLine(r.name)})` : ''}${v === '' ? ' — deadline still ahead, left blank' : ''}`,
    );
  }
  for (const id of roster.unrostered.slice(0, 30)) out.push(`  ${c.yellow('not in the roster')}  ${terminalLine(id)}`);
  return out;
}

/** The learners an instructor should look at: rejected, a machinery error, a tampered run. */
function needsALook(c: ChalkInstance, book: Gradebook): string[] {
  const flagged = book.learners.filter((l) => l.status === 'rejected' || l.status === 'error' || l.exercises.some((e) => e.status === 'tampered'));
  if (!flagged.length) return [];
  const out = ['', c.bold('Needs a look')];
  for (const l of flagged.slice(0, 30)) {
    const tampered = l.exercises.filter((e) => e.status === 'tampered').map((e) => `${e.exercise}: tampered (${e.message ?? ''})`);
    out.push(
      terminalLine(`  ${l.learner}  ${l.status}${l.reason ? `: ${l.reason.split('\n')[0]}` : ''}${tampered.length ? `  ${tampered.join('; ')}` : ''}`).replace(
        /^ {2}/,
        '  ',
      ),
    );
  }
  if (flagged.length > 30) out.push(`  … and ${flagged.length - 30} more (see report.html)`);
  return out;
}

/** One row per learner (small classes only): each exercise's points, the total, late and final, status, run. */
function learnersTable(book: Gradebook): string {
  const m = book.meta;
  const dl = m.deadline !== undefined;
  const lrows = [['learner', ...m.exercises.map((e) => e.id), 'points', '%', 'tests', ...(dl ? ['late', 'final'] : []), 'status', 'run']];
  for (const l of book.learners) {
    lrows.push([
      terminalLine(l.learner),
      ...m.exercises.map((e) => {
        const o = l.exercises.find((x) => x.exercise === e.id);
        return !o || o.status === 'not submitted'
          ? '-'
          : o.status === 'not started'
            ? '○'
            : o.status === 'rejected'
              ? 'x'
              : o.status === 'error'
                ? '!'
                : num(o.points ?? o.score);
      }),
      `${num(l.points ?? l.score)}/${num(l.maxPoints ?? l.maxScore)}`,
      num(l.percent ?? 0),
      `${l.score}/${l.maxScore}`,
      ...(dl ? [lateness(l.submitted), num(l.finalPoints ?? l.points ?? l.score)] : []),
      l.status,
      runsOrigin(l.exercises),
    ]);
  }
  return table(lrows, ['l', ...m.exercises.map(() => 'r' as const), 'r', 'r', 'r', ...(dl ? (['r', 'r'] as const) : []), 'l', 'l']);
}

function lateness(submitted: Gradebook['learners'][number]['submitted']): string {
  if (!submitted) return '';
  if (submitted.penalty) return `-${num(submitted.penalty * 100)}%`;
  if (!submitted.at) return '?';
  return submitted.lateMs ? 'late' : 'on time';
}
