// The `course watch` screen as text, from the session's state (session.ts): a summary line with progress bars,
// the failing tests first (the first with its full evidence, the others one line each), passes collapsed to a
// count, a panel (a hint, the list of exercises, a message) and the keys at the bottom. Pure: it returns the text;
// the command writes it.

import path from 'node:path';
import type { ChalkInstance } from 'chalk' with { 'resolution-mode': 'import' };
import type { CourseData, ExerciseSpec } from '../course/schema';
import { LAST_HINT, wrap } from '../commands/hint';
import { bestOf, isCompileError, renderDiagnostics, statusColour } from '../report/terminal';
import { terminalBlock } from '../report/escape';
import type { TestResult } from '../run/result';
import { exerciseOf, type Panel, type WatchState } from './state';

export interface ScreenOptions {
  c: ChalkInstance;
  /** The course root, for the code frames of syntax errors. */
  root: string;
  rows: number;
  columns: number;
  /** Watching by polling (shown in the footer). */
  poll: boolean;
}

/** "[██████░░░░] 6/10" */
export function bar(done: number, total: number, width = 20): string {
  const filled = total > 0 ? Math.round((done / total) * width) : 0;
  return `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${done}/${total}`;
}

function firstLine(text: string | undefined): string {
  return (
    (text ?? '')
      .split('\n')
      .find((l) => l.trim())
      ?.trim() ?? ''
  );
}

/** The screen as text, fitted to `rows` lines where it can be. */
export function renderScreen(s: WatchState, options: ScreenOptions): string {
  const { c, rows } = options;
  const { course, result } = s;
  const exercise = exerciseOf(s);
  const total = course.exercises.length;
  const doneCount = course.exercises.filter((e) => e.progress?.status === 'done').length;
  const head = c.bold(`Exercise ${course.exercises.indexOf(exercise) + 1} of ${total}: ${exercise.title}`) + c.gray(` (${exercise.id})`);
  const panelText = s.listCursor !== undefined ? renderList(c, course, s.listCursor, exercise) : s.panel && renderPanel(s.panel, options);
  const courseBar = `course ${bar(doneCount, total, 10)}`;
  const out: string[] = [head];
  const footer: string[] = [];
  if (s.running) {
    const r = s.running;
    out.push(
      `${c.cyan('⟳ checking')} ${r.phase}${r.expected ? `  tests ${bar(r.done, r.expected)}${r.failed ? c.red(` ${r.failed} failed`) : ''}` : ''}   ${courseBar}`,
    );
  }
  if (result) {
    const passed = result.tests.filter((t) => t.status === 'passed');
    const failing = result.tests.filter((t) => t.status !== 'passed');
    const best = bestOf(exercise.progress);
    let summary: string;
    if (result.status === 'passed') summary = c.green.bold(`✔ passed: all ${result.tests.length} tests`);
    else if (isCompileError(result)) summary = c.red.bold('✗ does not compile');
    else if (result.tests.length) summary = c.red.bold(`✗ ${failing.length} of ${result.tests.length} tests failing`);
    else summary = statusColour(c, result).bold(`✗ ${result.status}`);
    const testsBar = result.tests.length ? `  tests ${bar(passed.length, result.tests.length)}` : '';
    if (!s.running) out.push(`${summary}${testsBar}   ${courseBar}${best && result.status !== 'passed' ? c.gray(`   best ${best}`) : ''}`);
    out.push('');
    const syntax = result.diagnostics.filter((d) => d.kind === 'syntax');
    if (syntax.length) {
      out.push(renderDiagnostics(c, syntax, exercise.dir, path.join(options.root, exercise.dir)));
      out.push('');
    } else if (result.message && result.status !== 'passed' && !result.tests.length) {
      out.push(statusColour(c, result)(terminalBlock(result.message)), '');
    }
    // Failures first: the first with its evidence, the others one line each; passes as a count.
    const name = (t: TestResult) => [...t.group, t.title].join(' › ');
    const [firstFail, ...otherFails] = failing;
    const tail: string[] = [];
    for (const t of otherFails) tail.push(`${c.red('✗')} ${name(t)}${t.message ? c.gray(`  — ${firstLine(t.message)}`) : ''}`);
    if (firstFail?.output) tail.unshift(c.gray(`your output during it: ${firstLine(firstFail.output.text).slice(0, 60)}  (all of it: npx course check)`));
    if (passed.length) tail.push(c.green(`✓ ${passed.length} passed`));
    const types = result.diagnostics.filter((d) => d.kind === 'type');
    if (types.length) tail.push(c.yellow(`${types.length} type error(s), e.g. ${types[0]!.file}:${types[0]!.line}: ${firstLine(types[0]!.message)}`));
    if (result.status !== 'passed' && result.tests.length)
      tail.push(c.gray(`seed ${result.seed}: npx course check ${exercise.id} --seed ${result.seed} replays this run`));
    if (firstFail) {
      out.push(`${c.red('✗')} ${c.bold(name(firstFail))}`);
      // The evidence gets the room the rest leaves (at least 8 lines).
      const room = Math.max(8, rows - out.length - tail.length - 6 - (panelText ? panelText.split('\n').length + 1 : 0));
      // Every line of the message after a "│ " mark (escape.ts): none can pass for the grader's own lines.
      const lines = terminalBlock(firstFail.message ?? '', '    ').split('\n');
      const shown =
        lines.length > room
          ? [...lines.slice(0, room - 1), `    ${c.gray(`… ${lines.length - room + 1} more lines: npx course check shows them all`)}`]
          : lines;
      out.push(shown.join('\n'), '');
    }
    out.push(...tail);
    if (result.status === 'passed') footer.push(c.green(`Passed! Press ${c.bold('n')} for the next exercise.`));
  } else if (!s.running) out.push('', c.gray('waiting for the first check…'));
  const keys = [`${c.bold('n')} next`, `${c.bold('h')} hint`, `${c.bold('l')} list`, `${c.bold('r')} re-run`, `${c.bold('q')} quit`].join('  ');
  const watching = c.gray(`watching ${exercise.files.map((f) => path.join(exercise.dir, f)).join(', ')}${options.poll ? ' (polling)' : ''}`);
  footer.push(`${keys}   ${watching}`);
  const body = out.join('\n').split('\n');
  // Keep the panel (a hint, the list) and the keys on screen: cut the body (never the first two lines) when the
  // screen is short.
  const panel = panelText ? ['', ...panelText.split('\n')] : [];
  const room = rows - footer.length - panel.length - 1;
  const fitted = body.length > room && room > 4 ? [...body.slice(0, room - 1), c.gray('…')] : body;
  return [...fitted, ...panel, '', ...footer].join('\n');
}

/** The exercises as a list to pick from (the cursor on `selected`). */
function renderList(c: ChalkInstance, course: CourseData, selected: number, watched: ExerciseSpec): string {
  const lines = course.exercises.map((e, i) => {
    const p = e.progress ?? { status: 'not-started' };
    const mark = p.status === 'done' ? c.green('✓') : p.status === 'current' ? c.cyan('▶') : p.status === 'failed' ? c.red('✗') : ' ';
    const label = `${String(i + 1).padStart(2)}. ${e.id.padEnd(20)} ${p.status}${e.id === watched.id ? ' (watching)' : ''}`;
    return `${i === selected ? c.inverse(`❯ ${label}`) : `  ${label}`} ${mark}`;
  });
  return [c.bold('Exercises: ↑/↓ to choose, Enter to watch it, Esc to go back'), ...lines].join('\n');
}

function renderPanel(panel: Panel, options: ScreenOptions): string {
  const { c } = options;
  switch (panel.kind) {
    case 'hint': {
      const text = `${c.bold(`Hint ${panel.number} of ${panel.total}:`)}\n${wrap(panel.text, Math.min(options.columns - 2, 100))}`;
      return panel.last ? `${text}\n${c.gray(LAST_HINT)}` : text;
    }
    case 'no-hints':
      return `No hints for ${panel.exercise}: re-read the lesson (npx course lesson).`;
    case 'message':
      return (panel.tone === 'success' ? c.green.bold : panel.tone === 'warn' ? c.yellow : c.red)(panel.text);
  }
}
