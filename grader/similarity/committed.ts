// The course's own files as committed: the baseline of the similarity check (the starter files, whose
// fingerprints count for nothing, and the reference solutions, a copy of which is a finding). Never the working
// copy as it happens to be: an instructor who tried exercise 6 in the grading checkout would otherwise make every
// untouched stub look "identical" and hide every copy of the solution. In a git checkout the files come from HEAD;
// elsewhere (a folder that is not a git checkout) the working tree is the only copy there is, and the baseline says
// so, so that every output can show it.

import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';

export interface Baseline {
  /** Where the starter and reference files were read from. */
  source: 'git HEAD' | 'working tree';
  /** The commit, when read from git. */
  commit?: string;
  /** What a reader must know: not a git checkout, a file HEAD does not have (read from the working tree). */
  notes: string[];
}

export interface CommittedFiles {
  baseline: Baseline;
  /** A file of the course (relative to its root) as committed; undefined when there is none or it is too big. */
  read(rel: string): string | undefined;
}

/** Largest file taken into the similarity check. */
export const CODE_CAP = 256 * 1024;

function gitOut(root: string, args: string[]): Buffer {
  return execFileSync('git', ['-C', root, ...args], {
    stdio: ['ignore', 'pipe', 'ignore'],
    maxBuffer: 4 * CODE_CAP,
    // Read-only: no index refresh, no lock taken in the instructor's checkout.
    env: { ...process.env, GIT_OPTIONAL_LOCKS: '0' },
  });
}

/** The text of a file on disk when it is a plain, non-empty file within the cap. */
export function readCapped(file: string): string | undefined {
  try {
    const st = statSync(file);
    return st.isFile() && st.size > 0 && st.size <= CODE_CAP ? readFileSync(file, 'utf8') : undefined;
  } catch {
    return undefined;
  }
}

/** The commit of HEAD when `root` is inside a git work tree with at least one commit. */
function headOf(root: string): string | undefined {
  try {
    if (gitOut(root, ['rev-parse', '--is-inside-work-tree']).toString().trim() !== 'true') return undefined;
    return gitOut(root, ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}']).toString().trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * The course's committed files. In a git checkout, HEAD's version of each file (`git cat-file blob
 * <commit>:./<path>`, which also works when the course is a folder of a larger repository); a file HEAD does not
 * have is read from the working tree and named in the notes. Outside git, the working tree, said in the notes.
 */
export function committedFiles(root: string): CommittedFiles {
  const commit = headOf(root);
  if (!commit) {
    return {
      baseline: {
        source: 'working tree',
        notes: ['the course is not a git checkout (or has no commit): the starter files and reference solutions were read from the working tree as they are; an edited stub would skew the flags. Grade from a git checkout for a baseline no local edit can change.'],
      },
      read: (rel) => readCapped(path.join(root, rel)),
    };
  }
  const baseline: Baseline = { source: 'git HEAD', commit, notes: [] };
  return {
    baseline,
    read(rel) {
      const posix = rel.split(path.sep).join('/');
      try {
        const size = Number(gitOut(root, ['cat-file', '-s', `${commit}:./${posix}`]).toString().trim());
        if (!(size > 0 && size <= CODE_CAP)) return undefined;
        return gitOut(root, ['cat-file', 'blob', `${commit}:./${posix}`]).toString('utf8');
      } catch {
        const text = readCapped(path.join(root, rel));
        if (text !== undefined) baseline.notes.push(`${posix} is not in the commit ${commit.slice(0, 12)}: read from the working tree`);
        return text;
      }
    },
  };
}
