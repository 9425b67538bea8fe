// Batch grading of the real course under the real isolation layers: every exercise's reference solution must get
// full marks, every stub zero, and every untouched stub "not started". (Fixture exercises cannot show that the layers leave real protocol code working,
// e.g. undici's WebAssembly HTTP parser under a memory limit.)
import { execFileSync } from 'node:child_process';
import { appendFileSync, chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadCourse } from '../../grader/course/course-file';
import { repoRoot } from '../helpers';

test('reference solutions get full marks and stubs get zero in `course grade`', () => {
  const course = loadCourse(repoRoot);
  const submissions = mkdtempSync(path.join(os.tmpdir(), 'real-subs-'));
  for (const exercise of course.data.exercises) {
    const ref = path.join(submissions, 'reference', exercise.dir);
    mkdirSync(ref, { recursive: true });
    for (const f of exercise.files) cpSync(path.join(repoRoot, exercise.solution, f), path.join(ref, f));
    cpSync(path.join(repoRoot, exercise.dir), path.join(submissions, 'stubs', exercise.dir), { recursive: true });
    // A stub with one line of the learner's own is graded (an untouched one is "not started" and never runs).
    for (const f of exercise.files) appendFileSync(path.join(submissions, 'stubs', exercise.dir, f), '\n// started\n');
    cpSync(path.join(repoRoot, exercise.dir), path.join(submissions, 'untouched', exercise.dir), { recursive: true });
  }
  // The output folder is reached through a symlink, as /tmp is on macOS: the code under test must still load
  // (Node's permission model sees real paths).
  const realOut = mkdtempSync(path.join(os.tmpdir(), 'real-out-'));
  chmodSync(realOut, 0o755); // readable by the grading uid, so the builds go there (through the link)
  symlinkSync(realOut, `${realOut}-link`, 'dir');
  const out = path.join(`${realOut}-link`, 'out');
  // One worker: this file runs beside other test files, and the timing suites must not be starved of CPU.
  // (No canary: the reference is graded here as a learner, under the same layers, which is the same check.)
  execFileSync(process.execPath, [path.join(repoRoot, 'bin', 'course.js'), 'grade', submissions, '--out', out, '--jobs', '1', '--no-canary'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
    timeout: 1_200_000,
  });
  const results = (learner: string) =>
    (
      JSON.parse(readFileSync(path.join(out, 'results', `${learner}.json`), 'utf8')) as {
        exercises: Array<{ exercise: string; status: string; score: number; maxScore: number; message?: string }>;
      }
    ).exercises;
  const summary = (learner: string) => results(learner).map((e) => `${e.exercise}: ${e.status} ${e.score}/${e.maxScore}`);
  // Every exercise of the course is graded, the last ones added (qpack and alpn, exercises 10 and 11) included.
  expect(results('reference').map((e) => e.exercise)).toEqual(course.data.exercises.map((e) => e.id));
  expect(results('reference').map((e) => e.exercise)).toEqual(expect.arrayContaining(['qpack', 'alpn']));
  expect(summary('reference')).toEqual(results('reference').map((e) => `${e.exercise}: passed ${e.maxScore}/${e.maxScore}`));
  expect(results('reference').every((e) => e.maxScore >= 15)).toBe(true);
  expect(summary('stubs')).toEqual(results('stubs').map((e) => `${e.exercise}: failed 0/${e.maxScore}`));
  expect(summary('untouched')).toEqual(results('untouched').map((e) => `${e.exercise}: not started 0/${e.maxScore}`));
}, 1_260_000);
