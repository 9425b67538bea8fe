// The summary a batch prints at the end: one row per exercise (how many passed, failed, timed out, ... and the
// mean score), the learners' statuses, and the learners who need a look (rejected, error, tampered).

import type { ChalkInstance } from 'chalk' with { 'resolution-mode': 'import' };
import type { Gradebook } from '../batch/model';

function table(rows: string[][], align: Array<'l' | 'r'>): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => [...(r[i] ?? '')].length)));
  return rows
    .map((r) => r.map((cell, i) => (align[i] === 'r' ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ').trimEnd())
    .join('\n');
}

export function renderBatchSummary(c: ChalkInstance, book: Gradebook): string {
  const out: string[] = [];
  const statuses = ['passed', 'failed', 'timeout', 'error', 'tampered', 'not submitted', 'rejected'] as const;
  const rows: string[][] = [['exercise', 'max', ...statuses, 'mean']];
  for (const e of book.meta.exercises) {
    const outcomes = book.learners.map((l) => l.exercises.find((x) => x.exercise === e.id)).filter((x) => x !== undefined);
    const counted = outcomes.filter((o) => o.status !== 'not submitted' && o.status !== 'rejected');
    const mean = counted.length ? counted.reduce((s, o) => s + o.score, 0) / counted.length : 0;
    rows.push([e.id, String(e.maxScore), ...statuses.map((s) => String(outcomes.filter((o) => o.status === s).length)), mean.toFixed(1)]);
  }
  out.push(c.bold('Per exercise'));
  out.push(table(rows, ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r']));
  const count = (s: string) => book.learners.filter((l) => l.status === s).length;
  out.push('');
  out.push(
    `${book.learners.length} learner(s): ${c.green(`${count('graded')} graded`)}, ${count('not submitted')} not submitted, ` +
      `${count('rejected') ? c.red(`${count('rejected')} rejected`) : '0 rejected'}, ${count('error') ? c.red(`${count('error')} error`) : '0 error'}`,
  );
  const flagged = book.learners.filter((l) => l.status === 'rejected' || l.status === 'error' || l.exercises.some((e) => e.status === 'tampered'));
  if (flagged.length) {
    out.push('');
    out.push(c.bold('Needs a look'));
    for (const l of flagged.slice(0, 30)) {
      const tampered = l.exercises.filter((e) => e.status === 'tampered').map((e) => `${e.exercise}: tampered (${e.message ?? ''})`);
      out.push(`  ${c.yellow(l.learner)}  ${l.status}${l.reason ? `: ${l.reason.split('\n')[0]}` : ''}${tampered.length ? `  ${tampered.join('; ')}` : ''}`);
    }
    if (flagged.length > 30) out.push(`  … and ${flagged.length - 30} more (see report.html)`);
  }
  if (book.learners.length <= 40) {
    out.push('');
    out.push(c.bold('Learners'));
    const lrows = [['learner', ...book.meta.exercises.map((e) => e.id), 'total', 'status']];
    for (const l of book.learners) {
      lrows.push([
        l.learner,
        ...book.meta.exercises.map((e) => {
          const o = l.exercises.find((x) => x.exercise === e.id);
          return !o || o.status === 'not submitted' ? '-' : o.status === 'rejected' ? 'x' : String(o.score);
        }),
        `${l.score}/${l.maxScore}`,
        l.status,
      ]);
    }
    out.push(table(lrows, ['l', ...book.meta.exercises.map(() => 'r' as const), 'r', 'l']));
  }
  return out.join('\n');
}
