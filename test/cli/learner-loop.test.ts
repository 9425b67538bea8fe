// Black-box: the learner's loop around a check (issue 11). `check` stays on the current exercise after it passes,
// runs on the exercise of the folder it is started in, takes numbers and suggests ids; a compile error shows code
// frames and keeps the best score; reset takes "done" away; the --json outputs follow their committed JSON
// Schemas; `course lesson` renders every lesson within 80 columns; `course doctor` reports this machine.

import { spawnSync } from 'node:child_process';
import { appendFileSync, copyFileSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import YAML from 'yaml';
import { outputJsonSchemas } from '../../grader/course/output-schema';
import { copyCourse, course, repoRoot, toolPresent, type CliResult } from '../helpers';
import { Pty, ptyAvailable } from '../pty';

interface Entry {
  id: string;
  dir: string;
  solution: string;
  files: string[];
  progress?: { status: string; attempts: number; bestScore?: number; maxScore?: number };
}

const dir = copyCourse();
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const exercises = (): Entry[] => (YAML.parse(readFileSync(path.join(dir, 'course.yaml'), 'utf8')) as { exercises: Entry[] }).exercises;
const [first, second] = exercises() as [Entry, Entry];

/** `course` run from a folder inside the course (as a learner in a terminal at exercises/NN-id/). */
function courseIn(cwd: string, args: string[]): CliResult {
  const r = spawnSync(process.execPath, [path.join(dir, 'bin', 'course.js'), ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', INIT_CWD: '' },
    timeout: 120_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const ajv = new Ajv2020({ allErrors: true, strict: false });
const validator = (name: string) => ajv.compile(JSON.parse(readFileSync(path.join(repoRoot, 'docs', 'schemas', name), 'utf8')));

test('check keeps grading exercise 1 after it passed, until next moves on; 2 and folder 02 grade exercise 2', () => {
  expect(course(dir, ['next', '--brief']).code).toBe(0);
  for (const f of first.files) copyFileSync(path.join(dir, first.solution, f), path.join(dir, first.dir, f));
  const passed = course(dir, ['check']);
  expect(passed.code).toBe(0);
  expect(passed.stdout).toMatch(/^Exercise 1: /m);
  // Again, plain: still exercise 1 (not exercise 2's untouched stub), and nothing is recorded for exercise 2.
  const again = course(dir, ['check']);
  expect(again.stdout).toMatch(/^Exercise 1: /m);
  expect(again.code).toBe(0);
  expect(exercises()[1]!.progress).toBeUndefined();
  expect(JSON.parse(course(dir, ['status', '--json']).stdout).current).toBe(first.id);
  // From inside exercise 2's folder, the commands act on exercise 2.
  const inside = courseIn(path.join(dir, second.dir), ['check', '--json']);
  expect(JSON.parse(inside.stdout).exercise).toBe(second.id);
  expect(courseIn(path.join(dir, second.dir), ['hint']).stdout).toMatch(new RegExp(`Hint 1 of \\d+ for ${second.id}`));
  // By number.
  expect(JSON.parse(course(dir, ['check', '2', '--json']).stdout).exercise).toBe(second.id);
  // The current exercise is still the first: the learner never ran next.
  expect(JSON.parse(course(dir, ['status', '--json']).stdout).current).toBe(first.id);
});

test('a mistyped id gets "did you mean", a wrong number the range', () => {
  const typo = course(dir, ['check', 'hpak-table']);
  expect(typo.code).toBe(2);
  expect(typo.stderr).toMatch(/no exercise "hpak-table" in course\.yaml\. Did you mean "hpack-table"\?/);
  const number = course(dir, ['hint', '99']);
  expect(number.code).toBe(2);
  expect(number.stderr).toMatch(/no exercise number 99: the course has exercises 1 to \d+/);
});

test('a syntax error is shown with a code frame, says "does not compile" instead of a score, and keeps the best score', () => {
  const file = path.join(dir, first.dir, first.files[0]!);
  const before = readFileSync(file, 'utf8');
  const best = exercises()[0]!.progress!;
  expect(best.bestScore).toBe(best.maxScore);
  appendFileSync(file, '\nexport const broken = ;\n');
  const lineNo = readFileSync(file, 'utf8').split('\n').indexOf('export const broken = ;') + 1;
  try {
    const r = course(dir, ['check']);
    expect(r.code).toBe(1);
    const out = r.stdout;
    // The instruction comes before the errors it points to.
    expect(out.indexOf('Fix this syntax error')).toBeLessThan(out.indexOf('syntax error  Unexpected'));
    expect(out).toContain(`${first.dir}/${first.files[0]}:${lineNo}:23  syntax error  Unexpected ";"`);
    expect(out).toMatch(new RegExp(`> ${lineNo} \\| export const broken = ;\\n\\s+\\| {23}\\^`));
    expect(out).toContain('Does not compile');
    expect(out).toContain(`your best so far: ${best.bestScore}/${best.maxScore}`);
    expect(out).not.toMatch(/Score: 0\/0|0 passed/);
    // The attempt is counted, the best score kept.
    expect(exercises()[0]!.progress).toMatchObject({ status: 'done', bestScore: best.bestScore, maxScore: best.maxScore, attempts: best.attempts + 1 });
  } finally {
    copyFileSync(path.join(dir, first.solution, first.files[0]!), file);
    expect(readFileSync(file, 'utf8')).toBe(before);
  }
});

test('the --json outputs of check and status follow the committed JSON Schemas', () => {
  // The committed files are generated from the zod schemas (`npm run schema`).
  for (const [name, text] of Object.entries(outputJsonSchemas())) expect(readFileSync(path.join(repoRoot, 'docs', 'schemas', name), 'utf8')).toBe(text);
  const checkSchema = validator('check.schema.json');
  const statusSchema = validator('status.schema.json');
  for (const args of [
    ['check', '--json'],
    ['check', '2', '--json', '--seed', '5'],
  ]) {
    const out = JSON.parse(course(dir, args).stdout);
    expect({ args, valid: checkSchema(out), errors: checkSchema.errors }).toMatchObject({ valid: true });
  }
  const status = JSON.parse(course(dir, ['status', '--json']).stdout);
  expect({ valid: statusSchema(status), errors: statusSchema.errors }).toMatchObject({ valid: true });
  // The schema is not vacuous: a wrong status is refused.
  expect(statusSchema({ ...status, exercises: [{ ...status.exercises[0], status: 'finished' }] })).toBe(false);
  expect(checkSchema({ exercise: 'x', status: 'passed' })).toBe(false);
});

test('after reset, an exercise that was done is no longer done (and stays the current one)', () => {
  expect(exercises()[0]!.progress!.status).toBe('done');
  expect(course(dir, ['reset', first.id, '--yes']).code).toBe(0);
  const p = exercises()[0]!.progress!;
  expect(p.status).toBe('current');
  expect(p).not.toHaveProperty('passedAt');
  expect(p.attempts).toBeGreaterThan(0);
  expect(course(dir, ['status']).stdout).not.toMatch(new RegExp(`${first.id}\\s+done`));
});

test('course lesson renders every lesson of course.yaml: plain text within 80 columns when piped', () => {
  for (const [i, e] of exercises().entries()) {
    const r = course(dir, ['lesson', e.id]);
    expect({ id: e.id, code: r.code, stderr: r.stderr }).toEqual({ id: e.id, code: 0, stderr: '' });
    // Plain: no escape sequences; nothing wider than 80 columns.
    expect(r.stdout).not.toMatch(/\x1b/);
    const wide = r.stdout.split('\n').filter((line) => [...line].length > 80);
    expect({ id: e.id, wide }).toEqual({ id: e.id, wide: [] });
    // It is the lesson: its title, and no Markdown left raw (headings, bold, fences).
    const markdown = readFileSync(path.join(dir, e.dir, 'README.md'), 'utf8');
    const title = /^# (.+)$/m.exec(markdown)![1]!.replace(/[`*]/g, '');
    expect(r.stdout.replace(/\s+/g, ' ')).toContain(title);
    expect(r.stdout).not.toMatch(/^```|^\s*\*\*\S/m);
    // By number, the same text.
    expect(course(dir, ['lesson', String(i + 1)]).stdout).toBe(r.stdout);
  }
});

(toolPresent(ptyAvailable, 'util-linux `script`, for the pager test') ? test : test.skip)(
  'in a terminal, course lesson is coloured and goes through the pager when longer than the screen',
  async () => {
    // The pager is a real program that marks each line it shows.
    const pty = new Pty(process.execPath, [path.join(dir, 'bin', 'course.js'), 'lesson', '1'], { cwd: dir, env: { PAGER: 'sed s/^/PAGED:/', NO_COLOR: '' } });
    try {
      expect(await pty.exited).toBe(0);
      expect(pty.output).toMatch(/PAGED:\x1b\[[0-9;]*m/);
      expect(pty.text()).toMatch(/^PAGED:# Exercise 1/m);
    } finally {
      pty.kill();
    }
  },
);

test('the command table loads each command lazily, with the summary its module declares', () => {
  const { commands } = require('../../grader/commands/index') as typeof import('../../grader/commands/index');
  for (const entry of commands) expect({ name: entry.name, summary: entry.summary }).toEqual({ name: entry.load().name, summary: entry.load().summary });
});

test('course doctor checks the machine and says what to do about a proxy', () => {
  const r = course(dir, ['doctor']);
  expect(r.code).toBe(0);
  for (const check of ['Node.js version', 'loopback (127.0.0.1)', 'localhost', 'proxy settings', 'file watching', 'course.yaml'])
    expect(r.stdout).toContain(check);
  const proxied = course(dir, ['doctor', '--json'], { HTTP_PROXY: 'http://proxy.invalid:3128', NO_PROXY: '', no_proxy: '' });
  const proxy = (JSON.parse(proxied.stdout) as { findings: Array<{ check: string; level: string; fix?: string }> }).findings.find(
    (f) => f.check === 'proxy settings',
  );
  expect(proxy).toMatchObject({ level: 'warn' });
  expect(proxy!.fix).toMatch(/NO_PROXY=localhost,127\.0\.0\.1,::1/);
});
