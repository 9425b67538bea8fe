// The documented shapes of `course check --json` and `course status --json`, as zod schemas. `npm run schema`
// writes them as JSON Schemas to docs/schemas/ (a test checks the files are current and that real output
// validates against them). The type assertions below fail to compile when ExerciseResult changes without them.

import { z } from 'zod';
import type { Evidence } from '../run/evidence';
import type { ExerciseResult, TestResult, Diagnostic } from '../run/result';
import { ProgressStatus } from './schema';

const EntryJson = z.object({ name: z.string(), value: z.string(), size: z.number().describe('-1: not a number') }).strict();
const TableJson = z.union([z.array(EntryJson), z.string().describe('what the code returned, in words, when it was not a list')]);

/** A failure's structured evidence (grader/run/evidence.ts checks it on arrival; the lab's Check view draws it). */
export const EvidenceJson = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('hpack-table'), title: z.string(), before: TableJson, after: TableJson, expected: z.array(EntryJson).optional() }).strict(),
    z
      .object({
        kind: z.literal('frame-bytes'),
        title: z.string(),
        hex: z.string().describe("the frame's octets, two hex digits each"),
        cut: z.number().int().describe('octets of the frame not kept in hex'),
        fields: z.array(
          z
            .object({
              name: z.string(),
              start: z.number().int(),
              end: z.number().int(),
              expected: z.string(),
              actual: z.string().optional(),
              diverged: z.boolean(),
            })
            .strict(),
        ),
      })
      .strict(),
    z
      .object({
        kind: z.literal('timeline'),
        title: z.string(),
        events: z.array(
          z
            .object({ lane: z.string(), label: z.string(), atMs: z.number().optional(), window: z.tuple([z.number(), z.number()]).optional(), ok: z.boolean() })
            .strict(),
        ),
      })
      .strict(),
    z
      .object({
        kind: z.literal('series'),
        title: z.string(),
        xLabel: z.string(),
        yLabel: z.string(),
        series: z.array(z.object({ label: z.string(), points: z.array(z.object({ x: z.number(), y: z.number() }).strict()) }).strict()),
        marks: z.array(z.object({ label: z.string(), y: z.number() }).strict()).optional(),
      })
      .strict(),
  ])
  .describe("a failure's evidence as data, beside its message; texts in it may come from the learner's code (untrusted, neutralised)");

export const TestResultJson = z
  .object({
    fullName: z.string().describe('describe titles and the test title, joined with " › "'),
    group: z.array(z.string()).describe('the describe titles, outermost first'),
    title: z.string(),
    status: z.enum(['passed', 'failed', 'timeout', 'missing']),
    message: z.string().optional().describe('why it failed: the assertion message, capped'),
    durationMs: z.number(),
    spec: z.string().optional().describe('the spec section the test checks, e.g. "RFC 7541 §4.1"'),
    score: z.number(),
    maxScore: z.number(),
    output: z
      .object({
        text: z.string().describe('as printed, control characters shown as \\uXXXX; at most 4,000 characters per test, 40,000 per check'),
        dropped: z.number().int().describe('characters printed beyond those caps and not kept'),
      })
      .strict()
      .optional()
      .describe("what the learner's code printed (console.log, console.error) while this test ran, or between it and the next test; untrusted text"),
    requirements: z
      .array(z.string())
      .optional()
      .describe("the lesson requirements the test checks (ids of the exercise's requirements.yaml; see `requirements` below)"),
    evidence: z.array(EvidenceJson).optional().describe("a failing test's structured evidence from the hidden suite (tables, frame bytes, timelines, series)"),
  })
  .strict();

export const RequirementJson = z
  .object({
    id: z.string().describe('a requirement id, e.g. "R1.3"'),
    section: z.string().describe('the lesson heading the sentence sits under (`course lesson <exercise>` shows it)'),
    text: z.string().describe('the sentence of the lesson'),
  })
  .strict();

export const DiagnosticJson = z
  .object({
    file: z.string().describe('relative to the graded folder'),
    line: z.number().int(),
    column: z.number().int(),
    message: z.string(),
    kind: z.enum(['syntax', 'type']).describe('"syntax" stops the run; "type" is feedback beside the results'),
  })
  .strict();

export const CheckJson = z
  .object({
    exercise: z.string().describe('the exercise id'),
    status: z.enum(['passed', 'failed', 'compile-error', 'load-error', 'timeout', 'tampered', 'not submitted', 'not started', 'error']),
    score: z.number(),
    maxScore: z.number().describe('0 when no test ran (e.g. the code does not compile)'),
    tests: z.array(TestResultJson),
    diagnostics: z.array(DiagnosticJson),
    message: z.string().optional().describe('a sentence explaining an outcome that is not a test result'),
    hungTest: z.string().optional().describe('the test that was running when the time limit struck'),
    anomalies: z.array(z.string()),
    seed: z.number().int().describe('replays the run: course check <id> --seed N'),
    durationMs: z.number(),
    filesHash: z.string(),
    suiteHash: z.string(),
    isolation: z
      .array(z.object({ name: z.string(), on: z.boolean(), why: z.string().optional().describe('why the layer is off') }).strict())
      .optional()
      .describe('the isolation layers of the run (network and PID namespaces), as `course grade` records them'),
    requirements: z.array(RequirementJson).optional().describe("the lesson sentences the tests' `requirements` name"),
  })
  .strict()
  .describe('the output of `course check --json`: the result of one check');

export const StatusJson = z
  .object({
    title: z.string(),
    current: z.string().describe('the id of the current exercise (what a plain `course check` grades)'),
    exercises: z.array(
      z
        .object({
          n: z.number().int().describe('the exercise number: `course check N`'),
          id: z.string(),
          title: z.string(),
          status: ProgressStatus,
          attempts: z.number().int(),
          hintsShown: z.number().int(),
          bestScore: z.number().optional(),
          maxScore: z.number().optional(),
          startedAt: z.string().optional(),
          lastCheckedAt: z.string().optional(),
          passedAt: z.string().optional(),
          score: z.string().describe('"best/max", or "-" before the first scored check'),
        })
        .strict(),
    ),
  })
  .strict()
  .describe('the output of `course status --json`: progress through the course');

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameResult: Same<z.infer<typeof CheckJson>, ExerciseResult> = true;
const sameTest: Same<z.infer<typeof TestResultJson>, TestResult> = true;
const sameDiagnostic: Same<z.infer<typeof DiagnosticJson>, Diagnostic> = true;
const sameEvidence: Same<z.infer<typeof EvidenceJson>, Evidence> = true;
void [sameResult, sameTest, sameDiagnostic, sameEvidence];

export function outputJsonSchemas(): Record<string, string> {
  const write = (schema: z.ZodType, title: string) =>
    `${JSON.stringify({ ...(z.toJSONSchema(schema, { io: 'output' }) as Record<string, unknown>), title }, null, 2)}\n`;
  return {
    'check.schema.json': write(CheckJson, 'course check --json'),
    'status.schema.json': write(StatusJson, 'course status --json'),
  };
}
