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
  const out: string[] = [];
  const statuses = ['passed', 'failed', 'compile-error', 'load-error', 'timeout', 'tampered', 'error', 'not submitted', 'not started', 'rejected'] as const;
  const rows: string[][] = [['exercise', 'points', 'tests', ...statuses, 'mean pts']];
  for (const e of book.meta.exercises) {
    const outcomes = book.learners.map((l) => l.exercises.find((x) => x.exercise === e.id)).filter((x) => x !== undefined);
    // (A machinery error is not a score: it is left out of the mean.)
    const counted = outcomes.filter((o) => o.status !== 'not submitted' && o.status !== 'not started' && o.status !== 'rejected' && o.status !== 'error');
    const mean = counted.length ? counted.reduce((s, o) => s + (o.points ?? o.score), 0) / counted.length : 0;
    rows.push([
      e.id,
      num(e.maxPoints ?? e.maxScore),
      String(e.maxScore),
      ...statuses.map((s) => String(outcomes.filter((o) => o.status === s).length)),
      mean.toFixed(1),
    ]);
  }
  out.push(c.bold('Per exercise'));
  out.push(table(rows, ['l', 'r', 'r', ...statuses.map(() => 'r' as const), 'r']));
  const count = (s: string) => book.learners.filter((l) => l.status === s).length;
  out.push('');
  out.push(
    `${book.learners.length} learner(s): ${c.green(`${count('graded')} graded`)}, ${count('not submitted')} not submitted, ` +
      `${count('rejected') ? c.red(`${count('rejected')} rejected`) : '0 rejected'}, ${count('error') ? c.red(`${count('error')} error`) : '0 error'}`,
  );
  // Failures of the grading machinery: never charged to a learner, and the run's exit code says so.
  const anomalies = book.learners.flatMap((l) => l.exercises.filter((e) => e.status === 'error').map((e) => ({ l, e })));
  if (anomalies.length) {
    out.push('');
    out.push(c.red(c.bold(`${anomalies.length} run(s) could not be graded (a failure of the grading machinery, not of the learners' code):`)));
    for (const { l, e } of anomalies.slice(0, 10))
      out.push(`  ${terminalLine(l.learner)} ${e.exercise}: ${terminalLine((e.message ?? '').split('\n')[0]!.slice(0, 200))}`);
    if (anomalies.length > 10) out.push(`  … and ${anomalies.length - 10} more (see report.html)`);
    out.push('  Fix the cause and run the same command again: these runs are not in the checkpoint, so only they are graded again.');
  }
  const on = book.meta.isolation.filter((l) => l.on).map((l) => l.name);
  const off = book.meta.isolation.filter((l) => !l.on).map((l) => `${l.name} (${l.why ?? 'off'})`);
  out.push('');
  out.push(`${c.bold('Isolation layers on')}: ${on.length ? on.join('; ') : 'none beyond the sandbox child process'}`);
  if (off.length) out.push(`${c.bold('Off')}: ${off.join('; ')}`);
  const m = book.meta;
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
  if (m.roster) {
    out.push(
      `roster ${m.roster.file}: ${m.roster.missing.length} learner(s) without a submission, ${m.roster.unrostered.length} submission(s) not in the roster`,
    );
    for (const r of m.roster.missing.slice(0, 30)) {
      const v = missingValue(book, r);
      out.push(
        `  ${c.yellow('no submission')}  ${terminalLine(r.submission)}${r.name ? ` (${terminalLine(r.name)})` : ''}${v === '' ? ' — deadline still ahead, left blank' : ''}`,
      );
    }
    for (const id of m.roster.unrostered.slice(0, 30)) out.push(`  ${c.yellow('not in the roster')}  ${terminalLine(id)}`);
  }
  const flagged = book.learners.filter((l) => l.status === 'rejected' || l.status === 'error' || l.exercises.some((e) => e.status === 'tampered'));
  if (flagged.length) {
    out.push('');
    out.push(c.bold('Needs a look'));
    for (const l of flagged.slice(0, 30)) {
      const tampered = l.exercises.filter((e) => e.status === 'tampered').map((e) => `${e.exercise}: tampered (${e.message ?? ''})`);
      out.push(
        terminalLine(
          `  ${l.learner}  ${l.status}${l.reason ? `: ${l.reason.split('\n')[0]}` : ''}${tampered.length ? `  ${tampered.join('; ')}` : ''}`,
        ).replace(/^ {2}/, '  '),
      );
    }
    if (flagged.length > 30) out.push(`  … and ${flagged.length - 30} more (see report.html)`);
  }
  if (book.learners.length <= 40) {
    out.push('');
    out.push(c.bold('Learners'));
    const dl = m.deadline !== undefined;
    const lrows = [['learner', ...book.meta.exercises.map((e) => e.id), 'points', '%', 'tests', ...(dl ? ['late', 'final'] : []), 'status', 'run']];
    for (const l of book.learners) {
      lrows.push([
        terminalLine(l.learner),
        ...book.meta.exercises.map((e) => {
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
        ...(dl
          ? [
              l.submitted
                ? l.submitted.penalty
                  ? `-${num(l.submitted.penalty * 100)}%`
                  : l.submitted.at
                    ? l.submitted.lateMs
                      ? 'late'
                      : 'on time'
                    : '?'
                : '',
              num(l.finalPoints ?? l.points ?? l.score),
            ]
          : []),
        l.status,
        runsOrigin(l.exercises),
      ]);
    }
    out.push(table(lrows, ['l', ...book.meta.exercises.map(() => 'r' as const), 'r', 'r', 'r', ...(dl ? (['r', 'r'] as const) : []), 'l', 'l']));
  }
  return out.join('\n');
}
