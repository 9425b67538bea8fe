// `course update`: the one documented way to take a new version of the course. It pulls with git and keeps the
// learner's progress, whatever git does with course.yaml; a course.yaml left with conflict markers by a plain
// `git pull` is resolved the same way.

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { COURSE_FILE, loadCourse } from '../course/course-file';
import { backupCourseFile, hasConflictMarkers, progressById, resolveCourseConflict, restoreProgress, type Resolution } from '../course/conflict';
import { UsageError } from '../course/errors';
import { EXIT, type Command, type Context } from './command';
import { readFileSync } from 'node:fs';

function git(root: string, args: string[]): { ok: boolean; out: string } {
  const r = spawnSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return { ok: r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}`.trim() };
}

function unmerged(root: string): string[] {
  return git(root, ['diff', '--name-only', '--diff-filter=U']).out.split('\n').filter(Boolean);
}

function inProgress(root: string): 'merge' | 'rebase' | undefined {
  const exists = (name: string) => {
    const p = git(root, ['rev-parse', '--git-path', name]).out;
    return Boolean(p) && existsSync(path.resolve(root, p));
  };
  if (exists('rebase-merge') || exists('rebase-apply')) return 'rebase';
  if (exists('MERGE_HEAD')) return 'merge';
  return undefined;
}

/** After resolving course.yaml: conclude the merge or rebase when nothing else is left unmerged. */
function conclude(ctx: Context, resolution: Resolution): boolean {
  const { c } = ctx;
  ctx.print(
    `Resolved course.yaml: the course from the update, your progress kept (${resolution.kept.length ? resolution.kept.join(', ') : 'no progress yet'}).`,
  );
  if (resolution.dropped.length) ctx.print(c.yellow(`The update removed ${resolution.dropped.join(', ')}; that progress is only in the backup.`));
  ctx.print(c.gray(`The conflicted file is kept in ${path.relative(ctx.root, resolution.backup)}`));
  const left = unmerged(ctx.root);
  if (left.length) {
    ctx.print(
      c.yellow(
        `Other files still have conflicts: ${left.join(', ')}. Resolve them (they are your edits against the update), \`git add\` them, then \`git commit\`.`,
      ),
    );
    return false;
  }
  const state = inProgress(ctx.root);
  const r =
    state === 'merge'
      ? git(ctx.root, ['commit', '--no-edit', '--quiet'])
      : state === 'rebase'
        ? spawnSync('git', ['-c', 'core.editor=true', 'rebase', '--continue'], { cwd: ctx.root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
            .status === 0
          ? { ok: true, out: '' }
          : { ok: false, out: 'git rebase --continue failed' }
        : { ok: true, out: '' };
  if (!r.ok) {
    ctx.print(c.yellow(`course.yaml is resolved, but git could not finish the ${state}: ${r.out}`));
    return false;
  }
  if (state) ctx.print(`Finished the ${state} of the update.`);
  return true;
}

export const update: Command = {
  name: 'update',
  summary: 'take the new version of the course (git pull) keeping your progress',
  usage: 'course update [--resolve-only]',
  help: `Updates your copy of the course from where you cloned it (git pull), safely: your progress in
course.yaml is saved first and put back afterwards, so the update never loses it and never needs a
hand merge. If a plain \`git pull\` already left course.yaml with conflict markers, this resolves them:
the course definition from the update, your progress: maps kept (a backup of the conflicted file goes to
.course/backups/). Your own edits to exercise files are git's business: commit them first if git says so.

Options:
  --resolve-only   only resolve a conflicted course.yaml, do not pull`,
  options: { 'resolve-only': { type: 'boolean' } },
  async run(ctx, positionals, values) {
    if (positionals.length) throw new UsageError('update takes no arguments');
    const { root } = ctx;
    if (!git(root, ['rev-parse', '--is-inside-work-tree']).ok) {
      throw new UsageError(
        'this copy of the course is not a git clone, so it cannot update itself: clone the course again and copy your exercises/ folder into the new clone',
      );
    }
    const file = path.join(root, COURSE_FILE);
    if (hasConflictMarkers(readFileSync(file, 'utf8'))) {
      return conclude(ctx, await resolveCourseConflict(root)) ? EXIT.ok : EXIT.failed;
    }
    if (values['resolve-only']) {
      ctx.print('course.yaml has no conflict markers: nothing to resolve.');
      return EXIT.ok;
    }
    const state = inProgress(root);
    if (state) throw new UsageError(`a git ${state} is in progress: finish it (or \`git ${state} --abort\`) before updating`);

    // Save the progress, put course.yaml back as git has it (so the pull can change it), pull, restore.
    const saved = progressById(readFileSync(file, 'utf8'));
    const backup = backupCourseFile(root, 'before-update');
    const before = git(root, ['rev-parse', 'HEAD']).out;
    const changed = !git(root, ['diff', '--quiet', 'HEAD', '--', COURSE_FILE]).ok;
    if (changed) execFileSync('git', ['checkout', 'HEAD', '--', COURSE_FILE], { cwd: root, stdio: 'ignore' });
    ctx.print(ctx.c.gray('git pull --no-rebase'));
    const pull = git(root, ['-c', 'pull.rebase=false', 'pull', '--no-rebase', '--no-edit']);
    if (!pull.ok && unmerged(root).includes(COURSE_FILE)) {
      // The learner had committed progress and the update changed the same lines.
      return conclude(ctx, await resolveCourseConflict(root, saved)) ? EXIT.ok : EXIT.failed;
    }
    const { kept, dropped } = await restoreProgress(loadCourse(root), saved);
    if (!pull.ok) {
      ctx.print(pull.out);
      ctx.print();
      ctx.print(ctx.c.red("The update was not applied (see git's message above); your progress is as it was."));
      if (/would be overwritten|commit your changes|stash them/i.test(pull.out)) {
        ctx.print(
          `Your own edits are in the way: commit them (${ctx.c.bold('git add -A && git commit -m "my work"')}) and run ${ctx.c.bold('npx course update')} again.`,
        );
      }
      return EXIT.failed;
    }
    const after = git(root, ['rev-parse', 'HEAD']).out;
    ctx.print(before === after ? 'Already up to date.' : `Updated ${before.slice(0, 7)}..${after.slice(0, 7)}.`);
    ctx.print(`Your progress is kept (${kept.length ? kept.join(', ') : 'no progress yet'}).`);
    if (dropped.length) ctx.print(ctx.c.yellow(`The update removed ${dropped.join(', ')}; that progress is only in ${path.relative(root, backup)}.`));
    if (unmerged(root).length) ctx.print(ctx.c.yellow(`git left conflicts in: ${unmerged(root).join(', ')}`));
    return EXIT.ok;
  },
};
