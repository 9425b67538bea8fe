// Compiles an implementation (the learner's files, a solution, a mutant or a submission) into a build folder that
// the sandbox host can load: one CommonJS file per TypeScript file, transpiled by esbuild with the grader's own
// settings (the learner's tsconfig and package.json are never read). The exercise's given helpers join them: a
// .ts is transpiled the same way, a .js is copied as it is, a .d.ts is for the type checker only. Build folders are
// content-addressed, so an unchanged implementation is not compiled twice.

import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildSync, transformSync, version as esbuildVersion, type Message } from 'esbuild';
import { MANIFEST_FILE, type BuildManifest, type HostWrapper } from '../../harness/sandbox/contract';
import type { ExerciseSpec } from '../course/schema';
import type { Diagnostic } from './result';

export interface BuildInput {
  courseRoot: string;
  exercise: ExerciseSpec;
  /** Folder holding the graded files (exercise.files). */
  implRoot: string;
  /** Where build folders go. */
  buildRoot: string;
  heapMb?: number;
  /** Command prefix for the sandbox host (a PID namespace; batch isolation). */
  wrapper?: HostWrapper;
  /** The node_modules folder the exercise's packages are taken from (default: the course's own). */
  packagesRoot?: string;
}

export interface SourceFile {
  /** Name relative to the implementation root, e.g. "hpack-table.ts". */
  name: string;
  /** Where it came from. */
  absPath: string;
  text: string;
  /** true for the learner's files, false for support files the exercise provides (.ts, .js or .d.ts). */
  graded: boolean;
}

export interface BuildOutput {
  buildDir?: string;
  diagnostics: Diagnostic[];
  files: SourceFile[];
  filesHash: string;
  /** Graded files that are missing or empty. */
  missing: string[];
}

const HOST_SOURCE = ['harness', 'sandbox', 'host.ts'];
/** The files beside the host that it imports (bundled into the one host file). */
const HOST_IMPORTS = ['frames.ts'];

/** The graded files from the implementation root, plus the exercise's support files (e.g. a given helper). */
export function collectSources(courseRoot: string, exercise: ExerciseSpec, implRoot: string): { files: SourceFile[]; missing: string[] } {
  const files: SourceFile[] = [];
  const missing: string[] = [];
  for (const name of exercise.files) {
    const absPath = path.join(implRoot, name);
    let text = '';
    try {
      text = readFileSync(absPath, 'utf8');
    } catch {
      /* reported as missing below */
    }
    if (!text.trim()) missing.push(name);
    files.push({ name, absPath, text, graded: true });
  }
  // The course's own helpers, always from the course (a learner's copy is never used, and a file the learner
  // added beside the graded ones is not built: batch grading could not see it either).
  const exerciseDir = path.join(courseRoot, exercise.dir);
  for (const name of exercise.given) {
    const absPath = path.join(exerciseDir, name);
    files.push({ name, absPath, text: readFileSync(absPath, 'utf8'), graded: false });
  }
  return { files, missing };
}

export function hashFiles(files: SourceFile[]): string {
  const hash = createHash('sha256');
  for (const f of files) hash.update(f.name).update('\0').update(f.text).update('\0');
  return hash.digest('hex');
}

function toDiagnostic(file: SourceFile, message: Message): Diagnostic {
  return {
    file: file.name,
    line: message.location?.line ?? 1,
    column: (message.location?.column ?? 0) + 1,
    message: message.text,
    kind: 'syntax',
  };
}

function transpile(file: SourceFile): { code?: string; diagnostics: Diagnostic[] } {
  try {
    const result = transformSync(file.text, { loader: 'ts', format: 'cjs', target: 'node20', sourcefile: file.name, sourcemap: 'inline' });
    return { code: result.code, diagnostics: [] };
  } catch (err) {
    const errors = (err as { errors?: Message[] }).errors;
    if (!errors) throw err;
    return { diagnostics: errors.map((m) => toDiagnostic(file, m)) };
  }
}

/** Part of every build's cache key: bump it when what a build folder holds (the manifest, the host) changes. */
const BUILD_FORMAT = 5;

function realPath(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}

export function buildImplementation(input: BuildInput): BuildOutput {
  const { files, missing } = collectSources(input.courseRoot, input.exercise, input.implRoot);
  const filesHash = hashFiles(files);
  if (missing.length) return { diagnostics: [], files, filesHash, missing };

  const hostPath = path.join(input.courseRoot, ...HOST_SOURCE);
  const hostText = [hostPath, ...HOST_IMPORTS.map((f) => path.join(path.dirname(hostPath), f))].map((f) => readFileSync(f, 'utf8')).join('\0');
  // Real paths: Node resolves modules by their real path, and its permission model then denies a read through a
  // symlink it was not granted (a linked node_modules; on macOS /tmp and /var are symlinks into /private).
  const givenRoot = input.packagesRoot ?? path.join(input.courseRoot, 'node_modules');
  const packagesRoot = realPath(givenRoot);
  const linked = givenRoot !== packagesRoot;
  const settings = JSON.stringify({
    format: BUILD_FORMAT,
    heapMb: input.heapMb ?? 256,
    wrapper: input.wrapper ?? null,
    packages: input.exercise.packages,
    givenRoot,
    packagesRoot,
    esbuildVersion,
  });
  const key = createHash('sha256').update(filesHash).update(hostText).update(settings).digest('hex').slice(0, 24);
  mkdirSync(input.buildRoot, { recursive: true });
  const buildDir = path.join(realPath(input.buildRoot), input.exercise.id, key);
  if (existsSync(path.join(buildDir, MANIFEST_FILE))) return { buildDir, diagnostics: [], files, filesHash, missing };

  const outputs: Array<[string, string]> = [];
  const diagnostics: Diagnostic[] = [];
  for (const file of files) {
    // Declarations are hashed (the type checker reads them) but have nothing to run.
    if (file.name.endsWith('.d.ts')) continue;
    // A given .js is the course's own CommonJS module (e.g. a generated bundle): used as it is, so line and column
    // numbers in its stack traces match the shipped file.
    if (!file.graded && file.name.endsWith('.js')) {
      outputs.push([file.name, file.text]);
      continue;
    }
    const { code, diagnostics: d } = transpile(file);
    diagnostics.push(...d);
    if (code !== undefined) outputs.push([file.name.replace(/\.ts$/, '.js'), code]);
  }
  if (diagnostics.length) return { diagnostics, files, filesHash, missing };

  const host = bundleHost(hostPath, hostText);

  // Build into a temporary folder and rename, so a concurrent check never sees a half-written build.
  const tmpDir = `${buildDir}.${process.pid}.tmp`;
  rmSync(tmpDir, { recursive: true, force: true });
  mkdirSync(tmpDir, { recursive: true });
  for (const [name, code] of outputs) writeFileSync(path.join(tmpDir, name), code);
  writeFileSync(path.join(tmpDir, '__sandbox_host.js'), host.code);
  const manifest: BuildManifest = {
    buildDir,
    host: path.join(buildDir, '__sandbox_host.js'),
    entry: path.join(buildDir, input.exercise.files[0]!.replace(/\.ts$/, '.js')),
    // When node_modules is a link, code under test that imports a package finds it through the link first (module
    // resolution walks up from the build folder), so the link's side is granted too. (Node 20 cannot grant the
    // link alone: the whole linked folder is readable then. That only happens in a learner's own course folder;
    // batch grading copies the packages into a real folder.)
    readPaths: [
      ...packageClosure(packagesRoot, input.exercise.packages).map((pkg) => path.join(packagesRoot, pkg)),
      ...(linked && input.exercise.packages.length ? [givenRoot] : []),
    ],
    nodePath: input.exercise.packages.length ? [packagesRoot] : [],
    heapMb: input.heapMb ?? 256,
    wrapper: input.wrapper?.argv ?? [],
    packages: input.exercise.packages,
    // A host started with a parent-death signal may run in a session of its own (see child-isolation.ts).
    ownSession: input.wrapper?.parentDeathSignal === true,
  };
  writeFileSync(path.join(tmpDir, MANIFEST_FILE), JSON.stringify(manifest, null, 2));
  try {
    renameSync(tmpDir, buildDir);
  } catch (err) {
    rmSync(tmpDir, { recursive: true, force: true });
    // Another process built the same content first: use theirs.
    if (!existsSync(path.join(buildDir, MANIFEST_FILE))) throw err;
  }
  return { buildDir, diagnostics: [], files, filesHash, missing };
}

/** Bundled hosts by their sources (a long-lived process, e.g. watch, bundles the same host for every save). */
const bundledHosts = new Map<string, { code: string }>();

/** The host and the files beside it that it imports, as one CommonJS file (Node built-ins stay imports). */
function bundleHost(hostPath: string, hostText: string): { code: string } {
  const key = `${hostPath}\0${hostText}`;
  const kept = bundledHosts.get(key);
  if (kept) return kept;
  const host = bundleHostNow(hostPath);
  bundledHosts.set(key, host);
  return host;
}

function bundleHostNow(hostPath: string): { code: string } {
  try {
    const result = buildSync({
      entryPoints: [hostPath],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      write: false,
      sourcemap: 'inline',
      logLevel: 'silent',
    });
    return { code: result.outputFiles[0]!.text };
  } catch (err) {
    const errors = (err as { errors?: Message[] }).errors;
    throw new Error(`cannot compile the sandbox host: ${errors ? errors.map((m) => m.text).join('; ') : String(err)}`, { cause: err });
  }
}

/** The packages and everything they depend on (installed flat in `nodeModules`), so the sandbox may read them all. */
export function packageClosure(nodeModules: string, packages: string[]): string[] {
  const seen = new Set<string>();
  const queue = [...packages];
  while (queue.length) {
    const name = queue.shift()!;
    if (seen.has(name)) continue;
    let manifest: { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> };
    try {
      manifest = JSON.parse(readFileSync(path.join(nodeModules, name, 'package.json'), 'utf8')) as typeof manifest;
    } catch {
      if (packages.includes(name)) throw new Error(`the exercise needs the package "${name}", which is not installed in ${nodeModules}`);
      continue; // an optional dependency that is not installed
    }
    seen.add(name);
    queue.push(...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.optionalDependencies ?? {}));
  }
  return [...seen].sort();
}

/**
 * Copies the exercises' packages (with their dependencies) into `target/node_modules`, world-readable, for batch
 * grading: the unprivileged uid that runs submissions may not be able to read the course's own folder.
 */
export function copyPackages(courseRoot: string, packages: string[], target: string): string {
  const from = path.join(courseRoot, 'node_modules');
  const to = path.join(target, 'node_modules');
  for (const name of packageClosure(from, packages)) {
    cpSync(path.join(from, name), path.join(to, name), { recursive: true, dereference: true });
  }
  return to;
}
