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
  /** Files of the course (relative to its root) as committed; a file with none, or too big, is absent. */
  readAll(rels: string[]): Map<string, string>;
}

/** Largest file taken into the similarity check. */
export const CODE_CAP = 256 * 1024;

function gitOut(root: string, args: string[], input?: string): Buffer {
  return execFileSync('git', ['-C', root, ...args], {
    input,
    stdio: ['pipe', 'pipe', 'ignore'],
    maxBuffer: 256 * 1024 * 1024,
    // Read-only: no index refresh, no lock taken in the instructor's checkout.
    env: { ...process.env, GIT_OPTIONAL_LOCKS: '0' },
  });
}

/**
 * Blobs of one commit in one `git cat-file --batch` (a process per file would cost seconds on a busy machine):
 * each answer is "<oid> blob <size>\n<bytes>\n", or "<name> missing\n" for a path the commit does not have.
 */
function blobsAt(root: string, commit: string, prefix: string, rels: string[]): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  if (!rels.length) return out;
  const answer = gitOut(root, ['cat-file', '--batch'], rels.map((rel) => `${commit}:${prefix}${rel}\n`).join(''));
  let at = 0;
  for (const rel of rels) {
    const eol = answer.indexOf(10, at);
    if (eol < 0) break;
    const header = answer.subarray(at, eol).toString('utf8').split(' ');
    at = eol + 1;
    if (header.length !== 3 || header[1] === 'missing') continue;
    const size = Number(header[2]);
    if (header[1] === 'blob') out.set(rel, answer.subarray(at, at + size));
    at += size + 1;
  }
  return out;
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

/** The commit of HEAD and the course's folder within the repository, when `root` is in a git work tree with a commit. */
function headOf(root: string): { commit: string; prefix: string } | undefined {
  try {
    // One process: "true", the prefix (an empty line at the top of the repository), the commit; fails without HEAD.
    const [inside, prefix, commit] = gitOut(root, ['rev-parse', '--is-inside-work-tree', '--show-prefix', 'HEAD^{commit}']).toString().split('\n');
    return inside === 'true' && commit && /^[0-9a-f]{40,64}$/.test(commit) ? { commit, prefix: prefix ?? '' } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The course's committed files. In a git checkout, HEAD's version of each file (also when the course is a folder
 * of a larger repository); a file HEAD does not have is read from the working tree and named in the notes.
 * Outside git, the working tree, said in the notes.
 */
export function committedFiles(root: string): CommittedFiles {
  const head = headOf(root);
  const fromDisk = (rels: string[]) => {
    const out = new Map<string, string>();
    for (const rel of rels) {
      const text = readCapped(path.join(root, rel));
      if (text !== undefined) out.set(rel, text);
    }
    return out;
  };
  if (!head) {
    return {
      baseline: {
        source: 'working tree',
        notes: [
          'the course is not a git checkout (or has no commit): the starter files and reference solutions were read from the working tree as they are; an edited stub would skew the flags. Grade from a git checkout for a baseline no local edit can change.',
        ],
      },
      readAll: fromDisk,
    };
  }
  const baseline: Baseline = { source: 'git HEAD', commit: head.commit, notes: [] };
  return {
    baseline,
    readAll(rels) {
      const posix = [...new Set(rels.map((rel) => path.normalize(rel).split(path.sep).join('/')))];
      let blobs: Map<string, Buffer>;
      try {
        blobs = blobsAt(root, head.commit, head.prefix, posix);
      } catch {
        blobs = new Map();
      }
      const out = new Map<string, string>();
      const missing: string[] = [];
      for (const rel of posix) {
        const blob = blobs.get(rel);
        if (blob === undefined) missing.push(rel);
        else if (blob.length > 0 && blob.length <= CODE_CAP) out.set(rel, blob.toString('utf8'));
      }
      for (const [rel, text] of fromDisk(missing)) {
        out.set(rel, text);
        baseline.notes.push(`${rel} is not in the commit ${head.commit.slice(0, 12)}: read from the working tree`);
      }
      return out;
    },
  };
}
