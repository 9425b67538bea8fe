// How a check looks in a terminal: tests grouped by describe block, ✓/✗ per test, each failure's message (cut to
// a readable length), type errors with file:line:col, a closing "N passed, M failed" line, the score and the
// next step. Text from the code under test (messages, anomalies, compiler messages quoting it) is printed through
// escape.ts: every line of a failure message after a "│ " mark, so none can pass for the grader's own lines (a
// "43 passed, 0 failed" or a "✓" at column 0).

import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ChalkInstance } from 'chalk' with { 'resolution-mode': 'import' };
import type { ExerciseSpec, ProgressData } from '../course/schema';
import { scoreNote } from '../course/progress';
import type { Diagnostic, ExerciseResult, LearnerOutput, TestResult } from '../run/result';
import { terminalBlock, terminalLine, terminalText } from './escape';
import { lessonHint, lessonLines, type LessonLinks } from './lesson-pointer';

const MESSAGE_LINES = 24;
/** Failures shown with their full evidence by default (`check --all` shows every one); the others get a line each. */
export const FULL_FAILURES = 3;
/** Lines of a test's own output (console.log...) shown in the terminal; `--json` holds all that was kept. */
const OUTPUT_LINES = 20;
/** What marks the learner's own output, so it is never read as the grader's. */
export const OUTPUT_HEADING = 'your output (console.log/console.error while this test ran):';

export function indent(text: string, by: string): string {
  return text
    .split('\n')
    .map((line) => (line ? by + line : line))
    .join('\n');
}

function cutLines(text: string, max: number): string {
  const lines = text.split('\n');
  // A marker in place of a single line would hide the line that may matter, in the room it would take itself.
  if (lines.length <= max + 1) return text;
  return [...lines.slice(0, max), `… (${lines.length - max} more lines; \`--json\` shows all)`].join('\n');
}

/** The code around a position: two lines before, the line with a caret under the column, one line after. */
export function codeFrame(c: ChalkInstance, source: string, line: number, column: number): string {
  const lines = source.split(/\r?\n/);
  if (line < 1 || line > lines.length) return '';
  const first = Math.max(1, line - 2);
  const last = Math.min(lines.length, line + 1);
  const width = String(last).length;
  const out: string[] = [];
  for (let n = first; n <= last; n++) {
    // Tabs would move the caret: show them as two spaces on both lines.
    const text = lines[n - 1]!.replace(/\t/g, '  ').slice(0, 160);
    out.push(`${n === line ? c.red('>') : ' '} ${c.gray(`${String(n).padStart(width)} |`)} ${text}`);
    if (n === line) {
      const before = lines[n - 1]!.slice(0, Math.max(0, column - 1)).replace(/\t/g, '  ');
      out.push(`  ${c.gray(`${' '.repeat(width)} |`)} ${' '.repeat(Math.min(before.length, 160))}${c.red('^')}`);
    }
  }
  return out.join('\n');
}

/**
 * Diagnostics with their place (`dir/file:line:col`); with `implRoot` (where the files are), syntax errors also
 * show a code frame.
 */
export function renderDiagnostics(c: ChalkInstance, diagnostics: Diagnostic[], root: string, implRoot?: string): string {
  const out: string[] = [];
  const sources = new Map<string, string | undefined>();
  const source = (file: string) => {
    if (!sources.has(file)) {
      try {
        sources.set(file, implRoot ? readFileSync(path.join(implRoot, file), 'utf8') : undefined);
      } catch {
        sources.set(file, undefined);
      }
    }
    return sources.get(file);
  };
  const max = diagnostics.some((d) => d.kind === 'syntax') ? 5 : 20;
  for (const d of diagnostics.slice(0, max)) {
    const where = terminalLine(d.file.startsWith('(') ? d.file : `${root}/${d.file}:${d.line}:${d.column}`);
    out.push(`  ${c.cyan(where)}  ${d.kind === 'syntax' ? c.red('syntax error') : c.yellow('type error')}  ${terminalText(d.message, '    ')}`);
    const text = d.kind === 'syntax' && !d.file.startsWith('(') ? source(d.file) : undefined;
    if (text !== undefined) {
      const frame = codeFrame(c, text, d.line, d.column);
      if (frame) out.push(indent(frame, '    '), '');
    }
  }
  if (diagnostics.length > max) out.push(`  … and ${diagnostics.length - max} more`);
  return out.join('\n').trimEnd();
}

/**
 * The code did not compile, so no test ran. Keyed on the result as the runner gives it: a `compile-error` status,
 * or (older results) an `error` with syntax diagnostics and no tests.
 */
export function isCompileError(result: Pick<ExerciseResult, 'status' | 'tests' | 'diagnostics'>): boolean {
  if ((result.status as string) === 'compile-error') return true;
  return result.status === 'error' && result.tests.length === 0 && result.diagnostics.some((d) => d.kind === 'syntax');
}

/** "10/14" from a progress map, when the exercise has a score yet. */
export function bestOf(progress: ProgressData | undefined): string | undefined {
  return progress?.maxScore ? `${progress.bestScore ?? 0}/${progress.maxScore}` : undefined;
}

function mark(c: ChalkInstance, t: TestResult): string {
  switch (t.status) {
    case 'passed':
      return c.green('✓');
    case 'timeout':
      return c.red('⧖');
    case 'missing':
      return c.gray('?');
    default:
      return c.red('✗');
  }
}

/** How much of a check `renderTests` shows. */
export interface TestsView {
  /**
   * Every failure with its evidence and every test's own output (`check --all`, feedback files). Otherwise the
   * first FULL_FAILURES failures get their evidence and output, the others one line each, and a closing line says
   * what was left out.
   */
  all?: boolean;
}

/**
 * What the code under test printed during a test, under a heading that says whose it is. Every line after the
 * "│ " mark (escape.ts), so nothing it printed can pass for the grader's own lines.
 */
export function renderOutput(c: ChalkInstance, output: LearnerOutput, indentBy: string): string {
  const lines = output.text.replace(/\n$/, '').split('\n');
  const shown = lines.length > OUTPUT_LINES + 1 ? lines.slice(0, OUTPUT_LINES) : lines;
  const notes: string[] = [];
  if (shown.length < lines.length) notes.push(`${lines.length - shown.length} more lines: \`--json\` shows them`);
  if (output.dropped > 0) notes.push(`${output.dropped} more characters were printed and not kept`);
  const out = [`${indentBy}${c.gray(OUTPUT_HEADING)}`, c.reset(terminalBlock(shown.join('\n'), indentBy))];
  if (notes.length) out.push(`${indentBy}${c.gray(`… ${notes.join('; ')}`)}`);
  return out.join('\n');
}

/** The tests, grouped; with `lesson`, each failure shown in full also names the lesson sentences it checks (lesson-pointer.ts). */
export function renderTests(c: ChalkInstance, tests: TestResult[], view: TestsView = { all: true }, lesson?: LessonLinks): string {
  const out: string[] = [];
  let lastGroup = '';
  let pointed = false;
  let failures = 0;
  let shortened = 0;
  let unshownOutput = 0;
  for (const t of tests) {
    const group = t.group.join(' › ');
    if (group !== lastGroup) {
      out.push(group ? c.bold(group) : '');
      lastGroup = group;
    }
    const pad = group ? '  ' : '';
    const time = t.durationMs >= 100 ? c.gray(` (${t.durationMs} ms)`) : '';
    out.push(`${pad}${mark(c, t)} ${t.status === 'passed' ? t.title : c.bold(t.title)}${time}`);
    const failed = t.status !== 'passed';
    const full = view.all === true || (failed && ++failures <= FULL_FAILURES);
    if (failed && !full) shortened++;
    if (failed && full && t.message) out.push(c.reset(terminalBlock(cutLines(t.message, MESSAGE_LINES), `${pad}    `)));
    if (failed && full) {
      const lines = lessonLines(c, t, lesson, `${pad}    `);
      pointed ||= lines.length > 0;
      out.push(...lines);
    }
    if (t.output && (view.all === true || (failed && full))) out.push(renderOutput(c, t.output, `${pad}    `));
    else if (t.output) unshownOutput++;
  }
  if (shortened || unshownOutput) {
    const what = [
      shortened ? `${shortened} more failing test${shortened === 1 ? '' : 's'} shown on one line each` : '',
      unshownOutput ? `${unshownOutput} test${unshownOutput === 1 ? '' : 's'} with output of your code not shown` : '',
    ].filter(Boolean);
    out.push('', c.gray(`… ${what.join('; ')}: \`npx course check --all\` shows everything`));
  }
  if (pointed && lesson) out.push('', lessonHint(c, lesson));
  return out.join('\n');
}

export function summaryLine(result: ExerciseResult): string {
  const passed = result.tests.filter((t) => t.status === 'passed').length;
  const failed = result.tests.length - passed;
  return `${passed} passed, ${failed} failed`;
}

export interface RenderOptions {
  /** Where the graded files are (for code frames); default: none shown. */
  implRoot?: string;
  /** Every failure's evidence and every test's output (`check --all`); default: the first failures in full. */
  all?: boolean;
  /** The progress before this check: its best score stays visible. */
  previous?: ProgressData;
}

export function renderResult(c: ChalkInstance, result: ExerciseResult, exercise: ExerciseSpec, number: number, options: RenderOptions = {}): string {
  const out: string[] = [];
  out.push(c.bold(`Exercise ${number}: ${exercise.title}`) + c.gray(` (${exercise.id})`));
  out.push('');
  const syntax = result.diagnostics.filter((d) => d.kind === 'syntax');
  const types = result.diagnostics.filter((d) => d.kind === 'type');
  const compileError = isCompileError(result);
  const best = bestOf(options.previous);
  if (syntax.length) {
    out.push(c.red(`Your code does not compile. Fix ${syntax.length === 1 ? 'this syntax error' : 'these syntax errors'} and check again:`));
    out.push('');
    out.push(renderDiagnostics(c, syntax, exercise.dir, options.implRoot));
    out.push('');
  }
  if (result.tests.length) {
    out.push(
      renderTests(
        c,
        result.tests,
        { all: options.all === true },
        result.requirements ? { exercise: exercise.id, requirements: result.requirements } : undefined,
      ),
    );
    out.push('');
  }
  if (types.length) {
    out.push(c.yellow(`Type errors (${types.length}) — the tests ran anyway, but fix these:`));
    out.push(renderDiagnostics(c, types, exercise.dir));
    out.push('');
  }
  if (result.anomalies.length) {
    out.push(c.yellow('Your code did things it should not:'));
    for (const a of result.anomalies) out.push(`  - ${terminalText(a, '    ')}`);
    out.push('');
  }
  if (result.message && result.status !== 'passed' && !compileError) out.push(statusColour(c, result)(terminalBlock(result.message)));
  if (result.tests.length) out.push(summaryLine(result));
  const kept = best ? c.gray(`  (your best so far: ${best})`) : '';
  // After an improvement the old best is history, not "so far".
  const note = scoreNote(options.previous, result);
  const scored = note?.kind === 'new-best' ? c.gray(`  (new best; before: ${note.before})`) : kept;
  if (compileError) out.push(`${c.red.bold('Does not compile')} — no test ran, nothing was scored.${kept}`);
  else if (result.status === 'error') out.push(c.magenta('Not graded: the grading machinery failed (this is not about your code). Please report it.'));
  else if (result.maxScore === 0) out.push(`${statusColour(c, result).bold(`No score (${result.status})`)}${kept}`);
  else out.push(`Score: ${result.score}/${result.maxScore}` + (result.status === 'passed' ? c.green('  ✔ passed') : scored));
  if (result.status !== 'passed' && result.tests.length) {
    out.push(c.gray(`seed ${result.seed} (replay this exact run: npx course check ${exercise.id} --seed ${result.seed})`));
  }
  return out.join('\n');
}

export function statusColour(c: ChalkInstance, result: Pick<ExerciseResult, 'status'>): ChalkInstance {
  return result.status === 'passed' ? c.green : result.status === 'failed' ? c.red : c.magenta;
}
