// The class roster (issue 12.2): a CSV file that maps each submission (its folder or archive name in the
// submissions folder) to the learner in the LMS. One header row, then one row per learner. Columns, in any order,
// header names case- and punctuation-insensitive:
//   submission   the entry name in the submissions folder (required; also "folder", "archive", "github")
//   name         "Last, First" or "First Last" (Canvas's Student column); or first_name and last_name
//   lms_id       the LMS's user id (Canvas's ID column; also "id", "canvas_id")
//   sis_user_id, sis_login_id   Canvas's SIS columns
//   email, idnumber, username   what Moodle can match a user on
//   section
//   extension    this learner's extension: a duration ("2d", "36h", a bare number of days) or a new ISO deadline
// Unknown columns are ignored. Parsed with csv-parse (quoted fields, BOM, CRLF). Every cell is typed `Untrusted`
// (report/escape.ts) as it is read: whoever typed the roster may have put anything in it.
//
// Identity (docs/SECURITY.md): one row is one learner and names one submission. Two rows naming the same
// submission, or two rows for one LMS learner (the same lms_id, sis_user_id, sis_login_id, email, idnumber or
// username: several submissions mapped to one learner), are refused with both lines named: which submission counts
// is for the instructor to say, and an LMS import of two rows for one learner keeps one of them silently. Submission
// names are exact (`Ann` and `ann`, `José` in NFC and in NFD are different submissions); a row matches another case
// or a GitHub Classroom clone only when that match is the only one (no other row or submission could take it).

import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { neutraliseLine, untrustedLine, type Untrusted } from '../report/escape';

export interface RosterEntry {
  /** The submission's name; for a row of an LMS's own export (no submission column), its key: the ID or the name. */
  submission: Untrusted;
  /** A row of an LMS's own export: matched to a Canvas download by user id, to a Moodle download by full name. */
  matchBy?: 'canvas id' | 'moodle name';
  name?: Untrusted;
  firstName?: Untrusted;
  lastName?: Untrusted;
  lmsId?: Untrusted;
  sisUserId?: Untrusted;
  sisLoginId?: Untrusted;
  email?: Untrusted;
  idnumber?: Untrusted;
  username?: Untrusted;
  section?: Untrusted;
  extension?: Untrusted;
}

export class RosterError extends Error {}

const COLUMNS: Record<string, Exclude<keyof RosterEntry, 'matchBy'>> = {
  submission: 'submission',
  folder: 'submission',
  archive: 'submission',
  submissionfolder: 'submission',
  github: 'submission',
  githubusername: 'submission',
  name: 'name',
  student: 'name',
  fullname: 'name',
  studentname: 'name',
  firstname: 'firstName',
  lastname: 'lastName',
  lmsid: 'lmsId',
  id: 'lmsId',
  canvasid: 'lmsId',
  userid: 'lmsId',
  sisuserid: 'sisUserId',
  sisloginid: 'sisLoginId',
  email: 'email',
  emailaddress: 'email',
  idnumber: 'idnumber',
  username: 'username',
  section: 'section',
  extension: 'extension',
};

/** The columns that say who a learner is in the LMS: two rows with one of them equal are one learner. */
const IDENTITY_FIELDS = ['lmsId', 'sisUserId', 'sisLoginId', 'email', 'idnumber', 'username'] as const;

function key(header: string): string {
  return header.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** Reads a roster; errors name the file and the line. */
export function parseRoster(text: string, file = 'roster'): RosterEntry[] {
  let rows: string[][];
  try {
    rows = parse(text, { bom: true, skip_empty_lines: true, trim: true, relax_column_count: true }) as string[][];
  } catch (err) {
    throw new RosterError(`${file}: not a readable CSV file (${err instanceof Error ? err.message : String(err)})`);
  }
  if (!rows.length) throw new RosterError(`${file}: empty (expected a header row such as "submission,name,lms_id,email,section,extension")`);
  const header = rows[0]!.map((h) => COLUMNS[key(h)]);
  // Canvas's gradebook export (Student, ID, SIS User ID, ...) and Moodle's grade or participants export (First name,
  // Last name, ...) have no submission column: their rows are matched to the LMS's own download (lms-download.ts).
  const matchBy = header.includes('submission')
    ? undefined
    : header.includes('lmsId')
      ? ('canvas id' as const)
      : header.includes('firstName') && header.includes('lastName')
        ? ('moodle name' as const)
        : undefined;
  if (!header.includes('submission') && !matchBy) {
    throw new RosterError(
      `${file}: no "submission" column (the folder or archive name of each learner's submission), and not an LMS export (Canvas's has ID, Moodle's First name and Last name); the header is: ${neutraliseLine(rows[0]!.join(', '))}`,
    );
  }
  const seen = new Map<string, number>();
  const identities = new Map<string, number>();
  const out: RosterEntry[] = [];
  rows.slice(1).forEach((row, i) => {
    const line = i + 2;
    const entry: Partial<RosterEntry> = {};
    header.forEach((field, col) => {
      const value = row[col]?.trim();
      if (field && value) entry[field] = untrustedLine(value);
    });
    if (matchBy === 'canvas id') {
      // Canvas's rows under the header that are not learners: "Points Possible", and rows such as "Manual Posting"
      // with no ID.
      if (/^points possible$/i.test(entry.name ?? '') || !entry.lmsId) return;
      entry.submission = entry.lmsId;
      entry.matchBy = matchBy;
    } else if (matchBy === 'moodle name') {
      if (!entry.firstName && !entry.lastName) return;
      entry.submission = untrustedLine([entry.firstName, entry.lastName].filter(Boolean).join(' '));
      entry.matchBy = matchBy;
    }
    if (!entry.submission) {
      if (row.every((c) => !c.trim())) return;
      throw new RosterError(`${file}, line ${line}: no submission name`);
    }
    // A roster may name archives with their extension; submissions are known by the name without it.
    entry.submission = untrustedLine(entry.submission.replace(/\.(zip|tar\.gz|tgz|tar)$/i, ''));
    const before = seen.get(entry.submission);
    if (before) throw new RosterError(`${file}, line ${line}: submission "${entry.submission}" is already on line ${before}`);
    seen.set(entry.submission, line);
    for (const field of IDENTITY_FIELDS) {
      const value = entry[field];
      if (!value) continue;
      const id = `${field}\0${field === 'email' ? value.toLowerCase() : value}`;
      const other = identities.get(id);
      if (other) {
        throw new RosterError(
          `${file}, line ${line}: ${field} "${value}" is already on line ${other}: two submissions for one learner ("${entry.submission}" and line ${other}'s); keep the row of the submission that counts`,
        );
      }
      identities.set(id, line);
    }
    if (!entry.name && (entry.firstName || entry.lastName)) entry.name = untrustedLine([entry.lastName, entry.firstName].filter(Boolean).join(', '));
    out.push(entry as RosterEntry);
  });
  return out;
}

export function readRoster(file: string): RosterEntry[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new RosterError(`cannot read the roster ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  return parseRoster(text, file);
}

/** What an LMS download says about a submission, for matching an LMS export's rows. */
export interface LmsIdentity {
  lms: 'canvas' | 'moodle';
  userId?: string;
  name: string;
}

export interface RosterMatch {
  /** submission id -> roster entry */
  bySubmission: Map<string, RosterEntry>;
  /** Roster learners with no submission in the folder. */
  missing: RosterEntry[];
  /** Submissions that no roster row names. */
  unrostered: string[];
}

/**
 * Pairs roster rows with submission ids: the exact name, else the same name in another case, else (GitHub
 * Classroom names clones "<assignment>-<username>") the one submission whose name ends in "-<name>". A row whose
 * name another unmatched row shares in another case (`Ann`, `ANN`) takes no inexact match: which is whose is
 * ambiguous, so both are listed as missing rather than one taking the other's submission.
 */
export function matchRoster(roster: RosterEntry[], submissions: string[], lms: Map<string, LmsIdentity> = new Map()): RosterMatch {
  const bySubmission = new Map<string, RosterEntry>();
  const taken = new Set<string>();
  const pending: RosterEntry[] = [];
  const ids = new Set(submissions);
  // An LMS export's rows meet the LMS download's submissions on what both record: Canvas's user id, Moodle's full name.
  const sameName = (a: string, b: string) => a.normalize('NFC').toLowerCase().replace(/\s+/g, ' ') === b.normalize('NFC').toLowerCase().replace(/\s+/g, ' ');
  for (const r of roster.filter((x) => x.matchBy)) {
    const hits = submissions.filter((s) => {
      const who = lms.get(s);
      if (!who || taken.has(s)) return false;
      return r.matchBy === 'canvas id' ? who.lms === 'canvas' && who.userId === r.lmsId : who.lms === 'moodle' && sameName(who.name, r.submission);
    });
    // Two Moodle learners of one name: which is whose is for the instructor to say (both listed as missing).
    if (hits.length === 1) {
      bySubmission.set(hits[0]!, r);
      taken.add(hits[0]!);
    }
  }
  for (const r of roster) {
    if (r.matchBy && [...bySubmission.values()].includes(r)) continue;
    if (ids.has(r.submission) && !taken.has(r.submission)) {
      bySubmission.set(r.submission, r);
      taken.add(r.submission);
    } else pending.push(r);
  }
  const missing: RosterEntry[] = [];
  const folded = new Map<string, number>();
  for (const r of pending) folded.set(r.submission.toLowerCase(), (folded.get(r.submission.toLowerCase()) ?? 0) + 1);
  for (const r of pending) {
    if (folded.get(r.submission.toLowerCase())! > 1) {
      missing.push(r);
      continue;
    }
    const free = submissions.filter((s) => !taken.has(s));
    const lower = r.submission.toLowerCase();
    let hit = free.filter((s) => s.toLowerCase() === lower);
    if (hit.length !== 1) hit = free.filter((s) => s.toLowerCase().endsWith(`-${lower}`));
    if (hit.length === 1) {
      bySubmission.set(hit[0]!, r);
      taken.add(hit[0]!);
    } else missing.push(r);
  }
  return { bySubmission, missing, unrostered: submissions.filter((s) => !taken.has(s)) };
}
