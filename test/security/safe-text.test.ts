// Text from the code under test and from submissions' names must not act on a terminal, a spreadsheet or a page.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { discoverSubmissions } from '../../grader/batch/intake';
import { gradesCsv } from '../../grader/report/gradebook';
import { visibleControls, visibleOneLine } from '../../grader/report/safe-text';
import type { Gradebook } from '../../grader/batch/model';

test('terminal controls become visible escapes; newlines and tabs stay', () => {
  const attack = 'ok\x1b[2J\x1b]0;title\x07\r3/3 passed\x9b1m\u202etxt\u202c\x00\x7f\nnext\tline';
  const shown = visibleControls(attack);
  expect(shown).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
  expect(shown).toBe('ok\\u001b[2J\\u001b]0;title\\u0007\\u000d3/3 passed\\u009b1m\\u202etxt\\u202c\\u0000\\u007f\nnext\tline');
  expect(visibleOneLine('a\nb\tc')).toBe('a\\nb\\tc');
  expect(visibleControls('plain text, ünïcödé ✓')).toBe('plain text, ünïcödé ✓');
});

test('hostile submission names are made visible at discovery, and CSV cells cannot start a formula', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'course-names-'));
  try {
    for (const name of ['=HYPERLINK("x")', 'evil\x1b[2Jname', '+1', '@sum', '-2', 'plain']) mkdirSync(path.join(dir, name));
    const ids = discoverSubmissions(dir).map((s) => s.id);
    expect(ids).toContain('evil\\u001b[2Jname');
    const book = {
      meta: { exercises: [{ id: 'calc', title: 'calc', suiteHash: 'x', maxScore: 3 }] },
      learners: ids.map((learner) => ({ learner, status: 'graded', score: 0, maxScore: 3, exercises: [{ exercise: 'calc', score: 0 }] })),
    } as unknown as Gradebook;
    const rows = gradesCsv(book).trim().split('\n').slice(1);
    for (const row of rows) expect(row).not.toMatch(/^"?[=+\-@]/);
    expect(rows.some((r) => r.startsWith(`"'=HYPERLINK`))).toBe(true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
