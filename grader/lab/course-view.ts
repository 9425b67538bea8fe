// The course list the lab page shows (exercises, their progress), from course.yaml, and a watcher that sends it
// again whenever the file changes: a check in the terminal, `course next`, or the lab's own saves. course.yaml is
// replaced by a rename, so the path is polled (fs.watchFile) rather than an inode watched.

import { unwatchFile, watchFile } from 'node:fs';
import { COURSE_FILE, loadCourse, progressOf } from '../course/course-file';
import type { CourseData } from '../course/schema';
import type { CourseView } from './view';

export function courseView(course: CourseData): CourseView {
  return {
    title: course.title,
    exercises: course.exercises.map((e, i) => {
      const p = progressOf(e);
      return { id: e.id, number: i + 1, title: e.title, status: p.status, bestScore: p.bestScore, maxScore: p.maxScore, attempts: p.attempts };
    }),
  };
}

/** Reads course.yaml now and after every change; `onView` gets the list, or the last list with the error. */
export function watchCourse(root: string, onView: (view: CourseView) => void): { current: () => CourseView; close: () => void } {
  const file = `${root}/${COURSE_FILE}`;
  let last = courseView(loadCourse(root).data);
  const reread = () => {
    try {
      last = courseView(loadCourse(root).data);
    } catch (err) {
      last = { ...last, error: err instanceof Error ? err.message : String(err) };
    }
    onView(last);
  };
  watchFile(file, { interval: 200 }, reread);
  return { current: () => last, close: () => unwatchFile(file, reread) };
}
