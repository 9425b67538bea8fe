// Grades in the files an LMS imports as they are (issue 12.2), one assignment column holding each learner's points
// after any late deduction.
//
// Canvas (Grades > Import): the columns of Canvas's own gradebook export, "Student, ID, SIS User ID, SIS Login ID,
// Section", then the assignment column "Name (id)" (a name without an id makes Canvas create a new assignment),
// and a "Points Possible" row under the header. Canvas matches learners on ID, then the SIS columns; a row it
// cannot match is shown on the import page to be matched by hand, so submissions missing from the roster are
// written as rows with no ID rather than dropped.
//
// Moodle (Grades > Import > CSV file): one column identifying the user (email address by default; ID number or
// username with --moodle-id) and one grade item column, mapped on the import page. Moodle aborts the whole import
// on a row whose user it cannot find (grade/import/csv/classes/load_data.php), so rows without the identifier,
// and submissions missing from the roster, go to moodle-not-imported.csv beside it instead.
//
// Roster learners with no submission get 0 once their deadline (with extension) has passed, or when there is no
// deadline; an empty cell (no grade, which both LMSs leave alone) while their deadline is still ahead.

import type { Gradebook } from '../batch/model';
import { personalDeadline } from '../batch/late';
import type { RosterEntry } from '../batch/roster';
import { csvDocument } from './csv-safe';

export type Lms = 'canvas' | 'moodle';
export type MoodleId = 'email' | 'idnumber' | 'username';

export interface LmsOptions {
  /** The assignment column's header; for Canvas "Name (id)" updates assignment id. Default: the assignment's title
   * (--assignment), else the course title. */
  assignment?: string;
  moodleId?: MoodleId;
}

/** A roster learner with no submission: the points to give (0, or '' while their deadline is still ahead). */
export function missingValue(book: Gradebook, entry: RosterEntry): number | '' {
  const d = book.meta.deadline;
  if (!d) return 0;
  const due = personalDeadline(new Date(d.at), entry.extension, entry.name ?? entry.submission);
  return due.getTime() > new Date(book.meta.finishedAt).getTime() ? '' : 0;
}

/** The total the gradebook can hold for every learner. */
export function maxPointsOf(book: Gradebook): number {
  return Math.round(book.meta.exercises.reduce((s, e) => s + (e.maxPoints ?? e.maxScore), 0) * 100) / 100;
}

function assignmentName(book: Gradebook, options: LmsOptions): string {
  return options.assignment?.trim() || book.meta.assignment?.title || book.meta.course;
}

/** Rows by name, as the LMSs' own exports are. */
function byName(a: { key: string }, b: { key: string }): number {
  return a.key.localeCompare(b.key);
}

export function canvasCsv(book: Gradebook, options: LmsOptions = {}): string {
  const rows: Array<Array<string | number>> = [];
  rows.push(['Student', 'ID', 'SIS User ID', 'SIS Login ID', 'Section', assignmentName(book, options)]);
  rows.push(['Points Possible', '', '', '', '', maxPointsOf(book)]);
  const body: Array<{ key: string; row: Array<string | number> }> = [];
  for (const l of book.learners) {
    const r = l.roster;
    if (r)
      body.push({
        key: r.name ?? l.learner,
        row: [r.name ?? l.learner, r.lmsId ?? '', r.sisUserId ?? '', r.sisLoginId ?? '', r.section ?? '', l.finalPoints ?? l.score],
      });
  }
  for (const r of book.meta.roster?.missing ?? []) {
    body.push({
      key: r.name ?? r.submission,
      row: [r.name ?? r.submission, r.lmsId ?? '', r.sisUserId ?? '', r.sisLoginId ?? '', r.section ?? '', missingValue(book, r)],
    });
  }
  body.sort(byName);
  // Not in the roster: Canvas shows these on its import page to be matched to a student by hand.
  const unrostered = book.learners
    .filter((l) => !l.roster)
    .map((l) => ({ key: l.learner, row: [`${l.learner} (not in the roster)`, '', '', '', '', l.finalPoints ?? l.score] as Array<string | number> }));
  unrostered.sort(byName);
  return csvDocument([...rows, ...body.map((b) => b.row), ...unrostered.map((b) => b.row)]);
}

const MOODLE_HEADER: Record<MoodleId, string> = { email: 'Email address', idnumber: 'ID number', username: 'Username' };

function splitName(r: RosterEntry | undefined): [string, string] {
  if (!r) return ['', ''];
  if (r.firstName || r.lastName) return [r.firstName ?? '', r.lastName ?? ''];
  const name = r.name ?? '';
  const comma = name.indexOf(',');
  if (comma >= 0) return [name.slice(comma + 1).trim(), name.slice(0, comma).trim()];
  const space = name.lastIndexOf(' ');
  return space > 0 ? [name.slice(0, space), name.slice(space + 1)] : [name, ''];
}

/** Moodle's import file, and the rows it cannot take (no identifier, or not in the roster), with why. */
export function moodleCsv(book: Gradebook, options: LmsOptions = {}): { csv: string; notImported: string; notImportedCount: number } {
  const id = options.moodleId ?? 'email';
  const assignment = assignmentName(book, options);
  const ok: Array<{ key: string; row: Array<string | number> }> = [];
  const rejected: Array<{ key: string; row: Array<string | number> }> = [];
  const add = (learner: string, r: RosterEntry | undefined, value: number | '') => {
    const [first, last] = splitName(r);
    const ident = r?.[id];
    if (r && ident) ok.push({ key: `${last} ${first} ${learner}`, row: [first, last, ident, value] });
    else rejected.push({ key: learner, row: [learner, r?.name ?? '', value, r ? `no ${MOODLE_HEADER[id].toLowerCase()} in the roster` : 'not in the roster'] });
  };
  for (const l of book.learners) add(l.learner, l.roster, l.finalPoints ?? l.score);
  for (const r of book.meta.roster?.missing ?? []) add(r.submission, r, missingValue(book, r));
  ok.sort(byName);
  rejected.sort(byName);
  return {
    csv: csvDocument([['First name', 'Last name', MOODLE_HEADER[id], assignment], ...ok.map((o) => o.row)]),
    notImported: csvDocument([['submission', 'name', assignment, 'why'], ...rejected.map((o) => o.row)]),
    notImportedCount: rejected.length,
  };
}
