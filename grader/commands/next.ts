import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { loadCourse, progressOf, updateProgress, type LoadedCourse } from '../course/course-file';
import { changed, isDone, moveTo, nextNotDone, reopen } from '../course/progress';
import { UsageError } from '../course/errors';
import type { ExerciseSpec } from '../course/schema';
import { currentExercise, numberOf } from '../course/select';
import { stateDir } from '../paths';
import { checkExercise, recordAttempt } from './check';
import { EXIT, type Command, type Context } from './command';
import { lessonText, page } from './lesson';

/** Keeps a copy of the untouched stub so `course reset` can restore it later. */
export function snapshotStub(root: string, exercise: ExerciseSpec): void {
  const dir = path.join(stateDir(root), 'stubs', exercise.id);
  if (existsSync(dir)) return;
  mkdirSync(dir, { recursive: true });
  for (const file of exercise.files) {
    const from = path.join(root, exercise.dir, file);
    if (existsSync(from)) copyFileSync(from, path.join(dir, file));
  }
}

function lessonTitle(root: string, exercise: ExerciseSpec): string {
  try {
    const first = readFileSync(path.join(root, exercise.dir, 'README.md'), 'utf8')
      .split('\n')
      .find((l) => l.startsWith('# '));
    // "Exercise 1 — HPACK: ..." -> "HPACK: ...": the number is printed by the caller.
    return first
      ? first
          .slice(2)
          .trim()
          .replace(/^(Exercise\s+)?\d+\s*[—·:.-]\s*/, '')
      : exercise.title;
  } catch {
    return exercise.title;
  }
}

export function printExercise(ctx: Context, course: LoadedCourse, exercise: ExerciseSpec): void {
  const n = numberOf(course, exercise);
  const { c } = ctx;
  ctx.print(c.bold(`Exercise ${n} of ${course.data.exercises.length}: ${lessonTitle(ctx.root, exercise)}`));
  ctx.print();
  ctx.print(exercise.summary.trim());
  ctx.print();
  ctx.print(`  Read the lesson:  ${c.bold(`npx course lesson`)}${c.gray(`   (or ${path.join(exercise.dir, 'README.md')})`)}`);
  for (const file of exercise.files) ctx.print(`  Edit:             ${c.cyan(path.join(exercise.dir, file))}`);
  ctx.print(`  Check your work:  ${c.bold(`npx course check`)}${c.gray(`   (stuck? npx course hint)`)}`);
  ctx.print(`  Debug:            ${c.gray('console.log in your code is shown under the test it ran in (npx course check --all: every test)')}`);
}

async function completeCourse(ctx: Context, course: LoadedCourse): Promise<number> {
  // Like rustlings: "complete" must be true now, not only once upon a time.
  ctx.print(`Every exercise is marked done. Re-checking all ${course.data.exercises.length} before calling the course complete…`);
  for (const exercise of course.data.exercises) {
    const result = await checkExercise(ctx, exercise, {});
    await recordAttempt(ctx, result, { asked: true });
    const ok = result.status === 'passed';
    // No score when it did not run at all (a syntax error, a timeout): say what happened instead.
    const outcome =
      result.maxScore > 0
        ? `${result.score}/${result.maxScore}`
        : `${result.status}${result.message ? `: ${result.message.split('\n')[0]!.slice(0, 100)}` : ''}`;
    ctx.print(`  ${ok ? ctx.c.green('✓') : ctx.c.red('✗')} ${exercise.id}  ${outcome}`);
    if (!ok) {
      await updateProgress(loadCourse(ctx.root), (p) => changed(p, reopen(p)), [exercise.id]);
      ctx.print();
      ctx.print(`${exercise.id} no longer passes; it is your current exercise again. Run ${ctx.c.bold(`npx course check ${exercise.id}`)} to see why.`);
      return EXIT.failed;
    }
  }
  ctx.print();
  ctx.print(ctx.c.green.bold('Course complete — every exercise passes. Congratulations!'));
  return EXIT.ok;
}

export const next: Command = {
  name: 'next',
  summary: 'show the next exercise (lesson + file to edit) and make it current',
  usage: 'course next [--force] [--brief]',
  help: `Shows your current exercise, or moves on to the next one once the current one has passed:
the lesson's title and summary, where to read the lesson, which file to edit, and how to check.
When every exercise is done, re-checks them all and tells you the course is complete.

In a terminal, moving on also shows the new exercise's lesson (as \`course lesson\` does) first.

Options:
  --force   move on even though the current exercise has not passed yet
  --brief   do not show the lesson, only the summary`,
  options: { force: { type: 'boolean' }, brief: { type: 'boolean' } },
  async run(ctx, positionals, values) {
    if (positionals.length) throw new UsageError('next takes no arguments (to work on a specific exercise: course check <id>)');
    const course = loadCourse(ctx.root);
    const list = course.data.exercises;
    const current = list.find((e) => progressOf(e).status === 'current');
    if (current && !values.force) {
      printExercise(ctx, course, current);
      ctx.print();
      ctx.print(ctx.c.yellow(`This is still your current exercise: it has not passed yet. (${ctx.c.bold('npx course next --force')} skips it.)`));
      return EXIT.ok;
    }
    // Move on from the current exercise: the one marked current, or the one that passed last (it stays current
    // until now); with no progress yet, start from the beginning.
    const pointer = current ?? currentExercise(course);
    const from = current || isDone(progressOf(pointer)) ? list.indexOf(pointer) + 1 : 0;
    const target = nextNotDone(list, from);
    if (!target) return completeCourse(ctx, course);
    snapshotStub(ctx.root, target);
    const move = moveTo(target.id, new Date().toISOString());
    const saved = await updateProgress(course, (p, e) => changed(p, move(p, e.id)));
    const shown = saved.data.exercises.find((e) => e.id === target.id)!;
    if (ctx.interactive && !values.brief) {
      await page(ctx, await lessonText(ctx, shown));
      ctx.print();
    }
    printExercise(ctx, saved, shown);
    return EXIT.ok;
  },
};
