// The Check tab: the Check button, the live status of the run (phase, tests done, failures) and the test list,
// filled as each test finishes (the 'test' events) and replaced by the whole result when the run ends. Status is
// said in words and symbols, not colour alone. A failure's structured evidence is drawn (evidence-view.ts) above its
// text, with the lesson sentences it broke and the learner's own output (text only, like everything from the code
// under test).

import type { ExerciseResult, RequirementRef, TestResult } from '../../run/result';
import type { TestView, WatchView } from '../view';
import { api, byId, el } from './dom';
import { evidenceView } from './evidence-view';

const SYMBOL: Record<string, string> = { passed: '✓', failed: '✗', timeout: '⏱', missing: '?' };

let shownGeneration = -1;

/** Under a failure: the lesson sentences its test checks (requirements.yaml), so the learner reads what broke. */
function lessonPointers(test: TestResult, requirements: RequirementRef[]): HTMLElement[] {
  if (test.status === 'passed') return [];
  return (test.requirements ?? []).flatMap((id) => {
    const r = requirements.find((x) => x.id === id);
    return r ? [el('div', { class: 'lesson-pointer' }, `↳ lesson § ${r.section} (${r.id}): ${r.text}`)] : [];
  });
}

/** What the learner's own code printed while the test ran: theirs, shown as text, folded away until asked for. */
function learnerOutput(test: TestResult): HTMLElement[] {
  if (!test.output) return [];
  const box = el('details', { class: 'learner-output' });
  const dropped = test.output.dropped ? ` (${test.output.dropped} more characters were printed and not kept)` : '';
  box.append(el('summary', {}, `your output (console.log/console.error while this test ran)${dropped}`), el('pre', { tabindex: '0' }, test.output.text));
  if (test.status !== 'passed') box.setAttribute('open', '');
  return [box];
}

function testItem(test: TestResult, requirements: RequirementRef[] = []): HTMLLIElement {
  const li = el('li', { class: `test ${test.status}`, 'data-status': test.status });
  const line = el('div', { class: 'test-line' });
  line.append(
    el('span', { class: 'symbol', 'aria-hidden': 'true' }, SYMBOL[test.status] ?? '?'),
    el('span', { class: 'status-word' }, test.status),
    el('span', { class: 'test-name' }, test.fullName),
    el('span', { class: 'duration' }, `${Math.round(test.durationMs)} ms`),
  );
  li.appendChild(line);
  if (test.spec) li.appendChild(el('div', { class: 'spec' }, test.spec));
  if (test.status !== 'passed') li.append(...evidenceView(test.evidence));
  if (test.message && test.status !== 'passed') li.appendChild(el('pre', { class: 'evidence', tabindex: '0' }, test.message));
  li.append(...lessonPointers(test, requirements), ...learnerOutput(test));
  return li;
}

function summary(result: ExerciseResult): string {
  if (result.status === 'passed') return `✓ passed: all ${result.tests.length} tests (${result.score}/${result.maxScore})`;
  const failing = result.tests.filter((t) => t.status !== 'passed').length;
  if (result.status === 'failed') return `✗ ${failing} of ${result.tests.length} tests failing (${result.score}/${result.maxScore})`;
  return `✗ ${result.status}`;
}

export function showWatch(view: WatchView): void {
  const status = byId('check-status');
  const list = byId('test-list');
  const message = byId('check-message');
  message.textContent = view.message?.text ?? '';
  message.className = view.message ? `message ${view.message.tone}` : '';
  if (view.running) {
    const r = view.running;
    if (r.generation !== shownGeneration) {
      shownGeneration = r.generation;
      list.replaceChildren();
    }
    status.textContent = `${r.phase}${r.expected ? ` ${r.done}/${r.expected}` : ''}${r.failed ? `, ${r.failed} failed` : ''}`;
    status.dataset.state = 'running';
    return;
  }
  const result = view.result;
  if (!result) {
    status.textContent = '';
    status.dataset.state = 'idle';
    return;
  }
  status.textContent = summary(result);
  status.dataset.state = result.status;
  // The whole result: failures first (the first one is where to look), then the passes.
  const ordered = [...result.tests.filter((t) => t.status !== 'passed'), ...result.tests.filter((t) => t.status === 'passed')];
  const items = ordered.map((t) => testItem(t, result.requirements ?? []));
  if (result.message) items.unshift(Object.assign(el('li', { class: 'test error' }), { textContent: result.message }));
  for (const d of result.diagnostics.slice(0, 20))
    items.push(el('li', { class: 'test diagnostic' }, `${d.file}:${d.line}:${d.column} ${d.kind} error: ${d.message}`));
  list.replaceChildren(...items);
}

export function showTest(view: TestView): void {
  if (view.generation !== shownGeneration) {
    shownGeneration = view.generation;
    byId('test-list').replaceChildren();
  }
  byId('test-list').appendChild(testItem(view.test));
}

export function wireCheckButton(): void {
  byId<HTMLButtonElement>('check-button').addEventListener('click', () => {
    byId('check-status').textContent = 'starting…';
    api('/api/check', {}).catch((err: unknown) => (byId('check-message').textContent = String(err)));
  });
}
