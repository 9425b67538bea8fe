// Issue 12 point 9. The machines here run neither Docker nor a cluster, so this runs the exact shell commands of
// deploy/github-actions/grade.yml (the shard job's "Grade" step for every matrix entry, then the merge job's
// "Merge" step) and of deploy/k8s/*.yaml (the Indexed Job's container command for every JOB_COMPLETION_INDEX, then
// the merge Job's) as N processes against one submissions folder of the fixture course, and compares each merged
// gradebook with a single run. The artifact transfer (upload shard-i, download pattern shard-* into shards/) is
// the identity on paths, so it is left out; so are the steps that only install packages (`npm ci`). Both recipes pass
// the roster, the deadline and the late policy to every shard and the LMS to the merge (issue 22.11), and the
// Kubernetes shards wait in an init container until the submissions are loaded (its command runs here too).
// The YAML files are validated against their published schemas (scripts/validate-deploy.mjs), and
// `course release --classroom` is checked to produce a valid workflow whose script reports the points in the
// format GitHub Classroom's grading reporter reads.

import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import * as fx from './fixture-course';

const REPO = fx.REPO;

interface Step {
  id?: string;
  name?: string;
  run?: string;
}
interface Workflow {
  jobs: Record<string, { env?: Record<string, string | number>; strategy?: { matrix: { shard: number[] } }; steps: Step[] }>;
}

function runShell(shell: string[], script: string, cwd: string, env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(shell[0]!, [...shell.slice(1), script], { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', (code) => resolve({ code, out }));
  });
}

/** A learner's results without what differs between two runs of the same grading (times, dates). */
function stable(file: string): unknown {
  const data = JSON.parse(readFileSync(file, 'utf8'));
  delete data.gradedAt;
  for (const e of data.exercises) {
    delete e.durationMs;
    // When a run was graded differs between the shards and the single run; whether it was fresh must not.
    if (e.run) delete e.run.at;
    for (const t of e.tests) delete t.durationMs;
  }
  return data;
}

function compareWithSingle(merged: string, single: string): void {
  const a = readFileSync(path.join(merged, 'grades.csv'), 'utf8');
  const b = readFileSync(path.join(single, 'grades.csv'), 'utf8');
  if (a !== b) {
    // Say why (a machine too loaded for the fixture suites' call timeouts shows here as timeouts).
    for (const n of readdirSync(path.join(merged, 'results'))) {
      const r = JSON.parse(readFileSync(path.join(merged, 'results', n), 'utf8'));
      for (const e of r.exercises)
        if (e.message || e.tests.some((t: { status: string }) => t.status !== 'passed'))
          console.log(
            n,
            e.exercise,
            e.status,
            e.message,
            e.tests.filter((t: { status: string }) => t.status !== 'passed').map((t: { message?: string }) => t.message?.split('\n')[0]),
          );
    }
  }
  expect(a).toBe(b);
  const names = readdirSync(path.join(single, 'results')).sort();
  expect(readdirSync(path.join(merged, 'results')).sort()).toEqual(names);
  for (const n of names) expect(stable(path.join(merged, 'results', n))).toEqual(stable(path.join(single, 'results', n)));
  expect(readdirSync(path.join(merged, 'feedback')).sort()).toEqual(readdirSync(path.join(single, 'feedback')).sort());
  const sim = (dir: string) => JSON.parse(readFileSync(path.join(dir, 'similarity.json'), 'utf8'));
  expect(sim(merged)).toEqual(sim(single));
}

let tmp: string;
let course: string;
let single: string;
/** What the Kubernetes recipe passes as --deadline and --late (its env), used for every run here. */
let DEADLINE: string;
let LATE: string;

function k8sEnv(): Record<string, string> {
  const job = parseAllDocuments(readFileSync(path.join(REPO, 'deploy/k8s/grade-job.yaml'), 'utf8'))
    .map((d) => d.toJS())
    .find((d) => d.kind === 'Job');
  return Object.fromEntries(job.spec.template.spec.containers[0].env.map((e: { name: string; value: string }) => [e.name, e.value]));
}
let clean: string | undefined;

/** A fixture course with no submissions or outputs inside (release refuses files equal to a solution). */
function cleanCourse(): string {
  if (clean) return clean;
  clean = fx.makeCourse(path.join(tmp, 'clean'));
  // The fixture suites live under test/, which is never released: move them where a course keeps its suites.
  const yamlFile = path.join(clean, 'course.yaml');
  let yaml = readFileSync(yamlFile, 'utf8');
  for (const ex of fx.EXERCISES) {
    const from = `${ex.fixture}/${ex.suite}`;
    const to = `harness/suites/${ex.suite}`;
    mkdirSync(path.join(clean, 'harness/suites'), { recursive: true });
    writeFileSync(path.join(clean, to), readFileSync(path.join(clean, from), 'utf8').replace(/'(\.\.\/)+harness\/support\//g, "'../support/"));
    yaml = yaml.replace(`suite: ${from}`, `suite: ${to}`);
  }
  writeFileSync(yamlFile, yaml);
  return clean;
}

beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'course-scaling-'));
  course = fx.makeCourse(tmp);
  const subs = path.join(course, 'submissions');
  const S = fx.solution;
  const layouts: Record<string, Record<string, string>> = {
    ada: fx.courseLayout({ calc: S('calc'), words: S('words') }),
    ben: fx.courseLayout({ calc: fx.CALC_PARTIAL, words: fx.WORDS_PARTIAL }),
    cy: fx.courseLayout({ calc: fx.CALC_SYNTAX_ERROR }),
    dee: fx.courseLayout({ words: S('words') }),
    eve: fx.courseLayout({ calc: fx.CALC_PARTIAL, words: S('words') }),
    fay: { 'README.md': 'nothing\n' },
    gus: fx.courseLayout({ calc: S('calc'), words: fx.WORDS_PARTIAL }),
  };
  for (const [id, files] of Object.entries(layouts)) fx.writeFolder(path.join(subs, id), files);
  writeFileSync(path.join(course, 'roster.csv'), 'submission,name,lms_id\nada,"Ames, Ada",1\nben,"Bell, Ben",2\nzoe,"Zorn, Zoe",3\n');
  ({ DEADLINE, LATE } = k8sEnv() as { DEADLINE: string; LATE: string });
  single = path.join(tmp, 'single');
  const flags = ['--roster', 'roster.csv', '--deadline', DEADLINE, '--late', LATE];
  const r = spawnSync(process.execPath, ['bin/course.js', 'grade', 'submissions', '--out', single, '--jobs', '1', ...flags], {
    cwd: course,
    encoding: 'utf8',
    timeout: 5 * 60_000,
  });
  if (r.status !== 0) throw new Error(`single run failed: ${r.stdout}\n${r.stderr}`);
}, 6 * 60_000);

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

test(
  'the GitHub Actions workflow: N shard jobs then the merge job give the single run',
  async () => {
    const wf = parseYaml(readFileSync(path.join(REPO, 'deploy/github-actions/grade.yml'), 'utf8')) as Workflow;
    const shardJob = wf.jobs.shard!;
    const gradeStep = shardJob.steps.find((s) => s.id === 'grade')!;
    const mergeStep = wf.jobs.merge!.steps.find((s) => s.id === 'merge')!;
    const shards = shardJob.strategy!.matrix.shard;
    expect(Number(shardJob.env!.SHARDS)).toBe(shards.length);
    // GitHub's default shell on Linux runners: bash --noprofile --norc -eo pipefail {0}.
    const bash = ['bash', '--noprofile', '--norc', '-eo', 'pipefail', '-c'];
    // One grading worker per process here (JOBS): N processes share this 2-core machine.
    const runs = await Promise.all(
      shards.map((i) =>
        runShell(bash, gradeStep.run!, course, {
          SHARD: String(i),
          SHARDS: String(shardJob.env!.SHARDS),
          JOBS: '1',
          // The workflow's env: the roster file of the repository, and the run's inputs.
          ROSTER: String(shardJob.env!.ROSTER),
          DEADLINE,
          LATE,
        }),
      ),
    );
    expect(shardJob.env!.DEADLINE).toBe('${{ inputs.deadline }}');
    expect(shardJob.env!.LATE).toBe('${{ inputs.late }}');
    for (const r of runs) expect(r.code).toBe(0);
    for (const i of shards) expect(existsSync(path.join(course, 'shards', `shard-${i}`, 'gradebook.json'))).toBe(true);
    const merged = await runShell(bash, mergeStep.run!, course, { LMS: 'canvas' });
    expect(merged.code).toBe(0);
    compareWithSingle(path.join(course, 'gradebook'), single);
    // The roster, deadline and LMS reached the gradebook.
    const meta = JSON.parse(readFileSync(path.join(course, 'gradebook', 'gradebook.json'), 'utf8'));
    expect(meta.deadline.late).toBe(LATE);
    expect(meta.roster.missing.map((r: { submission: string }) => r.submission)).toEqual(['zoe']);
    expect(existsSync(path.join(course, 'gradebook', 'canvas-grades.csv'))).toBe(true);
  },
  6 * 60_000,
);

test(
  'the Kubernetes Indexed Job: one container command per completion index, then the merge Job',
  async () => {
    const docs = parseAllDocuments(readFileSync(path.join(REPO, 'deploy/k8s/grade-job.yaml'), 'utf8')).map((d) => d.toJS());
    const job = docs.find((d) => d.kind === 'Job');
    expect(job.spec.completionMode).toBe('Indexed');
    const container = job.spec.template.spec.containers[0];
    const env = Object.fromEntries(container.env.map((e: { name: string; value: string }) => [e.name, e.value]));
    expect(Number(env.SHARDS)).toBe(job.spec.completions);
    const [shell, flag, script] = container.command as string[];
    // The volume mount /data becomes a folder here; the container's workingDir /course is the fixture course.
    const data = path.join(tmp, 'data');
    mkdirSync(data);
    // The init container waits while the volume is being filled (no submissions.ready yet) ...
    const init = job.spec.template.spec.initContainers[0];
    const ienv = Object.fromEntries(init.env.map((e: { name: string; value: string }) => [e.name, e.value]));
    const waiting = spawnSync(init.command[0], [init.command[1], init.command[2]], {
      env: { ...process.env, ...ienv, DATA: data },
      timeout: 2500,
      encoding: 'utf8',
    });
    expect(waiting.error && (waiting.error as NodeJS.ErrnoException).code).toBe('ETIMEDOUT');
    expect(waiting.stdout).toContain('waiting for');
    // ... the recipe's kubectl cp of the submissions and the roster, then the marker ...
    // kubectl cp keeps the files' times (tar), and so does this copy: they are the submission times here.
    cpSync(path.join(course, 'submissions'), path.join(data, 'submissions'), { recursive: true, preserveTimestamps: true });
    cpSync(path.join(course, 'roster.csv'), path.join(data, 'roster.csv'));
    writeFileSync(path.join(data, 'submissions.ready'), '');
    // ... and it lets the shard start.
    expect(spawnSync(init.command[0], [init.command[1], init.command[2]], { env: { ...process.env, ...ienv, DATA: data }, timeout: 10_000 }).status).toBe(0);
    const runs = await Promise.all(
      Array.from({ length: job.spec.completions }, (_, index) =>
        runShell([shell!, flag!], script!, course, { ...env, DATA: data, JOBS: '1', JOB_COMPLETION_INDEX: String(index) }),
      ),
    );
    for (const r of runs) expect(r.code).toBe(0);
    expect(readdirSync(path.join(data, 'shards')).sort()).toEqual(['shard-1', 'shard-2', 'shard-3']);
    const mergeJob = parseAllDocuments(readFileSync(path.join(REPO, 'deploy/k8s/merge-job.yaml'), 'utf8'))
      .map((d) => d.toJS())
      .find((d) => d.kind === 'Job');
    const m = mergeJob.spec.template.spec.containers[0];
    const menv = Object.fromEntries(m.env.map((e: { name: string; value: string }) => [e.name, e.value]));
    const merged = await runShell([m.command[0], m.command[1]], m.command[2], course, { ...menv, DATA: data });
    expect(merged.code).toBe(0);
    compareWithSingle(path.join(data, 'gradebook'), single);
    expect(existsSync(path.join(data, 'gradebook', menv.LMS === 'moodle' ? 'moodle-grades.csv' : 'canvas-grades.csv'))).toBe(true);
  },
  6 * 60_000,
);

test('the deployment files and the Classroom workflow are valid against their published schemas', () => {
  const rel = path.join(tmp, 'release');
  const r = spawnSync(process.execPath, ['bin/course.js', 'release', '--out', rel, '--classroom'], { cwd: cleanCourse(), encoding: 'utf8' });
  expect(r.status).toBe(0);
  const workflow = path.join(rel, '.github/workflows/classroom.yml');
  expect(existsSync(workflow)).toBe(true);
  const v = spawnSync(process.execPath, [path.join(REPO, 'scripts/validate-deploy.mjs'), workflow], { cwd: REPO, encoding: 'utf8' });
  const report = JSON.parse(v.stdout);
  expect(report.files.filter((f: { errors: string[] }) => f.errors.length)).toEqual([]);
  expect(report.files.map((f: { kind: string }) => f.kind)).toEqual(
    expect.arrayContaining([
      'GitHub Actions workflow',
      'batch/v1 Job course-grade-shards',
      'batch/v1 Job course-grade-merge',
      'networking.k8s.io/v1 NetworkPolicy course-grading-no-egress',
    ]),
  );
  expect(v.status).toBe(0);
  // The validator is not a rubber stamp.
  const bad = path.join(tmp, 'bad.yml');
  writeFileSync(bad, readFileSync(workflow, 'utf8').replace('runs-on:', 'runs_on:'));
  const v2 = spawnSync(process.execPath, [path.join(REPO, 'scripts/validate-deploy.mjs'), bad], { cwd: REPO, encoding: 'utf8' });
  expect(v2.status).toBe(1);
  expect(v2.stdout).toContain('runs-on');
  // Nor for the Dockerfile: without the workspace package before `npm ci`, on a non-LTS Node, as root.
  expect(report.files.find((f: { kind: string }) => f.kind === 'Dockerfile')).toMatchObject({ errors: [] });
  const badDocker = path.join(tmp, 'Dockerfile');
  writeFileSync(
    badDocker,
    readFileSync(path.join(REPO, 'deploy/Dockerfile'), 'utf8')
      .replace(/^COPY --chown=node:node packages \.\/packages\n/m, '')
      .replace(/^FROM node:\d+/m, 'FROM node:23')
      .replace(/^USER node$/m, 'USER root'),
  );
  const v3 = spawnSync(process.execPath, [path.join(REPO, 'scripts/validate-deploy.mjs'), `docker:${badDocker}`], { cwd: REPO, encoding: 'utf8' });
  expect(v3.status).toBe(1);
  const dockerErrors = (JSON.parse(v3.stdout) as { files: Array<{ file: string; errors: string[] }> }).files
    .find((f) => f.file === badDocker)!
    .errors.join('\n');
  expect(dockerErrors).toMatch(/packages\/course-cli is not copied before `npm ci`/);
  expect(dockerErrors).toMatch(/FROM node:23-bookworm-slim: expected a Node LTS slim image/);
  expect(dockerErrors).toMatch(/non-root USER/);
});

test(
  "the Classroom script reports the points of `course check --json` in the grading reporter's format",
  () => {
    const rel = path.join(tmp, 'release-classroom');
    expect(spawnSync(process.execPath, ['bin/course.js', 'release', '--out', rel, '--classroom'], { cwd: cleanCourse(), encoding: 'utf8' }).status).toBe(0);
    // As after `npm ci` in a learner's repository, with calc solved and words half done.
    symlinkSync(path.join(REPO, 'node_modules'), path.join(rel, 'node_modules'));
    cpSync(path.join(course, 'dist'), path.join(rel, 'dist'), { recursive: true });
    writeFileSync(path.join(rel, 'exercises/01-calc/calc.ts'), fx.solution('calc'));
    writeFileSync(path.join(rel, 'exercises/02-words/words.ts'), fx.WORDS_PARTIAL);
    const run = spawnSync(process.execPath, ['.github/classroom/course-check.js'], { cwd: rel, encoding: 'utf8', timeout: 3 * 60_000 });
    expect(run.status).toBe(0);
    const line = run.stdout.trim().split('\n').pop()!;
    expect(line).toMatch(/^result=[A-Za-z0-9+/=]+$/);
    const result = JSON.parse(Buffer.from(line.slice('result='.length), 'base64').toString('utf8'));
    expect(result).toMatchObject({ version: 1, status: 'fail', max_score: 7 });
    expect(result.tests).toHaveLength(7);
    // What the reporter sends to Classroom: the sum of the tests' scores out of max_score; each passed test scores
    // its points (1 here), a failed one 0. (Calc solved + words half done is 5 of 7 on an idle machine; the fixture
    // suites' 1.5 s call timeouts can fail more on an overloaded one, so the mapping is what is asserted.)
    const passed = result.tests.filter((t: { status: string }) => t.status === 'pass');
    for (const t of result.tests) expect(t.score).toBe(t.status === 'pass' ? 1 : 0);
    expect(result.tests.reduce((s: number, t: { score: number }) => s + t.score, 0)).toBe(passed.length);
    if (passed.length !== 5)
      console.log(
        'classroom: not 5/7:',
        result.tests
          .filter((t: { status: string }) => t.status !== 'pass')
          .map((t: { name: string; message: string }) => `${t.name}: ${t.message.split('\n')[0]}`),
      );
    expect(passed.length).toBeGreaterThanOrEqual(1);
    expect(passed.length).toBeLessThanOrEqual(5);
    expect(result.tests.find((t: { name: string }) => t.name.startsWith('words: ') && t.name.includes('tally'))).toMatchObject({ status: 'fail', score: 0 });
    for (const t of result.tests) expect(Object.keys(t).sort()).toEqual(['execution_time', 'line_no', 'message', 'name', 'score', 'status']);
  },
  4 * 60_000,
);
