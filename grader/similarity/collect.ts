// What the similarity check compares (submitted-code.json): the graded files of every accepted submission, and
// per exercise the course's starter files and reference solution as committed (committed.ts), never as they sit
// in the grading checkout's working tree.

import path from 'node:path';
import type { AcceptedIntake, IntakeResult } from '../batch/intake';
import type { ExerciseSpec } from '../course/schema';
import { committedFiles, readCapped } from './committed';
import type { SubmittedCode } from './index';

/** The graded files of the accepted submissions, with the committed starters and references of the course. */
export function collectCode(courseRoot: string, exercises: ExerciseSpec[], submissions: Array<{ id: string; intake: IntakeResult }>): SubmittedCode {
  const committed = committedFiles(courseRoot);
  const rel = (dir: string, f: string) => path.posix.normalize(`${dir.split(path.sep).join('/')}/${f}`);
  const texts = committed.readAll(exercises.flatMap((e) => e.files.flatMap((f) => [rel(e.dir, f), rel(e.solution, f)])));
  // Learner ids are any file name, `__proto__` included: a map without a prototype keeps every one of them.
  const code: SubmittedCode = { starters: {}, references: {}, learners: Object.create(null) as SubmittedCode['learners'] };
  for (const e of exercises) {
    const starter: Record<string, string> = {};
    const reference: Record<string, string> = {};
    for (const f of e.files) {
      const stub = texts.get(rel(e.dir, f));
      if (stub !== undefined) starter[f] = stub;
      const solution = texts.get(rel(e.solution, f));
      if (solution !== undefined) reference[f] = solution;
    }
    code.starters[e.id] = starter;
    code.references![e.id] = reference;
  }
  code.baseline = committed.baseline;
  for (const { id, intake } of submissions) {
    if (intake.status !== 'accepted') continue;
    code.learners[id] = learnerFiles(exercises, intake);
  }
  return code;
}

function learnerFiles(exercises: ExerciseSpec[], intake: AcceptedIntake): Record<string, Record<string, string>> {
  const mine: Record<string, Record<string, string>> = {};
  for (const e of exercises) {
    const root = intake.roots[e.id];
    if (!root) continue;
    const files: Record<string, string> = {};
    for (const f of e.files) {
      const text = readCapped(path.join(root, f));
      if (text !== undefined) files[f] = text;
    }
    if (Object.keys(files).length) mine[e.id] = files;
  }
  return mine;
}
