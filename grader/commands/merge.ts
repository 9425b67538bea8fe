import { existsSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../course/errors';
import { MergeError, mergeGradebooks } from '../batch/merge';
import { renderBatchSummary } from '../report/batch-summary';
import { writeOutputs } from '../report/gradebook';
import { EXIT, type Command } from './command';
import { parseLmsFlags } from './grade';

export const merge: Command = {
  name: 'merge',
  summary: 'join the outputs of `course grade --shard i/n` runs into one gradebook',
  usage: 'course merge <dir...> --out <dir> [--lms canvas|moodle] [--gradescope] [--exercism] [--json]',
  help: `For instructors grading on several machines. Each <dir> is the --out folder of one
\`course grade --shard i/n\`. They must come from the same course (same suites) and the same submissions
folder, and together hold exactly one result per submission: a missing or duplicated submission is an error
(exit 2) and nothing is written.

Writes into --out the same files as \`course grade\`: grades.csv, results/, junit.xml, report.html,
gradebook.json, feedback/, similarity.json over all shards' submissions (when every shard recorded
submitted-code.json), scores-visible-hidden.csv (and the Gradescope / Exercism files with the flags). The
roster, deadline and late policy of the shards carry over; --lms, --lms-assignment and --moodle-id write the
LMS import files as \`course grade\` does (the shards must have been graded with --roster).`,
  options: {
    out: { type: 'string' },
    gradescope: { type: 'boolean' },
    exercism: { type: 'boolean' },
    json: { type: 'boolean' },
    lms: { type: 'string' },
    'lms-assignment': { type: 'string' },
    'moodle-id': { type: 'string' },
  },
  async run(ctx, positionals, values) {
    if (!positionals.length) throw new UsageError('merge takes the output folders of the shards');
    if (typeof values.out !== 'string') throw new UsageError('--out <dir> is required');
    for (const d of positionals) if (!existsSync(d)) throw new UsageError(`not found: ${d}`);
    const outDir = path.resolve(values.out);
    if (positionals.some((d) => path.resolve(d) === outDir)) throw new UsageError('--out must be a new folder, not one of the inputs');
    let book;
    try {
      book = mergeGradebooks(positionals);
    } catch (err) {
      if (err instanceof MergeError) throw new UsageError(err.message);
      throw err;
    }
    const { lms, lmsOptions } = parseLmsFlags(values);
    if (lms.length && !book.meta.roster) throw new UsageError('--lms needs the shards to have been graded with --roster');
    writeOutputs(book, outDir, { gradescope: Boolean(values.gradescope), exercism: Boolean(values.exercism), lms, lmsOptions });
    if (values.json) ctx.print(JSON.stringify({ meta: book.meta, learners: book.learners }, null, 2));
    else {
      ctx.print(renderBatchSummary(ctx.c, book));
      ctx.print();
      ctx.print(`Merged ${positionals.length} output(s), ${book.learners.length} submission(s), into ${outDir}`);
    }
    return EXIT.ok;
  },
};
