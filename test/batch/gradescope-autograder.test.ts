// Issue 22.9: `course release --gradescope` builds the autograder package Gradescope runs, and its run_autograder,
// run against a fake /autograder tree (COURSE_AUTOGRADER_ROOT), writes results/results.json in Gradescope's
// documented schema (https://gradescope-autograders.readthedocs.io/en/latest/specs/): a score, and tests with
// name, score, max_score, status, output and visibility, the instructor-only ones "after_published". setup.sh
// installs Node and the dependencies from the network as root, which cannot run here: it is only checked to parse
// (bash -n), and the fake tree gets the repository's node_modules instead.

import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import yauzl from 'yauzl';
import * as fx from './fixture-course';

interface GradescopeTest {
  name: string;
  score: number;
  max_score: number;
  status: string;
  output: string;
  visibility: string;
}
interface GradescopeResults {
  score: number;
  output: string;
  visibility: string;
  tests: GradescopeTest[];
}

/** Unzips `file` into `dest`, keeping each entry's Unix permissions; returns the entry names. */
function unzip(file: string, dest: string): Promise<Array<{ name: string; mode: number }>> {
  return new Promise((resolve, reject) => {
    const names: Array<{ name: string; mode: number }> = [];
    yauzl.open(file, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err ?? new Error('no zip'));
      zip.on('entry', (entry: yauzl.Entry) => {
        const mode = (entry.externalFileAttributes >>> 16) & 0o777;
        names.push({ name: entry.fileName, mode });
        zip.openReadStream(entry, (e2, stream) => {
          if (e2 || !stream) return reject(e2 ?? new Error('no stream'));
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            const to = path.join(dest, entry.fileName);
            mkdirSync(path.dirname(to), { recursive: true });
            writeFileSync(to, Buffer.concat(chunks));
            chmodSync(to, mode || 0o644);
            zip.readEntry();
          });
        });
      });
      zip.on('end', () => resolve(names));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

const HIDDEN_SUITE = `import { useSandbox } from '../../../harness/support/sandbox';

const sandbox = useSandbox({ callTimeoutMs: 1500 });

describe('hidden calc', () => {
  test('keeps the total over two additions', async () => {
    const calc = await sandbox().construct('Calculator');
    await calc.call('add', 1, 2);
    await calc.call('add', 3, 4);
    expect(await calc.call('total')).toBe(10);
  });
});
`;

describe('course release --gradescope: the autograder package, run as Gradescope runs it', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'course-gradescope-'));
  const fake = path.join(dir, 'autograder');
  let course: string;
  let entries: Array<{ name: string; mode: number }>;

  const runAutograder = () =>
    spawnSync('bash', [path.join(fake, 'source', 'run_autograder')], {
      encoding: 'utf8',
      timeout: 5 * 60_000,
      env: { ...process.env, COURSE_AUTOGRADER_ROOT: fake, PATH: `${path.dirname(process.execPath)}:${process.env.PATH ?? ''}` },
    });
  const results = () => JSON.parse(readFileSync(path.join(fake, 'results', 'results.json'), 'utf8')) as GradescopeResults;

  beforeAll(async () => {
    course = fx.makeCourse(dir);
    writeFileSync(path.join(course, 'test', 'fixtures', 'calc', 'calc.hidden.test.ts'), HIDDEN_SUITE);
    const r = spawnSync(process.execPath, [path.join(course, 'bin', 'course.js'), 'release', '--gradescope', '--out', path.join(dir, 'pkg')], {
      cwd: course,
      encoding: 'utf8',
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    mkdirSync(path.join(fake, 'source'), { recursive: true });
    entries = await unzip(path.join(dir, 'pkg', 'autograder.zip'), path.join(fake, 'source'));
    // What setup.sh's `npm ci --omit=dev` would install.
    symlinkSync(path.join(fx.REPO, 'node_modules'), path.join(fake, 'source', 'node_modules'));
    // The learner uploaded calc.ts (running total wrong) and words.ts on their own, as Gradescope keeps them.
    fx.writeFolder(path.join(fake, 'submission'), { 'calc.ts': fx.CALC_PARTIAL, 'words.ts': fx.solution('words') });
    // Gradescope's record of the submission (its documented submission_metadata.json): 2 days late by its due date.
    writeFileSync(
      path.join(fake, 'submission_metadata.json'),
      JSON.stringify({ id: 1, created_at: '2026-03-03T10:00:00.365935-08:00', assignment: { due_date: '2026-03-01T23:59:00.000000-08:00' } }),
    );
  }, 120_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('the package: setup.sh and run_autograder at its root, executable; the suites with the instructor-only one; no solution', () => {
    const names = entries.map((e) => e.name);
    expect(entries.find((e) => e.name === 'setup.sh')?.mode).toBe(0o755);
    expect(entries.find((e) => e.name === 'run_autograder')?.mode).toBe(0o755);
    expect(names).toEqual(
      expect.arrayContaining(['course.yaml', 'dist/grader/cli.js', 'test/fixtures/calc/calc.test.ts', 'test/fixtures/calc/calc.hidden.test.ts']),
    );
    expect(names.filter((n) => n.startsWith('solutions/'))).toEqual([]);
    expect(spawnSync('bash', ['-n', path.join(fake, 'source', 'setup.sh')]).status).toBe(0);
  });

  test(
    'run_autograder writes results/results.json in Gradescope\'s schema; instructor-only tests "after_published"',
    () => {
      const r = runAutograder();
      expect(r.status).toBe(0);
      const json = results();
      // calc: 2 of its 4 tests (3 visible + 1 instructor-only) = 5 of 10; words: 10.
      expect(json.score).toBe(15); // late by Gradescope's record, but Gradescope applies its own late policy
      expect(json.visibility).toBe('visible');
      for (const t of json.tests) {
        expect(typeof t.name).toBe('string');
        expect(typeof t.score).toBe('number');
        expect(typeof t.max_score).toBe('number');
        expect(['passed', 'failed']).toContain(t.status);
        expect(['visible', 'after_published']).toContain(t.visibility);
      }
      const secret = json.tests.filter((t) => t.visibility === 'after_published');
      expect(secret.map((t) => [t.name, t.status])).toEqual([['hidden calc › keeps the total over two additions', 'failed']]);
      expect(json.tests.filter((t) => t.visibility === 'visible' && t.name.includes('keeps the total over two additions'))).toEqual([]);
      expect(json.tests.find((t) => t.name === 'Calculator › keeps a running total')?.status).toBe('failed');
    },
    5 * 60_000,
  );

  test(
    'when the grader cannot run, results.json still says so (score 0, the log), never a blank page',
    () => {
      const cli = path.join(fake, 'source', 'dist', 'grader', 'cli.js');
      renameSync(cli, `${cli}.away`);
      try {
        runAutograder();
        const json = results();
        expect(json.score).toBe(0);
        expect(json.output).toContain('The autograder could not grade this submission');
        expect(json.tests).toEqual([]);
      } finally {
        renameSync(`${cli}.away`, cli);
      }
      expect(existsSync(cli)).toBe(true);
    },
    5 * 60_000,
  );
});
