// The command table. Adding a command = one file in this folder + one line here. A command's module is loaded
// only when that command runs (or its help is shown): `course status` does not pay for loading the batch grader.
// Each entry's summary is checked against its module's by test/cli/learner-loop.test.ts.

import type { Command } from './command';

export interface CommandEntry {
  name: string;
  summary: string;
  load: () => Command;
}

export const learnerCommands: CommandEntry[] = [
  {
    name: 'next',
    summary: 'show the next exercise (lesson + file to edit) and make it current',
    load: () => (require('./next') as typeof import('./next')).next,
  },
  { name: 'lesson', summary: 'read the lesson of an exercise in the terminal', load: () => (require('./lesson') as typeof import('./lesson')).lesson },
  {
    name: 'check',
    summary: 'run the hidden tests against your code and save your progress',
    load: () => (require('./check') as typeof import('./check')).check,
  },
  { name: 'watch', summary: 're-check your code every time you save it', load: () => (require('./watch') as typeof import('./watch')).watch },
  {
    name: 'lab',
    summary: 'the lessons and their live demos in your browser, driven by your code',
    load: () => (require('./lab') as typeof import('./lab')).lab,
  },
  { name: 'status', summary: 'show your progress: exercise, status, score, attempts', load: () => (require('./status') as typeof import('./status')).status },
  { name: 'hint', summary: 'show the next hint for an exercise', load: () => (require('./hint') as typeof import('./hint')).hint },
  {
    name: 'reset',
    summary: 'restore the starter stub of an exercise (your file is backed up)',
    load: () => (require('./reset') as typeof import('./reset')).reset,
  },
  {
    name: 'solution',
    summary: 'show the reference solution (after the exercise has passed)',
    load: () => (require('./solution') as typeof import('./solution')).solution,
  },
  {
    name: 'update',
    summary: 'take the new version of the course (git pull) keeping your progress',
    load: () => (require('./update') as typeof import('./update')).update,
  },
  {
    name: 'doctor',
    summary: 'check this machine for what breaks network exercises, and say what to do',
    load: () => (require('./doctor') as typeof import('./doctor')).doctor,
  },
];
export const authorCommands: CommandEntry[] = [
  {
    name: 'verify',
    summary: 'check the course itself: solutions pass, stubs fail, mutants are caught, every requirement is tested',
    load: () => (require('./verify') as typeof import('./verify')).verify,
  },
  {
    name: 'release',
    summary: "write the learners' copy of the course: no solutions, mutants or project tests",
    load: () => (require('./release') as typeof import('./release')).release,
  },
  {
    name: 'grade',
    summary: 'batch-grade a class: parallel, isolated, resumable; gradebook and HTML report',
    load: () => (require('./grade') as typeof import('./grade')).grade,
  },
  {
    name: 'merge',
    summary: 'join the outputs of `course grade --shard i/n` runs into one gradebook',
    load: () => (require('./merge') as typeof import('./merge')).merge,
  },
];
export const commands: CommandEntry[] = [...learnerCommands, ...authorCommands];
