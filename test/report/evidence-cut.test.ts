// A failure's evidence is cut to 24 lines in the terminal, with a marker saying how many more `--json` shows; a
// marker never stands in for one single line (it would take that line's room and hide what may matter most).
import type { ChalkInstance } from 'chalk' with { 'resolution-mode': 'import' };
import { renderTests } from '../../grader/report/terminal';
import type { TestResult } from '../../grader/run/result';

const identity = (text: string) => text;
const c = new Proxy(identity, { get: () => c }) as unknown as ChalkInstance;

const failing = (lines: number): TestResult => ({
  fullName: 'Suite › a test',
  group: ['Suite'],
  title: 'a test',
  status: 'failed',
  message: Array.from({ length: lines }, (_, i) => `evidence line ${i + 1}`).join('\n'),
  durationMs: 1,
  score: 0,
  maxScore: 1,
});

test('one line past the limit is shown, not replaced by "(1 more lines)"', () => {
  const out = renderTests(c, [failing(25)]);
  expect(out).toContain('evidence line 25');
  expect(out).not.toContain('more lines');
});

test('more than one line past the limit is cut with the count', () => {
  const out = renderTests(c, [failing(30)]);
  expect(out).toContain('evidence line 24');
  expect(out).not.toContain('evidence line 25');
  expect(out).toContain('(6 more lines; `--json` shows all)');
});
