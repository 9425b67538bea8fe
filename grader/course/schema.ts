// The schema of course.yaml: the authored course (exercises in order) and the learner's progress in one file.
// zod validates it; `npm run schema` writes the JSON Schema that course.yaml references for editor completion.

import { z } from 'zod';

/** "10s", "1500ms", "2m" or a number of milliseconds. */
export const Duration = z
  .union([z.number().int().positive(), z.string().regex(/^\d+(\.\d+)?\s*(ms|s|m)$/, 'a duration like "10s", "500ms" or "2m"')])
  .describe('a duration: "10s", "500ms", "2m", or milliseconds');

export function toMs(value: z.infer<typeof Duration>): number {
  if (typeof value === 'number') return value;
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m)$/.exec(value)!;
  const n = Number(match[1]);
  return Math.round(match[2] === 'ms' ? n : match[2] === 's' ? n * 1000 : n * 60_000);
}

export const ProgressStatus = z.enum(['not-started', 'current', 'failed', 'done']);

export const Progress = z
  .object({
    status: ProgressStatus.default('not-started'),
    attempts: z.number().int().nonnegative().default(0),
    hintsShown: z.number().int().nonnegative().default(0),
    bestScore: z.number().nonnegative().optional().describe('the best score reached so far'),
    maxScore: z.number().nonnegative().optional(),
    startedAt: z.string().optional(),
    lastCheckedAt: z.string().optional(),
    passedAt: z.string().optional(),
  })
  .strict()
  .describe('written by the `course` command: your progress on this exercise');

const Id = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes');
const RelPath = z
  .string()
  .min(1)
  .refine((p) => !p.startsWith('/') && !p.split(/[\\/]/).includes('..'), 'a path inside the course (relative, no "..")');

export const Exercise = z
  .object({
    id: Id.describe('short name used on the command line: `course check hpack-table`'),
    title: z.string().min(1),
    summary: z.string().min(1).describe('two or three sentences shown by `course next`'),
    dir: RelPath.describe("the learner's folder: the lesson (README.md) and the stub files"),
    solution: RelPath.describe('the reference solution: same file names and exports as the stub'),
    files: z.array(z.string().regex(/^[\w.-]+\.ts$/, 'a .ts file name inside dir')).min(1).describe('the files the learner edits; the first is the module the suite loads'),
    given: z
      .array(z.string().regex(/^[\w.-]+\.ts$/, 'a .ts file name inside dir'))
      .default([])
      .describe('helper files the course provides in dir beside the graded ones (e.g. a Huffman decoder); built with them, never taken from a submission. Other files in dir are not built'),
    suite: RelPath.describe('the hidden jest suite'),
    contract: RelPath.optional().describe('a TypeScript file that uses the required API through `@exercise`, type-checked with the learner\'s code'),
    mutants: RelPath.optional().describe('a folder of known-wrong implementations (one sub-folder each) that the suite must catch'),
    packages: z.array(z.string()).default([]).describe('npm packages the code under test may load (e.g. ws)'),
    timeout: Duration.default('20s').describe('wall-clock limit for the whole suite'),
    testTimeout: Duration.default('5s').describe('limit for one test'),
    hints: z.array(z.string().min(1)).default([]),
    progress: Progress.optional(),
  })
  .strict();

export const Course = z
  .object({
    title: z.string().min(1),
    exercises: z.array(Exercise).min(1),
  })
  .strict()
  .superRefine((course, ctx) => {
    const seen = new Set<string>();
    course.exercises.forEach((ex, i) => {
      if (seen.has(ex.id)) ctx.addIssue({ code: 'custom', path: ['exercises', i, 'id'], message: `duplicate exercise id "${ex.id}"` });
      seen.add(ex.id);
    });
  });

export type CourseData = z.infer<typeof Course>;
export type ExerciseSpec = z.infer<typeof Exercise>;
export type ProgressData = z.infer<typeof Progress>;
