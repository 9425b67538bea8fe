// `course release --gradescope` (issue 22.9): an autograder package as Gradescope runs it
// (https://gradescope-autograders.readthedocs.io/en/latest/specs/). Gradescope unzips autograder.zip into
// /autograder/source, runs setup.sh there once as root when it builds the image, and for each submission runs
// /autograder/run_autograder (a copy of ours) with the learner's files in /autograder/submission; the result is
// /autograder/results/results.json. Ours grades the submission with `course grade --gradescope` (the same runner,
// isolation and feedback as every batch) and copies its Gradescope results.json, where instructor-only tests are
// `"visibility": "after_published"`: hidden from learners until the instructor publishes the grades.
//
// The package is the course as the grader needs it: the CLI prebuilt (dist/, so setup.sh installs the runtime
// dependencies only, and no build runs on Gradescope), the suites with their instructor-only companions, mocks,
// vectors, contracts, lessons and stubs, and course.yaml without progress. Never the reference solutions or the
// mutants: the learner's code runs on that machine (in the sandbox, which reads only its build folder; a seat
// belt, not a reason to ship answers). Lateness is Gradescope's to apply: the run passes `--late none` (and the
// submission time from Gradescope's submission_metadata.json, shown in the feedback).

import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { COURSE_FILE, loadCourse } from '../course/course-file';
import { hiddenSuiteOf } from '../run/hidden';
import { zipArchive, type ZipEntry } from '../report/zip-writer';
import { listFiles, ReleaseError, withoutProgress } from './learner-copy';

/** The root the scripts work under: Gradescope's /autograder, or another folder (tests) through this variable. */
export const ROOT_VARIABLE = 'COURSE_AUTOGRADER_ROOT';

/** Left out of the package: the answers, and what only the course's own development needs. */
const LEFT_OUT = ['solutions', 'harness/mutants', 'test', 'bench', 'scripts', '.ci', 'deploy', 'docs', '.github', 'node_modules', 'dist', '.course', '.git'];

export const SETUP_SH = `#!/usr/bin/env bash
# Written by \`course release --gradescope\`. Gradescope runs this once, as root, in /autograder/source while it
# builds the autograder image (Ubuntu): Node.js 24 (the course needs 22.14 or newer) and the course's runtime
# dependencies. The grader is prebuilt (dist/), so nothing is compiled here.
set -euo pipefail
cd "$(dirname "$0")"
need_node() {
  ! command -v node >/dev/null 2>&1 || [ "$(node -p 'Number(process.versions.node.split(".")[0])')" -lt 22 ]
}
if need_node; then
  apt-get update
  apt-get install -y --no-install-recommends ca-certificates curl xz-utils git util-linux
  base=https://nodejs.org/dist/latest-v24.x
  curl -fsSL "$base/SHASUMS256.txt" -o /tmp/node-shasums.txt
  tarball=$(grep -o 'node-v[0-9.]*-linux-x64.tar.xz' /tmp/node-shasums.txt | head -n 1)
  curl -fsSL "$base/$tarball" -o "/tmp/$tarball"
  (cd /tmp && grep " $tarball\\$" node-shasums.txt | sha256sum -c -)
  tar -xJf "/tmp/$tarball" -C /usr/local --strip-components=1
fi
node --version
npm ci --omit=dev --ignore-scripts --no-audit --no-fund
`;

/**
 * run_autograder, grading one assignment (or every exercise when `assignment` is undefined). `assignmentDue`: the
 * assignment has a due date in course.yaml, whose late policy must not apply here (Gradescope applies its own).
 */
export function runAutograderScript(assignment: string | undefined, assignmentDue = false): string {
  const select = assignment ? ` --assignment ${assignment}` : '';
  return `#!/usr/bin/env bash
# Written by \`course release --gradescope\`${assignment ? ` for assignment ${assignment}` : ''}. Gradescope runs this for every submission: the
# learner's files are in $ROOT/submission (a copy of the course, its exercises/ folder, a zip of it, or the graded
# files on their own), the result goes to $ROOT/results/results.json. ROOT is /autograder unless
# ${ROOT_VARIABLE} says otherwise (the course's own test runs this against a fake tree).
set -u
ROOT="\${${ROOT_VARIABLE}:-/autograder}"
SOURCE="$ROOT/source"
RESULTS="$ROOT/results"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$RESULTS" "$WORK/submissions"
cp -R "$ROOT/submission" "$WORK/submissions/submission"
# Gradescope applies its own late policy; the feedback shows the submission time it recorded against its due date
# (submission_metadata.json), with no deduction.
timing=(${assignmentDue ? '--late none' : ''})
if [ -f "$ROOT/submission_metadata.json" ]; then
  node -e 'const m = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
if (m.created_at && m.assignment && m.assignment.due_date) process.stdout.write("submission,submitted_at\\nsubmission," + m.created_at + "\\n" + m.assignment.due_date);' \\
    "$ROOT/submission_metadata.json" > "$WORK/metadata.txt" 2>/dev/null || true
  if [ -s "$WORK/metadata.txt" ]; then
    head -n 2 "$WORK/metadata.txt" > "$WORK/submitted-at.csv"
    timing=(--deadline "$(tail -n 1 "$WORK/metadata.txt")" --late none --submitted-at "$WORK/submitted-at.csv")
  fi
fi
cd "$SOURCE"
node bin/course.js grade "$WORK/submissions" --out "$WORK/out" --gradescope --gradescope-hidden after_published \\
  --no-canary --jobs 1${select} "\${timing[@]}" > "$WORK/grade.log" 2>&1
status=$?
if [ -f "$WORK/out/gradescope/submission/results.json" ]; then
  cp "$WORK/out/gradescope/submission/results.json" "$RESULTS/results.json"
else
  # No result: say so on the submission page (score 0, the end of the grader's log), never leave it blank.
  node -e 'const fs = require("fs"); const log = fs.readFileSync(process.argv[1], "utf8").split("\\n").slice(-40).join("\\n");
fs.writeFileSync(process.argv[2], JSON.stringify({ score: 0, output: "The autograder could not grade this submission (course grade exited with " + process.argv[3] + "):\\n" + log, output_format: "text", visibility: "visible", stdout_visibility: "hidden", tests: [] }, null, 2));' \\
    "$WORK/grade.log" "$RESULTS/results.json" "$status"
fi
cat "$WORK/grade.log"
`;
}

export interface GradescopeSummary {
  file: string;
  files: number;
  bytes: number;
  assignment?: string;
}

/** Every file under `dir` (relative to root), "/"-separated. */
function walk(root: string, dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(path.join(root, dir)).sort()) {
    const rel = `${dir}/${name}`;
    const st = lstatSync(path.join(root, rel));
    if (st.isDirectory()) out.push(...walk(root, rel));
    else if (st.isFile()) out.push(rel);
  }
  return out;
}

export function gradescopePackage(root: string, outArg: string, options: { assignment?: string } = {}): GradescopeSummary {
  const course = loadCourse(root);
  if (options.assignment !== undefined && !(course.data.assignments ?? []).some((a) => a.id === options.assignment)) {
    const ids = (course.data.assignments ?? []).map((a) => a.id);
    throw new ReleaseError(
      `--assignment: no assignment "${options.assignment}"${ids.length ? `; the assignments are: ${ids.join(', ')}` : ' (course.yaml has no assignments:)'}`,
    );
  }
  if (!existsSync(path.join(root, 'dist', 'grader', 'cli.js'))) throw new ReleaseError('the grader is not built (dist/): run `npm run build` first');
  const outDir = path.resolve(outArg);
  const excluded = new Set([
    ...LEFT_OUT,
    ...course.data.exercises.flatMap((e) => [e.solution, ...(e.mutants ? [e.mutants] : [])]).map((p) => path.posix.normalize(p)),
  ]);
  const isExcluded = (rel: string) => [...excluded].some((x) => rel === x || rel.startsWith(`${x}/`));
  // What the grader reads wherever it lives (a course may keep a suite under test/): the suites, their instructor-
  // only companions and the contracts.
  const needed = course.data.exercises
    .flatMap((e) => [e.suite, hiddenSuiteOf(e.suite), ...(e.contract ? [e.contract] : [])])
    .filter((f) => existsSync(path.join(root, f)));
  const files = [...new Set([...listFiles(root).files.filter((f) => !isExcluded(f)), ...needed, ...walk(root, 'dist')])].sort();
  const entries: ZipEntry[] = files.map((rel) => ({
    name: rel,
    data: rel === COURSE_FILE ? withoutProgress(readFileSync(path.join(root, rel), 'utf8')) : readFileSync(path.join(root, rel)),
  }));
  const due = (course.data.assignments ?? []).find((a) => a.id === options.assignment)?.due !== undefined;
  entries.push({ name: 'setup.sh', data: SETUP_SH }, { name: 'run_autograder', data: runAutograderScript(options.assignment, due) });
  const zip = zipArchive(entries, new Date(), (name) => (name === 'setup.sh' || name === 'run_autograder' || name === 'bin/course.js' ? 0o755 : 0o644));
  mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, 'autograder.zip');
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, zip);
  renameSync(tmp, file);
  return { file, files: entries.length, bytes: zip.length, ...(options.assignment ? { assignment: options.assignment } : {}) };
}
