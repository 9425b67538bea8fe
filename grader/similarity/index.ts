// The similarity section of a batch: the graded files of every submission (kept in submitted-code.json so that
// `course merge` can compare across shards), the flagged pairs per exercise, and the submissions that copy the
// course's reference solution (similarity.json, report.html). The starter and reference files are the course's
// as committed (committed.ts), and the baseline they came from is recorded with them.

import type { Baseline } from './committed';
import type { ExerciseSimilarity, SimilarityOptions } from './winnow';
import { compareSubmissions, compareWithReference } from './winnow';

export interface SubmittedCode {
  /** exercise → the starter files the course hands out (file → text), as committed. */
  starters: Record<string, Record<string, string>>;
  /** exercise → the reference solution's graded files (file → text), as committed. Absent in older outputs. */
  references?: Record<string, Record<string, string>>;
  /** Where starters and references were read from (git HEAD, or the working tree when not a git checkout). */
  baseline?: Baseline;
  /** learner → exercise → graded file → text (only what the learner submitted). */
  learners: Record<string, Record<string, Record<string, string>>>;
}

export interface SimilarityReport {
  tool: 'course grade similarity';
  note: string;
  /** Where the starter files and reference solutions came from (absent for outputs written before it was kept). */
  baseline?: Baseline;
  exercises: ExerciseSimilarity[];
}

/**
 * Per exercise, the flagged pairs among the submissions (submissions identical to the starter are left out) and
 * the submissions that copy the reference solution.
 */
export function similarityOf(code: SubmittedCode, exercises: string[], options: SimilarityOptions = {}): SimilarityReport {
  const out: ExerciseSimilarity[] = [];
  for (const exercise of exercises) {
    const starter = code.starters[exercise] ?? {};
    const submissions = Object.keys(code.learners)
      .sort()
      .map((id) => ({ id, files: code.learners[id]![exercise] ?? {} }))
      .filter((s) => Object.keys(s.files).length > 0)
      .filter((s) => !Object.keys(starter).length || Object.keys(s.files).some((f) => s.files[f] !== starter[f]));
    const result = compareSubmissions(exercise, submissions, starter, options);
    const reference = code.references?.[exercise];
    if (reference && Object.keys(reference).length) result.reference = compareWithReference(submissions, reference, starter, options);
    out.push(result);
  }
  return {
    tool: 'course grade similarity',
    note: 'A hint for a human: pairs of submissions whose normalised token streams (identifiers, literals, comments and layout ignored) share many winnowed fingerprints, and submissions that copy the reference solution ("reference" per exercise). Scores are never changed by it.',
    ...(code.baseline ? { baseline: code.baseline } : {}),
    exercises: out,
  };
}

/** Joins the submitted code of several outputs (shards). */
export function mergeCode(parts: SubmittedCode[]): SubmittedCode {
  const merged: SubmittedCode = { starters: {}, learners: Object.create(null) as SubmittedCode['learners'] };
  for (const p of parts) {
    Object.assign(merged.starters, p.starters);
    if (p.references) merged.references = { ...merged.references, ...p.references };
    if (p.baseline && !merged.baseline) merged.baseline = { ...p.baseline, notes: [...p.baseline.notes] };
    else if (p.baseline && merged.baseline && (p.baseline.source !== merged.baseline.source || p.baseline.commit !== merged.baseline.commit)) {
      merged.baseline.notes.push(
        `the shards were graded from different baselines (${merged.baseline.commit ?? merged.baseline.source} and ${p.baseline.commit ?? p.baseline.source})`,
      );
    }
    Object.assign(merged.learners, p.learners);
  }
  return merged;
}
