import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { loadCourse, progressOf } from '../course/course-file';
import { isDone } from '../course/progress';
import { UsageError } from '../course/errors';
import { pickExercise } from '../course/select';
import { EXIT, type Command } from './command';

export const solution: Command = {
  name: 'solution',
  summary: 'show the reference solution (after the exercise has passed)',
  usage: 'course solution [id] [--force]',
  help: `Prints the reference solution of an exercise so you can compare it with yours. It is shown only
once your own code has passed the exercise, unless you pass --force.

Options:
  --force   show it even though the exercise has not passed yet`,
  options: { force: { type: 'boolean' } },
  async run(ctx, positionals, values) {
    if (positionals.length > 1) throw new UsageError('solution takes at most one exercise id');
    const course = loadCourse(ctx.root);
    const exercise = pickExercise(course, positionals[0], ctx.cwd);
    if (!isDone(progressOf(exercise)) && !values.force) {
      ctx.print(`The solution of ${exercise.id} is shown once your code passes (npx course check ${exercise.id}).`);
      ctx.print(ctx.c.gray(`To see it anyway: npx course solution ${exercise.id} --force`));
      return EXIT.failed;
    }
    if (!exercise.files.every((file) => existsSync(path.join(ctx.root, exercise.solution, file)))) {
      throw new UsageError(`the reference solutions are not part of this copy of the course (${exercise.solution} is missing); ask the course's authors`);
    }
    for (const file of exercise.files) {
      const p = path.join(exercise.solution, file);
      ctx.print(ctx.c.bold(`── ${p} ──`));
      ctx.print(readFileSync(path.join(ctx.root, p), 'utf8'));
    }
    return EXIT.ok;
  },
};
