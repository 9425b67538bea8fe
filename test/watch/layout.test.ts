// The watch screen laid out for the terminal (grader/watch/layout.ts, fit.ts, screen.ts), without a terminal: a
// session's state with a long failure drawn at 80x24, 120x40 and 40x10. Whatever the size, the screen has no more
// rows than the terminal and none wider (so nothing scrolls off the top), starts with the title and the "N of M
// failing" line with its bars, ends with the keys; the first failure's evidence gets the rows that are left, the
// other failures one row each with "… N more"; words are wrapped at spaces and a word wider than the screen is cut.

import { Course, type CourseData } from '../../grader/course/schema';
import type { ExerciseResult, TestResult } from '../../grader/run/result';
import { cutLine, widthOf, wrapLine } from '../../grader/watch/fit';
import { renderScreen, type ScreenOptions } from '../../grader/watch/screen';
import { initialState, type WatchState } from '../../grader/watch/state';

// Colours on, as in a terminal: every measure below is of what shows, colour codes excluded.
const identity = (text: string) => text;
const wrapIn = (open: number, close: number) => (text: string) => `\x1b[${open}m${text}\x1b[${close}m`;
type Chalk = ScreenOptions['c'];
const paint = (open: number, close: number): Chalk => new Proxy(wrapIn(open, close), { get: () => paint(open, close) }) as unknown as Chalk;
const chalk = new Proxy(identity, { get: (_t, name) => (name === 'red' ? paint(31, 39) : name === 'gray' ? paint(90, 39) : paint(1, 22)) }) as unknown as Chalk;

const plain = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, '');

function course(): CourseData {
  const exercise = (n: number) => ({
    id: `exercise-${n}`,
    title: `The exercise number ${n} with a rather long title`,
    summary: 'An exercise.',
    dir: `exercises/0${n}-exercise-${n}`,
    solution: `solutions/0${n}-exercise-${n}`,
    files: [`exercise-${n}.ts`],
    suite: `harness/suites/exercise-${n}.test.ts`,
    hints: ['Look at how the table is evicted: the oldest entry goes first, and its size counts name + value + 32.'],
  });
  return Course.parse({ title: 'A course', exercises: [1, 2, 3, 4, 5, 6, 7, 8, 9].map(exercise) });
}

const LONG_WORD = `0x${'ab'.repeat(60)}`;
/** A failure whose evidence is 60 lines, some longer than any terminal here, one a single 122-character word. */
const evidence = [
  'expected the dynamic table after the third header block to hold 2 entries, in this order (RFC 7541 §2.3.2):',
  ...Array.from({ length: 58 }, (_, i) => `  [${62 + i}] custom-key-${i}: custom-value-${i} (size ${44 + i}) and some words to make it wrap here`),
  LONG_WORD,
].join('\n');

function test_(i: number, status: TestResult['status'], message?: string): TestResult {
  const title = `decodes header block ${i} of the third request with the dynamic table shared across blocks (RFC 7541 §4.${i % 4})`;
  return { fullName: `decoding › ${title}`, group: ['decoding'], title, status, message, durationMs: 3, score: status === 'passed' ? 1 : 0, maxScore: 1 };
}

function failingState(): WatchState {
  const tests = [test_(0, 'failed', evidence), ...Array.from({ length: 20 }, (_, i) => test_(i + 1, 'failed', `wrong entry ${i}`)), test_(21, 'passed')];
  const result: ExerciseResult = {
    exercise: 'exercise-1',
    status: 'failed',
    score: 1,
    maxScore: tests.length,
    tests,
    diagnostics: [],
    anomalies: [],
    seed: 42,
    durationMs: 900,
    filesHash: '',
    suiteHash: '',
  };
  return { ...initialState(course(), 'exercise-1'), result };
}

const draw = (s: WatchState, rows: number, columns: number) =>
  renderScreen(s, { c: chalk, root: '/course', rows, columns, poll: false }).split('\n').map(plain);

describe.each([
  [80, 24],
  [120, 40],
  [40, 10],
])('at %ix%i with a long failure', (columns, rows) => {
  const screen = draw(failingState(), rows, columns);

  test('fits: no more rows than the terminal, none wider', () => {
    expect(screen.length).toBeLessThanOrEqual(rows);
    for (const row of screen) expect(widthOf(row)).toBeLessThanOrEqual(columns);
  });

  test('the header (title, "N of M failing" and the bars) on top, the keys at the bottom', () => {
    const header = screen.slice(0, 5).join(' ');
    expect(screen[0]).toMatch(/^Exercise 1 of 9: The/);
    expect(header).toMatch(/✗ 21 of 22 tests failing/);
    expect(header).toMatch(/tests \[[█░]+\] 1\/22/);
    expect(header).toMatch(/course \[░+\] 0\/9/);
    expect(screen.at(-1)).toMatch(/n next +h hint +l list +r re-run +q quit/);
  });

  test('the first failure with as much evidence as the rows left allow; the other failures one row each, cut with "… N more"', () => {
    const title = screen.findIndex((r) => r.startsWith('✗ decoding › decodes header block 0 '));
    expect(title).toBeGreaterThan(0);
    const evidenceRows = screen.filter((r) => r.startsWith('    │ '));
    expect(evidenceRows.length).toBeGreaterThanOrEqual(rows >= 24 ? 8 : 1);
    const more = screen.find((r) => /^ {4}… \d+ more lines: npx course check (shows them all|s…)$/.test(r));
    expect(more).toBeDefined();
    const others = screen.filter((r) => /^✗ decoding › decodes header block (1|[2-9]|1\d|20) /.test(r));
    for (const row of others) expect(row).toMatch(/— wrong entry \d+$|…$/);
    const moreFailing = screen.find((r) => /^… \d+ more failing$/.test(r));
    // On a 10-row screen the header, the keys and the first failure take every row.
    if (rows < 24) return expect(others.length + Number(Boolean(moreFailing))).toBe(0);
    expect(others.length).toBeGreaterThan(0);
    expect(others.length + Number(/\d+/.exec(moreFailing!)![0])).toBe(20);
  });
});

test('the evidence is wrapped at spaces, its continuation rows keep the "│ " mark, and a word wider than the screen is cut cleanly', () => {
  const screen = draw(failingState(), 200, 40);
  const rows = screen.filter((r) => r.startsWith('    │ '));
  expect(rows.length).toBeGreaterThan(60);
  // No word of the message is broken, except the one wider than the screen.
  const words = new Set(evidence.split(/\s+/));
  const shown = rows.flatMap((r) => r.slice('    │ '.length).trim().split(/\s+/));
  expect(shown.filter((w) => !words.has(w) && !LONG_WORD.includes(w))).toEqual([]);
  // The long word: cut into rows that fill the screen exactly, and together they are the word.
  const pieces = rows.filter((r) => /^ {4}│ +[0-9a-fx]+$/.test(r) && LONG_WORD.includes(r.trim().slice(2)));
  expect(pieces.map((r) => r.replace(/^ {4}│ +/, '')).join('')).toBe(LONG_WORD);
  for (const piece of pieces.slice(0, -1)) expect(widthOf(piece)).toBe(40);
});

test('on a resize, the same state is laid out again for the new size (80x24 → 120x40 → 40x10)', () => {
  const s = failingState();
  const sizes = [draw(s, 24, 80), draw(s, 40, 120), draw(s, 10, 40)];
  expect(sizes.map((screen) => screen.length)).toEqual([24, 40, 10]);
  expect(sizes[1]!.filter((r) => r.startsWith('    │ ')).length).toBeGreaterThan(sizes[0]!.filter((r) => r.startsWith('    │ ')).length);
});

test('the list of exercises keeps its cursor in view on a short screen', () => {
  const s = { ...failingState(), listCursor: 8 };
  const screen = draw(s, 10, 40);
  expect(screen.length).toBeLessThanOrEqual(10);
  expect(screen.some((r) => /^❯ +9\. exercise-9/.test(r))).toBe(true);
  expect(screen.at(-1)).toMatch(/q quit/);
});

test('a hint at 40 columns is wrapped at spaces, whole', () => {
  const s: WatchState = { ...failingState(), panel: { kind: 'hint', number: 1, total: 1, text: course().exercises[0]!.hints[0]!, last: true } };
  const screen = draw(s, 24, 40);
  const at = screen.indexOf('Hint 1 of 1:');
  expect(at).toBeGreaterThan(0);
  const hint = screen.slice(at + 1, screen.indexOf('(that was the last hint)')).join(' ');
  expect(hint).toBe(course().exercises[0]!.hints[0]);
});

test('fit: colour codes take no column and survive a cut; wide characters take two', () => {
  const red = (t: string) => `\x1b[31m${t}\x1b[39m`;
  expect(widthOf(red('abc'))).toBe(3);
  expect(widthOf('表示')).toBe(4);
  const cut = cutLine(`${red('a'.repeat(30))} tail`, 10);
  expect(plain(cut)).toBe(`${'a'.repeat(9)}…`);
  expect(cut.endsWith('\x1b[39m')).toBe(true);
  expect(wrapLine('表示表示表示', 5).map(widthOf)).toEqual([4, 4, 4]);
  expect(wrapLine('one two three four', 9)).toEqual(['one two', 'three', 'four']);
});
