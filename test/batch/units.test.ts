// Unit tests of the batch pieces that need no jest worker: intake, checkpoint, sharding, CSV, uid blocks.

import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Checkpoint } from '../../grader/batch/checkpoint';
import { checkEntryPath, discoverSubmissions, intakeSubmission, locate } from '../../grader/batch/intake';
import type { Gradebook } from '../../grader/batch/model';
import { parseShard, shardOf } from '../../grader/batch/run-batch';
import { BLOCK_COUNT, BLOCK_SIZE, FIRST_UID, reserveUidBlock } from '../../grader/batch/uid-block';
import type { ExerciseSpec } from '../../grader/course/schema';
import type { ExerciseResult } from '../../grader/run/result';
import { gradesCsv } from '../../grader/report/gradebook';
import * as fx from './fixture-course';
import { untrusted } from '../../grader/report/escape';

const calc = { id: 'calc', dir: 'exercises/01-calc', files: ['calc.ts'] } as ExerciseSpec;
const words = { id: 'words', dir: 'exercises/02-words', files: ['words.ts'] } as ExerciseSpec;

describe('intake', () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'course-intake-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  test('entry paths: "..", absolute and drive paths are refused; "./" and doubled slashes are normalised', () => {
    expect(checkEntryPath('./a//b/c.ts')).toBe('a/b/c.ts');
    expect(() => checkEntryPath('a/../../b')).toThrow(/outside/);
    expect(() => checkEntryPath('..\\b')).toThrow(/outside/);
    expect(() => checkEntryPath('/etc/passwd')).toThrow(/absolute/);
    expect(() => checkEntryPath('C:/x')).toThrow(/absolute/);
  });

  test('graded files are found in the course layout, under a top folder, or in a copy of exercises/; never in solutions/', () => {
    expect(locate(['exercises/01-calc/calc.ts'], calc, 'calc.ts')).toBe('exercises/01-calc/calc.ts');
    expect(locate(['alice/repo/exercises/01-calc/calc.ts', 'solutions/01-calc/calc.ts'], calc, 'calc.ts')).toBe('alice/repo/exercises/01-calc/calc.ts');
    expect(locate(['01-calc/calc.ts'], calc, 'calc.ts')).toBe('01-calc/calc.ts');
    expect(locate(['solutions/01-calc/calc.ts', 'harness/mutants/01-calc/calc.ts'], calc, 'calc.ts')).toBeUndefined();
    expect(locate(['calc.ts'], calc, 'calc.ts')).toBeUndefined();
  });

  test('discovers folders, zips and tarballs sorted by id, and refuses two entries for one learner', () => {
    const subs = path.join(tmp, 'subs');
    mkdirSync(path.join(subs, 'bob'), { recursive: true });
    writeFileSync(path.join(subs, 'alice.zip'), fx.zipBuffer([]));
    writeFileSync(path.join(subs, 'carol.tgz'), fx.tarGzBuffer([]));
    writeFileSync(path.join(subs, '.DS_Store'), '');
    expect(discoverSubmissions(subs).map((s) => `${s.id}:${s.kind}`)).toEqual(['alice:zip', 'bob:folder', 'carol:tar.gz']);
    writeFileSync(path.join(subs, 'bob.zip'), fx.zipBuffer([]));
    expect(() => discoverSubmissions(subs)).toThrow(/more than one submission for one learner id \(learner "bob": "bob", "bob.zip"\)/);
  });

  test('entries that would be one learner are refused, every entry named: x.zip and x.tar.gz, a control character and its visible form', () => {
    const subs = path.join(tmp, 'subs-one-id');
    mkdirSync(subs, { recursive: true });
    writeFileSync(path.join(subs, 'x.zip'), fx.zipBuffer([]));
    writeFileSync(path.join(subs, 'x.tar.gz'), fx.tarGzBuffer([]));
    mkdirSync(path.join(subs, 'esc\u001b'));
    mkdirSync(path.join(subs, 'esc\\u001b'));
    let message = '';
    try {
      discoverSubmissions(subs);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('learner "x": "x.tar.gz", "x.zip"');
    // The two folders show as one id; the refusal tells them apart (the literal backslash is doubled).
    expect(message).toContain('"esc\\u001b", "esc\\\\u001b"');
    expect(message).not.toContain('\u001b'); // no raw ESC reaches the terminal
  });

  test('a folder: only graded files are copied; node_modules (with its symlinks) is skipped; a symlink elsewhere rejects', async () => {
    const sub = path.join(tmp, 'dana');
    fx.writeFolder(sub, { 'exercises/01-calc/calc.ts': 'export const a = 1;\n', 'package.json': '{"jest":{}}', 'exercises/02-words/notes.ts': 'x' });
    mkdirSync(path.join(sub, 'node_modules', '.bin'), { recursive: true });
    symlinkSync('/usr/bin/env', path.join(sub, 'node_modules', '.bin', 'x'));
    const r = await intakeSubmission({ id: untrusted('dana'), source: sub, kind: 'folder' }, [calc, words], path.join(tmp, 'dest-dana'));
    expect(r.status).toBe('accepted');
    if (r.status !== 'accepted') return;
    expect(readFileSync(path.join(r.roots.calc!, 'calc.ts'), 'utf8')).toBe('export const a = 1;\n');
    expect(r.found).toEqual({ calc: ['exercises/01-calc/calc.ts'], words: [] });
    symlinkSync('/etc', path.join(sub, 'exercises', 'link'));
    const r2 = await intakeSubmission({ id: untrusted('dana'), source: sub, kind: 'folder' }, [calc, words], path.join(tmp, 'dest-dana'));
    expect(r2).toEqual({ status: 'rejected', reason: '"exercises/link" is a symbolic link' });
  });

  test('a tar.gz and a zip of the same files give the same content hash', async () => {
    const files = fx.courseLayout({ calc: 'export const a = 1;\n', words: 'export const b = 2;\n' });
    writeFileSync(path.join(tmp, 'x.zip'), fx.zipBuffer(fx.filesToEntries(files)));
    writeFileSync(path.join(tmp, 'x.tar.gz'), fx.tarGzBuffer(fx.filesToEntries(files)));
    const z = await intakeSubmission({ id: untrusted('x'), source: path.join(tmp, 'x.zip'), kind: 'zip' }, [calc, words], path.join(tmp, 'dz'));
    const t = await intakeSubmission({ id: untrusted('x'), source: path.join(tmp, 'x.tar.gz'), kind: 'tar.gz' }, [calc, words], path.join(tmp, 'dt'));
    expect(z.status).toBe('accepted');
    expect(t.status).toBe('accepted');
    if (z.status === 'accepted' && t.status === 'accepted') expect(z.hash).toBe(t.hash);
  });

  test('a corrupt archive is rejected, not an error of the run', async () => {
    writeFileSync(path.join(tmp, 'bad.zip'), 'not a zip');
    writeFileSync(path.join(tmp, 'bad.tar.gz'), 'not a tarball at all, not even gzip');
    expect((await intakeSubmission({ id: untrusted('b'), source: path.join(tmp, 'bad.zip'), kind: 'zip' }, [calc], path.join(tmp, 'db'))).status).toBe(
      'rejected',
    );
    expect((await intakeSubmission({ id: untrusted('b'), source: path.join(tmp, 'bad.tar.gz'), kind: 'tar.gz' }, [calc], path.join(tmp, 'db'))).status).toBe(
      'rejected',
    );
  });
});

describe('checkpoint', () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'course-ckpt-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  const result = (exercise: string, score: number): ExerciseResult => ({
    exercise,
    status: 'failed',
    score,
    maxScore: 3,
    tests: [],
    diagnostics: [],
    anomalies: [],
    seed: 1,
    durationMs: 1,
    filesHash: 'f'.repeat(64),
    suiteHash: 's'.repeat(64),
  });

  test('records survive a reopen; a torn last line is cut before the next append', () => {
    const file = path.join(tmp, 'checkpoint.jsonl');
    const a = new Checkpoint(file);
    a.append('alice', result('calc', 1), 'f'.repeat(64));
    a.append('bob', result('calc', 2), 'f'.repeat(64));
    a.close();
    appendFileSync(file, '{"v":1,"learner":"carol","exer'); // power loss mid-line
    const b = new Checkpoint(file);
    expect(b.records.size).toBe(2);
    expect(b.get('bob', 'calc', 's'.repeat(64), 'f'.repeat(64))?.result.score).toBe(2);
    expect(b.get('bob', 'calc', 's'.repeat(64), 'e'.repeat(64))).toBeUndefined(); // other files: regrade
    b.append('carol', result('calc', 3), 'f'.repeat(64));
    b.close();
    const text = readFileSync(file, 'utf8');
    expect(
      text
        .split('\n')
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as { learner: string }).learner),
    ).toEqual(['alice', 'bob', 'carol']);
  });
});

describe('checkpoint identity', () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'course-checkpoint-id-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  const result = (score: number): ExerciseResult => ({
    exercise: 'calc',
    status: score === 3 ? 'passed' : 'failed',
    score,
    maxScore: 3,
    tests: [],
    anomalies: [],
    diagnostics: [],
    durationMs: 1,
    seed: 1,
    filesHash: 'f'.repeat(64),
    suiteHash: 's'.repeat(64),
  });

  test('learners whose ids differ only in case, Unicode form or a dropped character keep their own records across a reopen', () => {
    const file = path.join(tmp, 'checkpoint.jsonl');
    const ids = ['carol jones', 'carol_jones', 'José'.normalize('NFC'), 'José'.normalize('NFD'), 'Jose', 'Ann', 'ann', 'x:y', 'x?y'];
    const a = new Checkpoint(file);
    ids.forEach((id, i) => a.append(id, result(i % 4), 'f'.repeat(64)));
    a.close();
    const b = new Checkpoint(file);
    expect(b.records.size).toBe(ids.length);
    ids.forEach((id, i) => {
      expect(b.get(id, 'calc', 's'.repeat(64), 'f'.repeat(64))?.result.score).toBe(i % 4);
      expect(b.last(id, 'calc')?.learner).toBe(id);
    });
    b.close();
  });

  test('a record is found by its exact (learner, exercise) pair, never by a joined string two pairs could share', () => {
    const file = path.join(tmp, 'checkpoint-nul.jsonl');
    const a = new Checkpoint(file);
    a.append('a\0b', { ...result(1), exercise: 'c' }, 'f'.repeat(64));
    a.append('a', { ...result(2), exercise: 'b\0c' }, 'f'.repeat(64));
    a.close();
    const b = new Checkpoint(file);
    expect(b.get('a\0b', 'c', 's'.repeat(64), 'f'.repeat(64))?.result.score).toBe(1);
    expect(b.get('a', 'b\0c', 's'.repeat(64), 'f'.repeat(64))?.result.score).toBe(2);
    expect(b.last('a\0b', 'c')?.result.score).toBe(1);
    b.close();
  });
});

describe('sharding', () => {
  test('i/n is parsed strictly', () => {
    expect(parseShard('2/3')).toEqual({ index: 2, count: 3 });
    for (const bad of ['0/3', '4/3', '1/0', 'a/b', '1']) expect(parseShard(bad)).toBeUndefined();
  });

  test('shards partition the sorted ids, deterministically', () => {
    const ids = Array.from({ length: 50 }, (_, i) => ({ id: `l${String(i).padStart(2, '0')}` }));
    const parts = [1, 2, 3].map((index) => shardOf(ids, { index, count: 3 }).map((x) => x.id));
    expect(parts.flat().sort()).toEqual(ids.map((x) => x.id));
    expect(parts.map((p) => p.length)).toEqual([17, 17, 16]);
    expect(shardOf(ids, { index: 2, count: 3 }).map((x) => x.id)).toEqual(parts[1]);
  });
});

test('grades.csv quotes commas and defuses spreadsheet formulas in learner ids', () => {
  const book = {
    meta: { exercises: [{ id: 'calc', title: 'c', suiteHash: 'x', maxScore: 3 }] },
    learners: [{ learner: '=cmd|x', kind: 'folder', status: 'rejected', reason: 'a, "b"', score: 0, maxScore: 3, exercises: [] }],
  } as unknown as Gradebook;
  expect(gradesCsv(book).split('\n')[0]).toBe('learner,calc,calc_tests,points,max_points,percent,tests_passed,tests_total,status,note,calc_status');
  expect(gradesCsv(book).split('\n')[1]).toBe(`'=cmd|x,0,0,0,3,0,0,3,rejected,"a, ""b""",not submitted`);
});

describe('uid blocks', () => {
  test("concurrent runs get different blocks; a released block is reused; a dead run's block is reclaimed", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'uid-blocks-'));
    try {
      const a = reserveUidBlock(4, dir);
      const b = reserveUidBlock(4, dir);
      expect(a.base).toBe(FIRST_UID);
      expect(b.base).toBe(FIRST_UID + BLOCK_SIZE);
      a.release();
      const c = reserveUidBlock(2, dir);
      expect(c.base).toBe(FIRST_UID);
      // A block whose holder died (kill -9: its lock file stays) is taken over.
      b.release();
      const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
      writeFileSync(path.join(dir, String(FIRST_UID + BLOCK_SIZE)), dead);
      const d = reserveUidBlock(1, dir);
      expect(d.base).toBe(FIRST_UID + BLOCK_SIZE);
      c.release();
      d.release();
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('every block taken by live runs: a clear error naming them; too many workers refused', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'uid-blocks-'));
    try {
      for (let k = 0; k < BLOCK_COUNT; k++) writeFileSync(path.join(dir, String(FIRST_UID + k * BLOCK_SIZE)), String(process.ppid));
      expect(() => reserveUidBlock(1, dir)).toThrow(new RegExp(`all ${BLOCK_COUNT} uid blocks .*\\(pids ${process.ppid}\\)`));
      expect(() => reserveUidBlock(BLOCK_SIZE + 1, dir)).toThrow(/at most 100 workers/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
