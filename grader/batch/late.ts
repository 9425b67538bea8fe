// Deadlines and late policies (issue 12.3). `--deadline` is an ISO 8601 time with its time zone; a roster's
// extension moves one learner's deadline (a duration such as "2d" or "36h", or a new ISO time). `--late` says what
// lateness costs:
//   none               (default) lateness is shown, nothing is deducted
//   zero               a late submission scores 0
//   10%/day            10% of the learner's points per started day late (also %/hour)
//   10%/day,max=3d     ... and more than 3 days late scores 0
//   ...,grace=15m      lateness up to 15 minutes is forgiven (counted from the deadline once past it)
// A deduction is a share of the points earned, capped at 100%.

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 } as const;

export type LatePolicy =
  | { kind: 'none'; graceMs: number }
  | { kind: 'zero'; graceMs: number }
  | { kind: 'percent'; percent: number; unitMs: number; unit: 'day' | 'hour'; maxMs?: number; graceMs: number };

export class LateError extends Error {}

/** "3d", "36h", "90m", "1.5d", "2w" to milliseconds. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*(m|min|h|d|w)$/i.exec(text.trim());
  if (!m) return undefined;
  const unit = m[2]!.toLowerCase() === 'min' ? 'm' : (m[2]!.toLowerCase() as keyof typeof UNIT_MS);
  return Math.round(Number(m[1]) * UNIT_MS[unit]);
}

export function parseLatePolicy(text: string): LatePolicy {
  const parts = text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  const head = (parts.shift() ?? '').toLowerCase();
  let graceMs = 0;
  let maxMs: number | undefined;
  for (const p of parts) {
    const m = /^(max|grace)\s*=\s*(.+)$/i.exec(p);
    const ms = m ? parseDuration(m[2]!) : undefined;
    if (!m || ms === undefined) throw new LateError(`--late: cannot read "${p}" (expected max=<duration> or grace=<duration>, e.g. max=3d, grace=15m)`);
    if (m[1]!.toLowerCase() === 'max') maxMs = ms;
    else graceMs = ms;
  }
  if (head === 'none') return { kind: 'none', graceMs };
  if (head === 'zero') {
    if (maxMs !== undefined) throw new LateError('--late zero takes no max= (every late submission scores 0 already)');
    return { kind: 'zero', graceMs };
  }
  const m = /^(\d+(?:\.\d+)?)%\/(day|hour)$/.exec(head);
  if (!m)
    throw new LateError(`--late: "${text}" is not a policy; use none, zero, or a deduction such as 10%/day, 2%/hour, 10%/day,max=3d (optionally ,grace=15m)`);
  const percent = Number(m[1]);
  if (percent <= 0 || percent > 100) throw new LateError('--late: the deduction must be more than 0% and at most 100%');
  const unit = m[2] as 'day' | 'hour';
  return { kind: 'percent', percent, unit, unitMs: unit === 'day' ? UNIT_MS.d : UNIT_MS.h, maxMs, graceMs };
}

export function describePolicy(p: LatePolicy): string {
  const grace = p.graceMs ? `, ${formatDuration(p.graceMs)} grace` : '';
  if (p.kind === 'none') return `no deduction${grace}`;
  if (p.kind === 'zero') return `0 points when late${grace}`;
  return `${p.percent}% per started ${p.unit} late${p.maxMs !== undefined ? `, 0 points when more than ${formatDuration(p.maxMs)} late` : ''}${grace}`;
}

/** An ISO 8601 time with a time zone ("2026-03-01T23:59:00Z", "...T23:59-05:00"). */
export function parseIsoTime(text: string, what: string): Date {
  const t = text.trim();
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i.test(t)) {
    throw new LateError(`${what}: "${text}" is not an ISO 8601 time with a time zone, e.g. 2026-03-01T23:59:00Z or 2026-03-01T23:59:00-05:00`);
  }
  const d = new Date(t);
  if (Number.isNaN(d.getTime())) throw new LateError(`${what}: "${text}" is not a valid time`);
  return d;
}

/** A learner's own deadline: the course deadline moved by an extension ("2d", "36h") or replaced by an ISO time. */
export function personalDeadline(deadline: Date, extension: string | undefined, who: string): Date {
  const text = extension?.trim();
  if (!text || text === '0') return deadline;
  const ms = parseDuration(text);
  if (ms !== undefined) return new Date(deadline.getTime() + ms);
  // A bare number is a number of days (how most rosters write it).
  if (/^\d+(\.\d+)?$/.test(text)) return new Date(deadline.getTime() + Number(text) * UNIT_MS.d);
  return parseIsoTime(text, `extension of ${who}`);
}

export interface Lateness {
  /** How late, in ms (0 when on time). */
  lateMs: number;
  /** Share of the points deducted, 0..1. */
  penalty: number;
  /** Why, in words ("2 days late: -20%", "on time", "within the 15 min grace"). */
  label: string;
}

export function formatDuration(ms: number): string {
  const abs = Math.abs(ms);
  if (abs < UNIT_MS.h) return `${Math.max(1, Math.round(abs / UNIT_MS.m))} min`;
  if (abs < UNIT_MS.d) return `${Math.round((abs / UNIT_MS.h) * 10) / 10} h`;
  return `${Math.round((abs / UNIT_MS.d) * 10) / 10} d`;
}

export function lateness(submittedAt: Date, deadline: Date, policy: LatePolicy): Lateness {
  const lateMs = Math.max(0, submittedAt.getTime() - deadline.getTime());
  if (lateMs === 0) return { lateMs: 0, penalty: 0, label: 'on time' };
  const late = formatDuration(lateMs);
  if (lateMs <= policy.graceMs) return { lateMs, penalty: 0, label: `${late} late, within the ${formatDuration(policy.graceMs)} grace` };
  if (policy.kind === 'none') return { lateMs, penalty: 0, label: `${late} late (no deduction)` };
  if (policy.kind === 'zero') return { lateMs, penalty: 1, label: `${late} late: 0 points` };
  if (policy.maxMs !== undefined && lateMs > policy.maxMs)
    return { lateMs, penalty: 1, label: `${late} late, more than ${formatDuration(policy.maxMs)}: 0 points` };
  const units = Math.ceil((lateMs - policy.graceMs) / policy.unitMs);
  const penalty = Math.min(1, (units * policy.percent) / 100);
  return {
    lateMs,
    penalty,
    label: `${late} late, ${units} ${policy.unit}${units === 1 ? '' : 's'} × ${policy.percent}%: -${Math.round(penalty * 1000) / 10}%`,
  };
}
