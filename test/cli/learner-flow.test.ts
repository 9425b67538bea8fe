// Black-box: the real `course` command in a private copy of the course, as a learner uses it (no terminal).
import { spawn } from 'node:child_process';
import { copyFileSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { copyCourse, course, processesMentioning } from '../helpers';

const dir = copyCourse();
const courseYaml = () => readFileSync(path.join(dir, 'course.yaml'), 'utf8');
const first = (YAML.parse(courseYaml()) as { exercises: Array<{ id: string; dir: string; solution: string; files: string[] }> }).exercises[0]!;

test('--help, --version and unknown commands', () => {
  const help = course(dir, ['--help']);
  expect(help.code).toBe(0);
  for (const cmd of ['next', 'check', 'status', 'hint', 'reset', 'solution', 'verify']) expect(help.stdout).toContain(cmd);
  expect(course(dir, ['check', '--help']).stdout).toMatch(/Usage: course check/);
  expect(course(dir, ['--version']).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  const bad = course(dir, ['chekc']);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toMatch(/unknown command "chekc"/);
  expect(course(dir, ['check', '--sed', '3']).code).toBe(2);
  // Without a terminal, `course` alone prints help instead of a menu.
  expect(course(dir, []).stdout).toMatch(/Learner commands/);
});

test('next prints the lesson and the file to edit, marks it current, and keeps the comments of course.yaml', () => {
  const before = courseYaml();
  const r = course(dir, ['next']);
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/Exercise 1 of \d+/);
  expect(r.stdout).toContain(path.join(first.dir, 'README.md'));
  expect(r.stdout).toContain(path.join(first.dir, first.files[0]!));
  expect(r.stdout).toContain('npx course check');
  const after = courseYaml();
  expect(after.split('\n').slice(0, 6)).toEqual(before.split('\n').slice(0, 6));
  expect(YAML.parse(after).exercises[0].progress.status).toBe('current');
});

test('check on the untouched stub exits 1, lists the failures, and records the attempt', () => {
  const r = course(dir, ['check']);
  expect(r.code).toBe(1);
  expect(r.stdout).toMatch(/✗ /);
  expect(r.stdout).toMatch(/not implemented/);
  expect(r.stdout).toMatch(/^0 passed, \d+ failed$/m);
  expect(r.stdout).toMatch(/seed \d+/);
  expect(YAML.parse(courseYaml()).exercises[0].progress).toMatchObject({ attempts: 1, status: 'current', bestScore: 0 });
});

test('check --json prints the machine-readable result', () => {
  const r = course(dir, ['check', first.id, '--json', '--seed', '7']);
  expect(r.code).toBe(1);
  const result = JSON.parse(r.stdout);
  expect(result).toMatchObject({ exercise: first.id, status: 'failed', score: 0, seed: 7 });
  expect(result.tests.length).toBeGreaterThan(0);
});

test('hints come one at a time and are counted', () => {
  expect(course(dir, ['hint']).stdout).toMatch(/Hint 1 of/);
  expect(course(dir, ['hint']).stdout).toMatch(/Hint 2 of/);
  expect(YAML.parse(courseYaml()).exercises[0].progress.hintsShown).toBe(2);
});

test('the solution stays hidden before passing unless forced', () => {
  const r = course(dir, ['solution']);
  expect(r.code).toBe(1);
  expect(r.stdout).toMatch(/shown once your code passes/);
  expect(course(dir, ['solution', '--force']).stdout).toContain(path.join(first.solution, first.files[0]!));
});

test('next refuses to move on before the exercise passes', () => {
  const r = course(dir, ['next']);
  expect(r.stdout).toMatch(/has not passed yet/);
  expect(YAML.parse(courseYaml()).exercises[0].progress.status).toBe('current');
});

test('with the reference solution in place, check exits 0 and marks the exercise done; next moves on', () => {
  for (const f of first.files) copyFileSync(path.join(dir, first.solution, f), path.join(dir, first.dir, f));
  const r = course(dir, ['check']);
  expect(r.stdout).toMatch(/^\d+ passed, 0 failed$/m);
  expect(r.code).toBe(0);
  const progress = YAML.parse(courseYaml()).exercises[0].progress;
  expect(progress).toMatchObject({ status: 'done', attempts: 3 });
  expect(progress.passedAt).toBeDefined();
  const next = course(dir, ['next']);
  expect(next.code).toBe(0);
  expect(next.stdout).toMatch(/Exercise 2 of|Course complete/);
});

test('status shows the table', () => {
  const r = course(dir, ['status']);
  expect(r.stdout).toMatch(new RegExp(`1\\s+${first.id}\\s+done`));
  expect(JSON.parse(course(dir, ['status', '--json']).stdout).exercises[0]).toMatchObject({ id: first.id, status: 'done' });
});

test('an exercise whose code imports a package (ws) passes with its solution, though node_modules is a symlink here', () => {
  // copyCourse() links node_modules; Node's permission model must still let the code under test load ws.
  const typing = (YAML.parse(courseYaml()) as { exercises: Array<{ id: string; dir: string; solution: string; files: string[] }> }).exercises.find(
    (e) => e.id === 'typing-indicator',
  )!;
  for (const f of typing.files) copyFileSync(path.join(dir, typing.solution, f), path.join(dir, typing.dir, f));
  const r = course(dir, ['check', typing.id]);
  expect(r.stdout).not.toMatch(/ERR_ACCESS_DENIED/);
  expect(r.stdout).toMatch(/^\d+ passed, 0 failed$/m);
  expect(r.code).toBe(0);
});

test('reset needs --yes without a terminal, then restores the stub and keeps a backup', () => {
  expect(course(dir, ['reset', first.id]).code).toBe(2);
  const r = course(dir, ['reset', first.id, '--yes']);
  expect(r.code).toBe(0);
  const backup = /previous version is in (\S+)/.exec(r.stdout)![1]!;
  expect(readdirSync(path.join(dir, backup))).toEqual(first.files);
  expect(readFileSync(path.join(dir, backup, first.files[0]!), 'utf8')).toBe(readFileSync(path.join(dir, first.solution, first.files[0]!), 'utf8'));
  expect(readFileSync(path.join(dir, first.dir, first.files[0]!), 'utf8')).toMatch(/not implemented/);
});

test('after a course update changes the grader, the next command rebuilds it first', () => {
  const file = path.join(dir, 'grader', 'trace.ts');
  const before = readFileSync(file, 'utf8');
  writeFileSync(file, `${before}// a course update\n`);
  try {
    const r = course(dir, ['status']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/the grader changed since it was built .*rebuilding it/);
    const again = course(dir, ['status']);
    expect(again.stderr).toBe('');
  } finally {
    writeFileSync(file, before);
  }
}, 120_000);

test('a type error in the learner file is shown with file:line', () => {
  const file = path.join(dir, first.dir, first.files[0]!);
  writeFileSync(file, `${readFileSync(file, 'utf8')}\nconst broken: number = 'text';\n`);
  const r = course(dir, ['check', first.id, '--no-color']);
  expect(r.stdout).toMatch(new RegExp(`${first.files[0]!.replace('.', '\\.')}:\\d+:\\d+\\s+type error\\s+Type 'string' is not assignable to type 'number'`));
});

test('a malformed course.yaml gives an error with a line number and is left untouched', () => {
  const good = courseYaml();
  const broken = good.replace(/^title: (.*)$/m, 'title: [$1');
  writeFileSync(path.join(dir, 'course.yaml'), broken);
  for (const args of [['status'], ['check'], ['next'], ['hint']]) {
    const r = course(dir, args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/course\.yaml:\d+:\d+: /);
  }
  expect(courseYaml()).toBe(broken);
  writeFileSync(path.join(dir, 'course.yaml'), good);
});

test('Ctrl-C during a check leaves course.yaml intact and no process behind', async () => {
  const before = courseYaml();
  const child = spawn(process.execPath, [path.join(dir, 'bin', 'course.js'), 'check'], { cwd: dir, stdio: 'ignore', env: { ...process.env, NO_COLOR: '1' } });
  // Interrupt once the run is under way (the CLI has started a process of its own: jest or the type checker), as
  // a learner pressing Ctrl-C would; a fixed wait could interrupt a loaded machine's node before the CLI has loaded.
  for (const until = Date.now() + 60_000; Date.now() < until;) {
    if (processesMentioning(dir).some((pid) => pid !== child.pid)) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGINT');
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  expect(code).toBe(130);
  expect(courseYaml()).toBe(before);
  await new Promise((resolve) => setTimeout(resolve, 500));
  expect(processesMentioning(dir)).toEqual([]);
});
