// The view model of report.html: what the server (report-model.ts) computes from a gradebook and the page's script
// (browser/report.ts) renders, and nothing else. Types only, shared by both sides (the page's tsconfig has the DOM,
// the grader's has Node: this file uses neither). Every text in it is final: already worded by the server and
// neutralised when serialised (escape.ts), so the page only places it with textContent.
//
// The page embeds the summary (one row per learner, compact); each learner's detail is a file of its own beside
// report.html (report/<learner key>.js), loaded when the learner is first opened: a page opened from file:// may
// not fetch a sibling file in Chromium, but it may run a <script src> (see DETAIL_CALLBACK).

/** How an exercise of a learner ended, as the table shows it: each kind its own colour and its own icon/text. */
export type CellKind =
  | 'passed'
  | 'failed'
  | 'compile-error'
  | 'load-error'
  | 'timeout'
  | 'tampered'
  | 'not-submitted'
  /** The starter stub, unchanged. */
  | 'not-started'
  | 'rejected'
  | 'error'
  /** A roster learner with no submission at all. */
  | 'missing';

/** The colour band of a cell: all tests, some, none, nothing graded, or the machinery failed. */
export type Shade = 'full' | 'partial' | 'zero' | 'none' | 'error';

export interface SummaryCell {
  kind: CellKind;
  shade: Shade;
  /** What the cell shows: an icon and the points, or the status in words (a compile error is not a "0"). */
  text: string;
  /** The hover text: status, tests passed, the exercise's message (first line, short). */
  title: string;
  /** Tests passed, and the points earned (-1 when nothing was graded: sorted below a 0). */
  score: number;
  points: number;
}

export interface LatenessCell {
  text: string;
  title: string;
  /** Lateness in ms, for sorting. */
  lateMs: number;
  /** A deduction applies. */
  penalty: boolean;
  late: boolean;
}

/** A learner's status in the table: the gradebook's, or `no submission` for a roster learner without one. */
export type RowStatus = 'graded' | 'not submitted' | 'rejected' | 'error' | 'no submission';

export interface SummaryRow {
  learner: string;
  /** The learner's file key (learner-key.ts): the detail is report/<key>.js. Absent: no detail file. */
  key?: string;
  /** The roster name, when there is one. */
  name?: string;
  status: RowStatus;
  /** One per exercise, in the order of ReportView.exercises. */
  cells: SummaryCell[];
  score: number;
  maxScore: number;
  points: number;
  maxPoints: number;
  percent: number;
  late?: LatenessCell;
  finalPoints?: number;
  /** Where the runs came from: 'this run', 'checkpoint', 'mixed' or ''. */
  run: string;
  runTitle: string;
}

export interface ExerciseColumn {
  id: string;
  title: string;
  maxPoints: number;
}

export interface ReportView {
  exercises: ExerciseColumn[];
  hasDeadline: boolean;
  rows: SummaryRow[];
  /** The folder of the detail files, relative to report.html. */
  detailDir: string;
}

/** A line of the detail: its text and a class for its look. */
export interface DetailLine {
  cls: string;
  text: string;
}

export interface FailedTestView {
  name: string;
  message: string;
}

export interface ExerciseDetail {
  exercise: string;
  heading: string;
  lines: DetailLine[];
  /** Syntax errors, `file:line:column message`. */
  diagnostics: string[];
  failed: FailedTestView[];
  /** How many tests ran (so "all N tests passed" can be said). */
  ran: number;
}

export interface LearnerDetail {
  learner: string;
  lines: DetailLine[];
  exercises: ExerciseDetail[];
}

/**
 * The global function a detail file calls: `courseReportDetail(key, data)`, data being the detail's JSON gzipped
 * and base64-encoded (a learner's failed tests and messages compress about tenfold; the page inflates them with
 * DecompressionStream).
 */
export const DETAIL_CALLBACK = 'courseReportDetail';
