// The grader–harness contract (harness/sandbox/contract.ts): what the build manifest says is decided from typed
// fields, never read back from text (a wrapper's argv), and an input error is known by its class, not its message.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { anomalyText, MANIFEST_FILE, type BuildManifest } from '../../harness/sandbox/contract';
import { DuplicateSubmissionError, discoverSubmissions } from '../../grader/batch/intake';
import { buildImplementation } from '../../grader/run/build';
import { runExercise } from '../../grader/run/run-exercise';
import { fixtureExercise, repoRoot } from '../helpers';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'contract-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function manifestWith(wrapper: { argv: string[]; parentDeathSignal: boolean }): BuildManifest {
  const build = buildImplementation({
    courseRoot: repoRoot,
    exercise: fixtureExercise('calc'),
    implRoot: path.join(repoRoot, 'test', 'fixtures', 'calc', 'solution'),
    buildRoot: path.join(tmp, 'builds'),
    wrapper,
  });
  return JSON.parse(readFileSync(path.join(build.buildDir!, MANIFEST_FILE), 'utf8')) as BuildManifest;
}

test("the host's own session follows the wrapper's declared parent-death signal, not the words of its argv", () => {
  // A prefix that names --pdeathsig only as an argument of something else gives no such signal.
  const echo = manifestWith({ argv: ['/usr/bin/env', 'X=--pdeathsig'], parentDeathSignal: false });
  expect([echo.wrapper, echo.ownSession]).toEqual([['/usr/bin/env', 'X=--pdeathsig'], false]);
  const declared = manifestWith({ argv: ['/usr/bin/env'], parentDeathSignal: true });
  expect(declared.ownSession).toBe(true);
});

test('an anomaly is stored by kind; its sentence is derived, worded as results always worded it', () => {
  expect(anomalyText({ kind: 'exit-attempt', detail: '0' })).toBe('the code under test called process.exit(0)');
  expect(anomalyText({ kind: 'survivor', detail: '12, 13' })).toBe('2 process(es) of the code under test outlived the kill (pids 12, 13)');
  expect(anomalyText({ kind: 'uncaught-exception', detail: 'boom' })).toBe('uncaught exception: boom');
});

test('two submissions for one learner are an input error of its own class (the CLI exits 2 on the class)', () => {
  const subs = path.join(tmp, 'subs');
  mkdirSync(path.join(subs, 'bob'), { recursive: true });
  writeFileSync(path.join(subs, 'bob.tar'), '');
  expect(() => discoverSubmissions(subs)).toThrow(DuplicateSubmissionError);
});

test('the code under test cannot report an anomaly only the trusted side observes (processes that outlived a kill)', async () => {
  const r = await runExercise({
    courseRoot: repoRoot,
    exercise: fixtureExercise('calc'),
    implRoot: path.join(repoRoot, 'test', 'fixtures', 'calc', 'variants', 'forged-survivor'),
    workDir: tmp,
    seed: 42,
    typecheck: false,
  });
  expect(r.anomalies.filter((a) => /outlived/.test(a))).toEqual([]);
  expect(r.status).toBe('tampered');
  expect(r.message).toMatch(/malformed "anomaly"/);
});
