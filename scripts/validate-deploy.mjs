#!/usr/bin/env node
// Checks the deployment files against their published schemas:
//   deploy/github-actions/grade.yml and the Classroom workflow `course release --classroom` writes: GitHub's own
//     workflow parser (@actions/workflow-parser, the schema behind the Actions VS Code extension);
//   deploy/k8s/*.yaml: every document against the Kubernetes OpenAPI schema of its kind (kubernetes-models).
// Prints one JSON line { ok, files: [{ file, kind?, errors }] }; exit code 1 when anything is invalid.
//   node scripts/validate-deploy.mjs [extra-workflow.yml ...] [k8s:extra-manifest.yaml ...]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseAllDocuments } from 'yaml';
import esbuild from 'esbuild';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';

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
const workflows = [path.join(root, 'deploy/github-actions/grade.yml'), ...extra.filter((a) => !a.startsWith('k8s:')).map((f) => path.resolve(f))];
for (const file of workflows) {
  const parsed = parseWorkflow({ name: path.basename(file), content: readFileSync(file, 'utf8') }, new NoOperationTraceWriter());
  const errors = parsed.context.errors.getErrors().map((e) => e.message);
  if (!parsed.value) errors.push('the workflow did not parse');
  results.push({ file: path.relative(root, file), kind: 'GitHub Actions workflow', errors });
}

const KINDS = { Job, PersistentVolumeClaim, NetworkPolicy };
const manifests = ['deploy/k8s/grade-job.yaml', 'deploy/k8s/merge-job.yaml', ...extra.filter((a) => a.startsWith('k8s:')).map((a) => path.relative(root, path.resolve(a.slice(4))))];
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
const ok = results.every((r) => r.errors.length === 0);
console.log(JSON.stringify({ ok, files: results }));
process.exitCode = ok ? 0 : 1;
