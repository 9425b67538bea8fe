// Issue 22.8 end to end: Canvas's and Moodle's own files in and out, through the CLI on the fixture course (calc: 3
// tests, words: 4 tests; 10 points each). The fixtures are written from the LMSs' published formats:
//   - Canvas's "Download Submissions": flat files `<sortable name>[_LATE]_<user id>_<attachment id>_<file name>`
//     (canvas-lms lib/content_zipper.rb, get_filename); its gradebook export as the roster (Student, ID, SIS User ID,
//     SIS Login ID, Section, the assignments, and a "Points Possible" row); feedback back through "Re-Upload
//     Submissions", which takes the first two all-digit parts of a file name as user id and attachment id
//     (app/models/assignment.rb, infer_comment_context_from_filename).
//   - Moodle's "Download all submissions" in folders: `<Full name>_<participant id>_assignsubmission_file` (Moodle 4.1+;
//     a trailing "_" before), or files `<Full name>_<participant id>_assignsubmission_file_<name>`; its grade export
//     as the roster (First name, Last name, ID number, ..., Email address); feedback back through "Upload multiple
//     feedback files in a zip", whose importer reads "<name>_<participant id>_<plugin type>_<plugin name>" from a path
//     part (mod/assign/feedback/file/importziplib.php, is_valid_filename_for_import).

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { parse } from 'csv-parse/sync';
import yauzl from 'yauzl';
import type { LearnerResult } from '../../grader/batch/model';
import { learnerKey } from '../../grader/batch/learner-key';
import * as fx from './fixture-course';

const rows = (text: string): string[][] => parse(text, { relax_column_count: true }) as string[][];

function cli(course: string, args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(course, 'bin', 'course.js'), ...args], { cwd: course, encoding: 'utf8', timeout: 6 * 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The names and texts of a zip's entries. */
function readZip(file: string): Promise<Map<string, string>> {
  return new Promise((resolve, reject) => {
    const out = new Map<string, string>();
    yauzl.open(file, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err ?? new Error('no zip'));
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (e2, stream) => {
          if (e2 || !stream) return reject(e2 ?? new Error('no stream'));
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            out.set(entry.fileName, Buffer.concat(chunks).toString('utf8'));
            zip.readEntry();
          });
        });
      });
      zip.on('end', () => resolve(out));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

describe('LMS files both ways: Canvas and Moodle downloads and exports in, their bulk-upload shapes out', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'course-lms-'));
  let course: string;
  const S = fx.solution;
  const result = (out: string, id: string) => JSON.parse(readFileSync(path.join(dir, out, 'results', `${learnerKey(id)}.json`), 'utf8')) as LearnerResult;

  beforeAll(() => {
    course = fx.makeCourse(dir);
    // Canvas: Ann uploaded her two files on time, Ben a zip of his copy of the course after the due date.
    const canvas = path.join(dir, 'canvas');
    mkdirSync(canvas);
    writeFileSync(path.join(canvas, 'archerann_101_9001_calc.ts'), S('calc'));
    writeFileSync(path.join(canvas, 'archerann_101_9002_words.ts'), S('words'));
    writeFileSync(
      path.join(canvas, 'bellben_LATE_102_9003_lab1.zip'),
      fx.zipBuffer(fx.filesToEntries(fx.courseLayout({ calc: fx.CALC_PARTIAL, words: fx.WORDS_PARTIAL }, 'lab1/'))),
    );
    writeFileSync(
      path.join(dir, 'canvas-export.csv'),
      [
        'Student,ID,SIS User ID,SIS Login ID,Section,Lab 1 (4711),Current Score,Final Score',
        '    Points Possible,,,,,20,(read only),(read only)',
        '"Archer, Ann",101,S101,ann,Section A,,,',
        '"Bell, Ben",102,S102,ben,Section B,,,',
        '"Cole, Cat",103,S103,cat,Section A,,,', // no submission
      ].join('\n') + '\n',
    );
    // Moodle: Dan's loose files in a 4.1+ folder, Eve's zip in a pre-4.1 folder beside her online text, Fay's file
    // from a download without folders.
    const moodle = path.join(dir, 'moodle');
    fx.writeFolder(path.join(moodle, 'Dan Dunn_881_assignsubmission_file'), { 'calc.ts': S('calc'), 'words.ts': fx.WORDS_PARTIAL });
    fx.writeFolder(path.join(moodle, 'Eve Évans_882_assignsubmission_file_'), {});
    writeFileSync(
      path.join(moodle, 'Eve Évans_882_assignsubmission_file_', 'lab1.zip'),
      fx.zipBuffer(fx.filesToEntries(fx.courseLayout({ calc: S('calc'), words: S('words') }))),
    );
    fx.writeFolder(path.join(moodle, 'Eve Évans_882_assignsubmission_onlinetext_'), { 'onlinetext.html': '<p>see my zip</p>' });
    writeFileSync(path.join(moodle, 'Fay Ford_883_assignsubmission_file_calc.ts'), S('calc'));
    writeFileSync(
      path.join(dir, 'moodle-export.csv'),
      [
        'First name,Last name,ID number,Institution,Department,Email address,Assignment: Lab 1 (Real),Last downloaded from this course',
        'Dan,Dunn,D881,,,dan@example.edu,-,1767225600',
        'Eve,Évans,D882,,,eve@example.edu,-,1767225600',
        'Fay,Ford,D883,,,fay@example.edu,-,1767225600',
      ].join('\n') + '\n',
    );
  }, 60_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test(
    "Canvas: its download's learners, its gradebook export as the roster, LATE said as such, feedback for Re-Upload Submissions",
    async () => {
      const out = path.join(dir, 'out-canvas');
      const r = cli(course, [
        'grade',
        path.join(dir, 'canvas'),
        '--out',
        out,
        '--jobs',
        '2',
        '--no-canary',
        '--roster',
        path.join(dir, 'canvas-export.csv'),
        '--lms',
        'canvas',
        '--lms-assignment',
        'Lab 1 (4711)',
        '--deadline',
        '2026-03-01T23:59:00Z',
      ]);
      expect(r.stderr).not.toMatch(/Error:/);
      expect({ code: r.code, stderr: r.code === 0 ? '' : r.stderr }).toEqual({ code: 0, stderr: '' });
      const canvas = rows(readFileSync(path.join(out, 'canvas-grades.csv'), 'utf8'));
      expect(canvas[1]).toEqual(['Points Possible', '', '', '', '', '20']);
      // Ann 20; Ben 2/3 of 10 + 2/4 of 10; Cat has no submission.
      expect(Object.fromEntries(canvas.slice(2).map((row) => [row[1], row[5]]))).toEqual({ '101': '20', '102': '11.67', '103': '0' });
      expect(result('out-canvas', 'archerann_101').submitted?.label).toBe('time unknown; Canvas marks it not late: no deduction');
      expect(result('out-canvas', 'bellben_102').submitted?.label).toBe('time unknown; Canvas marks it late: no deduction');
      expect(result('out-canvas', 'bellben_102').notes?.join(' ')).toContain('records no time');

      const zip = await readZip(path.join(out, 'feedback-canvas.zip'));
      expect([...zip.keys()].sort()).toEqual(['archerann_101_9001_feedback.html', 'bellben_LATE_102_9003_feedback.html']);
      for (const [name, page] of zip) {
        // Canvas's own reading of a re-uploaded file name: the first two all-digit parts are user and attachment.
        const ids = name.split('_').filter((p) => /^\d+$/.test(p));
        expect(ids.slice(0, 2)).toEqual(name.startsWith('archerann') ? ['101', '9001'] : ['102', '9003']);
        expect(page).toContain('<!DOCTYPE html>');
      }
    },
    6 * 60_000,
  );

  test(
    "Moodle: its folder and flat downloads, its grade export as the roster, feedback in its upload-zip's folders",
    async () => {
      const out = path.join(dir, 'out-moodle');
      const r = cli(course, [
        'grade',
        path.join(dir, 'moodle'),
        '--out',
        out,
        '--jobs',
        '2',
        '--no-canary',
        '--roster',
        path.join(dir, 'moodle-export.csv'),
        '--lms',
        'moodle',
        '--deadline',
        '2026-03-01T23:59:00Z',
      ]);
      expect(r.stderr).not.toMatch(/Error:/);
      expect({ code: r.code, stderr: r.code === 0 ? '' : r.stderr }).toEqual({ code: 0, stderr: '' });
      const moodle = rows(readFileSync(path.join(out, 'moodle-grades.csv'), 'utf8'));
      expect(moodle[0]).toEqual(['First name', 'Last name', 'Email address', 'Batch fixture course']);
      // Dan 10 + 2/4 of 10; Eve's zip 20 (her online text is not a graded file); Fay calc only.
      expect(Object.fromEntries(moodle.slice(1).map((row) => [row[2], row[3]]))).toEqual({
        'dan@example.edu': '15',
        'eve@example.edu': '20',
        'fay@example.edu': '10',
      });
      expect(result('out-moodle', 'Dan Dunn_881').notes?.join(' ')).toContain("Moodle's download records no submission time");

      const zip = await readZip(path.join(out, 'feedback-moodle.zip'));
      expect([...zip.keys()].sort()).toEqual([
        'Dan Dunn_881_assignsubmission_file/feedback.html',
        'Eve Évans_882_assignsubmission_file/feedback.html',
        'Fay Ford_883_assignsubmission_file/feedback.html',
      ]);
      for (const name of zip.keys()) {
        // Moodle's importer: explode('_', <path part>, 5) gives name, participant id, plugin type, plugin name.
        const info = name.split('/')[0]!.split('_');
        expect(/^\d+$/.test(info[1]!) && info[2] === 'assignsubmission' && info[3] === 'file').toBe(true);
      }
    },
    6 * 60_000,
  );
});
