// The similarity section of a batch: the graded files of every submission (kept in submitted-code.json so that
// `course merge` can compare across shards) and the flagged pairs per exercise (similarity.json, report.html).

import type { ExerciseSimilarity, SimilarityOptions } from './winnow';
import { compareSubmissions } from './winnow';

export interface SubmittedCode {
  /** exercise → the starter files the course hands out (file → text). */
  starters: Record<string, Record<string, string>>;
  /** learner → exercise → graded file → text (only what the learner submitted). */
  learners: Record<string, Record<string, Record<string, string>>>;
}

export interface SimilarityReport {
  tool: 'course grade similarity';
  note: string;
  exercises: ExerciseSimilarity[];
}

/** Per exercise, the flagged pairs among the submissions (submissions identical to the starter are left out). */
export function similarityOf(code: SubmittedCode, exercises: string[], options: SimilarityOptions = {}): SimilarityReport {
  const out: ExerciseSimilarity[] = [];
  for (const exercise of exercises) {
    const starter = code.starters[exercise] ?? {};
    const submissions = Object.keys(code.learners)
      .sort()
      .map((id) => ({ id, files: code.learners[id]![exercise] ?? {} }))
      .filter((s) => Object.keys(s.files).length > 0)
      .filter((s) => !Object.keys(starter).length || Object.keys(s.files).some((f) => s.files[f] !== starter[f]));
    out.push(compareSubmissions(exercise, submissions, starter, options));
  }
  return {
    tool: 'course grade similarity',
    note: 'A hint for a human: pairs of submissions whose normalised token streams (identifiers, literals, comments and layout ignored) share many winnowed fingerprints. Scores are never changed by it.',
    exercises: out,
  };
}

/** Joins the submitted code of several outputs (shards). */
export function mergeCode(parts: SubmittedCode[]): SubmittedCode {
  const merged: SubmittedCode = { starters: {}, learners: {} };
  for (const p of parts) {
    Object.assign(merged.starters, p.starters);
    Object.assign(merged.learners, p.learners);
  }
  return merged;
}
