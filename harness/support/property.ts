// Generated property tests for the instructor-only suites: run a property on many seeded random inputs; on the
// first failure, shrink the input greedily (try every smaller candidate the shrinker offers, keep the first that
// still fails, repeat until none does) and report the smallest failing input with the case seed that replays it.
// Everything is derived from the run's seed (COURSE_SEED), so a failure replays with `--seed N`.

import { runSeed, seededRandom } from './random';

export interface PropertyOptions<T> {
  /** What the property says, in the protocol's terms (the first line of a failure). */
  name: string;
  /** Builds one input from a random source. */
  generate: (random: () => number) => T;
  /** Smaller inputs to try, most aggressive first. */
  shrink: (input: T) => T[];
  /** Resolves when the property holds; throws (a teaching message) when it does not. */
  check: (input: T) => Promise<void>;
  /** Renders an input for the failure message. */
  show: (input: T) => string;
  /** Number of random cases (default 60). */
  runs?: number;
  /** Most shrink attempts (default 100): each runs the property once. */
  maxShrinks?: number;
  /** Shrinking stops after this long (default 4000 ms), so a failure is reported well within the test's limit. */
  shrinkBudgetMs?: number;
}

/** A failed check that is not about the code under test (the sandbox died, a call timed out) stops shrinking. */
function isFatal(err: unknown): boolean {
  return err instanceof Error && err.name === 'SandboxFailure';
}

export async function checkProperty<T>(options: PropertyOptions<T>): Promise<void> {
  const runs = options.runs ?? 60;
  const seed = runSeed();
  const master = seededRandom(seed);
  for (let i = 0; i < runs; i++) {
    const caseSeed = 1 + Math.floor(master() * 2 ** 31);
    const input = options.generate(seededRandom(caseSeed));
    let failure: unknown;
    try {
      await options.check(input);
      continue;
    } catch (err) {
      failure = err;
    }
    if (isFatal(failure)) throw failure;
    let smallest = input;
    let steps = 0;
    let attempts = 0;
    const maxShrinks = options.maxShrinks ?? 100;
    const stopAt = Date.now() + (options.shrinkBudgetMs ?? 4000);
    let progress = true;
    while (progress && attempts < maxShrinks && Date.now() < stopAt) {
      progress = false;
      for (const candidate of options.shrink(smallest)) {
        if (attempts++ >= maxShrinks || Date.now() >= stopAt) break;
        try {
          await options.check(candidate);
        } catch (err) {
          if (isFatal(err)) break;
          smallest = candidate;
          failure = err;
          steps++;
          progress = true;
          break;
        }
      }
    }
    const why = failure instanceof Error ? failure.message : String(failure);
    throw new Error(
      [
        `${options.name}: fails on case ${i + 1} of ${runs} (run seed ${seed}, case seed ${caseSeed}).`,
        `Smallest failing input found (shrunk in ${steps} step(s) from the generated one):`,
        indent(options.show(smallest)),
        '',
        why,
      ].join('\n'),
    );
  }
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}

/** Shrink candidates for a list: drop halves, then single elements, then shrink each element. */
export function shrinkList<T>(list: T[], shrinkItem: (item: T) => T[] = () => [], minLength = 0): T[][] {
  const out: T[][] = [];
  if (list.length > minLength) {
    const half = Math.floor(list.length / 2);
    if (half >= minLength && half > 0 && list.length > 1) {
      out.push(list.slice(0, half), list.slice(half));
    }
    for (let i = 0; i < list.length; i++) if (list.length - 1 >= minLength) out.push([...list.slice(0, i), ...list.slice(i + 1)]);
  }
  for (let i = 0; i < list.length; i++) {
    for (const smaller of shrinkItem(list[i]!)) out.push([...list.slice(0, i), smaller, ...list.slice(i + 1)]);
  }
  return out;
}

/** Shrink candidates for a string: empty, halves, without one character. */
export function shrinkString(text: string): string[] {
  // By code point: a cut inside a surrogate pair would make a different (invalid) string, not a smaller one.
  const chars = Array.from(text);
  if (!chars.length) return [];
  const out = [''];
  const half = Math.floor(chars.length / 2);
  if (chars.length > 1) out.push(chars.slice(0, half).join(''), chars.slice(half).join(''));
  if (chars.length <= 8) for (let i = 0; i < chars.length; i++) out.push([...chars.slice(0, i), ...chars.slice(i + 1)].join(''));
  return out;
}

/** Picks one element. */
export function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}
