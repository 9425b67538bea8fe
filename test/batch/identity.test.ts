// Two learners must never become one: `course grade` on a class whose names a lossy file name would fold together
// (`carol jones` and `carol_jones`, `José` in NFC and in NFD and `Jose`, `Ann` and `ann`, `x:y` and `x?y`, and a
// name made to look like another learner's file name). Each learner keeps their own score, results file, feedback
// files and checkpoint records: in one run, after a run killed halfway and resumed, across shards and their merge,
// and as an unprivileged user. Entries that are one learner id (`x.zip` and `x.tar.gz`) are refused, both named.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import * as fx from './fixture-course';

const S = fx.solution;
const T = fx.stub;
const NFC = 'José'.normalize('NFC');
const NFD = 'José'.normalize('NFD');
/** A learner who picked the name a hashing scheme might give Ann: `ann~` and the first 12 hex digits of SHA-256. */
const LOOKALIKE = `ann~${createHash('sha256').update('Ann', 'utf8').digest('hex').slice(0, 12)}`;

interface Learner {
  id: string;
  shape: 'folder' | 'zip' | 'tar.gz';
  calc: string;
  words: string;
  /** Tests passed per exercise (calc has 3, words 4). */
  want: { calc: number; words: number };
}

const CLASS: Learner[] = [
  { id: 'carol jones', shape: 'folder', calc: T('calc'), words: T('words'), want: { calc: 0, words: 0 } },
  { id: 'carol_jones', shape: 'folder', calc: S('calc'), words: S('words'), want: { calc: 3, words: 4 } },
  { id: NFC, shape: 'folder', calc: S('calc'), words: T('words'), want: { calc: 3, words: 0 } },
  { id: NFD, shape: 'folder', calc: T('calc'), words: S('words'), want: { calc: 0, words: 4 } },
  { id: 'Jose', shape: 'zip', calc: fx.CALC_PARTIAL, words: T('words'), want: { calc: 2, words: 0 } },
  { id: 'Ann', shape: 'folder', calc: fx.CALC_PARTIAL, words: S('words'), want: { calc: 2, words: 4 } },
  { id: 'ann', shape: 'tar.gz', calc: S('calc'), words: fx.WORDS_PARTIAL, want: { calc: 3, words: 2 } },
  { id: 'x:y', shape: 'folder', calc: S('calc'), words: S('words'), want: { calc: 3, words: 4 } },
  { id: 'x?y', shape: 'folder', calc: T('calc'), words: T('words'), want: { calc: 0, words: 0 } },
  { id: LOOKALIKE, shape: 'folder', calc: T('calc'), words: fx.WORDS_PARTIAL, want: { calc: 0, words: 2 } },
];
const RUNS = CLASS.length * 2;
const total = (l: Learner) => l.want.calc + l.want.words;

function writeClass(subs: string): void {
  mkdirSync(subs, { recursive: true });
  for (const l of CLASS) {
    const files = fx.courseLayout({ calc: l.calc, words: l.words });
    if (l.shape === 'folder') fx.writeFolder(path.join(subs, l.id), files);
    else if (l.shape === 'zip') writeFileSync(path.join(subs, `${l.id}.zip`), fx.zipBuffer(fx.filesToEntries(files)));
    else writeFileSync(path.join(subs, `${l.id}.tar.gz`), fx.tarGzBuffer(fx.filesToEntries(files)));
  }
}

const NOBODY = 65534;
const setpriv = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => statSync(p, { throwIfNoEntry: false })?.isFile());
const canDropToNobody = process.getuid?.() === 0 && process.platform === 'linux' && setpriv !== undefined;

function cli(course: string, args: string[], asUid?: number): { code: number | null; stdout: string; stderr: string } {
  const node = process.execPath;
  const argv = [path.join(course, 'bin', 'course.js'), ...args];
  const r =
    asUid === undefined
      ? spawnSync(node, argv, { cwd: course, encoding: 'utf8', timeout: 8 * 60_000 })
      : spawnSync(setpriv!, [`--reuid=${asUid}`, `--regid=${asUid}`, '--clear-groups', node, ...argv], {
          cwd: course,
          encoding: 'utf8',
          timeout: 8 * 60_000,
          env: { PATH: process.env.PATH, HOME: os.tmpdir(), NO_COLOR: '1' },
        });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function lines(file: string): string[] {
  try {
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.trim());
  } catch {
    return [];
  }
}

/** Every learner's own score, results file, feedback files, grades.csv row and (unless merged) checkpoint records. */
function expectEachLearnerApart(out: string, { merged = false } = {}): void {
  const ids = CLASS.map((l) => l.id);
  // results/: one file per learner, each with its exact id inside and that learner's score.
  const results = readdirSync(path.join(out, 'results'));
  expect(results).toHaveLength(CLASS.length);
  // The names stay apart on a case-insensitive, Unicode-normalising file system (macOS) too.
  expect(new Set(results.map((n) => n.normalize('NFC').toLowerCase())).size).toBe(CLASS.length);
  const byLearner = new Map<string, { score: number; file: string }>();
  for (const name of results) {
    const r = JSON.parse(readFileSync(path.join(out, 'results', name), 'utf8')) as { learner: string; score: number };
    expect(byLearner.has(r.learner)).toBe(false);
    byLearner.set(r.learner, { score: r.score, file: name });
  }
  expect([...byLearner.keys()].sort()).toEqual([...ids].sort());
  for (const l of CLASS) expect({ id: l.id, score: byLearner.get(l.id)!.score }).toEqual({ id: l.id, score: total(l) });

  // feedback/: a .md and an .html per learner, each telling that learner's total.
  const feedback = readdirSync(path.join(out, 'feedback'));
  expect(feedback).toHaveLength(CLASS.length * 2);
  expect(new Set(feedback.map((n) => n.normalize('NFC').toLowerCase())).size).toBe(CLASS.length * 2);
  const mdFor = new Map<string, string>();
  for (const name of feedback.filter((n) => n.endsWith('.md'))) {
    const md = readFileSync(path.join(out, 'feedback', name), 'utf8');
    const learner = /^Learner: `(.*)`/m.exec(md)?.[1];
    expect(learner !== undefined && !mdFor.has(learner)).toBe(true);
    mdFor.set(learner!, md);
    expect(existsSync(path.join(out, 'feedback', name.replace(/\.md$/, '.html')))).toBe(true);
  }
  for (const l of CLASS)
    expect({ id: l.id, total: /^Total: \*\*(\d+)\/7\*\*/m.exec(mdFor.get(l.id) ?? '')?.[1] }).toEqual({ id: l.id, total: String(total(l)) });

  // grades.csv: one row per learner, the exact id in the learner column.
  const rows = parse(readFileSync(path.join(out, 'grades.csv'), 'utf8'), { columns: true }) as Array<Record<string, string>>;
  expect(rows.map((r) => r.learner).sort()).toEqual([...ids].sort());
  for (const l of CLASS) {
    const row = rows.find((r) => r.learner === l.id)!;
    expect({ id: l.id, calc: row.calc_tests, words: row.words_tests }).toEqual({ id: l.id, calc: String(l.want.calc), words: String(l.want.words) });
  }

  if (merged) return;
  // checkpoint.jsonl: exactly one record per learner and exercise, with that learner's score.
  const records = lines(path.join(out, 'checkpoint.jsonl')).map(
    (line) => JSON.parse(line) as { learner: string; exercise: 'calc' | 'words'; result: { score: number } },
  );
  const pairs = records.map((r) => JSON.stringify([r.learner, r.exercise]));
  expect(new Set(pairs).size).toBe(records.length);
  expect(records).toHaveLength(RUNS);
  for (const r of records) {
    const l = CLASS.find((x) => x.id === r.learner)!;
    expect({ id: r.learner, exercise: r.exercise, score: r.result.score }).toEqual({ id: l.id, exercise: r.exercise, score: l.want[r.exercise] });
  }
}

describe('course grade keeps learners apart whose names a file name would fold together', () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'course-identity-'));
  chmodSync(tmp, 0o755);
  const subs = path.join(tmp, 'submissions');
  const out = path.join(tmp, 'out');
  let course = '';

  beforeAll(() => {
    course = fx.makeCourse(tmp);
    writeClass(subs);
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  test(
    'graded as root, killed halfway and resumed: each learner keeps their own score and files',
    async () => {
      const checkpoint = path.join(out, 'checkpoint.jsonl');
      const child: ChildProcess = spawn(process.execPath, [path.join(course, 'bin', 'course.js'), 'grade', subs, '--out', out, '--jobs', '2'], {
        cwd: course,
        stdio: 'ignore',
      });
      const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
      for (let waited = 0; lines(checkpoint).length < RUNS / 2; waited += 100) {
        if (waited > 5 * 60_000) throw new Error('the first run did not get halfway');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      child.kill('SIGKILL');
      await exited;
      const before = lines(checkpoint).length;
      expect(before).toBeLessThan(RUNS);

      const resumed = cli(course, ['grade', subs, '--out', out, '--jobs', '2']);
      expect({ code: resumed.code, stderr: resumed.stderr.includes('internal error') ? resumed.stderr : '' }).toEqual({ code: 0, stderr: '' });
      expect(resumed.stdout).toContain(`${RUNS} run(s), ${before} already in the checkpoint`);
      expectEachLearnerApart(out);
    },
    12 * 60_000,
  );

  test(
    "shards are assigned by the exact id and their merge finds every learner's own results",
    () => {
      const shards = [1, 2].map((i) => path.join(tmp, `shard-${i}`));
      for (const dir of shards) {
        mkdirSync(dir);
        copyFileSync(path.join(out, 'checkpoint.jsonl'), path.join(dir, 'checkpoint.jsonl'));
      }
      const graded = shards.map((dir, i) => cli(course, ['grade', subs, '--out', dir, '--jobs', '2', '--shard', `${i + 1}/2`]));
      for (const g of graded) expect(g.code).toBe(0);
      const shareOf = (dir: string) => (JSON.parse(readFileSync(path.join(dir, 'gradebook.json'), 'utf8')) as { learners: string[] }).learners;
      expect([...shareOf(shards[0]!), ...shareOf(shards[1]!)].sort()).toEqual(CLASS.map((l) => l.id).sort());
      const merged = path.join(tmp, 'merged');
      const m = cli(course, ['merge', ...shards, '--out', merged]);
      expect({ code: m.code, stderr: m.stderr }).toEqual({ code: 0, stderr: '' });
      expectEachLearnerApart(merged, { merged: true });
      expect(readdirSync(path.join(merged, 'results')).sort()).toEqual(readdirSync(path.join(out, 'results')).sort());
      for (const name of readdirSync(path.join(out, 'results'))) {
        const a = JSON.parse(readFileSync(path.join(out, 'results', name), 'utf8')) as { learner: string; score: number };
        const b = JSON.parse(readFileSync(path.join(merged, 'results', name), 'utf8')) as { learner: string; score: number };
        expect({ learner: b.learner, score: b.score }).toEqual({ learner: a.learner, score: a.score });
      }
      // Two shards claiming one learner are refused.
      const twice = cli(course, ['merge', shards[0]!, shards[1]!, shards[1]!, '--out', path.join(tmp, 'bad')]);
      expect(twice.code).toBe(2);
      expect(twice.stderr).toMatch(/has 2 results/);
    },
    12 * 60_000,
  );

  test('x.zip and x.tar.gz (one learner id) are refused, both named, and nothing is graded', () => {
    const one = path.join(tmp, 'one-id');
    mkdirSync(one);
    writeFileSync(path.join(one, 'x.zip'), fx.zipBuffer(fx.filesToEntries(fx.courseLayout({ calc: S('calc'), words: S('words') }))));
    writeFileSync(path.join(one, 'x.tar.gz'), fx.tarGzBuffer(fx.filesToEntries(fx.courseLayout({ calc: T('calc'), words: T('words') }))));
    fx.writeFolder(path.join(one, 'bob'), fx.courseLayout({ calc: S('calc') }));
    const dir = path.join(tmp, 'out-one-id');
    const r = cli(course, ['grade', one, '--out', dir, '--jobs', '1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('"x.tar.gz", "x.zip"');
    expect(existsSync(path.join(dir, 'results'))).toBe(false);
    expect(lines(path.join(dir, 'checkpoint.jsonl'))).toEqual([]);
  });
});

function chownTree(dir: string, uid: number): void {
  chownSync(dir, uid, uid);
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    const st = statSync(p, { throwIfNoEntry: false });
    if (name === 'node_modules') continue; // a link to the project's own, only read
    if (st?.isDirectory()) chownTree(p, uid);
    else if (st) chownSync(p, uid, uid);
  }
}

(canDropToNobody ? describe : describe.skip)('the same class graded by an unprivileged user', () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'course-identity-nobody-'));
  chmodSync(tmp, 0o755);
  const subs = path.join(tmp, 'submissions');
  const out = path.join(tmp, 'out');
  let course = '';

  beforeAll(() => {
    course = fx.makeCourse(tmp);
    writeClass(subs);
    mkdirSync(out);
    chownTree(tmp, NOBODY);
    // As in test/security/hostile.test.ts: a clone in a private folder gets a readable copy of the packages.
    if (
      spawnSync(setpriv!, [
        `--reuid=${NOBODY}`,
        `--regid=${NOBODY}`,
        '--clear-groups',
        'test',
        '-r',
        path.join(fx.REPO, 'node_modules', 'jest', 'package.json'),
      ]).status !== 0
    ) {
      const copy = path.join(tmp, 'packages-copy', 'node_modules');
      mkdirSync(path.dirname(copy));
      if (spawnSync('cp', ['-al', path.join(fx.REPO, 'node_modules'), copy]).status !== 0)
        cpSync(path.join(fx.REPO, 'node_modules'), copy, { recursive: true });
      spawnSync('chmod', ['-R', 'a+rX', copy]);
      rmSync(path.join(course, 'node_modules'));
      symlinkSync(copy, path.join(course, 'node_modules'), 'dir');
    }
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  test(
    'each learner keeps their own score and files',
    () => {
      const r = cli(course, ['grade', subs, '--out', out, '--jobs', '2'], NOBODY);
      expect({ code: r.code, stderr: r.stderr.includes('internal error') ? r.stderr : '' }).toEqual({ code: 0, stderr: '' });
      expectEachLearnerApart(out);
    },
    12 * 60_000,
  );
});
