// Loading course.yaml and rewriting its progress fields. The file is parsed with yaml's Document API so that a
// rewrite keeps the author's comments, key order and formatting; only `progress` maps are touched. Writes are
// atomic (temp file + rename) and made under a lock, re-reading the file inside the lock so concurrent updates
// compose. An invalid file is reported with its line and field and never overwritten.

import { readFileSync, writeFileSync, renameSync, mkdirSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { isMap, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { Course, Progress, type CourseData, type ExerciseSpec, type ProgressData } from './schema';
import { CourseConflictError, CourseFileError } from './errors';
import { withLock } from '../lock';

export const COURSE_FILE = 'course.yaml';

export interface LoadedCourse {
  root: string;
  file: string;
  data: CourseData;
}

interface Parsed {
  doc: Document;
  data: CourseData;
}

function parse(file: string, text: string): Parsed {
  if (/^<{7}( |$)/m.test(text) && /^>{7}( |$)/m.test(text)) {
    const line = text.split('\n').findIndex((l) => /^<{7}( |$)/.test(l)) + 1;
    throw new CourseConflictError(`${path.basename(file)}:${line}:1`);
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const where = (offset: number | undefined): string => {
    if (offset === undefined) return path.basename(file);
    const pos = lineCounter.linePos(offset);
    return `${path.basename(file)}:${pos.line}:${pos.col}`;
  };
  if (doc.errors.length) {
    const first = doc.errors[0]!;
    throw new CourseFileError(`invalid YAML: ${first.message.split('\n')[0]}`, where(first.pos[0]));
  }
  const result = Course.safeParse(doc.toJS());
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new CourseFileError(describeIssue(doc, issue), where(offsetOf(doc, issue.path)));
  }
  return { doc, data: result.data };
}

function describeIssue(doc: Document, issue: z.core.$ZodIssue): string {
  const field = issue.path.length ? issue.path.join('.') : '(top level)';
  // Name the exercise by id rather than index when we can: "exercises.0.timeout" -> "hpack-table: timeout".
  if (issue.path[0] === 'exercises' && typeof issue.path[1] === 'number') {
    const id = doc.getIn(['exercises', issue.path[1], 'id']);
    const rest = issue.path.slice(2).join('.') || '(the entry)';
    if (typeof id === 'string') return `exercise "${id}", field "${rest}": ${issue.message}`;
  }
  return `field "${field}": ${issue.message}`;
}

/** The source offset of the deepest node that exists along the issue path. */
function offsetOf(doc: Document, issuePath: PropertyKey[]): number | undefined {
  for (let n = issuePath.length; n >= 0; n--) {
    const node = doc.getIn(issuePath.slice(0, n) as unknown[], true) as { range?: [number, number, number] } | undefined;
    if (node && typeof node === 'object' && node.range) return node.range[0];
  }
  return undefined;
}

function read(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CourseFileError(code === 'ENOENT' ? 'not found: run `course` from the course folder' : String(err), file);
  }
}

export function loadCourse(root: string): LoadedCourse {
  const file = path.join(root, COURSE_FILE);
  const { data } = parse(file, read(file));
  return { root, file, data };
}

/**
 * Replaces course.yaml with `text` (a whole course, validated first), atomically and under the lock. For
 * resolving a conflicted file; everything else only changes progress (updateProgress).
 */
export async function replaceCourseText(root: string, text: string): Promise<LoadedCourse> {
  const file = path.join(root, COURSE_FILE);
  const { data } = parse(file, text);
  const stateDir = path.join(root, '.course');
  mkdirSync(stateDir, { recursive: true });
  return withLock(path.join(stateDir, 'course.yaml.lock'), () => {
    const tmp = path.join(root, `.${COURSE_FILE}.${process.pid}.tmp`);
    writeFileSync(tmp, text.endsWith('\n') ? text : `${text}\n`);
    renameSync(tmp, file);
    return { root, file, data };
  });
}

export function progressOf(exercise: ExerciseSpec): ProgressData {
  return exercise.progress ?? Progress.parse({});
}

/**
 * Applies `change` to the progress of the given exercises and saves, atomically and under the lock. The file is
 * re-read inside the lock, so an update made by another process in the meantime is kept.
 */
export async function updateProgress(
  course: LoadedCourse,
  change: (progress: ProgressData, exercise: ExerciseSpec) => ProgressData | undefined,
  ids?: string[],
): Promise<LoadedCourse> {
  const stateDir = path.join(course.root, '.course');
  mkdirSync(stateDir, { recursive: true });
  return withLock(path.join(stateDir, 'course.yaml.lock'), () => {
    const { doc, data } = parse(course.file, read(course.file));
    data.exercises.forEach((exercise, index) => {
      if (ids && !ids.includes(exercise.id)) return;
      const next = change({ ...progressOf(exercise) }, exercise);
      if (!next) return;
      writeProgress(doc, index, Progress.parse(next));
    });
    const text = doc.toString({ lineWidth: 0, flowCollectionPadding: false });
    // Never write something we could not read back.
    const reread = parse(course.file, text);
    const tmp = path.join(path.dirname(course.file), `.${COURSE_FILE}.${process.pid}.tmp`);
    try {
      writeFileSync(tmp, text);
      renameSync(tmp, course.file);
    } catch (err) {
      try {
        unlinkSync(tmp);
      } catch {
        /* nothing to clean */
      }
      throw err;
    }
    return { root: course.root, file: course.file, data: reread.data };
  });
}

function writeProgress(doc: Document, index: number, progress: ProgressData): void {
  const key = ['exercises', index, 'progress'];
  const existing = doc.getIn(key, true);
  const fields = Object.entries(progress).filter(([, v]) => v !== undefined);
  if (!isMap(existing)) {
    doc.setIn(key, doc.createNode(Object.fromEntries(fields)));
    return;
  }
  // Update in place so the map keeps its style (block or flow) and any comments on it.
  for (const [k, v] of fields) existing.set(k, v);
  for (const item of [...existing.items]) {
    const k = String((item.key as { value?: unknown })?.value ?? item.key);
    if (!(k in progress) || progress[k as keyof ProgressData] === undefined) existing.delete(k);
  }
}
