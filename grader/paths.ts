// Where things are. The grader lives inside the course repository it grades: the package root is the course root.

import path from 'node:path';

/** The course root (the folder holding package.json and course.yaml). dist/grader/paths.js is two levels down. */
export const courseRoot = path.resolve(__dirname, '..', '..');

/** The grader's private working folder inside the course (build outputs, caches, backups). Ignored by git. */
export function stateDir(root = courseRoot): string {
  return path.join(root, '.course');
}

/** Compiled grader modules that jest loads by path (reporter, environment, transform). */
export function distFile(...parts: string[]): string {
  return path.join(courseRoot, 'dist', 'grader', ...parts);
}
