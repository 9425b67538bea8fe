// `course release --out DIR`: the learners' copy of the course (grader/release/learner-copy.ts).

import { UsageError } from '../course/errors';
import { releaseCourse, ReleaseError } from '../release/learner-copy';
import { gradescopePackage } from '../release/gradescope';
import { EXIT, type Command } from './command';

export const release: Command = {
  name: 'release',
  summary: "write the learners' copy of the course: no solutions, mutants or project tests",
  usage: 'course release --out <dir> [--classroom] [--include-uncommitted] [--json] | course release --gradescope --out <dir> [--assignment ID]',
  help: `For course authors. Writes the copy of the course that learners clone: the course command, the hidden
suites with their mocks and vectors, the lessons and starter files, and course.yaml with all progress cleared.
Left out: instructor-only suites (harness/suites/<id>.hidden.test.ts: \`course grade\` runs them, learners'
\`course check\` never has them), solutions/ (and every exercise's solution and mutants folder named in course.yaml), harness/mutants,
test/, bench/, scripts/, .ci/ and docs/AUTHORING.md. In a git checkout only the files git tracks are copied
(like git archive), so local leftovers never ship; untracked files are listed so a forgotten \`git add\` shows.
What ships is what is committed: if a file of the release differs from HEAD (edited, staged, deleted; say a
stub holding a half-written answer), the release is refused and the files are listed; commit or undo them, or
pass --include-uncommitted to ship the working tree as it is. (course.yaml's progress does not count: it is
cleared anyway. Outside git there is no commit to compare with: every file ships as it is on disk.) The
release is refused if any file in it is a copy of a reference solution. In the copy, \`npm test\` runs
\`course check\`.

The folder must be new or empty; it appears complete or not at all.

Options:
  --out DIR     where to write the copy (required)
  --classroom   also write .github/workflows/classroom.yml for GitHub Classroom: on every push it runs
                \`course check <id> --json\` for each exercise and reports the points to Classroom's autograding
                (classroom-resources/autograding-grading-reporter)
  --gradescope   instead of the learners' copy, write <dir>/autograder.zip for Gradescope (setup.sh installs
                Node and the runtime dependencies; run_autograder grades /autograder/submission with
                \`course grade\` and writes /autograder/results/results.json, instructor-only tests with
                "visibility": "after_published"). No solutions or mutants in it; the grader prebuilt.
  --assignment ID   with --gradescope: grade that assignment of course.yaml (its exercises and points)
  --include-uncommitted   ship the working tree's version of files that differ from the last commit
                (they are listed) instead of refusing
  --json        print a summary as JSON`,
  options: {
    out: { type: 'string' },
    json: { type: 'boolean' },
    classroom: { type: 'boolean' },
    'include-uncommitted': { type: 'boolean' },
    gradescope: { type: 'boolean' },
    assignment: { type: 'string' },
  },
  async run(ctx, positionals, values) {
    if (positionals.length) throw new UsageError('release takes no positional arguments (use --out <dir>)');
    if (typeof values.out !== 'string' || !values.out) throw new UsageError('--out <dir> is required');
    if (values.gradescope) {
      let pkg;
      try {
        pkg = gradescopePackage(ctx.root, values.out, typeof values.assignment === 'string' ? { assignment: values.assignment } : {});
      } catch (err) {
        if (err instanceof ReleaseError) throw new UsageError(err.message);
        throw err;
      }
      if (values.json) ctx.print(JSON.stringify(pkg, null, 2));
      else {
        ctx.print(
          `${ctx.c.green('✓')} wrote ${ctx.c.cyan(pkg.file)}: ${pkg.files} files, ${(pkg.bytes / 1024).toFixed(0)} KiB${pkg.assignment ? ` (assignment ${pkg.assignment})` : ''}`,
        );
        ctx.print(ctx.c.gray('Next: upload it as the autograder of a Gradescope programming assignment (Configure Autograder > Zip file upload).'));
      }
      return EXIT.ok;
    }
    if (values.assignment !== undefined) throw new UsageError('--assignment goes with --gradescope');
    let summary;
    try {
      summary = releaseCourse(ctx.root, values.out, { classroom: Boolean(values.classroom), includeUncommitted: Boolean(values['include-uncommitted']) });
    } catch (err) {
      if (err instanceof ReleaseError) throw new UsageError(err.message);
      throw err;
    }
    if (values.json) {
      ctx.print(JSON.stringify(summary, null, 2));
      return EXIT.ok;
    }
    ctx.print(
      `${ctx.c.green('✓')} wrote the learners' copy to ${ctx.c.cyan(summary.outDir)}: ${summary.files} files, ${(summary.bytes / 1024).toFixed(0)} KiB (${summary.source === 'git' ? 'the files git tracks' : 'every file'})`,
    );
    ctx.print(`  left out: ${summary.leftOut.join(', ')}`);
    if (summary.untracked.length) {
      const shown = summary.untracked.slice(0, 10).join(', ');
      ctx.print(
        ctx.c.yellow(`  not tracked by git, so not included: ${shown}${summary.untracked.length > 10 ? ` and ${summary.untracked.length - 10} more` : ''}`),
      );
    }
    if (summary.uncommitted.length) {
      const shown = summary.uncommitted.slice(0, 10).join(', ');
      ctx.print(
        ctx.c.yellow(
          `  not committed, shipped as they are in the working tree (--include-uncommitted): ${shown}${summary.uncommitted.length > 10 ? ` and ${summary.uncommitted.length - 10} more` : ''}`,
        ),
      );
    }
    ctx.print('  progress in course.yaml cleared; `npm test` there runs `course check`');
    if (values.classroom) ctx.print('  GitHub Classroom autograding: .github/workflows/classroom.yml (runs `course check --json` on every push)');
    ctx.print(ctx.c.gray(`Next: cd ${summary.outDir} && git init && git add -A && git commit -m "Course release", then publish it.`));
    return EXIT.ok;
  },
};
