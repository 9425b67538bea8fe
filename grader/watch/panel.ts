// The panel under the watch screen's results: a hint, the list of exercises to jump to, or a message. Lines of text
// for the layout (layout.ts), which wraps them to the terminal's width and keeps the list's cursor in view.

import type { ChalkInstance } from 'chalk' with { 'resolution-mode': 'import' };
import { LAST_HINT } from '../commands/hint';
import type { CourseData, ExerciseSpec } from '../course/schema';
import type { ScreenModel } from './layout';
import type { Panel } from './state';

/** The exercises as a list to pick from (the cursor on `selected`); `focus` is the cursor's line. */
export function listPanel(c: ChalkInstance, course: CourseData, selected: number, watched: ExerciseSpec): NonNullable<ScreenModel['panel']> {
  const lines = course.exercises.map((e, i) => {
    const p = e.progress ?? { status: 'not-started' };
    const mark = p.status === 'done' ? c.green('✓') : p.status === 'current' ? c.cyan('▶') : p.status === 'failed' ? c.red('✗') : ' ';
    const label = `${String(i + 1).padStart(2)}. ${e.id.padEnd(20)} ${p.status}${e.id === watched.id ? ' (watching)' : ''}`;
    return `${i === selected ? c.inverse(`❯ ${label}`) : `  ${label}`} ${mark}`;
  });
  return { lines: [c.bold('Exercises: ↑/↓ to choose, Enter to watch it, Esc to go back'), ...lines], focus: selected + 1 };
}

/** A hint, the "no hints" word or a message, as lines (the layout wraps them). */
export function panelLines(c: ChalkInstance, panel: Panel): string[] {
  switch (panel.kind) {
    case 'hint': {
      // One paragraph (a hint's line breaks in course.yaml are the author's editor's), wrapped by the layout.
      const text = [c.bold(`Hint ${panel.number} of ${panel.total}:`), panel.text.split(/\s+/).join(' ')];
      return panel.last ? [...text, c.gray(LAST_HINT)] : text;
    }
    case 'no-hints':
      return [`No hints for ${panel.exercise}: re-read the lesson (npx course lesson).`];
    case 'message':
      return (panel.tone === 'success' ? c.green.bold : panel.tone === 'warn' ? c.yellow : c.red)(panel.text).split('\n');
  }
}
