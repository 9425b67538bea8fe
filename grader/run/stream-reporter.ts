// Jest reporter of the trusted process: sends each test's result to the grader the moment it completes, so a run
// that is killed later (timeout, crash) still yields the tests that finished and names the one that hung.

import type { Reporter, Test, TestCaseResult, TestResult } from '@jest/reporters';
import type { Circus } from '@jest/types';
import type { FromWorker } from './worker-protocol';

const MESSAGE_CAP = 4000;

function send(message: FromWorker): void {
  process.send?.(message);
}

/** The assertion message without the stack: the stack points into the hidden suite, which learners never see. */
export function cleanFailure(raw: string): string {
  const lines = raw.split('\n');
  const kept: string[] = [];
  for (const line of lines) {
    if (/^\s+at /.test(line)) break;
    kept.push(line);
  }
  let text = kept
    .join('\n')
    .replace(/^(Error|AssertionError|JestAssertionError|SandboxFailure): /, '')
    .trimEnd();
  if (text.length > MESSAGE_CAP) text = `${text.slice(0, MESSAGE_CAP)}\n… (message cut at ${MESSAGE_CAP} characters)`;
  return text;
}

export default class StreamReporter implements Pick<Reporter, 'onTestCaseStart' | 'onTestCaseResult' | 'onTestFileResult'> {
  onTestCaseStart(_test: Test, info: Circus.TestCaseStartInfo): void {
    send({ type: 'test-start', fullName: [...info.ancestorTitles, info.title].join(' › ') });
  }

  onTestCaseResult(_test: Test, result: TestCaseResult): void {
    const status = result.status === 'passed' ? 'passed' : result.status === 'failed' ? 'failed' : 'skipped';
    send({
      type: 'test-result',
      fullName: [...result.ancestorTitles, result.title].join(' › '),
      group: result.ancestorTitles,
      title: result.title,
      status,
      durationMs: result.duration ?? 0,
      message: result.failureMessages.length ? cleanFailure(result.failureMessages.join('\n')) : undefined,
    });
  }

  onTestFileResult(_test: Test, result: TestResult): void {
    if (result.testExecError) {
      send({ type: 'suite-error', message: cleanFailure(result.testExecError.message ?? JSON.stringify(result.testExecError)) });
    }
  }

  getLastError(): Error | undefined {
    return undefined;
  }
}
