#!/usr/bin/env node
// Author tool: builds the helper modules an exercise gives its learners from readable sources that stay
// author-only (in solutions/, which never ships), because those sources are the answers to earlier exercises.
// Each helper becomes <name>.js (bundled with what it imports, minified, CommonJS) and <name>.d.ts (the
// compiler's declaration emit, with the API's doc comments, private members left out) in the exercise's folder.
// A helper that gives an earlier exercise's reference is not a copy of it: its source has a line
// `// build-given: solutions/NN-<id>/<file>.ts`, which the build replaces with that reference (less its opening
// comment), so the helper always holds the reference as it is now.
//   node scripts/build-given.js            writes the files
//   node scripts/build-given.js --check    writes nothing; exits 1 if a committed file differs from a fresh build
// test/course/given-files.test.ts fails when the committed files are stale.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const esbuild = require('esbuild');
const ts = require('typescript');

const ROOT = path.resolve(__dirname, '..');

/** What to build: one entry per exercise folder. `what` says in a few words what each helper is. */
const HELPERS = [
  {
    source: 'solutions/08-h2-flow-control/given',
    target: 'exercises/08-h2-flow-control',
    modules: [
      { name: 'h2-codec', what: 'the HTTP/2 frame codec (FrameParser, encoders)' },
      { name: 'hpack', what: 'the HPACK decoder and encoder (HpackDecoder, HpackEncoder)' },
    ],
  },
  { source: 'solutions/10-qpack/given', target: 'exercises/10-qpack', modules: [{ name: 'huffman', what: 'the HPACK Huffman code (decode and encode)' }] },
];

/** The same settings the grader type-checks learners' code with (grader/run/typecheck-worker.ts), plus emit. */
function compilerOptions(root) {
  return {
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2022.d.ts'],
    module: ts.ModuleKind.Node16,
    moduleResolution: ts.ModuleResolutionKind.Node16,
    types: ['node'],
    typeRoots: [path.join(root, 'node_modules', '@types')],
    strict: true,
    skipLibCheck: true,
    esModuleInterop: true,
    declaration: true,
    emitDeclarationOnly: true,
    removeComments: false,
  };
}

/** The line a helper's source puts where an earlier exercise's reference goes. */
const REFERENCE_LINE = /^\/\/ build-given: (solutions\/[^\s]+\.ts)[ \t]*$/m;

/** A module `spec` imported from `fromFile`, as a path without extension, or undefined when no file is there. */
function resolveRelative(fromFile, spec) {
  const base = path.resolve(path.dirname(fromFile), spec);
  return ['.ts', '.d.ts', '.js'].some((ext) => fs.existsSync(base + ext)) ? base : undefined;
}

/**
 * The text a helper is built from: its source, with the `// build-given:` line replaced by the reference it names
 * (the reference's opening comment block dropped: the helper has its own usage notes). The reference's relative
 * imports are re-pointed from the helper's folder; one that has no file in solutions/ (exercise 1's reference
 * imports the Huffman decoder exercise 1 gives) resolves in the exercise's folder, as `course verify` places it.
 * Returns the text and the reference files it read (relative to root).
 */
function composedSource(root, sourceFile) {
  const text = fs.readFileSync(sourceFile, 'utf8');
  const line = REFERENCE_LINE.exec(text);
  if (!line) return { text, references: [] };
  const referenceFile = path.join(root, line[1]);
  if (!fs.existsSync(referenceFile)) throw new Error(`${path.relative(root, sourceFile)} names ${line[1]}, which does not exist`);
  const lines = fs.readFileSync(referenceFile, 'utf8').split('\n');
  let start = 0;
  while (start < lines.length && lines[start].startsWith('//')) start++;
  while (start < lines.length && lines[start].trim() === '') start++;
  const body = lines
    .slice(start)
    .join('\n')
    .trimEnd()
    .replace(/((?:from|import\()\s*)(['"])(\.{1,2}\/[^'"]+)\2/g, (whole, lead, quote, spec) => {
      const inSolutions = resolveRelative(referenceFile, spec);
      const inExercise = resolveRelative(path.join(root, line[1].replace(/^solutions\//, 'exercises/')), spec);
      const target = inSolutions ?? inExercise;
      if (!target) throw new Error(`${line[1]} imports ${spec}, which is neither in solutions/ nor in the exercise's folder`);
      let rel = path.relative(path.dirname(sourceFile), target).split(path.sep).join('/');
      if (!rel.startsWith('.')) rel = `./${rel}`;
      return `${lead}${quote}${rel}${quote}`;
    });
  return { text: text.slice(0, line.index) + body + text.slice(line.index + line[0].length), references: [line[1]] };
}

/** The comment block that opens a source file (its `//` lines up to the first other line): the usage notes. */
function leadingComment(text) {
  const lines = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('//')) break;
    lines.push(line);
  }
  return lines.join('\n');
}

/** A declaration transformer: private members are not API (their names and notes describe the implementation). */
function withoutPrivateMembers(context) {
  const isPrivate = (member) =>
    (member.name && ts.isPrivateIdentifier(member.name)) ||
    (ts.canHaveModifiers(member) && (ts.getModifiers(member) ?? []).some((m) => m.kind === ts.SyntaxKind.PrivateKeyword));
  const visit = (node) => {
    if (ts.isClassDeclaration(node)) {
      return ts.factory.updateClassDeclaration(
        node,
        node.modifiers,
        node.name,
        node.typeParameters,
        node.heritageClauses,
        node.members.filter((m) => !isPrivate(m)),
      );
    }
    return ts.visitEachChild(node, visit, context);
  };
  return (file) => ts.visitEachChild(file, visit, context);
}

function declarations(root, group, composed) {
  const sources = group.modules.map((m) => path.join(root, group.source, `${m.name}.ts`));
  const options = compilerOptions(root);
  // The compiler reads each helper's source as composed (with its reference in place), not the file on disk.
  const host = ts.createCompilerHost(options, true);
  const readFile = host.readFile.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.readFile = (file) => composed.get(path.resolve(file))?.text ?? readFile(file);
  host.getSourceFile = (file, language, onError, shouldCreate) => {
    const own = composed.get(path.resolve(file));
    return own ? ts.createSourceFile(file, own.text, language, true) : getSourceFile(file, language, onError, shouldCreate);
  };
  const program = ts.createProgram(sources, options, host);
  const errors = ts.getPreEmitDiagnostics(program);
  if (errors.length) {
    const text = errors.map((d) => {
      const own = d.file && composed.get(path.resolve(d.file.fileName));
      const as = own && own.references.length ? ` (as composed with ${own.references.join(', ')})` : '';
      const where = d.file ? `${path.relative(root, d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}${as} ` : '';
      return `${where}${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    });
    throw new Error(`the sources of the given helpers do not type-check:\n${text.join('\n')}`);
  }
  const emitted = new Map();
  const result = program.emit(undefined, (file, text) => emitted.set(path.resolve(file), text), undefined, true, {
    afterDeclarations: [withoutPrivateMembers],
  });
  if (result.emitSkipped) throw new Error('declaration emit was skipped');
  return new Map(
    group.modules.map((m) => {
      const file = path.join(root, group.source, `${m.name}.d.ts`);
      const text = emitted.get(file);
      if (text === undefined) throw new Error(`no declarations were emitted for ${path.relative(root, file)}`);
      return [m.name, text];
    }),
  );
}

/** Every generated file, in memory: [{ file (relative to root), text }]. */
function buildGiven(courseRoot = ROOT) {
  const root = path.resolve(courseRoot);
  const out = [];
  for (const group of HELPERS) {
    const sourceDir = path.join(root, group.source);
    const names = group.modules.map((m) => m.name);
    const composed = new Map(
      group.modules.map((m) => {
        const file = path.join(sourceDir, `${m.name}.ts`);
        return [file, composedSource(root, file)];
      }),
    );
    const dts = declarations(root, group, composed);
    for (const m of group.modules) {
      const source = `${group.source}/${m.name}.ts`;
      const notice = `${source}. Do not edit: course authors change that and run the script again.`;
      const jsHeader = [
        `// ${m.name}.js: ${m.what}, ready to use; its documented API is ${m.name}.d.ts.`,
        '// Generated (bundled and minified by esbuild, CommonJS for node20) by scripts/build-given.js from',
        `// ${notice}`,
      ].join('\n');
      const bundle = esbuild.buildSync({
        absWorkingDir: root,
        stdin: {
          contents: /** @type {{ text: string }} */ (composed.get(path.join(sourceDir, `${m.name}.ts`))).text,
          resolveDir: sourceDir,
          sourcefile: `${m.name}.ts`,
          loader: 'ts',
        },
        bundle: true,
        write: false,
        platform: 'node',
        format: 'cjs',
        target: 'node20',
        minify: true,
        sourcemap: false,
        legalComments: 'none',
        logLevel: 'silent',
        banner: { js: jsHeader },
        metafile: true,
        // Fixed settings rather than whatever tsconfig.json esbuild would find above the source (the same output in a
        // copy of the course): strict mode and class fields as the type checker's ES2022 target means them.
        tsconfigRaw: { compilerOptions: { alwaysStrict: true, useDefineForClassFields: true } },
      });
      // Each helper is bundled on its own: one importing another would carry a second copy of it (two classes
      // of the same name, instanceof failing across them). Not needed so far; refuse it rather than ship that.
      for (const input of Object.keys(bundle.metafile.inputs)) {
        const other = names.find((n) => n !== m.name && path.resolve(root, input) === path.join(sourceDir, `${n}.ts`));
        if (other) throw new Error(`${m.name}.ts imports ${other}.ts, another given helper: bundling would copy it`);
      }
      out.push({ file: `${group.target}/${m.name}.js`, text: bundle.outputFiles[0].text });

      const decl = dts.get(m.name);
      // A declaration may only refer to packages and to what ships beside it (another file would not resolve).
      for (const [, spec] of decl.matchAll(/(?:from|import\()\s*['"]([^'"]+)['"]/g)) {
        if (spec.startsWith('.') && !names.some((n) => spec === `./${n}`)) throw new Error(`${m.name}.d.ts refers to ${spec}, which is not shipped beside it`);
      }
      const dtsHeader = [
        `// ${m.name}.d.ts: the API of ${m.name}.js, ${m.what}, with its documentation.`,
        '// Generated (TypeScript declaration emit, private members left out) by scripts/build-given.js from',
        `// ${notice}`,
      ].join('\n');
      const usage = leadingComment(fs.readFileSync(path.join(sourceDir, `${m.name}.ts`), 'utf8'));
      out.push({ file: `${group.target}/${m.name}.d.ts`, text: `${dtsHeader}\n\n${usage ? `${usage}\n\n` : ''}${decl}` });
    }
  }
  return out;
}

/** The generated files whose committed copy is missing or differs from a fresh build. */
function staleGiven(root = ROOT) {
  return buildGiven(root)
    .filter(({ file, text }) => {
      try {
        return fs.readFileSync(path.join(root, file), 'utf8') !== text;
      } catch {
        return true;
      }
    })
    .map(({ file }) => file);
}

module.exports = { HELPERS, buildGiven, staleGiven };

if (require.main === module) {
  if (process.argv.includes('--check')) {
    const stale = staleGiven();
    if (stale.length) {
      console.error(`stale (run node scripts/build-given.js): ${stale.join(', ')}`);
      process.exit(1);
    }
    console.log('the given helpers are up to date');
  } else {
    for (const { file, text } of buildGiven()) {
      fs.writeFileSync(path.join(ROOT, file), text);
      console.log(`wrote ${file} (${Buffer.byteLength(text)} bytes)`);
    }
  }
}
