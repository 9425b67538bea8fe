// Feedback that points at the lesson (issue 23): a failed test shows the lesson sentence it checks and its section
// in `course check`'s terminal output and in --json; the {R…} tags never reach a displayed name.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { copyCourse, course } from '../helpers';

const FIXTURE = 'test/fixtures/req-calc';

test('a failed test shows its requirement and lesson section; names carry no tag; --json has the fields', () => {
  const dir = copyCourse();
  const entry = readFileSync(path.join(dir, FIXTURE, 'course-entry.yaml'), 'utf8');
  writeFileSync(path.join(dir, 'course.yaml'), `title: feedback fixture\nexercises:\n  - ${entry.trimEnd().split('\n').join('\n    ')}\n`);
  // The learner's code: right except that add subtracts.
  const solution = readFileSync(path.join(dir, FIXTURE, 'solution', 'calc.ts'), 'utf8');
  writeFileSync(path.join(dir, FIXTURE, 'stub', 'calc.ts'), solution.replace('return a + b;', 'return a - b;'));

  const json = course(dir, ['check', 'req-calc', '--json']);
  const result = JSON.parse(json.stdout) as {
    tests: Array<{ fullName: string; group: string[]; title: string; status: string; requirements?: string[] }>;
    requirements?: Array<{ id: string; section: string; text: string }>;
  };
  expect(result.tests.map((t) => [t.fullName, t.status, t.requirements])).toEqual([
    ['adding › adds two numbers', 'failed', ['R1.1']],
    ['adding › adds negative numbers', 'failed', ['R1.1']],
    ['the total › keeps a running total', 'passed', ['R1.2']],
    ['the total › a new calculator starts at 0', 'passed', ['R1.3']],
  ]);
  expect(result.tests[0]!.group).toEqual(['adding']);
  expect(result.requirements).toEqual(expect.arrayContaining([{ id: 'R1.1', section: 'Adding', text: 'add(a, b) must return the sum of a and b.' }]));

  const text = course(dir, ['check', 'req-calc']).stdout;
  expect(text).not.toMatch(/\{R1\./);
  expect(text).toContain('✗ adds two numbers');
  expect(text).toContain('↳ lesson § Adding (R1.1): add(a, b) must return the sum of a and b.');
  expect(text).toContain('npx course lesson req-calc');
  expect(text).not.toContain('§ The total');
});
