import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadCourse, progressOf, updateProgress } from '../course/course-file';
import { changed, isDone, resetStub } from '../course/progress';
import { UsageError } from '../course/errors';
import { currentExercise, pickExercise } from '../course/select';
import type { ExerciseSpec } from '../course/schema';
import { stateDir } from '../paths';
import { EXIT, type Command, type Context } from './command';

/** The untouched stub of a file: the snapshot taken by `course next`, else the version git has. */
function pristine(root: string, exercise: ExerciseSpec, file: string): string {
  const snapshot = path.join(stateDir(root), 'stubs', exercise.id, file);
  if (existsSync(snapshot)) return readFileSync(snapshot, 'utf8');
  try {
    return execFileSync('git', ['show', `HEAD:${path.posix.join(exercise.dir, file)}`], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    throw new UsageError(`cannot find the original stub of ${path.join(exercise.dir, file)} (no snapshot in .course/stubs and not in git)`);
  }
}

async function confirm(ctx: Context, question: string): Promise<boolean> {
  const { default: inquirer } = await import('inquirer');
  const { ok } = await inquirer.prompt<{ ok: boolean }>([{ type: 'confirm', name: 'ok', message: question, default: false }]);
  return ok;
}

export const reset: Command = {
  name: 'reset',
  summary: 'restore the starter stub of an exercise (your file is backed up)',
  usage: 'course reset [id] [--yes]',
  help: `Puts the original starter file(s) of an exercise back (the current exercise unless you name one).
Your version is first copied to .course/backups/, and the path is printed, so nothing is lost.
In a terminal it asks first; elsewhere pass --yes. Your attempts, hints and best score in course.yaml are
kept, but an exercise that was done is no longer done: the stub has not passed.

Options:
  --yes   do not ask`,
  options: { yes: { type: 'boolean', short: 'y' } },
  async run(ctx, positionals, values) {
    if (positionals.length > 1) throw new UsageError('reset takes at most one exercise id');
    const course = loadCourse(ctx.root);
    const exercise = pickExercise(course, positionals[0], ctx.cwd);
    const files = exercise.files.map((f) => ({ file: f, target: path.join(ctx.root, exercise.dir, f), original: pristine(ctx.root, exercise, f) }));
    if (!values.yes) {
      if (!ctx.interactive) throw new UsageError(`reset replaces your ${exercise.files.join(', ')}: pass --yes to confirm (no terminal to ask in)`);
      if (!(await confirm(ctx, `Replace ${files.map((f) => path.join(exercise.dir, f.file)).join(', ')} with the starter stub? (a backup is kept)`))) {
        ctx.print('Nothing changed.');
        return EXIT.ok;
      }
    }
    const backupDir = path.join(stateDir(ctx.root), 'backups', `${exercise.id}-${new Date().toISOString().replace(/[:.]/g, '-')}`);
    mkdirSync(backupDir, { recursive: true });
    for (const f of files) {
      if (existsSync(f.target)) copyFileSync(f.target, path.join(backupDir, f.file));
      writeFileSync(f.target, f.original);
    }
    // The restored stub has not passed: the exercise is not done any more. If it was the current one (marked, or
    // the one passed last), it stays current.
    const wasCurrent = currentExercise(course).id === exercise.id;
    if (isDone(progressOf(exercise))) await updateProgress(course, (p) => changed(p, resetStub(p, { wasCurrent })), [exercise.id]);
    ctx.print(`Restored the starter stub of ${exercise.id}.`);
    ctx.print(`Your previous version is in ${ctx.c.cyan(path.relative(ctx.root, backupDir) || backupDir)}`);
    return EXIT.ok;
  },
};
