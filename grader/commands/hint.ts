import { loadCourse, progressOf, updateProgress } from '../course/course-file';
import { changed, revealHint } from '../course/progress';
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

/** Said under the last hint, by `course hint` and by `h` in watch. */
export const LAST_HINT = '(that was the last hint)';

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
    const before = progressOf(exercise);
    const shown = revealHint(before, exercise.hints);
    if (!shown) {
      ctx.print(`No hints for ${exercise.id}. Re-read the lesson: ${exercise.dir}/README.md`);
      return EXIT.ok;
    }
    ctx.print(ctx.c.bold(`Hint ${shown.index + 1} of ${exercise.hints.length} for ${exercise.id}:`));
    ctx.print(wrap(shown.text, Math.min(process.stdout.columns || 100, 100)));
    if (shown.last) ctx.print(ctx.c.gray(LAST_HINT));
    if (shown.progress !== before) await updateProgress(course, (p) => changed(p, revealHint(p, exercise.hints)!.progress), [exercise.id]);
    return EXIT.ok;
  },
};
