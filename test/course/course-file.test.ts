// course.yaml: validation with line numbers, comment-preserving progress updates, atomic writes, and the lock.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { loadCourse, updateProgress } from '../../grader/course/course-file';
import { CourseFileError } from '../../grader/course/errors';
import { repoRoot } from '../helpers';

const SAMPLE = `# top comment: keep me
title: Sample course # inline comment
exercises:
  # the first exercise
  - id: one
    title: One
    summary: The first.
    dir: ex/one
    solution: sol/one
    files: [one.ts]
    suite: suites/one.test.ts
    hints: ["first", "second"]
  - id: two
    title: Two
    summary: The second.
    dir: ex/two
    solution: sol/two
    files: [two.ts]
    suite: suites/two.test.ts
    timeout: 30s
`;

function courseDir(text = SAMPLE): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'course-file-'));
  writeFileSync(path.join(dir, 'course.yaml'), text);
  return dir;
}

function loadError(text: string): CourseFileError {
  try {
    loadCourse(courseDir(text));
  } catch (err) {
    return err as CourseFileError;
  }
  throw new Error('expected the course to be rejected');
}

test('a valid file loads with defaults applied', () => {
  const course = loadCourse(courseDir());
  expect(course.data.exercises.map((e) => e.id)).toEqual(['one', 'two']);
  expect(course.data.exercises[0]!.timeout).toBe('20s');
  expect(course.data.exercises[1]!.timeout).toBe('30s');
});

test('broken YAML is reported with its line', () => {
  const err = loadError(SAMPLE.replace('    title: Two', '    title: [Two'));
  expect(err).toBeInstanceOf(CourseFileError);
  expect(err.message).toMatch(/^course\.yaml:\d+:\d+: invalid YAML/);
});

test('a schema violation names the exercise, the field and the line', () => {
  const err = loadError(SAMPLE.replace('timeout: 30s', 'timeout: soon'));
  expect(err.message).toMatch(/^course\.yaml:20:\d+: exercise "two", field "timeout":/);
});

test('an unknown field is rejected with its place', () => {
  const err = loadError(SAMPLE.replace('    hints:', '    hitns: [x]\n    hints:'));
  expect(err.message).toMatch(/course\.yaml:\d+:\d+: exercise "one"/);
  expect(err.message).toMatch(/hitns/);
});

test('duplicate ids are rejected', () => {
  expect(loadError(SAMPLE.replace('id: two', 'id: one')).message).toMatch(/duplicate exercise id "one"/);
});

test('progress updates keep comments, order and the rest of the file as it was', async () => {
  const dir = courseDir();
  await updateProgress(loadCourse(dir), (p) => ({ ...p, status: 'current', attempts: 2 }), ['two']);
  const text = readFileSync(path.join(dir, 'course.yaml'), 'utf8');
  expect(text.startsWith(SAMPLE.trimEnd())).toBe(true); // everything before the new progress map is unchanged
  expect(text).toMatch(/timeout: 30s\n {4}progress:\n {6}status: current\n {6}attempts: 2\n/);
  expect(loadCourse(dir).data.exercises[1]!.progress).toMatchObject({ status: 'current', attempts: 2 });
  // A second update changes the map in place.
  await updateProgress(loadCourse(dir), (p) => ({ ...p, attempts: 3 }), ['two']);
  expect(readFileSync(path.join(dir, 'course.yaml'), 'utf8')).toMatch(/attempts: 3\n/);
  expect(readdirSync(dir).filter((f) => f.includes('.tmp'))).toEqual([]);
});

test('a file that became invalid is never overwritten', async () => {
  const dir = courseDir();
  const course = loadCourse(dir);
  const broken = SAMPLE.replace('title: Sample course', 'title: [oops');
  writeFileSync(path.join(dir, 'course.yaml'), broken);
  await expect(updateProgress(course, (p) => ({ ...p, attempts: 1 }))).rejects.toBeInstanceOf(CourseFileError);
  expect(readFileSync(path.join(dir, 'course.yaml'), 'utf8')).toBe(broken);
});

test('concurrent updates from separate processes lose nothing', async () => {
  const dir = courseDir();
  const script = `
    const { loadCourse, updateProgress } = require(${JSON.stringify(path.join(repoRoot, 'dist/grader/course/course-file.js'))});
    (async () => {
      for (let i = 0; i < 10; i++) {
        await updateProgress(loadCourse(process.argv[1]), (p) => ({ ...p, attempts: p.attempts + 1 }), [process.argv[2]]);
      }
    })();`;
  const run = promisify(execFile);
  await Promise.all([
    run(process.execPath, ['-e', script, dir, 'one']),
    run(process.execPath, ['-e', script, dir, 'one']),
    run(process.execPath, ['-e', script, dir, 'two']),
    run(process.execPath, ['-e', script, dir, 'two']),
  ]);
  const course = loadCourse(dir);
  expect(course.data.exercises.map((e) => e.progress?.attempts)).toEqual([20, 20]);
  expect(readFileSync(path.join(dir, 'course.yaml'), 'utf8')).toContain('# the first exercise');
});

test('the committed JSON Schema matches the zod schema (run `npm run schema` after changing it)', () => {
  const { courseJsonSchema } = require('../../grader/course/json-schema') as typeof import('../../grader/course/json-schema');
  expect(readFileSync(path.join(repoRoot, 'course.schema.json'), 'utf8')).toBe(courseJsonSchema());
});

test("the course's own course.yaml is valid and references the schema", () => {
  expect(() => loadCourse(repoRoot)).not.toThrow();
  expect(readFileSync(path.join(repoRoot, 'course.yaml'), 'utf8').split('\n')[0]).toBe('# yaml-language-server: $schema=./course.schema.json');
});
