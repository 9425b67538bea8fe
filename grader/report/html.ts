// report.html: one self-contained page (inline CSS and JS, no network: a CSP forbids any fetch) that an instructor
// opens in a browser. A sortable table of learners × exercises with colour-coded scores, a drill-down per learner
// to every failed test's message, a distribution of scores per exercise, and the run's metadata. Learner data is
// embedded as JSON and rendered with textContent only, so nothing a submission printed can inject markup.

import type { Gradebook } from '../batch/model';
import type { SimilarityReport } from '../similarity';
import { htmlEmbeddedJson, htmlText } from './escape';

/** The gradebook for the page's script: every string neutralised, nothing that could close the <script>. */
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
td.score-full { background: var(--pass-bg); color: var(--pass); }
td.score-partial { background: var(--part-bg); color: var(--part); }
td.score-zero { background: var(--zero-bg); color: var(--zero); }
td.score-none { background: var(--none-bg); color: var(--none); }
.score-error { background: #ffd8b5; color: #8a4600; font-weight: 600; }
.status-rejected, .status-error { color: var(--zero); font-weight: 600; } .status-not-submitted { color: var(--none); }
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
.learner-name { display: block; font-size: 12px; color: #57606a; }
#roster td, #roster th { border: 1px solid #d0d7de; padding: 2px 8px; text-align: left; }
#meta td { padding: 2px 12px 2px 0; vertical-align: top; } .on { color: var(--pass); } .off { color: var(--zero); }
.legend span { display: inline-block; padding: 1px 8px; margin-right: 6px; border-radius: 3px; }
.table-wrap { max-width: 100%; overflow-x: auto; }
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

const SCRIPT = `
(function () {
  var book = JSON.parse(document.getElementById('data').textContent);
  var exercises = book.meta.exercises;
  var hasDeadline = !!book.meta.deadline;
  function pts(n) { return String(Math.round(n * 100) / 100); }
  function xmax(x) { return x.maxPoints !== undefined ? x.maxPoints : x.maxScore; }
  function opts(o) { return o.points !== undefined ? o.points : o.score; }
  function origin(l) {
    var withRun = l.exercises.filter(function (o) { return o.run; });
    if (!withRun.length) return '';
    var fresh = withRun.filter(function (o) { return o.run.fresh; }).length;
    return fresh === withRun.length ? 'this run' : fresh === 0 ? 'checkpoint' : 'mixed';
  }
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    if (attrs) for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function cls(o) {
    if (!o || o.status === 'not submitted' || o.status === 'rejected') return 'score-none';
    if (o.status === 'error') return 'score-error';
    if (o.maxScore > 0 && o.score >= o.maxScore && o.status === 'passed') return 'score-full';
    if (o.score > 0) return 'score-partial';
    return 'score-zero';
  }
  function outcome(l, id) { for (var i = 0; i < l.exercises.length; i++) if (l.exercises[i].exercise === id) return l.exercises[i]; return null; }

  // Table.
  var table = document.getElementById('grades');
  var head = el('tr');
  var columns = [{ key: 'learner', label: 'Learner', type: 'text' }];
  exercises.forEach(function (x) { columns.push({ key: 'ex:' + x.id, label: x.id + ' /' + pts(xmax(x)), type: 'num' }); });
  columns.push({ key: 'total', label: 'Total /' + pts(exercises.reduce(function (s, x) { return s + xmax(x); }, 0)), type: 'num' });
  columns.push({ key: 'percent', label: '%', type: 'num' });
  if (hasDeadline) {
    columns.push({ key: 'late', label: 'Late', type: 'num' });
    columns.push({ key: 'final', label: 'Final', type: 'num' });
  }
  columns.push({ key: 'status', label: 'Status', type: 'text' });
  columns.push({ key: 'run', label: 'Run', type: 'text' });
  columns.forEach(function (c, i) { var th = el('th', { 'data-key': c.key, 'data-col': String(i), scope: 'col' }, c.label); head.appendChild(th); });
  var thead = el('thead'); thead.appendChild(head); table.appendChild(thead);
  var tbody = el('tbody'); table.appendChild(tbody);

  function value(l, key) {
    if (key === 'learner') return l.learner;
    if (key === 'total') return l.points !== undefined ? l.points : l.score;
    if (key === 'percent') return l.percent || 0;
    if (key === 'late') return l.submitted ? l.submitted.lateMs : 0;
    if (key === 'final') return l.finalPoints !== undefined ? l.finalPoints : l.score;
    if (key === 'status') return l.status;
    if (key === 'run') return origin(l);
    var o = outcome(l, key.slice(3));
    return o ? opts(o) : -1;
  }

  function detailRow(l) {
    var tr = el('tr', { 'class': 'detail', 'data-detail-for': l.learner });
    var cell = el('td', { colspan: String(columns.length) });
    var td = el('div', { 'class': 'detail-box' });
    cell.appendChild(td);
    if (l.reason) td.appendChild(el('p', { 'class': 'status-' + l.status.replace(' ', '-') }, l.status + ': ' + l.reason));
    if (l.roster) td.appendChild(el('p', { 'class': 'roster' }, [l.roster.name, l.roster.email, l.roster.section, l.roster.lmsId ? 'LMS id ' + l.roster.lmsId : ''].filter(Boolean).join(' · ')));
    else if (book.meta.roster) td.appendChild(el('p', { 'class': 'status-error' }, 'not in the roster'));
    if (l.submitted) {
      td.appendChild(el('p', { 'class': 'submitted' }, 'submitted ' + (l.submitted.at ? l.submitted.at + ' (' + l.submitted.source + ')' : '?') + ', deadline ' + l.submitted.deadline + (l.submitted.extension ? ' (extension ' + l.submitted.extension + ')' : '') + ': ' + l.submitted.label + (l.submitted.penalty ? ' → ' + pts(l.finalPoints) + ' of ' + pts(l.points) + ' points' : '')));
    }
    (l.notes || []).forEach(function (n) { td.appendChild(el('p', { 'class': 'status-error' }, 'note: ' + n)); });
    l.exercises.forEach(function (o) {
      var box = el('div', { 'class': 'exercise-detail', 'data-exercise': o.exercise });
      var run = o.run ? (o.run.fresh ? 'graded by this run' + (o.run.reason ? ' (' + o.run.reason + ')' : '') : 'from the checkpoint (graded ' + (o.run.at || '?') + ')') : '';
      box.appendChild(el('h4', null, o.exercise + ' — ' + o.status + ' ' + o.score + '/' + o.maxScore + ' tests' + (o.hidden ? ' (visible ' + (o.score - o.hidden.score) + '/' + (o.maxScore - o.hidden.maxScore) + ', instructor-only ' + o.hidden.score + '/' + o.hidden.maxScore + ')' : '') + (o.points !== undefined ? ', ' + pts(o.points) + '/' + pts(o.maxPoints) + ' points' : '') + (o.durationMs ? ' (' + (o.durationMs / 1000).toFixed(1) + ' s)' : '')));
      if (run) box.appendChild(el('p', { 'class': 'muted run' }, run));
      (o.groups || []).forEach(function (g) {
        box.appendChild(el('p', { 'class': 'muted group-points' }, (g.name || '(other tests)') + ': ' + pts(g.points) + '/' + pts(g.max) + ' points, ' + pts(g.passed) + ' of ' + g.tests + ' tests passed'));
      });
      if (o.message) box.appendChild(el('p', null, o.message));
      if (o.anomalies && o.anomalies.length) box.appendChild(el('p', { 'class': 'status-error' }, 'anomalies: ' + o.anomalies.join('; ')));
      (o.diagnostics || []).filter(function (d) { return d.kind === 'syntax'; }).slice(0, 10).forEach(function (d) {
        box.appendChild(el('pre', null, d.file + ':' + d.line + ':' + d.column + ' ' + d.message));
      });
      var failed = o.tests.filter(function (t) { return t.status !== 'passed'; });
      failed.forEach(function (t) {
        var f = el('div', { 'class': 'failed-test' });
        f.appendChild(el('div', { 'class': 'name' }, '✗ ' + t.fullName + ' [' + t.status + ']' + (t.hidden ? ' [instructor-only]' : '')));
        f.appendChild(el('pre', null, t.message || t.status));
        box.appendChild(f);
      });
      if (!failed.length && o.tests.length) box.appendChild(el('p', { 'class': 'muted' }, 'all ' + o.tests.length + ' tests passed'));
      td.appendChild(box);
    });
    tr.appendChild(cell);
    return tr;
  }

  function render(list) {
    while (tbody.firstChild) tbody.removeChild(tbody.firstChild);
    list.forEach(function (l) {
      var tr = el('tr', { 'data-learner': l.learner });
      var first = el('td');
      var b = el('button', { 'class': 'learner', type: 'button', 'aria-expanded': 'false' }, l.learner);
      b.addEventListener('click', function () {
        var open = tr.nextSibling && tr.nextSibling.getAttribute && tr.nextSibling.getAttribute('data-detail-for') === l.learner;
        if (open) { tbody.removeChild(tr.nextSibling); b.setAttribute('aria-expanded', 'false'); }
        else { tbody.insertBefore(detailRow(l), tr.nextSibling); b.setAttribute('aria-expanded', 'true'); }
      });
      first.appendChild(b);
      tr.appendChild(first);
      exercises.forEach(function (x) {
        var o = outcome(l, x.id);
        var text = !o ? '—' : o.status === 'not submitted' ? '–' : o.status === 'rejected' ? '✗' : o.status === 'error' ? '⚠ not graded' : pts(opts(o));
        var td = el('td', { 'class': cls(o), 'data-exercise': x.id, 'data-score': o ? String(o.score) : '', 'data-points': o ? String(opts(o)) : '', title: o ? o.status + ' (' + o.score + '/' + o.maxScore + ' tests)' + (o.message ? ': ' + o.message : '') : '' }, text);
        tr.appendChild(td);
      });
      var lp = l.points !== undefined ? l.points : l.score, lm = l.maxPoints !== undefined ? l.maxPoints : l.maxScore;
      tr.appendChild(el('td', { 'class': 'total', 'data-score': String(l.score), 'data-points': String(lp), title: l.score + '/' + l.maxScore + ' tests' }, pts(lp) + '/' + pts(lm)));
      tr.appendChild(el('td', { 'class': 'percent' }, pts(l.percent || 0) + '%'));
      if (hasDeadline) {
        var s = l.submitted;
        tr.appendChild(el('td', { 'class': 'late' + (s && s.penalty ? ' late-penalty' : ''), title: s ? s.label : '' }, !s ? '' : !s.at ? '?' : s.penalty ? '-' + pts(s.penalty * 100) + '%' : s.lateMs ? 'late' : 'on time'));
        tr.appendChild(el('td', { 'class': 'final', 'data-points': String(l.finalPoints) }, pts(l.finalPoints !== undefined ? l.finalPoints : lp)));
      }
      tr.appendChild(el('td', { 'class': 'status status-' + l.status.replace(' ', '-') }, l.status));
      var org = origin(l);
      tr.appendChild(el('td', { 'class': 'run run-' + org.replace(' ', '-'), title: org === 'checkpoint' ? 'every run of this learner came from the checkpoint' : org === 'mixed' ? 'some runs graded now, some from the checkpoint' : 'graded by this run' }, org));
      tbody.appendChild(tr);
    });
  }

  var state = { key: 'learner', dir: 1 };
  function sortBy(key) {
    state.dir = state.key === key ? -state.dir : (key === 'learner' || key === 'status' ? 1 : -1);
    state.key = key;
    var col = columns.filter(function (c) { return c.key === key; })[0];
    var list = book.learners.slice().sort(function (a, b) {
      var va = value(a, key), vb = value(b, key);
      var cmp = col.type === 'num' ? va - vb : String(va).localeCompare(String(vb));
      if (cmp === 0) cmp = a.learner.localeCompare(b.learner);
      return cmp * state.dir;
    });
    Array.prototype.forEach.call(head.children, function (th) {
      if (th.getAttribute('data-key') === key) th.setAttribute('aria-sort', state.dir > 0 ? 'ascending' : 'descending');
      else th.removeAttribute('aria-sort');
    });
    render(list);
  }
  Array.prototype.forEach.call(head.children, function (th) { th.addEventListener('click', function () { sortBy(th.getAttribute('data-key')); }); });
  state.dir = -1; sortBy('learner');

  // Distributions: learners per score, per exercise (rejected and not submitted are counted apart).
  var dists = document.getElementById('distributions');
  exercises.forEach(function (x) {
    var max = x.maxScore, buckets = [], labels = [], step = Math.max(1, Math.ceil((max + 1) / 12)); // tests passed
    for (var s = 0; s <= max; s += step) { buckets.push(0); labels.push(step === 1 ? String(s) : s + '–' + Math.min(max, s + step - 1)); }
    if (!buckets.length) { buckets.push(0); labels.push('0'); }
    var missing = 0;
    book.learners.forEach(function (l) {
      var o = outcome(l, x.id);
      if (!o || o.status === 'not submitted' || o.status === 'rejected') { missing++; return; }
      buckets[Math.min(buckets.length - 1, Math.floor(o.score / step))]++;
    });
    var peak = Math.max.apply(null, buckets.concat([1]));
    var box = el('div', { 'class': 'dist', 'data-exercise': x.id });
    box.appendChild(el('div', null, x.id + ' (' + x.title + ')'));
    var bars = el('div', { 'class': 'bars' }), labs = el('div', { 'class': 'labels' });
    buckets.forEach(function (n, i) {
      var bar = el('div', { 'class': 'bar', 'data-count': String(n), 'data-bucket': labels[i], title: n + ' learner(s) scored ' + labels[i] });
      bar.style.height = Math.round((n / peak) * 100) + 'px';
      bar.appendChild(el('span', null, n ? String(n) : ''));
      bars.appendChild(bar); labs.appendChild(el('div', null, labels[i]));
    });
    box.appendChild(bars); box.appendChild(labs);
    box.appendChild(el('div', { 'class': 'muted' }, missing + ' not submitted or rejected'));
    dists.appendChild(box);
  });
})();
`;

export interface ReportExtras {
  similarity?: SimilarityReport;
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
      const what = m.identical ? 'identical to the reference solution' : m.sameTokens ? 'the reference solution renamed or reformatted' : `${Math.round(m.score * 100)}% of the reference solution's fingerprints`;
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
  return baseline + report.exercises
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
    .join('\n');
}

export function renderHtmlReport(book: Gradebook, extras: ReportExtras = {}): string {
  const m = book.meta;
  const counts = (status: string) => book.learners.filter((l) => l.status === status).length;
  const metaRows: Array<[string, string]> = [
    ['course', m.course],
    ['graded', `${m.startedAt} → ${m.finishedAt}`],
    ['learners', `${book.learners.length} (${counts('graded')} graded, ${counts('not submitted')} not submitted, ${counts('rejected')} rejected, ${counts('error')} error)`],
    ['shard', m.mergedFrom ? `merged from ${m.mergedFrom.length} outputs` : m.shard ? `${m.shard.index}/${m.shard.count}` : 'all submissions'],
    ['workers', String(m.jobs)],
    ['runs', `${m.runs.graded} graded now${Object.keys(m.runs.reasons ?? {}).length ? ` (${Object.entries(m.runs.reasons ?? {}).map(([r, n]) => `${n} ${r}`).join(', ')})` : ''}, ${m.runs.resumed} taken from the checkpoint`],
    ...(m.suiteChanges ?? []).map((c): [string, string] => ['suite changed', `${c.exercise}: ${c.from.map((h) => h.slice(0, 12)).join(', ')} → ${c.to.slice(0, 12)}, regraded for ${c.runs} learner(s)`]),
    ...(m.only?.length ? [['--only', m.only.join(', ')] as [string, string]] : []),
    ...(m.deadline ? [['deadline', `${m.deadline.at} — ${m.deadline.policy}`] as [string, string]] : []),
    ...(m.roster ? [['roster', `${m.roster.file}: ${m.roster.missing.length} without a submission, ${m.roster.unrostered.length} submission(s) not in the roster`] as [string, string]] : []),
    [
      'machinery errors',
      (() => {
        const n = book.learners.reduce((sum, l) => sum + l.exercises.filter((e) => e.status === 'error').length, 0);
        return n ? `${n} run(s) could not be graded (not charged to the learners; fix the cause and grade again)` : 'none';
      })(),
    ],
  ];
  const rosterSection = m.roster
    ? `<h2>Roster</h2>
<table id="roster"><thead><tr><th>who</th><th>name</th><th>email</th><th>section</th><th>why listed</th></tr></thead><tbody>${[
        ...m.roster.missing.map((r) => `<tr data-missing="${esc(r.submission)}"><td>${esc(r.submission)}</td><td>${esc(r.name ?? '')}</td><td>${esc(r.email ?? '')}</td><td>${esc(r.section ?? '')}</td><td>in the roster, no submission</td></tr>`),
        ...m.roster.unrostered.filter((id) => m.learners.includes(id)).map((id) => `<tr data-unrostered="${esc(id)}"><td>${esc(id)}</td><td></td><td></td><td></td><td>submission not in the roster</td></tr>`),
      ].join('')}</tbody></table>`
    : '';
  const suites = m.exercises
    .map((e) => `<tr><td>${esc(e.id)}</td><td><code>${esc(e.suiteHash.slice(0, 16))}</code></td><td>${e.maxScore} tests</td><td>${e.maxPoints ?? e.maxScore} points${e.points && Object.keys(e.points.groups).length ? ` (${esc(Object.entries(e.points.groups).map(([g, n]) => `${g}: ${n}`).join(', '))})` : ''}</td></tr>`)
    .join('');
  const layers = m.isolation
    .map((l) => `<tr><td class="${l.on ? 'on' : 'off'}">${l.on ? 'on' : 'off'}</td><td>${esc(l.name)}${l.why ? ` <span class="muted">(${esc(l.why)})</span>` : ''}</td></tr>`)
    .join('');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Grades — ${esc(m.course)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>Grades — ${esc(m.course)}</h1>
<p class="muted">Click a column to sort, a learner to see each failed test's message.</p>
<p class="legend"><span class="score-full" style="background:var(--pass-bg);color:var(--pass)">all tests passed</span><span style="background:var(--part-bg);color:var(--part)">some</span><span style="background:var(--zero-bg);color:var(--zero)">none</span><span style="background:var(--none-bg);color:var(--none)">not submitted / rejected</span></p>
<div class="table-wrap"><table id="grades"></table></div>
<h2>Tests passed per exercise</h2>
<div id="distributions"></div>
<h2>Tests learners failed, most failed first</h2>
<p class="muted">Per exercise: how many learners failed each test and the first failure message. A test most of the class fails points at the lesson or at a test that is too strict.</p>
<div id="failing">${failingSection(book)}</div>
<h2>Similar submissions</h2>
<p class="muted">A hint for a human, never a grade change: pairs of submissions of one exercise whose code, after normalising identifiers, literals, comments and layout, shares many fingerprints (winnowing, as MOSS does); and, per exercise, the submissions that copy the reference solution.</p>
<div id="similarity">${similaritySection(extras.similarity)}</div>
${rosterSection}
<h2>Run</h2>
<table id="meta">${metaRows.map(([k, v]) => `<tr><td>${esc(k)}</td><td>${esc(v)}</td></tr>`).join('')}</table>
<h3>Suites</h3>
<table id="suites">${suites}</table>
<h3>Isolation layers</h3>
<table id="isolation">${layers}</table>
<script type="application/json" id="data">${embedJson({ meta: book.meta, learners: book.learners })}</script>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
