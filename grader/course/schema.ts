// The schema of course.yaml: the authored course (exercises in order) and the learner's progress in one file.
// zod validates it; `npm run schema` writes the JSON Schema that course.yaml references for editor completion.

import { z } from 'zod';
import { LateError, parseLatePolicy } from '../batch/late';

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

/**
 * What an exercise is worth. A number: that many points, shared by its tests equally. An object: `total` points,
 * of which each named group (a describe block, matched by its title or by its path "Outer › Inner") gets its
 * share, split equally between that group's tests; the tests in no named group share what is left. Without
 * `points:`, an exercise is worth 10 points (DEFAULT_EXERCISE_POINTS, batch/points.ts): every exercise counts the
 * same whatever the size of its suite (one point per test made a 104-test suite weigh three times a 31-test one).
 */
export const Points = z
  .union([
    z.number().positive().describe('the points of the exercise, shared equally by its tests'),
    z
      .object({
        total: z.number().positive().optional().describe('the points of the exercise (default: the sum of the groups)'),
        groups: z
          .record(z.string().min(1), z.number().nonnegative())
          .describe('points per describe block (its title, or "Outer › Inner"); a group\'s tests share its points equally'),
      })
      .strict()
      .superRefine((p, ctx) => {
        const sum = Object.values(p.groups).reduce((s, n) => s + n, 0);
        if (p.total !== undefined && sum > p.total + 1e-9) {
          ctx.addIssue({ code: 'custom', path: ['groups'], message: `the groups add up to ${sum}, more than the total ${p.total}` });
        }
        if (p.total === undefined && sum <= 0)
          ctx.addIssue({ code: 'custom', path: ['groups'], message: 'the groups must add up to more than 0 (or give a total)' });
      }),
  ])
  .describe('what the exercise is worth in the gradebook; default: 10 points, shared equally by its tests');

export const Exercise = z
  .object({
    id: Id.describe('short name used on the command line: `course check hpack-table`'),
    title: z.string().min(1),
    summary: z.string().min(1).describe('two or three sentences shown by `course next`'),
    dir: RelPath.describe("the learner's folder: the lesson (README.md) and the stub files"),
    solution: RelPath.describe('the reference solution: same file names and exports as the stub'),
    files: z
      .array(z.string().regex(/^[\w.-]+\.ts$/, 'a .ts file name inside dir'))
      .min(1)
      .describe('the files the learner edits; the first is the module the suite loads'),
    given: z
      .array(z.string().regex(/^[\w.-]+\.(ts|js)$/, 'a .ts, .js or .d.ts file name inside dir'))
      .default([])
      .describe(
        "helper files the course provides in dir beside the graded ones (e.g. a Huffman decoder), never taken from a submission: a .ts is built with them, a .js (CommonJS) is used as it is, a .d.ts is only seen by the type checker (give one with each .js, for the learner's imports). Other files in dir are not built",
      ),
    suite: RelPath.describe('the hidden jest suite'),
    contract: RelPath.optional().describe("a TypeScript file that uses the required API through `@exercise`, type-checked with the learner's code"),
    mutants: RelPath.optional().describe('a folder of known-wrong implementations (one sub-folder each) that the suite must catch'),
    packages: z.array(z.string()).default([]).describe('npm packages the code under test may load (e.g. ws)'),
    timeout: Duration.default('20s').describe('wall-clock limit for the whole suite'),
    testTimeout: Duration.default('5s').describe('limit for one test'),
    hints: z.array(z.string().min(1)).default([]),
    points: Points.optional(),
    progress: Progress.optional(),
  })
  .strict()
  .superRefine((ex, ctx) => {
    // What each file becomes in the build folder: two files may not become the same module.
    const built = new Map<string, string>();
    for (const name of [...ex.files, ...ex.given]) {
      if (name.endsWith('.d.ts')) continue;
      const module = name.replace(/\.(ts|js)$/, '');
      const other = built.get(module);
      if (other) ctx.addIssue({ code: 'custom', path: ['given'], message: `${other} and ${name} would both be built as ${module}.js` });
      built.set(module, name);
    }
    // Under strict type-checking an import of a .js without declarations is an error (TS7016) in the learner's file.
    for (const name of ex.given.filter((f) => f.endsWith('.js'))) {
      const declarations = name.replace(/\.js$/, '.d.ts');
      if (!ex.given.includes(declarations))
        ctx.addIssue({ code: 'custom', path: ['given'], message: `${name} needs its declarations: add ${declarations} to given` });
    }
  });

/** An ISO 8601 time with its time zone, as --deadline takes it. */
const IsoTime = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i, 'an ISO 8601 time with a time zone, e.g. 2026-03-01T23:59:00-05:00')
  .refine((t) => !Number.isNaN(new Date(t).getTime()), 'not a valid time');

/**
 * A graded unit of the term (issue 22.7): some exercises, what they are worth together, when they are due and what
 * lateness costs. `course grade --assignment <id>` grades only these exercises, with this due date and policy, and
 * writes one LMS column worth `points`.
 */
export const Assignment = z
  .object({
    id: Id.describe('what `course grade --assignment` takes, e.g. lab3'),
    title: z.string().min(1).optional().describe('the name in the LMS column and the report (default: the id)'),
    exercises: z.array(Id).min(1).describe('the exercise ids of this assignment'),
    points: z
      .union([
        z.number().positive().describe('the points of the assignment, shared equally by its exercises'),
        z.record(Id, z.number().positive()).describe('points per exercise id'),
      ])
      .optional()
      .describe("what the assignment is worth (default: the sum of its exercises' points, 10 each unless set)"),
    due: IsoTime.optional().describe('the due date (--deadline overrides it)'),
    late: z.string().min(1).optional().describe('the late policy, as --late takes it: none (default), zero, 10%/day, 10%/day,max=3d, ...,grace=15m'),
  })
  .strict();

export const Course = z
  .object({
    title: z.string().min(1),
    exercises: z.array(Exercise).min(1),
    assignments: z.array(Assignment).optional().describe('the graded units of the term: `course grade --assignment <id>`'),
  })
  .strict()
  .superRefine((course, ctx) => {
    const seen = new Set<string>();
    course.exercises.forEach((ex, i) => {
      if (seen.has(ex.id)) ctx.addIssue({ code: 'custom', path: ['exercises', i, 'id'], message: `duplicate exercise id "${ex.id}"` });
      seen.add(ex.id);
    });
    const ids = course.exercises.map((e) => e.id);
    const assignmentIds = new Set<string>();
    (course.assignments ?? []).forEach((a, i) => {
      if (assignmentIds.has(a.id)) ctx.addIssue({ code: 'custom', path: ['assignments', i, 'id'], message: `duplicate assignment id "${a.id}"` });
      assignmentIds.add(a.id);
      a.exercises.forEach((id, j) => {
        if (!ids.includes(id))
          ctx.addIssue({ code: 'custom', path: ['assignments', i, 'exercises', j], message: `no exercise "${id}" (the exercises: ${ids.join(', ')})` });
        else if (a.exercises.indexOf(id) !== j) ctx.addIssue({ code: 'custom', path: ['assignments', i, 'exercises', j], message: `"${id}" is listed twice` });
      });
      if (a.late !== undefined) {
        try {
          parseLatePolicy(a.late);
        } catch (err) {
          if (!(err instanceof LateError)) throw err;
          ctx.addIssue({ code: 'custom', path: ['assignments', i, 'late'], message: err.message.replace(/^--late: /, '') });
        }
      }
      if (a.points !== undefined && typeof a.points === 'object') {
        for (const id of Object.keys(a.points))
          if (!a.exercises.includes(id))
            ctx.addIssue({
              code: 'custom',
              path: ['assignments', i, 'points', id],
              message: `"${id}" is not one of this assignment's exercises (${a.exercises.join(', ')})`,
            });
        for (const id of a.exercises)
          if (!(id in a.points))
            ctx.addIssue({
              code: 'custom',
              path: ['assignments', i, 'points'],
              message: `no points for "${id}" (give every exercise of the assignment its points, or one number)`,
            });
      }
    });
  });

export type CourseData = z.infer<typeof Course>;
export type ExerciseSpec = z.infer<typeof Exercise>;
export type PointsData = z.infer<typeof Points>;
export type AssignmentSpec = z.infer<typeof Assignment>;
export type ProgressData = z.infer<typeof Progress>;
