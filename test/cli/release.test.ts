// Black-box: `course release` on a private copy of the course, then the learners' copy used as a learner would.

import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { copyCourse, course, repoRoot } from '../helpers';

interface Entry {
  id: string;
  dir: string;
  solution: string;
  files: string[];
  given?: string[];
  progress?: unknown;
}

const src = copyCourse();
const tmp = mkdtempSync(path.join(os.tmpdir(), 'course-release-'));
afterAll(() => {
  rmSync(src, { recursive: true, force: true });
  rmSync(tmp, { recursive: true, force: true });
});
const entries = () => (YAML.parse(readFileSync(path.join(src, 'course.yaml'), 'utf8')) as { exercises: Entry[] }).exercises;

/** Every file under dir, relative, skipping what a learner's install adds (node_modules, dist) and .course. */
function tree(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const name of readdirSync(path.join(dir, rel))) {
    const r = rel ? `${rel}/${name}` : name;
    if (!rel && ['node_modules', 'dist', '.course'].includes(name)) continue;
    if (lstatSync(path.join(dir, r)).isDirectory()) out.push(...tree(dir, r));
    else out.push(r);
  }
  return out.sort();
}

test("the learners' copy has no solutions, mutants or project tests; progress is cleared, comments kept", () => {
  // Progress in the source must not travel.
  expect(course(src, ['next']).code).toBe(0);
  const out = path.join(tmp, 'learners');
  const r = course(src, ['release', '--out', out]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/wrote the learners' copy .*\d+ files/);
  const files = tree(out);
  for (const gone of ['solutions/', 'harness/mutants/', 'test/', 'bench/', 'scripts/', '.ci/', 'docs/AUTHORING.md']) {
    expect(files.filter((f) => f.startsWith(gone) || f === gone)).toEqual([]);
  }
  for (const kept of ['bin/course.js', 'course.yaml', 'package.json', 'package-lock.json', 'tsconfig.build.json', 'README.md']) expect(files).toContain(kept);
  for (const e of entries()) {
    expect(files).toContain(`${e.dir}/README.md`);
    for (const f of e.files) expect(files).toContain(`${e.dir}/${f}`);
  }
  expect(files.some((f) => f.startsWith('harness/suites/'))).toBe(true);
  expect(files.some((f) => f.startsWith('harness/vectors/'))).toBe(true);

  const yamlText = readFileSync(path.join(out, 'course.yaml'), 'utf8');
  expect(yamlText.split('\n').slice(0, 5)).toEqual(readFileSync(path.join(src, 'course.yaml'), 'utf8').split('\n').slice(0, 5));
  expect((YAML.parse(yamlText) as { exercises: Entry[] }).exercises.every((e) => e.progress === undefined)).toBe(true);
  expect(readFileSync(path.join(src, 'course.yaml'), 'utf8')).toMatch(/progress:/);
  const pkg = JSON.parse(readFileSync(path.join(out, 'package.json'), 'utf8')) as { scripts: Record<string, string>; workspaces: string[] };
  expect(pkg.scripts.test).toBe('node bin/course.js check');
  // `npx course` comes from the workspace package that links the bin into node_modules/.bin.
  expect(pkg.workspaces).toEqual(['packages/course-cli']);
  expect(files).toContain('packages/course-cli/course.js');
  expect(JSON.parse(readFileSync(path.join(out, 'packages', 'course-cli', 'package.json'), 'utf8')).bin).toEqual({ course: 'course.js' });

  // Not over an existing folder, not into the course itself.
  const again = course(src, ['release', '--out', out]);
  expect(again.code).toBe(2);
  expect(again.stderr).toMatch(/already exists and is not empty/);
  expect(course(src, ['release', '--out', src]).stderr).toMatch(/is the course folder/);
  expect(course(src, ['release']).code).toBe(2);
});

test("the learners' copy holds no line of the exercise 1 and 2 references: exercise 8 gives them minified", () => {
  const out = path.join(tmp, 'learners');
  const shipped = tree(out);
  const byId = new Map(entries().map((e) => [e.id, e]));
  const earlier = ['hpack-table', 'frame-parser'].map((id) => byId.get(id)!);
  // Lines of code: what the stubs (and their given files) already show is not an answer, and doc comments are
  // meant to ship (exercise 8's .d.ts files carry those of its helpers' API); a readable copy shows its code.
  const stubs = earlier.flatMap((e) => [...e.files, ...(e.given ?? [])].map((f) => readFileSync(path.join(src, e.dir, f), 'utf8'))).join('\n');
  const answers = new Set(
    earlier
      .flatMap((e) =>
        readdirSync(path.join(src, e.solution))
          .filter((f) => f.endsWith('.ts'))
          .map((f) => readFileSync(path.join(src, e.solution, f), 'utf8')),
      )
      .flatMap((text) => text.split('\n').map((line) => line.trim()))
      .filter((line) => line.length >= 40 && !/^(\/\/|\/\*|\*)/.test(line) && !stubs.includes(line)),
  );
  expect(answers.size).toBeGreaterThan(100);
  const found: string[] = [];
  for (const file of shipped) {
    const text = readFileSync(path.join(out, file), 'utf8');
    for (const line of answers) if (text.includes(line)) found.push(`${file}: ${line}`);
  }
  expect(found).toEqual([]);

  // Exercise 8's helpers ship as code and declarations, not as their readable sources.
  const flow = byId.get('h2-flow-control')!;
  expect(flow.given).toEqual(expect.arrayContaining(['h2-codec.js', 'h2-codec.d.ts', 'hpack.js', 'hpack.d.ts']));
  for (const f of flow.given!) expect(shipped).toContain(`${flow.dir}/${f}`);
  // (grader/ holds the course's own code, e.g. the lab's HPACK demo driver, never an exercise's source.)
  expect(shipped.filter((f) => !f.startsWith('grader/') && /(^|\/)(h2-codec|hpack)\.ts$/.test(f))).toEqual([]);
});

test('a copy of a reference solution anywhere in the course stops the release, and nothing is written', () => {
  const first = entries()[0]!;
  const planted = path.join(src, first.dir, 'notes.ts');
  writeFileSync(planted, readFileSync(path.join(src, first.solution, first.files[0]!)));
  try {
    const out = path.join(tmp, 'leaky');
    const r = course(src, ['release', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${first.dir}/notes.ts is a copy of the reference solution`);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(tmp).filter((n) => n.includes('.release-'))).toEqual([]);
  } finally {
    rmSync(planted);
  }
});

test('in a git checkout only tracked files ship; untracked ones are named', () => {
  const git = (...args: string[]) =>
    execFileSync('git', ['-C', src, ...args], {
      stdio: 'ignore',
      env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' },
    });
  git('init', '-q');
  git('add', '-A');
  git('commit', '-q', '-m', 'course');
  writeFileSync(path.join(src, 'scratch-notes.md'), 'my private notes\n');
  const out = path.join(tmp, 'from-git');
  const r = course(src, ['release', '--out', out]);
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/the files git tracks/);
  expect(r.stdout).toMatch(/not tracked by git, so not included: scratch-notes\.md/);
  expect(existsSync(path.join(out, 'scratch-notes.md'))).toBe(false);
  expect(existsSync(path.join(out, 'solutions'))).toBe(false);
  expect(existsSync(path.join(out, 'course.yaml'))).toBe(true);

  // A given helper that git does not track (a generated file never added) would be missing only in the learners'
  // copy: the release is refused.
  const withDeclarations = entries().find((e) => e.given?.some((f) => f.endsWith('.d.ts')))!;
  const helper = `${withDeclarations.dir}/${withDeclarations.given!.find((f) => f.endsWith('.d.ts'))}`;
  git('rm', '-q', '--cached', helper);
  const refused = path.join(tmp, 'untracked-helper');
  const r2 = course(src, ['release', '--out', refused]);
  expect(r2.code).toBe(2);
  expect(r2.stderr).toContain(`${helper} (exercise ${withDeclarations.id}) would not be in the release: git does not track it`);
  expect(existsSync(refused)).toBe(false);
  git('add', helper);
});

test('from a checkout whose stub was edited the release is refused, listing it; --include-uncommitted ships it', () => {
  // src is a git checkout since the test above.
  const git = (...args: string[]) => execFileSync('git', ['-C', src, ...args], { stdio: 'ignore' });
  const first = entries()[0]!;
  const stubRel = `${first.dir}/${first.files[0]!}`;
  const stubPath = path.join(src, stubRel);
  const committed = readFileSync(stubPath, 'utf8');
  const partial = `${committed}\n// a half-written answer, tried in the author's checkout\nexport const PARTIAL_ANSWER_MARKER = 1;\n`;
  const yamlPath = path.join(src, 'course.yaml');
  const yamlCommitted = readFileSync(yamlPath, 'utf8');
  try {
    writeFileSync(stubPath, partial);
    const refused = path.join(tmp, 'edited-stub');
    const r = course(src, ['release', '--out', refused]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('differ from the last commit');
    expect(r.stderr).toContain(`${stubRel} (modified)`);
    expect(r.stderr).toContain('--include-uncommitted');
    expect(r.stdout).not.toContain("wrote the learners' copy");
    expect(existsSync(refused)).toBe(false);
    // Staged is not committed either.
    git('add', stubRel);
    expect(course(src, ['release', '--out', refused]).stderr).toContain(`${stubRel} (modified)`);
    expect(existsSync(refused)).toBe(false);

    // Asked for: the working tree ships, and the output says which files were not committed.
    const forced = path.join(tmp, 'edited-stub-forced');
    const f = course(src, ['release', '--out', forced, '--include-uncommitted']);
    expect(f.code).toBe(0);
    expect(f.stdout).toContain(`not committed, shipped as they are in the working tree (--include-uncommitted): ${stubRel}`);
    expect(readFileSync(path.join(forced, stubRel), 'utf8')).toBe(partial);

    // Undone, with only progress changed in course.yaml (it is cleared anyway): the committed stub ships.
    git('reset', '-q', '--', stubRel);
    writeFileSync(stubPath, committed);
    const doc = YAML.parseDocument(yamlCommitted);
    doc.setIn(['exercises', 1, 'progress'], doc.createNode({ status: 'done', attempts: 2 }));
    writeFileSync(yamlPath, doc.toString());
    const clean = path.join(tmp, 'committed-stub');
    const c = course(src, ['release', '--out', clean]);
    expect(c.stderr).toBe('');
    expect(c.code).toBe(0);
    expect(readFileSync(path.join(clean, stubRel), 'utf8')).toBe(committed);
  } finally {
    writeFileSync(stubPath, committed);
    writeFileSync(yamlPath, yamlCommitted);
    git('reset', '-q', '--', stubRel);
  }
});

test('a learner can take the course from the copy: next, check, a clear answer for solution and verify', () => {
  const out = path.join(tmp, 'learners');
  // What `npm install` gives a learner: the packages and the compiled grader.
  symlinkSync(path.join(repoRoot, 'node_modules'), path.join(out, 'node_modules'), 'dir');
  cpSync(path.join(repoRoot, 'dist'), path.join(out, 'dist'), { recursive: true });
  const first = entries()[0]!;
  expect(course(out, ['next']).code).toBe(0);
  const stub = course(out, ['check']);
  expect(stub.code).toBe(1);
  const sol = course(out, ['solution', '--force']);
  expect(sol.code).toBe(2);
  expect(sol.stderr).toMatch(/not part of this copy of the course/);
  const verify = course(out, ['verify']);
  expect(verify.code).toBe(2);
  expect(verify.stderr).toMatch(/learners' copy/);
  writeFileSync(path.join(out, first.dir, first.files[0]!), readFileSync(path.join(repoRoot, first.solution, first.files[0]!)));
  const pass = course(out, ['check']);
  expect(pass.stdout).toMatch(/passed/);
  expect(pass.code).toBe(0);
}, 120_000);
