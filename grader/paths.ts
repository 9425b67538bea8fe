// Where things are. The grader lives inside the course repository it grades: the package root is the course root.

import { existsSync } from 'node:fs';
import path from 'node:path';

/** The first folder at or above `from` that holds bin/course.js: the course root. */
function findRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'bin', 'course.js'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`cannot find the course root above ${from}`);
  }
}

/** The course root (the folder holding package.json and course.yaml), whether running from dist/ or from source. */
export const courseRoot = findRoot(__dirname);

/** The grader's private working folder inside the course (build outputs, caches, backups). Ignored by git. */
export function stateDir(root = courseRoot): string {
  return path.join(root, '.course');
}

/** Compiled grader modules that jest loads by path (reporter, environment, transform). */
export function distFile(...parts: string[]): string {
  return path.join(courseRoot, 'dist', 'grader', ...parts);
}
