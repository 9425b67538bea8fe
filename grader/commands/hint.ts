import { loadCourse, progressOf, updateProgress } from '../course/course-file';
import { UsageError } from '../course/errors';
import { pickExercise } from '../course/select';
import { EXIT, type Command } from './command';

/** Breaks a paragraph at spaces so no line is longer than `width` (a long word stays whole). */
export function wrap(text: string, width: number): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.join('\n');
}

export const hint: Command = {
  name: 'hint',
  summary: 'show the next hint for an exercise',
  usage: 'course hint [id]',
  help: `Shows one more hint each time you run it (for the current exercise unless you name one), starting
with a gentle nudge. The hints you have seen are counted in course.yaml.`,
  options: {},
  async run(ctx, positionals) {
    if (positionals.length > 1) throw new UsageError('hint takes at most one exercise id');
    const course = loadCourse(ctx.root);
    const exercise = pickExercise(course, positionals[0], ctx.cwd);
    if (!exercise.hints.length) {
      ctx.print(`No hints for ${exercise.id}. Re-read the lesson: ${exercise.dir}/README.md`);
      return EXIT.ok;
    }
    const shown = progressOf(exercise).hintsShown;
    const index = Math.min(shown, exercise.hints.length - 1);
    ctx.print(ctx.c.bold(`Hint ${index + 1} of ${exercise.hints.length} for ${exercise.id}:`));
    ctx.print(wrap(exercise.hints[index]!.trim(), Math.min(process.stdout.columns || 100, 100)));
    if (shown >= exercise.hints.length) ctx.print(ctx.c.gray('(that was the last hint)'));
    else await updateProgress(course, (p) => ({ ...p, hintsShown: Math.max(p.hintsShown, index + 1) }), [exercise.id]);
    return EXIT.ok;
  },
};
