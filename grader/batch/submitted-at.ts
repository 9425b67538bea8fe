// When a submission was handed in (issue 12.3), from the first of:
//   1. git commit   a folder that is a git repository (GitHub Classroom's bulk clone is a folder of them): the
//                   committer time of its HEAD commit;
//   2. metadata     a row of `.submitted-at.csv` in the submissions folder (or the file given with
//                   --submitted-at): columns `submission,submitted_at` (ISO 8601 with a time zone), written by the
//                   instructor or the script that downloaded the submissions from the LMS;
//   3. archive      the newest modification time of an entry of a .zip / .tar.gz (zip stores local time, so this
//                   is approximate), or of a file of a plain folder.
// A commit time and an archive time are set by the learner's own machine: for a time nobody can forge, download
// the LMS's submission times into the metadata file.
//
// A submitted repository is hostile: git runs with no system or global configuration, with every configuration
// key that could run a program (hooks, fsmonitor, signature checks through gpg.program, a pager, lazy fetches
// from a promisor remote) overridden on the command line, which wins over the repository's own config, and
// with a time limit. `.git` must be a real folder (not a symlink, nor a "gitdir:" file pointing elsewhere). A
// repository git cannot read is a note on the submission, never a crash.

import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { LateError, parseIsoTime } from './late';
import { untrusted, type Untrusted } from '../report/escape';

export type SubmittedAtSource = 'git commit' | 'metadata file' | 'archive entries' | 'file times';

/** What a Canvas download says of the time: late or not (its `_LATE_` marker), never when. */
export type LmsLateMarker = 'late' | 'not late';

export interface SubmittedAt {
  at?: Date;
  source?: SubmittedAtSource;
  /** Why the time is unknown, or what went wrong on the way (a bad repository). */
  notes: Untrusted[];
  /** A Canvas download's own word, when no time is known. */
  canvasMarker?: LmsLateMarker;
}

/** The metadata file's default name, in the submissions folder (a dotfile, so intake never takes it for a learner). */
export const TIMES_FILE = '.submitted-at.csv';

/** Reads a metadata file: submission -> time. */
export function readTimesFile(file: string): Map<string, Date> {
  const out = new Map<string, Date>();
  let rows: string[][];
  try {
    rows = parse(readFileSync(file, 'utf8'), { bom: true, skip_empty_lines: true, trim: true, relax_column_count: true }) as string[][];
  } catch (err) {
    throw new LateError(`${file}: not a readable CSV file (${err instanceof Error ? err.message : String(err)})`);
  }
  const header = (rows[0] ?? []).map((h) => h.toLowerCase().replace(/[^a-z]/g, ''));
  const sub = header.indexOf('submission');
  const at = header.indexOf('submittedat');
  if (sub < 0 || at < 0) throw new LateError(`${file}: expected a header row "submission,submitted_at"`);
  const lineOf = new Map<string, number>();
  rows.slice(1).forEach((row, i) => {
    const id = row[sub]?.replace(/\.(zip|tar\.gz|tgz|tar)$/i, '');
    if (!id) return;
    // Two rows for one submission (`x.zip` and `x`): which time counts is the instructor's call, not the later row's.
    const before = lineOf.get(id);
    if (before) throw new LateError(`${file}, line ${i + 2}: a second time for submission "${id}" (line ${before} has one)`);
    lineOf.set(id, i + 2);
    out.set(id, parseIsoTime(row[at] ?? '', `${file}, line ${i + 2}`));
  });
  return out;
}

const GIT_TIMEOUT_MS = 10_000;

/**
 * git's arguments for reading HEAD's committer time without running anything the repository configures: no hooks,
 * pager, fsmonitor, signature programs, alternates command, replace objects or transport.
 */
function hardenedLogArgs(gitDir: string): string[] {
  const config = [
    'core.hooksPath=/dev/null',
    'core.fsmonitor=false',
    'core.pager=cat',
    'log.showSignature=false',
    'gpg.program=false',
    'gpg.ssh.program=false',
    'gpg.x509.program=false',
    'protocol.allow=never',
    'core.alternateRefsCommand=',
    'safe.directory=*',
  ].flatMap((c) => ['-c', c]);
  return [
    '--no-pager',
    '--no-optional-locks',
    '--no-replace-objects',
    ...config,
    `--git-dir=${gitDir}`,
    'log',
    '-1',
    '--no-show-signature',
    '--no-color',
    '--format=%cI',
    'HEAD',
    '--',
  ];
}

/** The environment git runs in: nothing of the grader's own, a throwaway HOME, no prompt, no lazy fetch. */
function hardenedGitEnv(home: string, globalConfig: string, dir: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    LC_ALL: 'C',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: globalConfig,
    GIT_TERMINAL_PROMPT: '0',
    GIT_OPTIONAL_LOCKS: '0',
    GIT_NO_LAZY_FETCH: '1',
    GIT_NO_REPLACE_OBJECTS: '1',
    GIT_CEILING_DIRECTORIES: path.dirname(dir),
  };
}

/** What git's answer says: the time, or a note saying why it was not read. */
function commitTimeOf(r: SpawnSyncReturns<string>, timeoutMs: number): { at?: Date; note?: string } {
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { note: 'git is not installed: the commit time was not read' };
    if (code === 'ETIMEDOUT') return { note: `git did not answer within ${timeoutMs / 1000} s: the commit time was not read` };
    return { note: `git failed (${r.error.message}): the commit time was not read` };
  }
  if (r.signal) return { note: `git did not answer within ${timeoutMs / 1000} s: the commit time was not read` };
  const out = (r.stdout ?? '').trim();
  if (r.status !== 0 || !out) {
    const why =
      (r.stderr ?? '')
        .split('\n')
        .map((l) => l.trim())
        .find(Boolean) ?? `exit code ${r.status}`;
    return { note: `a .git folder that git cannot read (${why.slice(0, 200)}): the commit time was not read` };
  }
  const at = new Date(out.split('\n')[0]!);
  if (Number.isNaN(at.getTime())) return { note: `git gave an unreadable commit time (${out.slice(0, 60)})` };
  return { at };
}

/** The committer time of HEAD of the repository at `dir/.git`, read without trusting the repository. */
export function gitCommitTime(dir: string, timeoutMs = GIT_TIMEOUT_MS): { at?: Date; note?: string } {
  const gitDir = path.join(dir, '.git');
  const st = lstatSync(gitDir, { throwIfNoEntry: false });
  if (!st) return {};
  if (!st.isDirectory()) return { note: `.git is ${st.isSymbolicLink() ? 'a symbolic link' : 'not a folder'}: the commit time was not read` };
  const home = mkdtempSync(path.join(os.tmpdir(), 'course-git-'));
  // The only global configuration git sees: trust a repository owned by another user (a clone made by someone
  // else, or as root). Global scope is honoured by every git version; -c safe.directory only by newer ones.
  const globalConfig = path.join(home, 'gitconfig');
  writeFileSync(globalConfig, '[safe]\n\tdirectory = *\n');
  try {
    const r = spawnSync('git', hardenedLogArgs(gitDir), {
      cwd: home,
      encoding: 'utf8',
      timeout: timeoutMs,
      killSignal: 'SIGKILL',
      maxBuffer: 64 * 1024,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: hardenedGitEnv(home, globalConfig, dir),
    });
    return commitTimeOf(r, timeoutMs);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

/** The submission time of one submission, from the first source that has it. */
export function submittedAt(
  submission: { id: string; source: string; kind: string; lms?: { lms: string; late?: boolean } },
  times: Map<string, Date> | undefined,
  newestMtimeMs: number | undefined,
): SubmittedAt {
  const notes: Untrusted[] = [];
  if (submission.lms) {
    // An LMS download's file times are when it was unzipped: only the metadata file, or Canvas's marker, says more.
    const meta = times?.get(submission.id);
    if (meta) return { at: meta, source: 'metadata file', notes };
    if (submission.lms.lms === 'canvas') {
      const marker: LmsLateMarker = submission.lms.late ? 'late' : 'not late';
      notes.push(
        untrusted(
          `Canvas's download marks this submission ${marker} (by Canvas's own due date) and records no time: no deduction computed; for one, put the submission times in ${TIMES_FILE}`,
        ),
      );
      return { notes, canvasMarker: marker };
    }
    notes.push(untrusted(`Moodle's download records no submission time: no deduction computed; for one, put the submission times in ${TIMES_FILE}`));
    return { notes };
  }
  if (submission.kind === 'folder' && existsSync(path.join(submission.source, '.git'))) {
    const git = gitCommitTime(submission.source);
    if (git.at) return { at: git.at, source: 'git commit', notes };
    if (git.note) notes.push(untrusted(git.note));
  }
  const meta = times?.get(submission.id);
  if (meta) return { at: meta, source: 'metadata file', notes };
  if (newestMtimeMs !== undefined) {
    return { at: new Date(newestMtimeMs), source: submission.kind === 'folder' ? 'file times' : 'archive entries', notes };
  }
  notes.push(untrusted('no submission time found (no git commit, no metadata row, no file times)'));
  return { notes };
}
