import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadCourse } from '../course/course-file';
import { UsageError } from '../course/errors';
import type { ExerciseSpec } from '../course/schema';
import { pickExercise } from '../course/select';
import { renderMarkdown } from '../report/markdown';
import { EXIT, type Command, type Context } from './command';

/** The lesson of an exercise, rendered for this terminal (plain text at 80 columns when not a terminal). */
export async function lessonText(ctx: Context, exercise: ExerciseSpec, width?: number): Promise<string> {
  const file = path.join(ctx.root, exercise.dir, 'README.md');
  let markdown: string;
  try {
    markdown = readFileSync(file, 'utf8');
  } catch {
    throw new UsageError(`the lesson of ${exercise.id} is missing (${path.join(exercise.dir, 'README.md')})`);
  }
  const columns = width ?? (ctx.tty ? Math.min(Math.max(process.stdout.columns || 80, 40), 100) : 80);
  return renderMarkdown(markdown, { width: columns, colour: ctx.tty && ctx.c.level > 0 });
}

/**
 * Shows text through a pager ($PAGER, else `less`) when it is longer than the terminal; prints it otherwise,
 * or when no pager can be started.
 */
export async function page(ctx: Context, text: string): Promise<void> {
  const rows = process.stdout.rows || 24;
  if (!ctx.interactive || text.split('\n').length < rows - 1) {
    process.stdout.write(text);
    return;
  }
  const pager = process.env.PAGER?.trim() || 'less';
  const ok = await new Promise<boolean>((resolve) => {
    // -R keeps colours, -F leaves at once when the text fits after all, -X leaves the text on screen.
    const child = spawn(pager, [], { stdio: ['pipe', 'inherit', 'inherit'], shell: true, env: { LESS: 'FRX', ...process.env } });
    child.on('error', () => resolve(false));
    child.stdin.on('error', () => undefined);
    child.on('close', (code) => resolve(code !== 127));
    // Ctrl-C belongs to the pager while it runs (less quits on q).
    const ignore = () => undefined;
    process.on('SIGINT', ignore);
    child.on('close', () => process.off('SIGINT', ignore));
    child.stdin.end(text);
  });
  if (!ok) process.stdout.write(text);
}

export const lesson: Command = {
  name: 'lesson',
  summary: 'read the lesson of an exercise in the terminal',
  usage: 'course lesson [id] [--width N]',
  help: `Shows the lesson (the exercise's README.md) of the current exercise, or of the one you name (by id
or number), rendered for the terminal: headings, code, tables and the protocol diagrams. Longer than the
screen, it opens in your pager ($PAGER, else less: arrows or space to move, q to quit). When the output is
not a terminal, it prints plain text 80 columns wide.

Options:
  --width N   wrap at N columns (default: the terminal's width, at most 100)`,
  options: { width: { type: 'string' } },
  async run(ctx, positionals, values) {
    if (positionals.length > 1) throw new UsageError('lesson takes at most one exercise id');
    const exercise = pickExercise(loadCourse(ctx.root), positionals[0], ctx.cwd);
    let width: number | undefined;
    if (typeof values.width === 'string') {
      width = Number(values.width);
      if (!Number.isInteger(width) || width < 40 || width > 400) throw new UsageError('--width takes a whole number of columns from 40 to 400');
    }
    await page(ctx, await lessonText(ctx, exercise, width));
    return EXIT.ok;
  },
};
