// Real peers that a suite runs as programs (curl, nghttp, openssl, Chromium through playwright-core): whether each
// is installed, and a way to run one without blocking the event loop (the suites' own servers live in the same
// process). A suite declares the tests that need a tool with `toolDescribe(found, what)`: where the tool is
// missing they are skipped with a warning, and with COURSE_REQUIRE_TOOLS=1 (CI sets it) the file gets a failing test
// instead, so that a run without the tool cannot pass unnoticed (test/helpers.ts does the same for the project's
// own tests).

import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Whether `command` runs here (it is asked for its version). */
export function commandWorks(command: string, args: string[] = ['--version']): boolean {
  try {
    return spawnSync(command, args, { stdio: 'ignore', timeout: 10_000 }).status === 0;
  } catch {
    return false;
  }
}

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** Whether playwright-core and a Chromium binary are both here. */
export function chromiumAvailable(): boolean {
  if (!existsSync(CHROMIUM)) return false;
  try {
    require.resolve('playwright-core');
    return true;
  } catch {
    return false;
  }
}

/**
 * `describe` where the tool is found, else `describe.skip` with a warning; with COURSE_REQUIRE_TOOLS=1 a missing tool
 * becomes one failing test, tagged with `tag` (the requirement ids of the tests it stands for).
 */
export function toolDescribe(found: boolean, missing: string, tag: string): jest.Describe {
  if (found) return describe;
  if (process.env.COURSE_REQUIRE_TOOLS === '1') {
    test(`a required tool is installed: ${missing} ${tag}`, () => {
      throw new Error(`not installed: ${missing}. COURSE_REQUIRE_TOOLS=1 makes a missing tool a failure rather than a skip`);
    });
  } else console.warn(`SKIPPED: ${missing} is not installed here, so the tests that need it did not run`);
  return describe.skip;
}

export interface ToolRun {
  /** Exit code (null when killed by the timeout). */
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** Runs a program with stdin closed, without blocking the event loop; never rejects. */
export function runTool(command: string, args: string[], timeoutMs = 15_000): Promise<ToolRun> {
  return new Promise((resolve) => {
    const child = execFile(command, args, { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 4 * 1024 * 1024 }, (err, stdout, stderr) => {
      const e = err as (Error & { code?: unknown; killed?: boolean }) | null;
      resolve({
        code: e ? (typeof e.code === 'number' ? e.code : null) : 0,
        stdout: String(stdout),
        stderr: String(stderr),
        timedOut: Boolean(e?.killed),
      });
    });
    child.stdin?.end();
  });
}
