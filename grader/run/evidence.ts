// A failing test's structured evidence as the grader accepts it: the hidden suite builds it (harness/support/
// evidence.ts) in the trusted jest process, whose channel the code under test cannot write to; it may still hold
// values the learner's code returned. So on arrival it is checked against this schema, every text neutralised as a
// one-line value and every list capped; anything that does not fit is dropped (the text message stays). The lab's
// Check view draws it (grader/lab/browser/evidence-view.ts); every other output keeps showing the text message.

import { z } from 'zod';
import type { Evidence } from '../../harness/support/evidence';
import { visibleOneLine } from '../report/safe-text';

export type { Evidence } from '../../harness/support/evidence';

/** At most this many pieces of evidence per test (the trusted environment stops sending after them too). */
export const EVIDENCE_PER_TEST = 4;
/** The largest piece accepted, as JSON (characters). */
const EVIDENCE_JSON_CAP = 64_000;

const line = (max: number) => z.string().transform((s) => visibleOneLine(s.slice(0, max)));
const num = z.number().finite();
const title = line(300);
const entry = z.object({ name: line(200), value: line(200), size: num });
const table = z.union([z.array(entry).max(64), line(200)]);

const schema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('hpack-table'), title, before: table, after: table, expected: z.array(entry).max(64).optional() }),
  z.object({
    kind: z.literal('frame-bytes'),
    title,
    hex: z
      .string()
      .max(512)
      .regex(/^(?:[0-9a-f]{2})*$/),
    cut: z.number().int().nonnegative(),
    fields: z
      .array(
        z.object({
          name: line(60),
          start: z.number().int().nonnegative(),
          end: z.number().int().nonnegative(),
          expected: line(120),
          actual: line(120).optional(),
          diverged: z.boolean(),
        }),
      )
      .max(16),
  }),
  z.object({
    kind: z.literal('timeline'),
    title,
    events: z.array(z.object({ lane: line(60), label: line(120), atMs: num.optional(), window: z.tuple([num, num]).optional(), ok: z.boolean() })).max(200),
  }),
  z.object({
    kind: z.literal('series'),
    title,
    xLabel: line(60),
    yLabel: line(60),
    series: z.array(z.object({ label: line(60), points: z.array(z.object({ x: num, y: num })).max(500) })).max(12),
    marks: z
      .array(z.object({ label: line(60), y: num }))
      .max(6)
      .optional(),
  }),
]);

/** The evidence as accepted (checked, capped, neutralised), or undefined when it does not fit. */
export function acceptEvidence(raw: unknown): Evidence | undefined {
  let json: string | undefined;
  try {
    json = JSON.stringify(raw);
  } catch {
    return undefined;
  }
  if (json === undefined || json.length > EVIDENCE_JSON_CAP) return undefined;
  const parsed = schema.safeParse(JSON.parse(json));
  return parsed.success ? (parsed.data as Evidence) : undefined;
}
