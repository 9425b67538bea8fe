// A run of a batch is one learner × one exercise. RunKey names it as a typed pair, and RunTable keys a value
// per run through the one key function (tupleKey: exact, whatever characters a learner id holds), so no part of
// the batch builds or parses run keys by hand.

import { tupleKey } from './learner-key';

export interface RunKey {
  learner: string;
  exercise: string;
}

export function runKeyString(key: RunKey): string {
  return tupleKey(key.learner, key.exercise);
}

/** A value per run (an outcome, ...), with the runs' keys kept typed. */
export class RunTable<V> {
  private readonly entries = new Map<string, { key: RunKey; value: V }>();

  set(key: RunKey, value: V): void {
    this.entries.set(runKeyString(key), { key: { learner: key.learner, exercise: key.exercise }, value });
  }

  get(key: RunKey): V | undefined {
    return this.entries.get(runKeyString(key))?.value;
  }

  /** A table of its own with the same runs (so that adding to it leaves this one as it was). */
  copy(): RunTable<V> {
    const out = new RunTable<V>();
    for (const e of this.entries.values()) out.set(e.key, e.value);
    return out;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Every value, in the order first set. */
  values(): V[] {
    return [...this.entries.values()].map((e) => e.value);
  }

  /** The values of one exercise's runs. */
  ofExercise(exercise: string): V[] {
    return [...this.entries.values()].filter((e) => e.key.exercise === exercise).map((e) => e.value);
  }
}
