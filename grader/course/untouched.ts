// Whether a learner's exercise is still the starter stub as handed out, byte for byte: then it is "not started",
// whatever checks ran on it (a check of the untouched stub fails every test, which is no attempt at the exercise).
// The stub is the snapshot `course next` took (.course/stubs/<id>/), else the version git has at HEAD; with
// neither (not a git checkout, never moved to), nothing is known and the exercise is not called untouched.

import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { stateDir } from '../paths';
import type { ExerciseSpec } from './schema';

function stubOf(root: string, exercise: ExerciseSpec, file: string): Buffer | undefined {
  const snapshot = path.join(stateDir(root), 'stubs', exercise.id, file);
  if (existsSync(snapshot)) return readFileSync(snapshot);
  try {
    return execFileSync('git', ['-C', root, 'show', `HEAD:${path.posix.join(exercise.dir, file)}`], {
      stdio: ['ignore', 'pipe', 'ignore'],
      maxBuffer: 16 * 1024 * 1024,
      // Read-only: no lock taken in the learner's checkout.
      env: { ...process.env, GIT_OPTIONAL_LOCKS: '0' },
    });
  } catch {
    return undefined;
  }
}

/** Every graded file of the exercise is its stub, byte for byte. */
export function isUntouchedStub(root: string, exercise: ExerciseSpec): boolean {
  return exercise.files.every((file) => {
    const stub = stubOf(root, exercise, file);
    if (stub === undefined) return false;
    try {
      return readFileSync(path.join(root, exercise.dir, file)).equals(stub);
    } catch {
      return false;
    }
  });
}
