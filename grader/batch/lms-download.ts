// The LMSs' own bulk submission downloads, taken as they are (issue 22.8): unzip the download into the submissions
// folder and `course grade` finds each learner in it.
//
// Canvas ("Download Submissions", lib/content_zipper.rb `get_filename`): flat files named
//   <sortable name, lower case, word characters only>[_LATE]_<user id>_<attachment id>_<file name>
// e.g. `smithjane_12345_678_calc.ts`, `smithjane_LATE_12345_679_lab1.zip`; with anonymous grading the name and user
// id are replaced by `anon_<anonymous id>`. The user id is Canvas's ID column of the gradebook export (a roster
// needs no submission column). `LATE` is the only time the download records: late or not, never by how much.
//
// Moodle ("Download all submissions", mod/assign: each participant's files in a folder of their own, the default
// since 3.1): folders named `<Full name>_<participant id>_assignsubmission_file` (with a trailing `_` before Moodle
// 4.1), or, without "Download submissions in folders", files named `<Full name>_<participant id>_assignsubmission_
// file_<file name>`. The participant id is the assignment's own id for the learner (not the user id, and not in
// any export): a roster matches on the full name. Online-text submissions (`assignsubmission_onlinetext`) are not
// graded files and are skipped. The download records no submission time.
//
// Every file of a learner is a graded file (at its name) or an archive of the learner's copy of the course (read
// by intake like any other archive). Names are untrusted like every entry name.

import { lstatSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { untrustedLine, type Untrusted } from '../report/escape';

export type LmsName = 'canvas' | 'moodle';

/** One file of an LMS submission: where it is, and the name the learner gave it. */
export interface LmsFile {
  path: string;
  /** The learner's file name (relative, "/"-separated for a Moodle folder's sub-folders). */
  name: string;
  /** Canvas's attachment id, needed to hand feedback back through "Re-Upload Submissions". */
  attachmentId?: string;
}

/** Who an LMS submission is, as its download names it. */
export interface LmsSubmission {
  lms: LmsName;
  /** Canvas: the user id (the gradebook export's ID); absent with anonymous grading. */
  userId?: string;
  /** Canvas: the anonymous id, with anonymous grading. */
  anonymousId?: string;
  /** Moodle: the assignment's participant id. */
  participantId?: string;
  /** Moodle: the full name; Canvas: the sortable name as the download spells it (lower case, no spaces). */
  name: Untrusted;
  /** Canvas only: the download marks the submission late (`_LATE_`); it records no time. */
  late?: boolean;
  /** The prefix every file of this learner has in the download (for feedback named the way the LMS reads it back). */
  prefix: string;
  files: LmsFile[];
}

const CANVAS_FILE = /^(.*?)(?:_(LATE))?_(\d+)_(\d+)_(.+)$/s;
const CANVAS_ANONYMOUS = /^(?:(LATE)_)?anon_([A-Za-z0-9]+)_(\d+)_(.+)$/s;
const MOODLE_FOLDER = /^(.+)_(\d+)_assignsubmission_([a-z]+)_?$/s;
const MOODLE_FILE = /^(.+)_(\d+)_assignsubmission_([a-z]+)_(.+)$/s;

interface Found {
  id: string;
  submission: LmsSubmission;
}

/** A Canvas download's file name, parsed; undefined for any other name. */
export function parseCanvasName(name: string): { key: string; info: Omit<LmsSubmission, 'files'>; file: LmsFile & { path: '' } } | undefined {
  const anon = CANVAS_ANONYMOUS.exec(name);
  if (anon) {
    const prefix = `${anon[1] ? 'LATE_' : ''}anon_${anon[2]}`;
    return {
      key: `anon_${anon[2]}`,
      info: { lms: 'canvas', anonymousId: anon[2]!, name: untrustedLine(`anon_${anon[2]}`), late: Boolean(anon[1]), prefix },
      file: { path: '', name: anon[4]!, attachmentId: anon[3]! },
    };
  }
  const m = CANVAS_FILE.exec(name);
  // Canvas keeps only word characters in the name part: anything else is not one of its files.
  if (!m || !/^[\p{L}\p{N}_]*$/u.test(m[1]!)) return undefined;
  const prefix = [m[1], m[2], m[3]].filter(Boolean).join('_');
  return {
    key: `${m[1] ? `${m[1]}_` : ''}${m[3]}`,
    info: { lms: 'canvas', userId: m[3]!, name: untrustedLine(m[1]!), late: m[2] === 'LATE', prefix },
    file: { path: '', name: m[5]!, attachmentId: m[4]! },
  };
}

/** A Moodle download's folder or file name, parsed; undefined for any other name. */
export function parseMoodleName(
  name: string,
  isFolder: boolean,
): { key: string; plugin: string; fullName: string; participantId: string; rest?: string } | undefined {
  const m = (isFolder ? MOODLE_FOLDER : MOODLE_FILE).exec(name);
  if (!m) return undefined;
  return { key: `${m[1]}_${m[2]}`, plugin: m[3]!, fullName: m[1]!, participantId: m[2]!, ...(isFolder ? {} : { rest: m[4]! }) };
}

/** Every file under a Moodle participant folder, "/"-separated relative names (links and specials are left to intake). */
function folderFiles(root: string): LmsFile[] {
  const out: LmsFile[] = [];
  const walk = (dir: string, rel: string) => {
    for (const name of readdirSync(dir).sort()) {
      const abs = path.join(dir, name);
      const relName = rel ? `${rel}/${name}` : name;
      if (lstatSync(abs).isDirectory()) walk(abs, relName);
      else out.push({ path: abs, name: relName });
    }
  };
  walk(root, '');
  return out;
}

/**
 * The LMS submissions among a submissions folder's entries, and the entry names they take up (every other entry is
 * one learner as before). Mixed downloads are fine: each entry is recognised on its own.
 */
export function findLmsSubmissions(dir: string, names: string[]): { found: Found[]; consumed: Set<string> } {
  const byKey = new Map<string, Found>();
  const consumed = new Set<string>();
  const take = (key: string, make: () => LmsSubmission): LmsSubmission => {
    let f = byKey.get(key);
    if (!f) {
      f = { id: key, submission: make() };
      byKey.set(key, f);
    }
    return f.submission;
  };
  for (const name of names) {
    if (name.startsWith('.')) continue;
    const abs = path.join(dir, name);
    const st = lstatSync(abs);
    if (st.isDirectory()) {
      const m = parseMoodleName(name, true);
      if (!m) continue;
      consumed.add(name);
      const s = take(`moodle:${m.key}`, () => ({
        lms: 'moodle',
        participantId: m.participantId,
        name: untrustedLine(m.fullName),
        prefix: `${m.fullName}_${m.participantId}`,
        files: [],
      }));
      if (m.plugin === 'file') s.files.push(...folderFiles(abs));
      continue;
    }
    const moodle = parseMoodleName(name, false);
    if (moodle) {
      consumed.add(name);
      const s = take(`moodle:${moodle.key}`, () => ({
        lms: 'moodle',
        participantId: moodle.participantId,
        name: untrustedLine(moodle.fullName),
        prefix: `${moodle.fullName}_${moodle.participantId}`,
        files: [],
      }));
      if (moodle.plugin === 'file') s.files.push({ path: abs, name: moodle.rest! });
      continue;
    }
    const canvas = parseCanvasName(name);
    if (canvas) {
      consumed.add(name);
      const s = take(`canvas:${canvas.key}`, () => ({ ...canvas.info, files: [] }));
      // One learner, one submission: a LATE file and an on-time one cannot both be the latest attempt; say late.
      s.late = Boolean(s.late) || Boolean(canvas.info.late);
      s.files.push({ ...canvas.file, path: abs });
    }
  }
  // The learner id: the download's own prefix without the LATE marker (Canvas) or the folder's name part (Moodle).
  const found = [...byKey.entries()].map(([key, f]) => ({ id: key.slice(key.indexOf(':') + 1), submission: f.submission }));
  return { found, consumed };
}
