// Type-checks the learner's files (and the exercise's public contract, which uses the required API through
// `@exercise`) with the grader's own compiler settings. Runs as a child process so the ~1.5 s it costs to load
// TypeScript and parse lib files happens beside the tests, not before them. Input and output are JSON over IPC.
// One request and exit (check), or with --serve many, one after the other (watch's warm session: the parsed lib
// and @types files, which never change under node_modules, are kept between requests; the learner's files, the
// support files and the contract are read afresh each time).

import path from 'node:path';
import ts from 'typescript';
import type { Diagnostic } from './result';
import { courseRoot } from '../paths';
import { refuseDebugSignal } from './debug-signal';

refuseDebugSignal();

export interface TypecheckRequest {
  /** Absolute paths of the files to check (graded and support files). */
  files: string[];
  /** Absolute path of the module the contract imports as `@exercise`. */
  entry: string;
  /** Absolute path of the contract file, if the exercise has one. */
  contract?: string;
  /** Paths in diagnostics are made relative to this folder. */
  implRoot: string;
  /** Names of files whose diagnostics are reported (the learner's); others are support files. */
  graded: string[];
  /**
   * Support files the exercise provides (a given helper's .ts, or the .d.ts of a given .js), seen as if they sat
   * beside the learner's files, so `import ... from './helper'` resolves in a submission unpacked anywhere.
   */
  support: Array<{ name: string; absPath: string }>;
}

const nodeModules = path.join(courseRoot, 'node_modules');

/** Parsed files from node_modules (TypeScript's lib files, @types), kept for the next request of a --serve worker. */
const parsedPackages = new Map<string, ts.SourceFile>();

export function typecheck(request: TypecheckRequest): Diagnostic[] {
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2022.d.ts'],
    module: ts.ModuleKind.Node16,
    moduleResolution: ts.ModuleResolutionKind.Node16,
    types: ['node'],
    typeRoots: [path.join(nodeModules, '@types')],
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    esModuleInterop: true,
    baseUrl: request.implRoot,
    // Packages resolve from the course's node_modules wherever the implementation sits (a batch submission is
    // unpacked outside the course folder).
    paths: { '@exercise': [request.entry], '*': [path.join(nodeModules, '@types', '*'), path.join(nodeModules, '*')] },
  };
  const roots = [...request.files, ...(request.contract ? [request.contract] : [])];
  // The learner imports support files as './helper': make them appear in the implementation folder.
  const host = ts.createCompilerHost(options);
  const overlay = new Map(request.support.map((f) => [path.join(request.implRoot, f.name), f.absPath]));
  const realFileExists = host.fileExists.bind(host);
  const realGetSourceFile = host.getSourceFile.bind(host);
  host.fileExists = (file) => overlay.has(path.resolve(file)) || realFileExists(file);
  host.getSourceFile = (file, ...rest) => {
    const real = overlay.get(path.resolve(file)) ?? file;
    const fromPackages = path.resolve(real).startsWith(nodeModules + path.sep);
    const kept = fromPackages ? parsedPackages.get(real) : undefined;
    if (kept) return kept;
    const parsed = realGetSourceFile(real, ...rest);
    if (fromPackages && parsed) parsedPackages.set(real, parsed);
    return parsed;
  };
  const program = ts.createProgram(roots, options, host);
  const out: Diagnostic[] = [];
  for (const d of ts.getPreEmitDiagnostics(program)) {
    const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    if (!d.file) {
      out.push({ file: '(compiler)', line: 1, column: 1, message: text, kind: 'type' });
      continue;
    }
    const { line, character } = d.file.getLineAndCharacterOfPosition(d.start ?? 0);
    const fileName = path.resolve(d.file.fileName);
    if (request.contract && fileName === path.resolve(request.contract)) {
      // The contract is the course's, but an error in it means the learner's API does not match.
      out.push({
        file: path.relative(request.implRoot, request.entry),
        line: 1,
        column: 1,
        message: `your exports do not match the API the lesson asks for: ${text}`,
        kind: 'type',
      });
      continue;
    }
    const rel = path.relative(request.implRoot, fileName);
    if (!request.graded.includes(rel)) continue;
    out.push({ file: rel, line: line + 1, column: character + 1, message: text, kind: 'type' });
  }
  return out;
}

export type TypecheckReply = { diagnostics?: Diagnostic[]; error?: string };

function answer(request: TypecheckRequest): TypecheckReply {
  try {
    return { diagnostics: typecheck(request) };
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

if (require.main === module) {
  if (process.argv.includes('--serve')) {
    process.on('message', (message: { id: number; request: TypecheckRequest }) => process.send?.({ id: message.id, ...answer(message.request) }));
    process.on('disconnect', () => process.exit(0));
  } else {
    process.once('message', (request: TypecheckRequest) => process.send?.(answer(request), () => process.exit(0)));
  }
}
