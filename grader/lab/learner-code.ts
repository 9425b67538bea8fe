// The learner's code for a demo, started exactly as `course check` starts it: compiled by the grader's build
// (grader/run/build.ts, the same content-addressed build folders) and loaded in the sandbox host (same permission
// model, PID namespace where the OS has one), reached only through the sandbox RPC client the hidden suites use.
// The lab server itself never loads the learner's module. When the code does not build or load, the demo gets a
// sentence saying why, and runs on its built-in peer instead.

import path from 'node:path';
import { Sandbox, SandboxFailure } from '../../harness/sandbox/client';
import type { ExerciseSpec } from '../course/schema';
import { stateDir } from '../paths';
import { buildImplementation } from '../run/build';
import { childIsolation } from '../run/child-isolation';

export type LearnerCode = { sandbox: Sandbox; problem?: undefined } | { sandbox?: undefined; problem: string };

export async function openLearnerCode(root: string, exercise: ExerciseSpec): Promise<LearnerCode> {
  const build = buildImplementation({
    courseRoot: root,
    exercise,
    implRoot: path.join(root, exercise.dir),
    buildRoot: path.join(stateDir(root), 'build'),
    wrapper: childIsolation().wrapper,
  });
  if (build.missing.length) return { problem: `${build.missing.join(', ')} is missing or empty` };
  if (!build.buildDir) {
    const first = build.diagnostics[0];
    return { problem: first ? `your code does not compile: ${first.file}:${first.line}: ${first.message}` : 'your code does not compile' };
  }
  try {
    return { sandbox: await Sandbox.open({ buildDir: build.buildDir, callTimeoutMs: 2000 }) };
  } catch (err) {
    if (err instanceof SandboxFailure) return { problem: `your module did not load: ${err.message}` };
    throw err;
  }
}
