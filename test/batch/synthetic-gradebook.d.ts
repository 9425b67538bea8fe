// Types for synthetic-gradebook.js (plain JS so that bench/report.js can use it without a build step).
import type { Gradebook } from '../../grader/batch/model';
export const EXERCISES: Array<{ id: string; title: string; tests: number; hidden?: number; spec: string }>;
/** A finalised gradebook of `n` generated learners, plus `missing` roster learners without a submission. */
export function syntheticGradebook(n: number, options?: { seed?: number; missing?: number }): Gradebook;
