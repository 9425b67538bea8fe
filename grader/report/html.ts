// report.html: the page an instructor opens in a browser. A sortable table of learners × exercises (the learner and
// total columns stay in view however far it scrolls), each outcome with its own colour and icon or words, roster
// learners without a submission included; a drill-down per learner to every failed test's message; a distribution
// of scores per exercise; the tests most learners failed; similar submissions; the run's metadata.
//
// The server computes the view (report-model.ts). The page embeds only the summary table's data; each learner's
// detail is a file beside it (report/<learner key>.js, written by gradebook.ts) that the page's script
// (browser/report.ts, bundled at build time and inlined here) loads on the first click, so a class of 300 stays a
// light page. A CSP allows no network and no script but this page's own (a nonce), which the detail files carry.
// All text goes through escape.ts: HTML escaping here, neutralised JSON for the embedded data and the detail.

import { requirementSection } from './by-requirement';
import type { Gradebook } from '../batch/model';
import type { SimilarityReport } from '../similarity';
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { htmlEmbeddedJson, htmlText, jsonText } from './escape';
import { reportScript } from './browser-script';
import { learnerDetail, reportView } from './report-model';
import { DETAIL_CALLBACK } from './report-view';

/** The summary (report-view.ts) for the page's script: every string neutralised, nothing that could close the <script>. */
function embedJson(value: unknown): string {
  return htmlEmbeddedJson(value);
}

/** Text (or a quoted attribute value) in the page: escape.ts's HTML escaping. */
function esc(text: string): string {
  return htmlText(text);
}

const STYLE = `
:root { --pass:#1a7f37; --pass-bg:#dafbe1; --part:#9a6700; --part-bg:#fff8c5; --zero:#cf222e; --zero-bg:#ffebe9; --none:#57606a; --none-bg:#eaeef2; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px; color: #1f2328; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 28px 0 8px; }
.muted { color: #57606a; } code, pre { font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, monospace; }
table { border-collapse: collapse; }
#grades th, #grades td { border: 1px solid #d0d7de; padding: 4px 8px; text-align: right; white-space: nowrap; }
#grades th:first-child, #grades td:first-child { text-align: left; }
#grades th { background: #f6f8fa; cursor: pointer; user-select: none; position: sticky; top: 0; }
#grades th[aria-sort="ascending"]::after { content: " ▲"; } #grades th[aria-sort="descending"]::after { content: " ▼"; }
td.score-full, .legend .score-full { background: var(--pass-bg); color: var(--pass); }
td.score-partial, .legend .score-partial { background: var(--part-bg); color: var(--part); }
td.score-zero, .legend .score-zero { background: var(--zero-bg); color: var(--zero); }
td.score-none, .legend .score-none { background: var(--none-bg); color: var(--none); }
.score-error { background: #ffd8b5; color: #8a4600; font-weight: 600; }
/* Each outcome its own look beyond the score band: compile and load errors, timeouts and tampering are not a 0. */
td.st-compile-error, .legend .st-compile-error { background: #fbefff; color: #8250df; font-weight: 600; }
td.st-load-error, .legend .st-load-error { background: #fbefff; color: #8250df; font-style: italic; font-weight: 600; }
td.st-timeout, .legend .st-timeout { background: #fff1e5; color: #bc4c00; }
td.st-tampered, .legend .st-tampered { background: #24292f; color: #ffebe9; font-weight: 600; }
td.st-not-submitted, .legend .st-not-submitted { background: var(--none-bg); color: var(--none); }
td.st-not-started, .legend .st-not-started { background: var(--none-bg); color: var(--none); font-style: italic; }
td.st-rejected, .legend .st-rejected { background: var(--none-bg); color: var(--zero); text-decoration: line-through; }
td.st-missing, .legend .st-missing { background: repeating-linear-gradient(45deg, #eaeef2, #eaeef2 4px, #f6f8fa 4px, #f6f8fa 8px); color: var(--none); font-style: italic; }
td.late-only, td.late-penalty, .legend .late-penalty { background: #fff1e5; }
.status-rejected, .status-error { color: var(--zero); font-weight: 600; } .status-not-submitted, .status-no-submission { color: var(--none); }
/* The learner and total columns stay in view when the table scrolls sideways (and the header when it scrolls down). */
#grades .learner-col { position: sticky; left: 0; z-index: 1; background: #fff; max-width: 16em; overflow: hidden; text-overflow: ellipsis; }
#grades .total-col { position: sticky; right: 0; z-index: 1; background: #fff; box-shadow: -2px 0 0 #d0d7de; font-weight: 600; }
#grades .learner-col { box-shadow: 2px 0 0 #d0d7de; }
#grades th.learner-col, #grades th.total-col { z-index: 3; background: #f6f8fa; }
#grades th { z-index: 2; }
button.learner { background: none; border: none; padding: 0; color: #0969da; cursor: pointer; font: inherit; text-decoration: underline; }
tr.detail > td { background: #fff; text-align: left; white-space: normal; padding: 8px 16px; }
.exercise-detail { margin: 6px 0 12px; } .exercise-detail h4 { margin: 4px 0; font-size: 14px; }
.failed-test { margin: 4px 0 8px 12px; } .failed-test .name { font-weight: 600; }
.failed-test pre { background: #f6f8fa; border: 1px solid #d0d7de; padding: 6px 8px; margin: 4px 0; white-space: pre-wrap; max-height: 320px; overflow: auto; }
.dist { display: inline-block; vertical-align: top; margin: 0 24px 16px 0; }
.dist .bars { display: flex; align-items: flex-end; height: 110px; gap: 3px; border-bottom: 1px solid #8c959f; }
.dist .bar { width: 22px; background: #0969da; position: relative; }
.dist .bar span { position: absolute; top: -16px; width: 100%; text-align: center; font-size: 11px; color: #57606a; }
.dist .labels { display: flex; gap: 3px; font-size: 11px; color: #57606a; } .dist .labels div { width: 22px; text-align: center; }
td.run-checkpoint { color: #57606a; font-style: italic; } td.late-penalty { color: var(--zero); }
.learner-name { display: block; font-size: 12px; color: #57606a; overflow: hidden; text-overflow: ellipsis; }
#roster td, #roster th { border: 1px solid #d0d7de; padding: 2px 8px; text-align: left; }
#meta td { padding: 2px 12px 2px 0; vertical-align: top; } .on { color: var(--pass); } .off { color: var(--zero); }
.legend span { display: inline-block; padding: 1px 8px; margin-right: 6px; border-radius: 3px; }
.table-wrap { max-width: 100%; max-height: 85vh; overflow: auto; border: 1px solid #d0d7de; contain: layout paint; }
/* Below the table, a large class makes long sections: laid out only when scrolled to. */
#failing > section, #similarity > section, #distributions > .dist { content-visibility: auto; contain-intrinsic-size: auto 400px; }
tr.detail > td > .detail-box { position: sticky; left: 0; max-width: calc(100vw - 90px); }
.failed-test pre, .failing pre, .pair pre { overflow-wrap: anywhere; }
.failing table, .pairs { border-collapse: collapse; width: 100%; table-layout: fixed; }
.failing th, .failing td, .pairs th, .pairs td { border: 1px solid #d0d7de; padding: 4px 8px; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
.failing th { background: #f6f8fa; } .failing td.count { width: 9em; } .failing col.count { width: 9em; } .failing col.name { width: 32%; }
.failing pre { background: #f6f8fa; border: 1px solid #d0d7de; padding: 4px 6px; margin: 0; white-space: pre-wrap; max-height: 180px; overflow: auto; }
.tag { display: inline-block; font-size: 11px; padding: 0 6px; border-radius: 8px; background: #ddf4ff; color: #0969da; margin-left: 4px; }
.pairs col.learners { width: 40%; } .pairs th { background: #f6f8fa; }
.side-by-side { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 8px; margin: 6px 0 12px; }
.side-by-side pre { background: #fff8c5; border: 1px solid #d4a72c; padding: 4px 6px; margin: 2px 0 0; white-space: pre-wrap; max-height: 320px; overflow: auto; }
.side-by-side .where { font-size: 12px; color: #57606a; overflow-wrap: anywhere; }
`;

export interface ReportExtras {
  similarity?: SimilarityReport;
  /** The learners' file keys (learner-key.ts), naming their detail files; without them, no learner has one. */
  keys?: Map<string, string>;
  /** The folder of the detail files, beside report.html. */
  detailDir?: string;
}

/** The folder beside report.html that holds one detail file per learner. */
export const DETAIL_DIR = 'report';

/**
 * A learner's detail file (report/<key>.js): a call of the page's callback with the learner's key and the detail's
 * neutralised JSON (escape.ts), gzipped and base64-encoded, so the file holds nothing but base64 text.
 */
export function detailScript(book: Gradebook, learner: Gradebook['learners'][number], key: string): string {
  const data = gzipSync(Buffer.from(jsonText(learnerDetail(book, learner)), 'utf8'), { level: 9 }).toString('base64');
  return `${DETAIL_CALLBACK}(${JSON.stringify(key)}, "${data}");\n`;
}

/** What each look in the table means: every outcome its colour and its icon or words. */
function legend(): string {
  const items: Array<[string, string]> = [
    ['score-full st-passed', '✓ all tests passed'],
    ['score-partial st-failed', '✗ some tests failed (points earned)'],
    ['score-zero st-failed', '✗ 0: every test failed'],
    ['st-compile-error', '✎ compile error'],
    ['st-load-error', '↯ load error (threw or hung while loading)'],
    ['st-timeout', '◷ timeout (points of the tests that ran)'],
    ['st-tampered', '⚑ tampered'],
    ['st-not-submitted', '– not submitted'],
    ['st-not-started', '○ not started (the starter stub, unchanged)'],
    ['st-rejected', '⊘ rejected'],
    ['score-error', '⚠ not graded (machinery error, not the learner’s)'],
    ['st-missing', '∅ in the roster, no submission'],
    ['late-penalty', '⇥ late'],
  ];
  return `<p class="legend">${items.map(([cls, text]) => `<span class="${cls}">${esc(text)}</span>`).join('')}</p>`;
}

/** Learners per number of tests passed, per exercise (not submitted and rejected counted apart). */
function distributions(book: Gradebook): string {
  return book.meta.exercises
    .map((x) => {
      const max = x.maxScore;
      const step = Math.max(1, Math.ceil((max + 1) / 12));
      const labels: string[] = [];
      for (let s = 0; s <= max; s += step) labels.push(step === 1 ? String(s) : `${s}–${Math.min(max, s + step - 1)}`);
      if (!labels.length) labels.push('0');
      const buckets = labels.map(() => 0);
      let missing = 0;
      for (const l of book.learners) {
        const o = l.exercises.find((e) => e.exercise === x.id);
        if (!o || o.status === 'not submitted' || o.status === 'rejected') missing++;
        else buckets[Math.min(buckets.length - 1, Math.floor(o.score / step))]!++;
      }
      missing += book.meta.roster?.missing.length ?? 0;
      const peak = Math.max(1, ...buckets);
      const bars = buckets
        .map(
          (n, i) =>
            `<div class="bar" data-count="${n}" data-bucket="${esc(labels[i]!)}" title="${n} learner(s) scored ${esc(labels[i]!)}" style="height:${Math.round((n / peak) * 100)}px"><span>${n || ''}</span></div>`,
        )
        .join('');
      return (
        `<div class="dist" data-exercise="${esc(x.id)}"><div>${esc(x.id)} (${esc(x.title)})</div><div class="bars">${bars}</div>` +
        `<div class="labels">${labels.map((t) => `<div>${esc(t)}</div>`).join('')}</div><div class="muted">${missing} not submitted or rejected</div></div>`
      );
    })
    .join('');
}

export interface FailingTest {
  fullName: string;
  hidden: boolean;
  spec?: string;
  failed: number;
  /** Learners whose run reported this test. */
  ran: number;
  firstMessage: string;
  firstLearner: string;
  learners: string[];
}

/**
 * Per exercise, the tests ordered by how many learners failed them (most first; ties in the suite's order), with
 * the first message (of the first learner by id). Only learners whose run reported tests count.
 */
export function failingTests(book: Gradebook): Array<{ exercise: string; title: string; graded: number; tests: FailingTest[] }> {
  return book.meta.exercises.map((meta) => {
    const order: string[] = [];
    const byName = new Map<string, FailingTest>();
    let graded = 0;
    const learners = [...book.learners].sort((a, b) => (a.learner < b.learner ? -1 : a.learner > b.learner ? 1 : 0));
    for (const l of learners) {
      const o = l.exercises.find((e) => e.exercise === meta.id);
      if (!o || !o.tests.length) continue;
      graded++;
      for (const t of o.tests) {
        let row = byName.get(t.fullName);
        if (!row) {
          row = { fullName: t.fullName, hidden: Boolean(t.hidden), spec: t.spec, failed: 0, ran: 0, firstMessage: '', firstLearner: '', learners: [] };
          byName.set(t.fullName, row);
          order.push(t.fullName);
        }
        row.ran++;
        if (t.status !== 'passed') {
          row.failed++;
          row.learners.push(l.learner);
          if (!row.firstLearner) {
            row.firstLearner = l.learner;
            row.firstMessage = t.message ?? t.status;
          }
        }
      }
    }
    const tests = order.map((n) => byName.get(n)!).sort((a, b) => b.failed - a.failed || order.indexOf(a.fullName) - order.indexOf(b.fullName));
    return { exercise: meta.id, title: meta.title, graded, tests };
  });
}

function firstLines(text: string, max: number): string {
  const lines = text.split('\n');
  return lines.length <= max ? text : `${lines.slice(0, max).join('\n')}\n… (${lines.length - max} more lines)`;
}

function failingSection(book: Gradebook): string {
  return failingTests(book)
    .map((x) => {
      const rows = x.tests
        .filter((t) => t.failed > 0)
        .map(
          (t) =>
            `<tr data-test="${esc(t.fullName)}" data-failed="${t.failed}"><td class="count">${t.failed}/${t.ran} (${Math.round((100 * t.failed) / Math.max(1, t.ran))}%)</td>` +
            `<td>${esc(t.fullName)}${t.hidden ? '<span class="tag">instructor-only</span>' : ''}</td>` +
            `<td><pre>${esc(firstLines(t.firstMessage, 8))}</pre><details><summary class="muted">first: ${esc(t.firstLearner)}; all ${t.failed}</summary>${esc(t.learners.join(', '))}</details></td></tr>`,
        )
        .join('');
      const passedAll = x.tests.filter((t) => t.failed === 0).length;
      return (
        `<section class="failing" data-exercise="${esc(x.exercise)}"><h3>${esc(x.exercise)} — ${esc(x.title)}</h3>` +
        `<p class="muted">${x.graded} learner(s) with test results; ${passedAll} of ${x.tests.length} tests passed by all of them.</p>` +
        (rows
          ? `<table><colgroup><col class="count"><col class="name"><col></colgroup><thead><tr><th>failed by</th><th>test</th><th>first message</th></tr></thead><tbody>${rows}</tbody></table>`
          : '<p>No test failed.</p>') +
        '</section>'
      );
    })
    .join('\n');
}

/** The submissions of one exercise that copy the reference solution: a finding of its own, above the pairs. */
function referenceCopies(x: SimilarityReport['exercises'][number]): string {
  if (!x.reference) return '<p class="muted">Not compared with the reference solution (none recorded).</p>';
  if (!x.reference.length) return '<p>No submission copies the reference solution.</p>';
  const rows = x.reference
    .map((m) => {
      const what = m.identical
        ? 'identical to the reference solution'
        : m.sameTokens
          ? 'the reference solution renamed or reformatted'
          : `${Math.round(m.score * 100)}% of the reference solution's fingerprints`;
      return `<tr class="reference-copy" data-learner="${esc(m.learner)}" data-score="${m.score}"><td>${esc(m.learner)}<span class="tag">copy of the reference solution</span></td><td>${esc(what)} (${m.shared} fingerprints)</td></tr>`;
    })
    .join('');
  return `<table class="pairs reference-copies"><colgroup><col class="learners"><col></colgroup><thead><tr><th>copy of the reference solution</th><th>how close</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function similaritySection(report: SimilarityReport | undefined): string {
  if (!report) return '<p class="muted">Not available for this gradebook (no submitted code recorded).</p>';
  const baseline = report.baseline
    ? `<p class="muted baseline">Starter files and reference solutions: ${report.baseline.source === 'git HEAD' ? `as committed (git ${esc((report.baseline.commit ?? '').slice(0, 12))})` : 'the working tree'}.${report.baseline.notes.map((n) => ` ${esc(n)}`).join('')}</p>`
    : '';
  return (
    baseline +
    report.exercises
      .map((x) => {
        const head = `<h3>${esc(x.exercise)}</h3><p class="muted">${x.submissions} submission(s) compared (k = ${x.settings.k} tokens, window ${x.settings.w}, flagged at ${Math.round(x.settings.threshold * 100)}% with at least ${x.settings.minShared} shared fingerprints; fingerprints in the starter code or in more than ${x.ignored.maxCommon} submissions ignored)${x.highestUnflagged ? `; highest pair not flagged: ${Math.round(x.highestUnflagged.score * 100)}%` : ''}.</p>`;
        const copies = referenceCopies(x);
        if (!x.pairs.length) return `<section class="similarity" data-exercise="${esc(x.exercise)}">${head}${copies}<p>No pair flagged.</p></section>`;
        const rows = x.pairs
          .map((p) => {
            const fragments = p.fragments
              .map(
                (f) =>
                  `<div class="side-by-side"><div><div class="where">${esc(p.a)}: ${esc(f.a.file)} lines ${f.a.fromLine}–${f.a.toLine}</div><pre>${esc(f.a.text)}</pre></div>` +
                  `<div><div class="where">${esc(p.b)}: ${esc(f.b.file)} lines ${f.b.fromLine}–${f.b.toLine}</div><pre>${esc(f.b.text)}</pre></div></div>`,
              )
              .join('');
            return (
              `<tr class="pair" data-a="${esc(p.a)}" data-b="${esc(p.b)}" data-score="${p.score}"><td>${esc(p.a)} ↔ ${esc(p.b)}${p.identical ? '<span class="tag">identical files</span>' : ''}</td>` +
              `<td>${Math.round(p.score * 100)}% (${Math.round(p.ofA * 100)}% of the first, ${Math.round(p.ofB * 100)}% of the second; ${p.shared} fingerprints)</td></tr>` +
              `<tr class="pair-fragments"><td colspan="2"><details><summary>${p.fragments.length} shared fragment(s), side by side</summary>${fragments}</details></td></tr>`
            );
          })
          .join('');
        return `<section class="similarity" data-exercise="${esc(x.exercise)}">${head}${copies}<table class="pairs"><colgroup><col class="learners"><col></colgroup><thead><tr><th>pair</th><th>similarity</th></tr></thead><tbody>${rows}</tbody></table></section>`;
      })
      .join('\n')
  );
}

/** The "Run" table: when, what, how many, which suites changed, the options that shaped the grading. */
function runRows(book: Gradebook): Array<[string, string]> {
  const m = book.meta;
  const counts = (status: string) => book.learners.filter((l) => l.status === status).length;
  return [
    ['course', m.course],
    ['graded', `${m.startedAt} → ${m.finishedAt}`],
    [
      'learners',
      `${book.learners.length} (${counts('graded')} graded, ${counts('not submitted')} not submitted, ${counts('rejected')} rejected, ${counts('error')} error)`,
    ],
    ['shard', m.mergedFrom ? `merged from ${m.mergedFrom.length} outputs` : m.shard ? `${m.shard.index}/${m.shard.count}` : 'all submissions'],
    ['workers', String(m.jobs)],
    [
      'runs',
      `${m.runs.graded} graded now${
        Object.keys(m.runs.reasons ?? {}).length
          ? ` (${Object.entries(m.runs.reasons ?? {})
              .map(([r, n]) => `${n} ${r}`)
              .join(', ')})`
          : ''
      }, ${m.runs.resumed} taken from the checkpoint`,
    ],
    ...(m.suiteChanges ?? []).map((c): [string, string] => [
      'suite changed',
      `${c.exercise}: ${c.from.map((h) => h.slice(0, 12)).join(', ')} → ${c.to.slice(0, 12)}, regraded for ${c.runs} learner(s)`,
    ]),
    ...(m.only?.length ? [['--only', m.only.join(', ')] as [string, string]] : []),
    ...(m.deadline ? [['deadline', `${m.deadline.at} — ${m.deadline.policy}`] as [string, string]] : []),
    ...(m.roster
      ? [
          ['roster', `${m.roster.file}: ${m.roster.missing.length} without a submission, ${m.roster.unrostered.length} submission(s) not in the roster`] as [
            string,
            string,
          ],
        ]
      : []),
    [
      'machinery errors',
      (() => {
        const n = book.learners.reduce((sum, l) => sum + l.exercises.filter((e) => e.status === 'error').length, 0);
        return n ? `${n} run(s) could not be graded (not charged to the learners; fix the cause and grade again)` : 'none';
      })(),
    ],
  ];
}

/** The roster's learners without a submission and the submissions not in it (empty without a roster). */
function rosterSection(m: Gradebook['meta']): string {
  return m.roster
    ? `<h2>Roster</h2>
<table id="roster"><thead><tr><th>who</th><th>name</th><th>email</th><th>section</th><th>why listed</th></tr></thead><tbody>${[
        ...m.roster.missing.map(
          (r) =>
            `<tr data-missing="${esc(r.submission)}"><td>${esc(r.submission)}</td><td>${esc(r.name ?? '')}</td><td>${esc(r.email ?? '')}</td><td>${esc(r.section ?? '')}</td><td>in the roster, no submission</td></tr>`,
        ),
        ...m.roster.unrostered
          .filter((id) => m.learners.includes(id))
          .map((id) => `<tr data-unrostered="${esc(id)}"><td>${esc(id)}</td><td></td><td></td><td></td><td>submission not in the roster</td></tr>`),
      ].join('')}</tbody></table>`
    : '';
}

/** The "Suites" rows: each exercise's suite hash, tests and points. */
function suiteRows(m: Gradebook['meta']): string {
  return m.exercises
    .map(
      (e) =>
        `<tr><td>${esc(e.id)}</td><td><code>${esc(e.suiteHash.slice(0, 16))}</code></td><td>${e.maxScore} tests</td><td>${e.maxPoints ?? e.maxScore} points${
          e.points && Object.keys(e.points.groups).length
            ? ` (${esc(
                Object.entries(e.points.groups)
                  .map(([g, n]) => `${g}: ${n}`)
                  .join(', '),
              )})`
            : ''
        }</td></tr>`,
    )
    .join('');
}

/** The "Isolation layers" rows: each layer on or off, and why off. */
function layerRows(m: Gradebook['meta']): string {
  return m.isolation
    .map(
      (l) =>
        `<tr><td class="${l.on ? 'on' : 'off'}">${l.on ? 'on' : 'off'}</td><td>${esc(l.name)}${l.why ? ` <span class="muted">(${esc(l.why)})</span>` : ''}</td></tr>`,
    )
    .join('');
}

export function renderHtmlReport(book: Gradebook, extras: ReportExtras = {}): string {
  const m = book.meta;
  // A fresh nonce per page: the only scripts that run are this page's own and the detail files it adds.
  const nonce = randomBytes(16).toString('base64');
  const metaRows = runRows(book);
  const suites = suiteRows(m);
  const layers = layerRows(m);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'nonce-${nonce}'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Grades — ${esc(m.course)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>Grades — ${esc(m.course)}</h1>
<p class="muted">Click a column to sort, a learner to see each failed test's message (loaded from the folder ${esc(extras.detailDir ?? DETAIL_DIR)}/ beside this page).</p>
${legend()}
<div class="table-wrap"><table id="grades"></table></div>
<h2>Tests passed per exercise</h2>
<div id="distributions">${distributions(book)}</div>
<h2>Tests learners failed, most failed first</h2>
<p class="muted">Per exercise: how many learners failed each test and the first failure message. A test most of the class fails points at the lesson or at a test that is too strict.</p>
<div id="failing">${failingSection(book)}</div>
<h2>Lesson requirements learners broke</h2>
<div id="by-requirement">${requirementSection(book, esc) || '<p>No failure named a requirement.</p>'}</div>
<h2>Similar submissions</h2>
<p class="muted">A hint for a human, never a grade change: pairs of submissions of one exercise whose code, after normalising identifiers, literals, comments and layout, shares many fingerprints (winnowing, as MOSS does); and, per exercise, the submissions that copy the reference solution.</p>
<div id="similarity">${similaritySection(extras.similarity)}</div>
${rosterSection(m)}
<h2>Run</h2>
<table id="meta">${metaRows.map(([k, v]) => `<tr><td>${esc(k)}</td><td>${esc(v)}</td></tr>`).join('')}</table>
<h3>Suites</h3>
<table id="suites">${suites}</table>
<h3>Isolation layers</h3>
<table id="isolation">${layers}</table>
<script type="application/json" id="data">${embedJson(reportView(book, extras.keys ?? new Map<string, string>(), extras.detailDir ?? DETAIL_DIR))}</script>
<script nonce="${nonce}">${reportScript()}</script>
</body>
</html>
`;
}
