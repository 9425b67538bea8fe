// Feedback files (issue 12 point 5) against hostile input: learner ids that clash or name devices as file names,
// messages that try to close a Markdown code fence, inject HTML, or carry terminal escapes.

import type { Gradebook } from '../../grader/batch/model';
import { cleanText, feedbackFiles, feedbackHtml, feedbackMarkdown, fileNames } from '../../grader/report/feedback';
import { untrusted } from '../../grader/report/escape';

const EVIL = '```\n# Injected heading\n<script>alert(1)</script>\u001b[31mred\u001b[0m\u0007 ``` `';

const book: Gradebook = {
  meta: {
    tool: 'course grade',
    version: 1,
    course: 'Feedback <b>course</b>',
    startedAt: '2026-11-21T10:00:00.000Z',
    finishedAt: '2026-11-21T10:05:00.000Z',
    allLearners: ['a b', 'a_b', 'CON', 'x'],
    learners: ['a b', 'a_b', 'CON', 'x'],
    exercises: [{ id: 'calc', title: 'Calc', suiteHash: 'a'.repeat(64), maxScore: 2 }],
    isolation: [],
    jobs: 1,
    runs: { graded: 4, resumed: 0 },
  },
  learners: ['a b', 'a_b', 'CON', 'x'].map((learner) => ({
    learner: untrusted(learner),
    kind: 'folder',
    status: 'graded' as const,
    score: 1,
    maxScore: 2,
    exercises: [
      {
        exercise: 'calc',
        status: 'failed' as const,
        score: 1,
        maxScore: 2,
        seed: 42,
        tests: [
          { fullName: 'Calc › adds', group: ['Calc'], title: 'adds', status: 'passed' as const, durationMs: 3, score: 1, maxScore: 1 },
          {
            fullName: 'Calc › totals',
            group: ['Calc'],
            title: 'totals',
            status: 'failed' as const,
            message: `expected 5, got ${EVIL}`,
            durationMs: 3,
            score: 0,
            maxScore: 1,
          },
        ],
        anomalies: [],
        diagnostics: [],
        durationMs: 10,
        suiteHash: 'a'.repeat(64),
      },
    ],
  })),
};

test("file names are the learners' keys: safe and unique, even for ids that clash or name devices", () => {
  const names = fileNames(['a b', 'a_b', 'A_B', 'CON', '../../etc/passwd', 'x']);
  const values = [...names.values()];
  expect(new Set(values.map((v) => v.toLowerCase())).size).toBe(values.length);
  for (const v of values) expect(v).toMatch(/^[a-z0-9._~-]+$/);
  expect(names.get('x')).toBe('x');
  expect(names.get('a_b')).toBe('a_b');
  expect(names.get('CON')).toMatch(/^con~[0-9a-f]{12}$/);
  expect(names.get('../../etc/passwd')).not.toContain('/');
  expect(feedbackFiles(book).size).toBe(8);
});

test('Markdown keeps hostile text inside a fence it cannot close', () => {
  const md = feedbackMarkdown(book, book.learners[3]!);
  expect(md).not.toMatch(/^# Injected heading/m);
  expect(md).not.toContain('\u001b');
  expect(md).not.toContain('\u0007');
  // The fence around the test output is longer than any backtick run inside it.
  const fenceLine = md.split('\n').find((l) => /^`{4,}text$/.test(l));
  expect(fenceLine).toBeDefined();
  expect(md).toContain('✗ totals');
  expect(md).toContain('npx course check calc --seed 42');
  expect(md).toContain('Feedback: Feedback \\<b\\>course\\</b\\>');
});

test('HTML escapes every learner character that matters and allows no script', () => {
  const html = feedbackHtml(book, book.learners[3]!);
  expect(html).not.toContain('<script>alert');
  expect(html).toContain('&#60;script&#62;alert(1)&#60;/script&#62;');
  expect(html).toContain("default-src 'none'");
  expect(html).not.toContain('<b>course</b>');
  expect(cleanText('a\u001b[1mb\u202ec\r\nd')).toBe('abc\nd');
});
