// course.yaml after a `git pull` that conflicted: the course definition comes from the update, the learner's
// `progress:` maps are kept. Progress lives in the tracked course.yaml (DESIGN §2), so an update that touches an
// exercise the learner has progress on conflicts there; this turns that into no hand merge and no lost progress.

import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { stateDir } from '../paths';
import { COURSE_FILE, replaceCourseText, updateProgress, type LoadedCourse } from './course-file';
import { Course, Progress, type ProgressData } from './schema';

const MARKER = /^(<{7}|={7}|>{7}|\|{7})(?: |$)/m;

export function hasConflictMarkers(text: string): boolean {
  return /^<{7}( |$)/m.test(text) && /^>{7}( |$)/m.test(text) && MARKER.test(text);
}

/** The two sides of a file with conflict markers ("ours" is HEAD's side; a diff3 base section is dropped). */
export function conflictSides(text: string): { ours: string; theirs: string } {
  const ours: string[] = [];
  const theirs: string[] = [];
  let state: 'both' | 'ours' | 'base' | 'theirs' = 'both';
  for (const line of text.split('\n')) {
    if (/^<{7}( |$)/.test(line) && state === 'both') state = 'ours';
    else if (/^\|{7}( |$)/.test(line) && state === 'ours') state = 'base';
    else if (/^={7}$/.test(line) && (state === 'ours' || state === 'base')) state = 'theirs';
    else if (/^>{7}( |$)/.test(line) && state === 'theirs') state = 'both';
    else {
      if (state === 'both' || state === 'ours') ours.push(line);
      if (state === 'both' || state === 'theirs') theirs.push(line);
    }
  }
  return { ours: ours.join('\n'), theirs: theirs.join('\n') };
}

/** Progress maps by exercise id in a course.yaml text (invalid maps are skipped). */
export function progressById(text: string): Map<string, ProgressData> {
  const found = new Map<string, ProgressData>();
  const data = parseDocument(text).toJS() as { exercises?: Array<{ id?: unknown; progress?: unknown }> } | null;
  for (const e of data?.exercises ?? []) {
    if (typeof e?.id !== 'string' || !e.progress) continue;
    const p = Progress.safeParse(e.progress);
    if (p.success) found.set(e.id, p.data);
  }
  return found;
}

/** The learner's progress, with what the other side knows folded in: nothing done or counted is lost. */
export function combineProgress(mine: ProgressData | undefined, other: ProgressData | undefined): ProgressData | undefined {
  if (!mine || !other) return mine ?? other;
  const earliest = (a?: string, b?: string) => (a && b ? (a < b ? a : b) : (a ?? b));
  const latest = (a?: string, b?: string) => (a && b ? (a > b ? a : b) : (a ?? b));
  return {
    ...mine,
    status: mine.status === 'done' || other.status === 'done' ? 'done' : mine.status,
    attempts: Math.max(mine.attempts, other.attempts),
    hintsShown: Math.max(mine.hintsShown, other.hintsShown),
    bestScore: mine.bestScore === undefined ? other.bestScore : Math.max(mine.bestScore, other.bestScore ?? 0),
    maxScore: mine.maxScore ?? other.maxScore,
    startedAt: earliest(mine.startedAt, other.startedAt),
    lastCheckedAt: latest(mine.lastCheckedAt, other.lastCheckedAt),
    passedAt: earliest(mine.passedAt, other.passedAt),
  };
}

function git(root: string, args: string[]): string | undefined {
  try {
    return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

/** During a rebase, HEAD's side ("ours") is the update; during a merge (a plain `git pull`), "theirs" is. */
function updateIsOurs(root: string): boolean {
  for (const name of ['rebase-merge', 'rebase-apply']) {
    const p = git(root, ['rev-parse', '--git-path', name]);
    if (p && existsSync(path.resolve(root, p))) return true;
  }
  return false;
}

export interface Resolution {
  /** Exercises whose progress was kept. */
  kept: string[];
  /** Progress of exercises the update removed (kept in the backup only). */
  dropped: string[];
  backup: string;
  /** `git add course.yaml` was done (the file was unmerged in git). */
  staged: boolean;
}

/** Keeps a copy of course.yaml as it is now in .course/backups/ and returns its path. */
export function backupCourseFile(root: string, label: string): string {
  const dir = path.join(stateDir(root), 'backups');
  mkdirSync(dir, { recursive: true });
  const backup = path.join(dir, `course.yaml.${label}-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  copyFileSync(path.join(root, COURSE_FILE), backup);
  return backup;
}

/**
 * Puts `progress` (by id) into the course.yaml that is on disk now; returns the ids kept and those that no longer
 * exist in the course.
 */
export async function restoreProgress(course: LoadedCourse, progress: Map<string, ProgressData>): Promise<{ kept: string[]; dropped: string[] }> {
  const ids = new Set(course.data.exercises.map((e) => e.id));
  const kept = [...progress.keys()].filter((id) => ids.has(id));
  const dropped = [...progress.keys()].filter((id) => !ids.has(id));
  if (kept.length) await updateProgress(course, (p, e) => combineProgress(progress.get(e.id), e.progress), kept);
  return { kept, dropped };
}

/**
 * Resolves a course.yaml with conflict markers: the update's side of the file, with the learner's progress maps
 * (and any progress the other side had) put back. The conflicted file is backed up first. `extra` is progress
 * saved before the pull (by `course update`), folded in as the learner's.
 */
export async function resolveCourseConflict(root: string, extra?: Map<string, ProgressData>): Promise<Resolution> {
  const file = path.join(root, COURSE_FILE);
  const text = readFileSync(file, 'utf8');
  const { ours, theirs } = conflictSides(text);
  const [update, local] = updateIsOurs(root) ? [ours, theirs] : [theirs, ours];
  const checked = Course.safeParse(parseDocument(update).toJS());
  if (!checked.success) {
    throw new Error(`the update's side of course.yaml is not a valid course (${checked.error.issues[0]?.message}); the file was left as it is`);
  }
  const mine = progressById(local);
  for (const [id, p] of extra ?? []) mine.set(id, combineProgress(p, mine.get(id))!);
  for (const [id, p] of progressById(update)) mine.set(id, combineProgress(mine.get(id), p)!);
  const backup = backupCourseFile(root, 'conflicted');
  const course = await replaceCourseText(root, update);
  const { kept, dropped } = await restoreProgress(course, mine);
  let staged = false;
  if (git(root, ['ls-files', '--unmerged', '--', COURSE_FILE])) staged = git(root, ['add', '--', COURSE_FILE]) !== undefined;
  return { kept, dropped, backup, staged };
}
