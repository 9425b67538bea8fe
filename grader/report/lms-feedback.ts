// Feedback handed back the way each LMS takes it in bulk (issue 22.8), for the learners of its own bulk download
// (batch/lms-download.ts), each archive holding the learner's feedback page (feedback/<learner>.html):
//
// Moodle: feedback-moodle.zip for Assignment > "Upload multiple feedback files in a zip" (assignfeedback_file). Its
// importer (mod/assign/feedback/file/importziplib.php) reads the participant id from a path part
// "<Full name>_<participant id>_<plugin type>_<plugin name>", the folder naming of the download: so each learner's
// file goes in a folder named as their submission folder was, `<Full name>_<id>_assignsubmission_file/feedback.html`.
//
// Canvas: feedback-canvas.zip for the assignment's "Re-Upload Submissions". Canvas (Assignment
// #generate_comments_from_files) takes the first two all-digit parts of each file name as the user id and the id of
// one of that submission's attachments, and adds the file as a comment on that submission: so each file is named
// `<sortable name>_<user id>_<attachment id>_feedback.html` after a file the learner submitted. Anonymously graded
// submissions carry no user id in the download and cannot be matched: they are left out and counted. Canvas's
// gradebook CSV import takes grades only (no comment column): the grades go through canvas-grades.csv.

import type { Gradebook } from '../batch/model';
import { fileNames } from './feedback';
import { zipArchive, type ZipEntry } from './zip-writer';

export interface LmsFeedbackArchives {
  canvas?: Buffer;
  moodle?: Buffer;
  /** Canvas learners that cannot be matched by a re-upload (anonymous grading). */
  canvasLeftOut: number;
}

/** A name part safe inside an archive path: no separators, no controls (Moodle's own names are already clean). */
function pathPart(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f/\\]/g, '_');
}

export function lmsFeedbackArchives(book: Gradebook, feedback: Map<string, string>): LmsFeedbackArchives {
  const names = fileNames(book.learners.map((l) => l.learner));
  const canvas: ZipEntry[] = [];
  const moodle: ZipEntry[] = [];
  let canvasLeftOut = 0;
  for (const l of book.learners) {
    const page = feedback.get(`${names.get(l.learner)!}.html`);
    if (!l.lms || page === undefined) continue;
    if (l.lms.lms === 'moodle') moodle.push({ name: `${pathPart(l.lms.prefix)}_assignsubmission_file/feedback.html`, data: page });
    else if (l.lms.userId && l.lms.attachmentId) canvas.push({ name: `${pathPart(l.lms.prefix)}_${l.lms.attachmentId}_feedback.html`, data: page });
    else canvasLeftOut++;
  }
  return {
    ...(canvas.length ? { canvas: zipArchive(canvas) } : {}),
    ...(moodle.length ? { moodle: zipArchive(moodle) } : {}),
    canvasLeftOut,
  };
}
