// How a check looks in a terminal: tests grouped by describe block, ✓/✗ per test, each failure's message (cut to
// a readable length), type errors with file:line:col, a closing "N passed, M failed" line, the score and the
// next step.

import type { ChalkInstance } from 'chalk' with { 'resolution-mode': 'import' };
import type { ExerciseSpec } from '../course/schema';
import type { Diagnostic, ExerciseResult, TestResult } from '../run/result';

const MESSAGE_LINES = 24;

export function indent(text: string, by: string): string {
  return text
    .split('\n')
    .map((line) => (line ? by + line : line))
    .join('\n');
}

function cutLines(text: string, max: number): string {
  const lines = text.split('\n');
  if (lines.length <= max) return text;
  return [...lines.slice(0, max), `… (${lines.length - max} more lines; \`--json\` shows all)`].join('\n');
}

export function renderDiagnostics(c: ChalkInstance, diagnostics: Diagnostic[], root: string): string {
  const out: string[] = [];
  for (const d of diagnostics.slice(0, 20)) {
    const where = d.file.startsWith('(') ? d.file : `${root}/${d.file}:${d.line}:${d.column}`;
    out.push(`  ${c.cyan(where)}  ${d.kind === 'syntax' ? c.red('syntax error') : c.yellow('type error')}  ${d.message.split('\n').join('\n    ')}`);
  }
  if (diagnostics.length > 20) out.push(`  … and ${diagnostics.length - 20} more`);
  return out.join('\n');
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

export function renderTests(c: ChalkInstance, tests: TestResult[]): string {
  const out: string[] = [];
  let lastGroup = '';
  for (const t of tests) {
    const group = t.group.join(' › ');
    if (group !== lastGroup) {
      out.push(group ? c.bold(group) : '');
      lastGroup = group;
    }
    const pad = group ? '  ' : '';
    const time = t.durationMs >= 100 ? c.gray(` (${t.durationMs} ms)`) : '';
    out.push(`${pad}${mark(c, t)} ${t.status === 'passed' ? t.title : c.bold(t.title)}${time}`);
    if (t.status !== 'passed' && t.message) out.push(c.reset(indent(cutLines(t.message, MESSAGE_LINES), `${pad}    `)));
  }
  return out.join('\n');
}

export function summaryLine(result: ExerciseResult): string {
  const passed = result.tests.filter((t) => t.status === 'passed').length;
  const failed = result.tests.length - passed;
  return `${passed} passed, ${failed} failed`;
}

export function renderResult(c: ChalkInstance, result: ExerciseResult, exercise: ExerciseSpec, number: number): string {
  const out: string[] = [];
  out.push(c.bold(`Exercise ${number}: ${exercise.title}`) + c.gray(` (${exercise.id})`));
  out.push('');
  const syntax = result.diagnostics.filter((d) => d.kind === 'syntax');
  const types = result.diagnostics.filter((d) => d.kind === 'type');
  if (syntax.length) {
    out.push(c.red('Your code does not compile:'));
    out.push(renderDiagnostics(c, syntax, exercise.dir));
    out.push('');
  }
  if (result.tests.length) {
    out.push(renderTests(c, result.tests));
    out.push('');
  }
  if (types.length) {
    out.push(c.yellow(`Type errors (${types.length}) — the tests ran anyway, but fix these:`));
    out.push(renderDiagnostics(c, types, exercise.dir));
    out.push('');
  }
  if (result.anomalies.length) {
    out.push(c.yellow('Your code did things it should not:'));
    for (const a of result.anomalies) out.push(`  - ${a}`);
    out.push('');
  }
  if (result.message && result.status !== 'passed') out.push(statusColour(c, result)(result.message));
  if (result.tests.length) out.push(summaryLine(result));
  if (result.status === 'compile-error') out.push(c.red('Does not compile: no test was run.'));
  else if (result.status === 'error') out.push(c.magenta('Not graded: the grading machinery failed (this is not about your code). Please report it.'));
  else out.push(`Score: ${result.score}/${result.maxScore}` + (result.status === 'passed' ? c.green('  ✔ passed') : ''));
  if (result.status !== 'passed' && result.tests.length) {
    out.push(c.gray(`seed ${result.seed} (replay this exact run: npx course check ${exercise.id} --seed ${result.seed})`));
  }
  return out.join('\n');
}

export function statusColour(c: ChalkInstance, result: Pick<ExerciseResult, 'status'>): ChalkInstance {
  return result.status === 'passed' ? c.green : result.status === 'failed' ? c.red : c.magenta;
}
