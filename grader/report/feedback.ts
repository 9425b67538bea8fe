// Feedback to hand back: feedback/<learner>.md and feedback/<learner>.html, one pair per learner. Per exercise the
// score (visible and instructor-only tests apart), each test as `course check` prints it (the terminal renderer's
// text, without colour), type and syntax errors, and the seed that replays the run. Nothing of a suite's source
// goes in: test titles and the failure messages the trusted side built (stacks are already stripped). Of the
// instructor-only tests, only their score: never a name, a message or an input (learner-view.ts).
//
// Learner text is hostile (messages quote what the code under test returned; ids come from file names): the
// Markdown puts it only inside code fences longer than any backtick run in it, the HTML escapes every character
// that matters and forbids scripts and network access with a CSP; terminal escapes are removed from both, and
// what is left goes through escape.ts (the one boundary: control and bidi characters made visible, lone surrogates
// replaced, long texts cut). File names are the learners' collision-free keys (learner-key.ts), as in results/.

import type { ChalkInstance } from 'chalk' with { 'resolution-mode': 'import' };
import type { ExerciseOutcome, Gradebook, LearnerResult } from '../batch/model';
import { learnerKeys } from '../batch/learner-key';
import { learnerOutcome, learnerReason } from './learner-view';
import { htmlText, markdownCode, markdownFence, markdownInline, neutralise, TEXT_CAP } from './escape';
import { renderDiagnostics, renderTests } from './terminal';

/** A ChalkInstance that colours nothing (chalk is ESM-only; this keeps report writing synchronous). */
export const PLAIN: ChalkInstance = (() => {
  const plain: unknown = new Proxy(
    function plainChalk(...args: unknown[]) {
      return args.join(' ');
    },
    { get: (_target, key) => (key === 'level' ? 0 : plain) },
  );
  return plain as ChalkInstance;
})();

/** Terminal escape sequences and control characters (except newline and tab) removed, then neutralised. */
export function cleanText(text: string, cap = TEXT_CAP): string {
  return neutralise(
    text
      .replace(/\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-Z\\-_]/g, '')
      .replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, ''),
    cap,
  );
}

/** The room for a text the feedback composes from many (already capped) messages: every test of an exercise. */
const COMPOSED_CAP = 20 * TEXT_CAP;

/** The file name (without extension) of every learner's feedback: the learner's key, as for results/<key>.json. */
export function fileNames(ids: string[]): Map<string, string> {
  return learnerKeys(ids);
}

interface ExerciseFeedback {
  id: string;
  title: string;
  number: number;
  status: string;
  score: number;
  maxScore: number;
  visible: { score: number; maxScore: number };
  hidden?: { score: number; maxScore: number; status: string };
  /** A sentence about a non-test outcome (not submitted, compile error, timeout...). */
  note?: string;
  /** The visible tests as `course check` prints them. */
  checkText: string;
  diagnostics: string;
  anomalies: string[];
  seed?: number;
}

function exerciseFeedback(o: ExerciseOutcome, title: string, number: number): ExerciseFeedback {
  const visibleTests = o.tests.filter((t) => !t.hidden);
  const hiddenScore = o.hidden ? { score: o.hidden.score, maxScore: o.hidden.maxScore, status: o.hidden.status } : undefined;
  const diagnostics = o.diagnostics.length ? renderDiagnostics(PLAIN, o.diagnostics, '.') : '';
  return {
    id: o.exercise,
    title,
    number,
    status: o.status,
    score: o.score,
    maxScore: o.maxScore,
    visible: { score: o.score - (hiddenScore?.score ?? 0), maxScore: o.maxScore - (hiddenScore?.maxScore ?? 0) },
    hidden: hiddenScore,
    note: o.status !== 'passed' && o.message ? cleanText(o.message) : undefined,
    checkText: visibleTests.length
      ? cleanText(
          renderTests(PLAIN, visibleTests, { all: true }, o.requirements ? { exercise: o.exercise, requirements: o.requirements } : undefined),
          COMPOSED_CAP,
        )
      : '',
    diagnostics: cleanText(diagnostics),
    anomalies: o.anomalies.map((a) => cleanText(a)),
    seed: o.seed,
  };
}

function collect(book: Gradebook, l: LearnerResult): ExerciseFeedback[] {
  return book.meta.exercises.map((meta, i) => {
    const o = l.exercises.find((e) => e.exercise === meta.id);
    if (!o) {
      return {
        id: meta.id,
        title: meta.title,
        number: i + 1,
        status: 'not submitted',
        score: 0,
        maxScore: meta.maxScore,
        visible: { score: 0, maxScore: meta.maxScore },
        note: 'not submitted',
        checkText: '',
        diagnostics: '',
        anomalies: [],
      };
    }
    // Learners get the instructor-only tests' score, never their names, messages or inputs.
    return exerciseFeedback(learnerOutcome(o), meta.title, i + 1);
  });
}

function replayLine(e: ExerciseFeedback): string | undefined {
  if (e.seed === undefined || e.status === 'passed' || e.status === 'not submitted' || e.status === 'not started' || e.status === 'rejected') return undefined;
  return `seed ${e.seed}: npx course check ${e.id} --seed ${e.seed} replays the visible tests exactly as graded`;
}

// ---------------------------------------------------------------------------------------------------------------
// Markdown

/** A fenced code block whose fence is longer than any backtick run inside (so the text cannot close it). */
function fence(text: string, info = 'text'): string {
  return markdownFence(text, info, COMPOSED_CAP);
}

/** Inline text for headings and tables: Markdown and HTML punctuation escaped, one line. */
function mdInline(text: string): string {
  return markdownInline(cleanText(text));
}

export function feedbackMarkdown(book: Gradebook, l: LearnerResult): string {
  const out: string[] = [];
  out.push(`# Feedback: ${mdInline(book.meta.course)}`);
  out.push('');
  out.push(`Learner: ${markdownCode(cleanText(l.learner))}  `);
  out.push(`Graded: ${book.meta.finishedAt}  `);
  out.push(`Total: **${l.score}/${l.maxScore}**${l.status !== 'graded' ? ` (${mdInline(l.status)})` : ''}`);
  const reason = learnerReason(l.reason, l.exercises);
  if (reason) {
    out.push('');
    out.push(fence(cleanText(reason)));
  }
  out.push('');
  out.push('| exercise | status | score | visible tests | instructor-only tests |');
  out.push('|---|---|---|---|---|');
  const exercises = collect(book, l);
  for (const e of exercises) {
    out.push(
      `| ${e.number}. ${mdInline(e.id)} | ${mdInline(e.status)} | ${e.score}/${e.maxScore} | ${e.visible.score}/${e.visible.maxScore} | ${e.hidden ? `${e.hidden.score}/${e.hidden.maxScore}` : '—'} |`,
    );
  }
  for (const e of exercises) {
    out.push('');
    out.push(`## Exercise ${e.number}: ${mdInline(e.title)} (${mdInline(e.id)}): ${e.score}/${e.maxScore}, ${mdInline(e.status)}`);
    out.push('');
    if (e.note) out.push(fence(e.note), '');
    if (e.diagnostics) out.push('Compiler messages:', '', fence(e.diagnostics), '');
    if (e.anomalies.length) out.push('Your code did things it should not:', '', fence(e.anomalies.map((a) => `- ${a}`).join('\n')), '');
    if (e.checkText) out.push(`Tests (${e.visible.score}/${e.visible.maxScore} passed), as \`course check\` shows them:`, '', fence(e.checkText), '');
    if (e.hidden)
      out.push(
        `Instructor-only tests (${e.hidden.score}/${e.hidden.maxScore} passed; they are not in your copy of the course, so \`course check\` does not run them, and they are not listed here).`,
        '',
      );
    const replay = replayLine(e);
    if (replay) out.push(`Replay: \`${replay.replace(/`/g, "'")}\``, '');
  }
  return `${out
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd()}\n`;
}

// ---------------------------------------------------------------------------------------------------------------
// HTML

export function escapeHtml(text: string): string {
  return htmlText(cleanText(text, COMPOSED_CAP), COMPOSED_CAP);
}

const FEEDBACK_STYLE = `
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px auto; max-width: 960px; padding: 0 16px; color: #1f2328; }
h1 { font-size: 22px; } h2 { font-size: 17px; margin-top: 28px; border-bottom: 1px solid #d0d7de; padding-bottom: 4px; }
table { border-collapse: collapse; } td, th { border: 1px solid #d0d7de; padding: 3px 8px; text-align: left; }
pre { background: #f6f8fa; border: 1px solid #d0d7de; padding: 8px 10px; white-space: pre-wrap; overflow-wrap: anywhere; font: 12.5px/1.45 ui-monospace, SFMono-Regular, Menlo, monospace; }
.passed { color: #1a7f37; } .failed, .error, .timeout, .tampered, .rejected { color: #cf222e; } .muted { color: #57606a; }
`;

export function feedbackHtml(book: Gradebook, l: LearnerResult): string {
  const exercises = collect(book, l);
  const h = escapeHtml;
  const parts: string[] = [];
  parts.push(`<h1>Feedback: ${h(book.meta.course)}</h1>`);
  parts.push(
    `<p>Learner: <code>${h(l.learner)}</code><br>Graded: ${h(book.meta.finishedAt)}<br>Total: <strong>${l.score}/${l.maxScore}</strong>${l.status !== 'graded' ? ` (${h(l.status)})` : ''}</p>`,
  );
  const reason = learnerReason(l.reason, l.exercises);
  if (reason) parts.push(`<pre>${h(reason)}</pre>`);
  parts.push('<table><thead><tr><th>exercise</th><th>status</th><th>score</th><th>visible tests</th><th>instructor-only tests</th></tr></thead><tbody>');
  for (const e of exercises) {
    const cls = h(e.status.replace(/\s+/g, '-'));
    parts.push(
      `<tr><td>${e.number}. ${h(e.id)}</td><td class="${cls}">${h(e.status)}</td><td>${e.score}/${e.maxScore}</td><td>${e.visible.score}/${e.visible.maxScore}</td><td>${e.hidden ? `${e.hidden.score}/${e.hidden.maxScore}` : '—'}</td></tr>`,
    );
  }
  parts.push('</tbody></table>');
  for (const e of exercises) {
    parts.push(
      `<section data-exercise="${h(e.id)}"><h2>Exercise ${e.number}: ${h(e.title)} (${h(e.id)}): ${e.score}/${e.maxScore}, <span class="${h(e.status.replace(/\s+/g, '-'))}">${h(e.status)}</span></h2>`,
    );
    if (e.note) parts.push(`<pre class="note">${h(e.note)}</pre>`);
    if (e.diagnostics) parts.push(`<p>Compiler messages:</p><pre class="diagnostics">${h(e.diagnostics)}</pre>`);
    if (e.anomalies.length)
      parts.push(`<p>Your code did things it should not:</p><pre class="anomalies">${h(e.anomalies.map((a) => `- ${a}`).join('\n'))}</pre>`);
    if (e.checkText)
      parts.push(
        `<p>Tests (${e.visible.score}/${e.visible.maxScore} passed), as <code>course check</code> shows them:</p><pre class="tests">${h(e.checkText)}</pre>`,
      );
    if (e.hidden)
      parts.push(
        `<p class="hidden-tests">Instructor-only tests (${e.hidden.score}/${e.hidden.maxScore} passed; not in your copy of the course, so <code>course check</code> does not run them, and they are not listed here).</p>`,
      );
    const replay = replayLine(e);
    if (replay) parts.push(`<p class="muted replay">Replay: <code>${h(replay)}</code></p>`);
    parts.push('</section>');
  }
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Feedback: ${h(book.meta.course)}: ${h(l.learner)}</title>
<style>${FEEDBACK_STYLE}</style>
</head>
<body>
${parts.join('\n')}
</body>
</html>
`;
}

/** The feedback files of a gradebook: relative path → content. */
export function feedbackFiles(book: Gradebook): Map<string, string> {
  const names = fileNames(book.learners.map((l) => l.learner));
  const files = new Map<string, string>();
  for (const l of book.learners) {
    const name = names.get(l.learner)!;
    files.set(`${name}.md`, feedbackMarkdown(book, l));
    files.set(`${name}.html`, feedbackHtml(book, l));
  }
  return files;
}
