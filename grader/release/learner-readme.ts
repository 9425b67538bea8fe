// The README of the learners' copy (issue 22.5): written for someone taking the course, from course.yaml. The
// contributors' README (the project's own tests, batch grading, deploy recipes, links to docs that stay behind) is
// the authors'; this one holds the learner loop, the commands a learner runs and how a check is graded, and links
// only to files the release ships.

import type { CourseData } from '../course/schema';

/** Markdown table cells stay on one line and keep their pipes. */
function cell(text: string): string {
  return text.replace(/\s+/g, ' ').replace(/\|/g, '\\|').trim();
}

export function learnerReadme(course: CourseData): string {
  const rows = course.exercises.map((e, i) => `| ${i + 1} | \`${e.id}\` | ${cell(e.title)} |`);
  return `# ${course.title}

\`\`\`sh
npm install && npx --no --offline course next   # set up once, then get your first exercise
\`\`\`

A course you take in your editor and terminal. Each exercise is a lesson and a typed starter file; you make it
work, and \`npx course check\` runs a hidden test suite against your code, with real servers on your own machine
(127.0.0.1), and tells you test by test what is right and what is wrong.

Requires Node.js 22.14 or newer (Node 24 LTS recommended). Run every \`npx course\` command inside this folder: it
runs the \`course\` command that \`npm install\` put in \`node_modules/.bin\`. Outside it, a plain \`npx course\` would
ask the public npm registry for an unrelated package named \`course\`; \`npx --no --offline course\` (the first
line above) never does: outside the course it stops with \`ENOTCACHED\` and runs nothing.

## The exercises

| # | exercise | what you build |
|---|---|---|
${rows.join('\n')}

## The learner loop

\`\`\`sh
npx course next        # the lesson and the file to edit; marks the exercise current
$EDITOR exercises/...  # write your code in the file \`next\` names
npx course check       # run the hidden tests against your code; your progress is saved in course.yaml
npx course watch       # or: re-check every time you save (keys: n next, h hint, l list, q quit)
npx course hint        # stuck? one more hint each time
npx course next        # once it passes: the next exercise
\`\`\`

## Commands

Every command has \`--help\`. Exit codes: \`0\` passed, \`1\` graded and not passed, \`2\` a mistake in the command.

| command | what it does |
|---|---|
| \`npx course\` | in a terminal, a menu of everything below |
| \`npx course next\` | the current exercise, or the next one once it has passed |
| \`npx course lesson [id]\` | the lesson, in the terminal |
| \`npx course check [id]\` | grade an exercise (\`--seed N\` replays a run exactly; \`--json\` for tools) |
| \`npx course watch [id]\` | re-check on every save |
| \`npx course status\` | your progress: status, best score, attempts, hints |
| \`npx course hint [id]\` | the next hint |
| \`npx course reset [id]\` | put the starter file back (yours is backed up first) |
| \`npx course solution [id]\` | the reference solution is not in this copy: ask your instructor |
| \`npx course update\` | take a new version of the course, keeping your progress |
| \`npx course doctor\` | check what breaks network exercises on this machine, and what to do |

## How a check is graded

Your files are compiled with the course's own settings (your \`tsconfig.json\` and \`package.json\` are not used).
The hidden tests run in one process and your code in another, reached through small calls: an infinite loop fails
one test by name, a crash names the call that was running, and every test that did not report is a failure, never
a pass. You see the tests grouped by topic, each failure with its evidence (the bytes, the timeline, the table
before and after), your score and the next step. Your progress lives in \`course.yaml\`, beside the course.
`;
}
