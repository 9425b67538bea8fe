// What the `course watch` screen says, from the session's state (session.ts): the title and a status line with
// progress bars, the first failure with its evidence, the other failures one line each, passes counted, a panel (a
// hint, the list of exercises, a message) and the keys. This file decides the content; layout.ts fits it to the
// terminal's rows and columns. Pure: it returns the text; the command writes it.

import path from 'node:path';
import type { ChalkInstance } from 'chalk' with { 'resolution-mode': 'import' };
import { terminalBlock } from '../report/escape';
import { bestOf, isCompileError, renderDiagnostics, renderOutput, statusColour } from '../report/terminal';
import type { ExerciseResult, TestResult } from '../run/result';
import { GLUE } from './fit';
import { layoutScreen, type Evidence, type ScreenModel } from './layout';
import { listPanel, panelLines } from './panel';
import { exerciseOf, type WatchState } from './state';

export interface ScreenOptions {
  c: ChalkInstance;
  /** The course root, for the code frames of syntax errors. */
  root: string;
  rows: number;
  columns: number;
  /** Watching by polling (shown in the footer). */
  poll: boolean;
}

/** "[██████░░░░] 6/10", kept on one row. */
export function bar(done: number, total: number, width = 20): string {
  const filled = total > 0 ? Math.round((done / total) * width) : 0;
  return `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}]${GLUE}${done}/${total}`;
}

const glued = (text: string) => text.replaceAll(' ', GLUE);

function firstLine(text: string | undefined): string {
  return (
    (text ?? '')
      .split('\n')
      .find((l) => l.trim())
      ?.trim() ?? ''
  );
}

const nameOf = (t: TestResult) => [...t.group, t.title].join(' › ');

/** The screen as text: exactly what fits in `rows` × `columns`. */
export function renderScreen(s: WatchState, options: ScreenOptions): string {
  return layoutScreen(options, screenModel(s, options)).join('\n');
}

export function screenModel(s: WatchState, options: ScreenOptions): ScreenModel {
  const { c } = options;
  const exercise = exerciseOf(s);
  const failing = s.result?.tests.filter((t) => t.status !== 'passed') ?? [];
  const evidence = s.result && evidenceOf(s.result, failing[0], s, options);
  const keys = [
    ['n', 'next'],
    ['h', 'hint'],
    ['l', 'list'],
    ['r', 're-run'],
    ['q', 'quit'],
  ].map(([k, what]) => `${c.bold(k!)}${GLUE}${what}`);
  const passedNow = s.result?.status === 'passed' ? [c.green(`Passed! Press ${c.bold('n')} for the next exercise.`)] : [];
  return {
    header: headerOf(s, options),
    evidence,
    // The first failure is the evidence (unless a compile error or a run's message took its place).
    others: (evidence?.title.length ? failing.slice(1) : failing).map(
      (t) => `${c.red('✗')} ${nameOf(t)}${t.message ? c.gray(`  — ${firstLine(t.message)}`) : ''}`,
    ),
    moreOthers: (hidden) => c.red(`… ${hidden} more failing`),
    notes: s.result ? notesOf(s.result, s, options) : s.running ? [] : [c.gray('waiting for the first check…')],
    panel: s.listCursor !== undefined ? listPanel(c, s.course, s.listCursor, exercise) : s.panel && { lines: panelLines(c, s.panel) },
    footer: [...passedNow, keys.join('  ')],
    watching: c.gray(`watching ${exercise.files.map((f) => path.join(exercise.dir, f)).join(', ')}${options.poll ? ' (polling)' : ''}`),
  };
}

/** The title, and the status line: the run in progress, or the result with its bars. */
function headerOf(s: WatchState, options: ScreenOptions): string[] {
  const { c, columns } = options;
  const { course, result } = s;
  const exercise = exerciseOf(s);
  const total = course.exercises.length;
  const done = course.exercises.filter((e) => e.progress?.status === 'done').length;
  const title = c.bold(`Exercise ${course.exercises.indexOf(exercise) + 1} of ${total}: ${exercise.title}`) + c.gray(` (${exercise.id})`);
  // Narrower bars on a narrower terminal, so that the status line keeps to one or two rows.
  const width = columns >= 100 ? 20 : columns >= 60 ? 10 : 5;
  const courseBar = `course${GLUE}${bar(done, total, Math.min(width, 10))}`;
  if (s.running) {
    const r = s.running;
    const tests = r.expected ? `  tests${GLUE}${bar(r.done, r.expected, width)}${r.failed ? c.red(` ${glued(`${r.failed} failed`)}`) : ''}` : '';
    return [title, `${c.cyan(glued('⟳ checking'))} ${r.phase}${tests}   ${courseBar}`];
  }
  if (!result) return [title];
  const passed = result.tests.filter((t) => t.status === 'passed').length;
  const best = bestOf(exercise.progress);
  const testsBar = result.tests.length ? `  tests${GLUE}${bar(passed, result.tests.length, width)}` : '';
  const bestText = best && result.status !== 'passed' ? c.gray(`   best${GLUE}${best}`) : '';
  return [title, `${summaryOf(result, c)}${testsBar}   ${courseBar}${bestText}`];
}

function summaryOf(result: ExerciseResult, c: ChalkInstance): string {
  const failing = result.tests.filter((t) => t.status !== 'passed').length;
  if (result.status === 'passed') return c.green.bold(glued(`✔ passed: all ${result.tests.length} tests`));
  if (isCompileError(result)) return c.red.bold(glued('✗ does not compile'));
  if (result.tests.length) return c.red.bold(glued(`✗ ${failing} of ${result.tests.length} tests failing`));
  return statusColour(c, result).bold(glued(`✗ ${result.status}`));
}

/** What gets the rows left: a compile error's code frame, why a run ended without tests, or the first failure. */
function evidenceOf(result: ExerciseResult, firstFail: TestResult | undefined, s: WatchState, options: ScreenOptions): Evidence | undefined {
  const { c } = options;
  const exercise = exerciseOf(s);
  const more = (hidden: number) => `    ${c.gray(`… ${hidden} more lines: npx course check shows them all`)}`;
  const syntax = result.diagnostics.filter((d) => d.kind === 'syntax');
  if (syntax.length) {
    const frame = renderDiagnostics(c, syntax, exercise.dir, path.join(options.root, exercise.dir));
    return { title: [], lines: frame.split('\n'), more, output: [] };
  }
  if (result.message && result.status !== 'passed' && !result.tests.length)
    return { title: [], lines: statusColour(c, result)(terminalBlock(result.message)).split('\n'), more, output: [] };
  if (!firstFail) return undefined;
  return {
    title: [`${c.red('✗')} ${c.bold(nameOf(firstFail))}`],
    // Every line of the message after a "│ " mark (escape.ts), kept when wrapped (fit.ts): none can pass for the
    // grader's own lines.
    lines: terminalBlock(firstFail.message ?? '', '    ').split('\n'),
    more,
    // The learner's own output while this test ran, under check's heading that says whose it is.
    output: firstFail.output ? renderOutput(c, firstFail.output, '    ').split('\n') : [],
  };
}

/** Passes counted, the first type error, the seed that replays the run. */
function notesOf(result: ExerciseResult, s: WatchState, options: ScreenOptions): string[] {
  const { c } = options;
  const exercise = exerciseOf(s);
  const notes: string[] = [];
  const passed = result.tests.filter((t) => t.status === 'passed').length;
  if (passed) notes.push(c.green(`✓ ${passed} passed`));
  const types = result.diagnostics.filter((d) => d.kind === 'type');
  if (types.length) notes.push(c.yellow(`${types.length} type error(s), e.g. ${types[0]!.file}:${types[0]!.line}: ${firstLine(types[0]!.message)}`));
  if (result.status !== 'passed' && result.tests.length)
    notes.push(c.gray(`seed ${result.seed}: npx course check ${exercise.id} --seed ${result.seed} replays this run`));
  return notes;
}
