#!/usr/bin/env node
// bench/report: report.html for a term-sized class. Generates N learners shaped like the real course (9 exercises,
// 600 tests; test/batch/synthetic-gradebook.js), writes every batch output with the compiled writer, and prints
// what the report costs: the size of report.html and of the per-learner detail files it loads (report/), and in
// headless Chromium (Debian's, driven by playwright-core) at 1280×800 how long the page takes to load, to show its
// table, and to show a learner's detail after a first click. Run by hand (not part of the test run):
//   npm run build && node bench/report.js [N=300] [--runs R=3] [--keep]
'use strict';
/* global document -- the page.evaluate callbacks run in the browser */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { syntheticGradebook } = require('../test/batch/synthetic-gradebook.js');
const { writeOutputs } = require('../dist/grader/report/gradebook.js');

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const N = Number(args.find((a, i) => /^\d+$/.test(a) && args[i - 1] !== '--runs') ?? 300);
const RUNS = Number(opt('--runs', '3'));
const CHROMIUM = '/usr/bin/chromium';

function sizeOf(p) {
  if (!fs.existsSync(p)) return { files: 0, bytes: 0 };
  const st = fs.statSync(p);
  if (!st.isDirectory()) return { files: 1, bytes: st.size };
  let files = 0;
  let bytes = 0;
  for (const e of fs.readdirSync(p, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    files++;
    bytes += fs.statSync(path.join(e.parentPath, e.name)).size;
  }
  return { files, bytes };
}

const mb = (b) => `${(b / 1e6).toFixed(2)} MB`;
const ms = (t) => `${Math.round(t)} ms`;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'course-bench-report-'));
  const book = syntheticGradebook(N);
  const t0 = performance.now();
  writeOutputs(book, tmp);
  const writeMs = performance.now() - t0;
  const html = sizeOf(path.join(tmp, 'report.html'));
  const detail = sizeOf(path.join(tmp, 'report'));
  const rows = book.learners.length + (book.meta.roster?.missing.length ?? 0);
  console.log(
    `bench/report: ${book.learners.length} learners (+${rows - book.learners.length} in the roster without a submission) × ${book.meta.exercises.length} exercises, ${book.meta.exercises.reduce((s, x) => s + x.maxScore, 0)} tests; ${os.cpus().length} cores; load ${os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}`,
  );
  console.log(`writeOutputs (every output): ${ms(writeMs)}`);
  console.log('');
  console.log('what                          size');
  console.log(`report.html                   ${mb(html.bytes)}`);
  console.log(`report/ (detail, ${String(detail.files).padStart(3)} files)   ${mb(detail.bytes)}`);
  console.log(`total                         ${mb(html.bytes + detail.bytes)}`);
  console.log('');

  if (!fs.existsSync(CHROMIUM)) {
    console.log(`(no ${CHROMIUM}: apt-get install -y chromium for the load times)`);
    return finish(tmp);
  }
  const { chromium } = require('playwright-core');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const times = { load: [], table: [], detail: [], sort: [] };
  const url = `file://${path.join(tmp, 'report.html')}`;
  try {
    for (let run = 0; run < RUNS; run++) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      const errors = [];
      page.on('pageerror', (e) => errors.push(e.message));
      const start = performance.now();
      await page.goto(url, { waitUntil: 'load', timeout: 300_000 });
      times.load.push(performance.now() - start);
      await page.waitForFunction((n) => document.querySelectorAll('#grades tbody tr[data-learner]').length >= n, book.learners.length, { timeout: 300_000 });
      times.table.push(performance.now() - start);
      // The first click on a learner: until the drill-down shows a line of the learner's detail.
      // (The first learner with a button: roster learners without a submission have no detail.)
      const first = await page.$eval('#grades tbody tr[data-learner] button.learner', (b) => b.closest('tr').getAttribute('data-learner'));
      await page.click(`#grades tbody tr[data-learner="${first}"] button.learner`);
      await page.locator(`tr[data-detail-for="${first}"] .exercise-detail`).first().waitFor({ timeout: 300_000 });
      times.detail.push(performance.now() - start);
      const sortStart = performance.now();
      await page.click('#grades th[data-key="total"]');
      await page.waitForFunction(() => document.querySelector('#grades th[data-key="total"]')?.getAttribute('aria-sort') === 'descending');
      times.sort.push(performance.now() - sortStart);
      if (errors.length) console.log(`page errors: ${errors.join('; ')}`);
      await page.close();
    }
  } finally {
    await browser.close();
  }
  console.log(`headless Chromium at 1280×800, ${RUNS} run(s)     median    min`);
  const line = (label, xs) => console.log(`${label.padEnd(38)}${ms(median(xs)).padStart(8)} ${ms(Math.min(...xs)).padStart(8)}`);
  line('load event', times.load);
  line('table shown (every row)', times.table);
  line("first click: a learner's detail shown", times.detail);
  line('sort by total (one click)', times.sort);
  finish(tmp);
}

function finish(tmp) {
  if (args.includes('--keep')) console.log(`kept: ${tmp}`);
  else fs.rmSync(tmp, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
