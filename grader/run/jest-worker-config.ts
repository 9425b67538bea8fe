// The grader's own jest configuration for hidden suites (the learner's jest config is never read).

import path from 'node:path';
import { distFile } from '../paths';
import type { SuiteJob } from './worker-protocol';

export function jestConfig(
  job: Pick<SuiteJob, 'suite' | 'rootDir' | 'cacheDir' | 'testTimeoutMs' | 'failFast' | 'focus'>,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    rootDir: job.rootDir,
    roots: [path.dirname(job.suite)],
    testMatch: ['**/*.test.ts'],
    moduleFileExtensions: ['ts', 'js', 'json'],
    transform: { '\\.ts$': distFile('run', 'esbuild-transform.js') },
    testEnvironment: distFile('run', 'trusted-environment.js'),
    testEnvironmentOptions: { courseFailFast: job.failFast === true, ...(job.focus ? { courseFocus: job.focus } : {}) },
    reporters: [distFile('run', 'stream-reporter.js')],
    cacheDirectory: job.cacheDir,
    testTimeout: job.testTimeoutMs,
    watchman: false,
    injectGlobals: true,
    maxWorkers: 1,
    ci: true,
    ...overrides,
  };
}
