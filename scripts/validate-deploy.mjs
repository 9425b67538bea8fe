#!/usr/bin/env node
// Checks the deployment files against their published schemas:
//   deploy/github-actions/grade.yml and the Classroom workflow `course release --classroom` writes: GitHub's own
//     workflow parser (@actions/workflow-parser, the schema behind the Actions VS Code extension);
//   deploy/k8s/*.yaml: every document against the Kubernetes OpenAPI schema of its kind (kubernetes-models);
//   deploy/Dockerfile: the Docker language service's validator (dockerfile-utils, what the VS Code Docker extension
//     runs), plus what this image needs: an LTS Node slim base, every file `npm ci` reads copied before it (the
//     lock file and each workspace package), a non-root user, and a .dockerignore that keeps none of those out.
// Prints one JSON line { ok, files: [{ file, kind?, errors }] }; exit code 1 when anything is invalid.
//   node scripts/validate-deploy.mjs [extra-workflow.yml ...] [k8s:extra-manifest.yaml ...] [docker:Dockerfile ...]
// (a Dockerfile given so is checked with the .dockerignore beside it: <Dockerfile>.dockerignore)
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseAllDocuments } from 'yaml';
import esbuild from 'esbuild';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { Pod } from 'kubernetes-models/v1/Pod';
import { validate as validateDockerfile } from 'dockerfile-utils';
import { DockerfileParser } from 'dockerfile-ast';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const results = [];

// @actions/workflow-parser imports its schema JSON without an import attribute (it is made to be bundled), so
// Node cannot load it as it is: bundle it with esbuild first.
const tmp = mkdtempSync(path.join(os.tmpdir(), 'validate-deploy-'));
const bundle = path.join(tmp, 'workflow-parser.cjs');
esbuild.buildSync({
  stdin: { contents: "export { NoOperationTraceWriter, parseWorkflow } from '@actions/workflow-parser';", resolveDir: root },
  bundle: true,
  platform: 'node',
  format: 'cjs',
  outfile: bundle,
  logLevel: 'error',
});
const { NoOperationTraceWriter, parseWorkflow } = await import(pathToFileURL(bundle).href);
rmSync(tmp, { recursive: true, force: true });

const extra = process.argv.slice(2);
const workflows = [path.join(root, 'deploy/github-actions/grade.yml'), ...extra.filter((a) => !/^(k8s|docker):/.test(a)).map((f) => path.resolve(f))];
for (const file of workflows) {
  const parsed = parseWorkflow({ name: path.basename(file), content: readFileSync(file, 'utf8') }, new NoOperationTraceWriter());
  const errors = parsed.context.errors.getErrors().map((e) => e.message);
  if (!parsed.value) errors.push('the workflow did not parse');
  results.push({ file: path.relative(root, file), kind: 'GitHub Actions workflow', errors });
}

const KINDS = { Job, PersistentVolumeClaim, NetworkPolicy, Pod };
const manifests = [
  'deploy/k8s/data-pod.yaml',
  'deploy/k8s/grade-job.yaml',
  'deploy/k8s/merge-job.yaml',
  ...extra.filter((a) => a.startsWith('k8s:')).map((a) => path.relative(root, path.resolve(a.slice(4)))),
];
for (const rel of manifests) {
  const docs = parseAllDocuments(readFileSync(path.resolve(root, rel), 'utf8'));
  for (const doc of docs) {
    const value = doc.toJS();
    const Model = KINDS[value?.kind];
    const errors = doc.errors.map((e) => e.message);
    if (!Model) errors.push(`no schema known here for kind ${value?.kind}`);
    else {
      try {
        new Model(value).validate();
      } catch (err) {
        errors.push(err instanceof Error ? err.message : String(err));
      }
    }
    results.push({ file: rel, kind: `${value?.apiVersion} ${value?.kind} ${value?.metadata?.name}`, errors });
  }
}
const dockerfiles = ['deploy/Dockerfile', ...extra.filter((a) => a.startsWith('docker:')).map((a) => path.resolve(a.slice(7)))];
for (const file of dockerfiles)
  results.push({ file: path.isAbsolute(file) ? file : file, kind: 'Dockerfile', errors: checkDockerfile(path.resolve(root, file)) });

function checkDockerfile(file) {
  const text = readFileSync(file, 'utf8');
  const errors = validateDockerfile(text).map((d) => `line ${d.range.start.line + 1}: ${d.message}`);
  const instructions = DockerfileParser.parse(text).getInstructions();
  const args = (i) => i.getArguments().map((a) => a.getValue());
  const from = instructions.find((i) => i.getKeyword() === 'FROM');
  const image = from ? (args(from)[0] ?? '') : '';
  const lts = /^node:(\d+)(?:\.[\d.]+)?-[\w-]*slim$/.exec(image);
  if (!lts || Number(lts[1]) % 2 !== 0 || Number(lts[1]) < 22)
    errors.push(`FROM ${image}: expected a Node LTS slim image (node:<even major >= 22>-<debian>-slim)`);
  // What `npm ci` reads must be in the image before it runs: package.json, the lock file and each workspace's package.
  const ci = instructions.findIndex((i) => i.getKeyword() === 'RUN' && /\bnpm ci\b/.test(args(i).join(' ')));
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  const needed = ['package.json', 'package-lock.json', ...(pkg.workspaces ?? [])];
  if (ci < 0) errors.push('no RUN npm ci: the image must install the locked packages');
  else {
    const copied = instructions
      .slice(0, ci)
      .filter((i) => i.getKeyword() === 'COPY')
      .flatMap((i) =>
        args(i)
          .filter((a) => !a.startsWith('--'))
          .slice(0, -1),
      );
    if (copied.includes('.')) errors.push('COPY . before npm ci: every source change would reinstall the packages');
    for (const need of needed) {
      const covers = (c) => path.normalize(c) === path.normalize(need) || path.normalize(need).startsWith(`${path.normalize(c).replace(/\/$/, '')}/`);
      if (!copied.some(covers)) errors.push(`${need} is not copied before \`npm ci\` (line ${instructions[ci].getRange().start.line + 1}), which needs it`);
    }
  }
  const user = instructions
    .filter((i) => i.getKeyword() === 'USER')
    .map((i) => args(i)[0])
    .pop();
  if (!user || user === 'root' || user === '0') errors.push('the image must run as a non-root USER');
  const ignoreFile = `${file}.dockerignore`;
  const ignored = (existsSync(ignoreFile) ? readFileSync(ignoreFile, 'utf8') : '')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  for (const need of [...needed, 'bin', 'grader', 'harness', 'course.yaml']) {
    if (ignored.some((pattern) => path.normalize(pattern) === path.normalize(need)))
      errors.push(`${path.basename(ignoreFile)} leaves out ${need}, which the image needs`);
  }
  return errors;
}

const ok = results.every((r) => r.errors.length === 0);
console.log(JSON.stringify({ ok, files: results }));
process.exitCode = ok ? 0 : 1;
