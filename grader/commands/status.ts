import { loadCourse, progressOf } from '../course/course-file';
import { UsageError } from '../course/errors';
import { currentExercise } from '../course/select';
import { hasBeenChecked } from '../course/progress';
import type { ProgressData } from '../course/schema';
import { isUntouchedStub } from '../course/untouched';
import { EXIT, type Command } from './command';

/** How status shows an exercise whose files are still the starter stub: not started, no score. */
function notStarted(p: ProgressData): ProgressData {
  const { bestScore: _best, maxScore: _max, ...rest } = p;
  return { ...rest, status: 'not-started' };
}

export const status: Command = {
  name: 'status',
  summary: 'show your progress: exercise, status, score, attempts',
  usage: 'course status [--json]',
  help: `Prints a table of every exercise with its status (not started, current, failed, done), your best
score, the number of checks you ran (course check, r in watch; watch's runs on a save are not counted)
and the hints you have seen.

The current exercise (what a plain \`course check\` grades) is marked with ▶. An exercise whose files are
still the starter stub, byte for byte, is "not started" (with no score) even after checks of it.

Options:
  --json   print the same as JSON (shape: docs/schemas/status.schema.json)`,
  options: { json: { type: 'boolean' } },
  async run(ctx, positionals, values) {
    if (positionals.length) throw new UsageError('status takes no arguments');
    const course = loadCourse(ctx.root);
    const rows = course.data.exercises.map((e, i) => {
      const recorded = progressOf(e);
      // Checks of the untouched stub are no start: "not started", not "failed 0/N" (untouched.ts).
      const p = recorded.status !== 'done' && hasBeenChecked(recorded) && isUntouchedStub(ctx.root, e) ? notStarted(recorded) : recorded;
      return { n: i + 1, id: e.id, title: e.title, ...p, score: p.maxScore ? `${p.bestScore ?? 0}/${p.maxScore}` : '-' };
    });
    if (values.json) {
      // Shape: docs/schemas/status.schema.json.
      ctx.print(JSON.stringify({ title: course.data.title, current: currentExercise(course).id, exercises: rows }, null, 2));
      return EXIT.ok;
    }
    const { c } = ctx;
    const colour = (s: string) => (s === 'done' ? c.green : s === 'current' ? c.cyan : s === 'failed' ? c.red : c.gray)(s);
    const header = [' #', 'exercise', 'status', 'score', 'attempts', 'hints'];
    const current = currentExercise(course).id;
    const cells = rows.map((r) => [`${r.id === current ? '▶' : ' '}${r.n}`, r.id, r.status, r.score, String(r.attempts), `${r.hintsShown}`]);
    const widths = header.map((h, i) => Math.max(h.length, ...cells.map((row) => row[i]!.length)));
    const line = (row: string[], paint = false) =>
      row.map((cell, i) => (paint && i === 2 ? colour(cell) + ' '.repeat(widths[i]! - cell.length) : cell.padEnd(widths[i]!))).join('  ');
    ctx.print(c.bold(course.data.title));
    ctx.print();
    ctx.print(c.bold(line(header)));
    for (const row of cells) ctx.print(line(row, true));
    const done = rows.filter((r) => r.status === 'done').length;
    ctx.print();
    ctx.print(`${done} of ${rows.length} exercises done.`);
    return EXIT.ok;
  },
};
