// Intake of submissions (DESIGN §4, first layer). `<submissions>/` holds one entry per learner: a folder (a copy
// of the course repository, or just its exercises/), a .zip, or a .tar.gz / .tgz. The learner id is the entry's
// name. Every entry is read without following anything and without extracting anything to disk first: paths with
// "..", absolute paths, symlinks, hard links, devices, oversized files and archives with too many or too large
// entries (zip bombs) reject the whole submission, with the reason. From an accepted submission only the graded
// files named in course.yaml are written, into a fresh folder per exercise; its package.json, tsconfig, jest and
// babel configs and any copy of the suites are never read.

import { neutraliseLine, untrusted, untrustedLine, type Untrusted } from '../report/escape';
import { createHash } from 'node:crypto';
import { createReadStream, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, type Stats } from 'node:fs';
import path from 'node:path';
import { Parser, type ReadEntry } from 'tar';
import yauzl from 'yauzl';
import type { ExerciseSpec } from '../course/schema';
import { findLmsSubmissions, type LmsSubmission } from './lms-download';

export type SubmissionKind = 'folder' | 'zip' | 'tar.gz' | 'tar' | 'canvas' | 'moodle' | 'unknown';

export interface Submission {
  /** The learner id: the entry's name without the archive extension (a file name: untrusted). */
  id: Untrusted;
  /** Absolute path of the entry in the submissions folder. */
  source: string;
  kind: SubmissionKind;
  /** A learner of a Canvas or Moodle bulk download (lms-download.ts): their files and what the download says. */
  lms?: LmsSubmission;
}

export interface IntakeLimits {
  /** Largest single file (graded files are source files; 1 MB is generous). */
  maxFileBytes: number;
  /** Most entries in a submission (files and folders). */
  maxEntries: number;
  /** Largest total (uncompressed) size of a submission. */
  maxTotalBytes: number;
  /** Largest archive file. */
  maxArchiveBytes: number;
}

export const DEFAULT_LIMITS: IntakeLimits = {
  maxFileBytes: 1024 * 1024,
  maxEntries: 20_000,
  maxTotalBytes: 64 * 1024 * 1024,
  maxArchiveBytes: 64 * 1024 * 1024,
};

/** Folders that are skipped wholesale in a copy of the course repository (they are never graded). */
const SKIPPED_DIRS = new Set(['node_modules', '.git', '.course', 'dist', '.cache']);

export interface AcceptedIntake {
  status: 'accepted';
  /** Per exercise id: the folder holding that exercise's graded files (missing ones are simply absent). */
  roots: Record<string, string>;
  /** Per exercise id: which graded files were found, and where in the submission. */
  found: Record<string, string[]>;
  /** Content hash of everything graded in this submission (names and bytes). */
  hash: string;
  /** The newest modification time of a file in the submission (archive entry times; file times of a folder). */
  newestMtimeMs?: number;
}

export interface RejectedIntake {
  status: 'rejected';
  /** Quotes entry names and library errors: untrusted. */
  reason: Untrusted;
}

export type IntakeResult = AcceptedIntake | RejectedIntake;

class Rejected extends Error {}

/** Two or more entries of the submissions folder would be one learner: an input error of the whole run. */
export class DuplicateSubmissionError extends Error {}

/** An entry name as the instructor can tell it apart from any other: quoted, escapes and controls made visible. */
function entryName(name: string): string {
  return neutraliseLine(JSON.stringify(name), 300);
}

/** An entry name (or a path) as a reason quotes it: on one line, with every control character made visible. */
function q(name: string): string {
  return `"${neutraliseLine(name, 300)}"`;
}

/**
 * Lists the submissions, sorted by exact id (code units: the same order on every machine, so shards agree).
 * Dotfiles are ignored. Entries that would be one learner (a folder and an archive of one name, `x.zip` and
 * `x.tar.gz`, or names whose control characters are shown the same way) are an input error naming every entry:
 * which one is whose is for the instructor to say, never for the later one to overwrite the earlier.
 */
export function discoverSubmissions(dir: string): Submission[] {
  const out = new Map<string, Submission>();
  const entries = new Map<string, string[]>();
  const names = readdirSync(dir).sort();
  // A Canvas or Moodle download: several entries make one learner, named the LMS's way.
  const lms = findLmsSubmissions(dir, names);
  for (const f of lms.found) {
    const shown = untrustedLine(f.id);
    // One entry however many files: the learner's files in the download share its prefix.
    entries.set(shown, [...(entries.get(shown) ?? []), `${f.submission.prefix} (${f.submission.lms} download)`]);
    out.set(shown, { id: shown, source: dir, kind: f.submission.lms, lms: f.submission });
  }
  for (const name of names) {
    if (name.startsWith('.') || lms.consumed.has(name)) continue;
    const source = path.join(dir, name);
    const st = lstatSync(source);
    let kind: SubmissionKind;
    let id: string = name;
    if (st.isDirectory()) kind = 'folder';
    else if (/\.zip$/i.test(name)) {
      kind = 'zip';
      id = name.replace(/\.zip$/i, '');
    } else if (/\.(tar\.gz|tgz)$/i.test(name)) {
      kind = 'tar.gz';
      id = name.replace(/\.(tar\.gz|tgz)$/i, '');
    } else if (/\.tar$/i.test(name)) {
      kind = 'tar';
      id = name.replace(/\.tar$/i, '');
    } else kind = 'unknown';
    // The id is shown in the terminal, the CSV, the report: control characters in a file name (an escape sequence,
    // a carriage return) are made visible here, once, so no output can be acted on by them.
    const shown = untrustedLine(id);
    entries.set(shown, [...(entries.get(shown) ?? []), name]);
    out.set(shown, { id: shown, source, kind });
  }
  const shared = [...entries].filter(([, names]) => names.length > 1);
  if (shared.length) {
    const list = shared.map(([id, names]) => `learner ${entryName(id)}: ${names.map(entryName).join(', ')}`).join('; ');
    throw new DuplicateSubmissionError(`more than one submission for one learner id (${list}); rename or remove all but one of each`);
  }
  return [...out.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** A safe relative path, or a rejection. Archive paths use "/", and "\\" is treated as a separator too. */
export function checkEntryPath(raw: string): string {
  if (raw.includes('\0')) throw new Rejected(`a path contains a NUL byte`);
  const p = raw.replace(/\\/g, '/');
  if (p.startsWith('/') || /^[A-Za-z]:/.test(p)) throw new Rejected(`absolute path ${q(raw)}`);
  const parts = p.split('/').filter((s) => s !== '' && s !== '.');
  if (parts.includes('..')) throw new Rejected(`path ${q(raw)} goes outside the submission ("..")`);
  return parts.join('/');
}

interface Collected {
  /** relative path -> content, for files whose base name is a graded file name. */
  candidates: Map<string, Buffer>;
  newestMtimeMs?: number;
}

function newer(current: number | undefined, ms: number | undefined): number | undefined {
  if (ms === undefined || !Number.isFinite(ms) || ms <= 0) return current;
  return current === undefined || ms > current ? ms : current;
}

interface Budget {
  entries: number;
  bytes: number;
}

function charge(budget: Budget, limits: IntakeLimits, rel: string, size: number): void {
  budget.entries++;
  budget.bytes += size;
  if (budget.entries > limits.maxEntries) throw new Rejected(`more than ${limits.maxEntries} entries`);
  if (size > limits.maxFileBytes) throw new Rejected(`${q(rel)} is ${size} bytes (limit ${limits.maxFileBytes})`);
  if (budget.bytes > limits.maxTotalBytes) throw new Rejected(`more than ${limits.maxTotalBytes} bytes in total (an archive bomb?)`);
}

function skipped(rel: string): boolean {
  return rel.split('/').some((part) => SKIPPED_DIRS.has(part));
}

function kindOf(st: Stats): string {
  if (st.isSymbolicLink()) return 'a symbolic link';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  return 'a special file';
}

function collectFolder(root: string, wanted: Set<string>, limits: IntakeLimits): Collected {
  const candidates = new Map<string, Buffer>();
  const budget: Budget = { entries: 0, bytes: 0 };
  let newestMtimeMs: number | undefined;
  const walk = (dir: string, relDir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const abs = path.join(dir, name);
      const rel = relDir ? `${relDir}/${name}` : name;
      const st = lstatSync(abs);
      if (st.isDirectory()) {
        if (SKIPPED_DIRS.has(name)) continue;
        charge(budget, limits, rel, 0);
        walk(abs, rel);
        continue;
      }
      if (!st.isFile()) throw new Rejected(`${q(rel)} is ${kindOf(st)}`);
      if (st.nlink > 1) throw new Rejected(`${q(rel)} is a hard link`);
      charge(budget, limits, rel, st.size);
      newestMtimeMs = newer(newestMtimeMs, st.mtimeMs);
      if (wanted.has(name)) {
        const data = readFileSync(abs);
        if (data.length > limits.maxFileBytes) throw new Rejected(`${q(rel)} grew past the size limit while being read`);
        candidates.set(rel, data);
      }
    }
  };
  const top = lstatSync(root);
  if (!top.isDirectory()) throw new Rejected(`the submission is ${kindOf(top)}`);
  walk(root, '');
  return { candidates, newestMtimeMs };
}

function collectZip(file: string, wanted: Set<string>, limits: IntakeLimits): Promise<Collected> {
  return new Promise((resolve, reject) => {
    const candidates = new Map<string, Buffer>();
    const budget: Budget = { entries: 0, bytes: 0 };
    let newestMtimeMs: number | undefined;
    // yauzl checks that every entry's real size matches its declared one while reading (validateEntrySizes).
    yauzl.open(file, { lazyEntries: true, strictFileNames: false, validateEntrySizes: true, decodeStrings: true }, (err, zip) => {
      if (err || !zip) return reject(new Rejected(`not a readable zip file (${err?.message ?? 'unknown error'})`));
      const fail = (e: unknown) => {
        zip.close();
        const text = e instanceof Error ? e.message : String(e);
        // yauzl refuses "..", absolute and backslash paths itself; say what it means.
        const unsafe = /invalid relative path|absolute path|invalid characters in fileName/.test(text);
        reject(e instanceof Rejected ? e : new Rejected(unsafe ? `unsafe path in the zip (${text})` : `corrupt zip file (${text})`));
      };
      zip.on('error', fail);
      zip.on('end', () => resolve({ candidates, newestMtimeMs }));
      zip.on('entry', (entry: yauzl.Entry) => {
        try {
          const rawName = entry.fileName;
          const rel = checkEntryPath(rawName);
          const mode = (entry.externalFileAttributes >>> 16) & 0o170000;
          const isDir = rawName.endsWith('/') || mode === 0o040000;
          if (mode === 0o120000) throw new Rejected(`${q(rawName)} is a symbolic link`);
          if (mode !== 0 && mode !== 0o100000 && mode !== 0o040000) throw new Rejected(`${q(rawName)} is a special file (mode ${mode.toString(8)})`);
          if (skipped(rel)) return zip.readEntry();
          charge(budget, limits, rel, isDir ? 0 : entry.uncompressedSize);
          // A DOS date of 0 (no time recorded) reads as 1979-11-30: not a time.
          if (!isDir && entry.lastModFileDate !== 0) newestMtimeMs = newer(newestMtimeMs, entry.getLastModDate().getTime());
          if (isDir || !wanted.has(path.posix.basename(rel))) return zip.readEntry();
          zip.openReadStream(entry, (e2, stream) => {
            if (e2 || !stream) return fail(e2);
            const chunks: Buffer[] = [];
            let size = 0;
            stream.on('data', (c: Buffer) => {
              size += c.length;
              if (size > limits.maxFileBytes) {
                stream.destroy();
                fail(new Rejected(`${q(rawName)} inflates past the size limit`));
              } else chunks.push(c);
            });
            stream.on('error', fail);
            stream.on('end', () => {
              candidates.set(rel, Buffer.concat(chunks));
              zip.readEntry();
            });
          });
        } catch (e) {
          fail(e);
        }
      });
      zip.readEntry();
    });
  });
}

function collectTar(file: string, wanted: Set<string>, limits: IntakeLimits): Promise<Collected> {
  return new Promise((resolve, reject) => {
    const candidates = new Map<string, Buffer>();
    const budget: Budget = { entries: 0, bytes: 0 };
    let newestMtimeMs: number | undefined;
    let failed = false;
    let streamedBytes = 0;
    const input = createReadStream(file);
    const fail = (e: unknown) => {
      if (failed) return;
      failed = true;
      input.destroy();
      reject(e instanceof Rejected ? e : new Rejected(`corrupt tar archive (${e instanceof Error ? e.message : String(e)})`));
    };
    const parser = new Parser({
      strict: true,
      onwarn: (_code: string, message: string) => fail(new Rejected(`corrupt tar archive (${message})`)),
      onReadEntry: (entry: ReadEntry) => {
        if (failed) return entry.resume();
        try {
          const rawName = entry.path;
          const rel = checkEntryPath(rawName);
          switch (entry.type) {
            case 'SymbolicLink':
              throw new Rejected(`${q(rawName)} is a symbolic link`);
            case 'Link':
              throw new Rejected(`${q(rawName)} is a hard link`);
            case 'CharacterDevice':
            case 'BlockDevice':
              throw new Rejected(`${q(rawName)} is a device`);
            case 'FIFO':
              throw new Rejected(`${q(rawName)} is a FIFO`);
            case 'Directory':
            case 'File':
            case 'OldFile':
            case 'ContiguousFile':
              break;
            default:
              throw new Rejected(`${q(rawName)} has an unsupported entry type (${entry.type})`);
          }
          if (skipped(rel)) return entry.resume();
          const isDir = entry.type === 'Directory';
          charge(budget, limits, rel, isDir ? 0 : entry.size);
          if (!isDir) newestMtimeMs = newer(newestMtimeMs, entry.mtime?.getTime());
          if (isDir || !wanted.has(path.posix.basename(rel))) return entry.resume();
          const chunks: Buffer[] = [];
          let size = 0;
          entry.on('data', (c: Buffer) => {
            size += c.length;
            if (size <= limits.maxFileBytes) chunks.push(c);
          });
          entry.on('end', () => {
            if (size > limits.maxFileBytes) fail(new Rejected(`${q(rawName)} is larger than declared`));
            else candidates.set(rel, Buffer.concat(chunks));
          });
        } catch (e) {
          entry.resume();
          fail(e);
        }
      },
    });
    parser.on('error', fail);
    parser.on('end', () => {
      if (!failed) resolve({ candidates, newestMtimeMs });
    });
    // A gzip bomb: stop reading once the decompressed stream passes the total limit (the parser gunzips itself).
    input.on('data', (chunk) => {
      streamedBytes += chunk.length;
      if (streamedBytes > limits.maxArchiveBytes) fail(new Rejected('archive too large'));
    });
    input.on('error', fail);
    input.pipe(parser as unknown as NodeJS.WritableStream);
  });
}

/**
 * Where an exercise's graded file is inside a submission: preferably at `<dir>/<file>` (the course layout, or the
 * layout under a top folder), else at `<basename(dir)>/<file>` (a copy of exercises/ only), the shortest such path.
 */
export function locate(candidates: Iterable<string>, exercise: ExerciseSpec, file: string): string | undefined {
  const full = `${exercise.dir.replace(/\\/g, '/').replace(/\/+$/, '')}/${file}`;
  const short = `${path.posix.basename(exercise.dir)}/${file}`;
  const list = [...candidates];
  const pick = (suffix: string) =>
    list
      .filter((p) => p === suffix || p.endsWith(`/${suffix}`))
      // never a copy of a solution, a mutant or a suite the learner shipped
      .filter((p) => !/(^|\/)(solutions|harness|mutants)\//.test(p.slice(0, p.length - suffix.length)))
      .sort((a, b) => a.length - b.length || (a < b ? -1 : 1))[0];
  return pick(full) ?? pick(short);
}

/** A graded file anywhere in an LMS submission (its shortest path), never inside a solutions/harness/mutants folder. */
function looseFile(candidates: Iterable<string>, file: string): string | undefined {
  return [...candidates]
    .filter((p) => p === file || p.endsWith(`/${file}`))
    .filter((p) => !/(^|\/)(solutions|harness|mutants)\//.test(p))
    .sort((a, b) => a.length - b.length || (a < b ? -1 : 1))[0];
}

const ARCHIVE = /\.(zip|tar\.gz|tgz|tar)$/i;

/**
 * The files of one LMS submission: each is an archive of the learner's course copy (read like any archive) or one
 * file at the name the learner gave it. The same checks as a folder's: regular files only, no hard links, the size
 * limits over all of them together.
 */
async function collectLmsFiles(lms: LmsSubmission, wanted: Set<string>, limits: IntakeLimits): Promise<Collected> {
  const candidates = new Map<string, Buffer>();
  const budget: Budget = { entries: 0, bytes: 0 };
  if (!lms.files.length) throw new Rejected('no file in this submission (an online-text submission only?)');
  for (const f of lms.files) {
    const name = checkEntryPath(f.name);
    const st = lstatSync(f.path);
    if (!st.isFile()) throw new Rejected(`${q(f.name)} is ${kindOf(st)}`);
    if (st.nlink > 1) throw new Rejected(`${q(f.name)} is a hard link`);
    if (ARCHIVE.test(name)) {
      if (st.size > limits.maxArchiveBytes) throw new Rejected(`${q(f.name)} is ${st.size} bytes (limit ${limits.maxArchiveBytes})`);
      const inner = /\.zip$/i.test(name) ? await collectZip(f.path, wanted, limits) : await collectTar(f.path, wanted, limits);
      for (const [rel, data] of inner.candidates) {
        charge(budget, limits, rel, data.length);
        candidates.set(rel, data);
      }
      continue;
    }
    charge(budget, limits, name, st.size);
    if (wanted.has(path.posix.basename(name)) && !skipped(name)) {
      const data = readFileSync(f.path);
      if (data.length > limits.maxFileBytes) throw new Rejected(`${q(f.name)} grew past the size limit while being read`);
      candidates.set(name, data);
    }
  }
  // File times of a download are the time it was unzipped: the LMS's own record (or none) says when it came in.
  return { candidates };
}

/** Reads a submission and writes its graded files into `dest/<exercise id>/`. */
export async function intakeSubmission(
  submission: Submission,
  exercises: ExerciseSpec[],
  dest: string,
  limits: IntakeLimits = DEFAULT_LIMITS,
): Promise<IntakeResult> {
  const wanted = new Set(exercises.flatMap((e) => e.files));
  let collected: Collected;
  try {
    switch (submission.kind) {
      case 'folder':
        collected = collectFolder(submission.source, wanted, limits);
        break;
      case 'zip':
      case 'tar.gz':
      case 'tar': {
        const st = lstatSync(submission.source);
        if (!st.isFile()) throw new Rejected(`the archive is ${kindOf(st)}`);
        if (st.nlink > 1) throw new Rejected('the archive is a hard link');
        if (st.size > limits.maxArchiveBytes) throw new Rejected(`the archive is ${st.size} bytes (limit ${limits.maxArchiveBytes})`);
        collected = submission.kind === 'zip' ? await collectZip(submission.source, wanted, limits) : await collectTar(submission.source, wanted, limits);
        break;
      }
      case 'canvas':
      case 'moodle':
        collected = await collectLmsFiles(submission.lms!, wanted, limits);
        break;
      default:
        throw new Rejected('not a folder, .zip or .tar.gz');
    }
  } catch (err) {
    // The one place a reason is made: whatever it quotes (an entry name, a library's error) is neutralised here.
    if (err instanceof Rejected) return { status: 'rejected', reason: untrusted(err.message) };
    return { status: 'rejected', reason: untrusted(`could not be read: ${err instanceof Error ? err.message : String(err)}`) };
  }

  rmSync(dest, { recursive: true, force: true });
  const roots: Record<string, string> = {};
  const found: Record<string, string[]> = {};
  const hash = createHash('sha256');
  for (const exercise of exercises) {
    const root = path.join(dest, exercise.id);
    mkdirSync(root, { recursive: true, mode: 0o755 });
    roots[exercise.id] = root;
    found[exercise.id] = [];
    for (const file of exercise.files) {
      // A file uploaded on its own (to an LMS, to Gradescope) arrives without the course's folders: taken by its name
      // when no other exercise has a file of that name; anywhere in an LMS download, at the top of anything else.
      const unique = exercises.filter((e) => e.files.includes(file)).length === 1;
      const loose = !unique
        ? undefined
        : submission.lms !== undefined
          ? looseFile(collected.candidates.keys(), file)
          : collected.candidates.has(file)
            ? file
            : undefined;
      const where = locate(collected.candidates.keys(), exercise, file) ?? loose;
      if (!where) continue;
      const data = collected.candidates.get(where)!;
      writeFileSync(path.join(root, file), data, { mode: 0o644 });
      found[exercise.id]!.push(where);
      hash.update(exercise.id).update('\0').update(file).update('\0').update(data).update('\0');
    }
  }
  return { status: 'accepted', roots, found, hash: hash.digest('hex'), newestMtimeMs: collected.newestMtimeMs };
}
