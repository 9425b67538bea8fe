import { watch as watchFiles, readFileSync } from 'node:fs';
import path from 'node:path';
import { loadCourse } from '../course/course-file';
import { UsageError } from '../course/errors';
import { numberOf, pickExercise } from '../course/select';
import { renderResult } from '../report/terminal';
import { JestProcess } from '../run/jest-process';
import { checkExercise, recordAttempt } from './check';
import type { Command } from './command';

export const watch: Command = {
  name: 'watch',
  summary: 're-check your code every time you save it',
  usage: 'course watch [id]',
  help: `Checks the exercise (the current one unless you name it) now and again after every save of its
files, like \`course check\` but without you having to run it. A trusted jest process is kept warm
between runs, so re-checks are quick. Progress is recorded as with check. Stop with Ctrl-C.`,
  options: {},
  async run(ctx, positionals) {
    if (positionals.length > 1) throw new UsageError('watch takes at most one exercise id');
    const exercise = pickExercise(loadCourse(ctx.root), positionals[0], ctx.cwd);
    const dir = path.join(ctx.root, exercise.dir);
    const snapshot = () => exercise.files.map((f) => {
      try {
        return readFileSync(path.join(dir, f), 'utf8');
      } catch {
        return '';
      }
    }).join('\0');
    let jest = new JestProcess();
    let last: string | undefined;
    let running = false;
    let again = false;

    const runOnce = async () => {
      if (running) {
        again = true;
        return;
      }
      running = true;
      try {
        do {
          again = false;
          const now = snapshot();
          if (now === last) continue; // saved without changes
          last = now;
          if (ctx.tty) process.stdout.write('\x1b[2J\x1b[H');
          const result = await checkExercise(ctx, exercise, { jest });
          await recordAttempt(ctx, result);
          ctx.print(renderResult(ctx.c, result, exercise, numberOf(loadCourse(ctx.root), exercise)));
          ctx.print();
          ctx.print(
            result.status === 'passed'
              ? ctx.c.green(`Passed! Press Ctrl-C and run ${ctx.c.bold('npx course next')}.`)
              : ctx.c.gray(`Watching ${path.join(exercise.dir, exercise.files.join(', '))} — save to check again, Ctrl-C to stop.`),
          );
          if (!jest.usable) jest = new JestProcess();
        } while (again);
      } finally {
        running = false;
      }
    };

    let timer: NodeJS.Timeout | undefined;
    const watcher = watchFiles(dir, (_event, name) => {
      if (name && !exercise.files.includes(String(name))) return;
      clearTimeout(timer);
      // Editors save in several steps (truncate, write, rename): wait for the burst to end.
      timer = setTimeout(() => void runOnce(), 150);
    });
    await runOnce();
    await new Promise<void>((resolve) => {
      process.once('SIGINT', () => {
        watcher.close();
        jest.close();
        resolve();
      });
    });
    return 0;
  },
};
