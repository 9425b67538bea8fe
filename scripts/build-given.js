#!/usr/bin/env node
// Author tool: builds the helper modules an exercise gives its learners from readable sources that stay
// author-only (in solutions/, which never ships), because those sources are the answers to earlier exercises.
// Each helper becomes <name>.js (bundled with what it imports, minified, CommonJS) and <name>.d.ts (the
// compiler's declaration emit, with the API's doc comments, private members left out) in the exercise's folder.
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
    (member.name && ts.isPrivateIdentifier(member.name)) || (ts.canHaveModifiers(member) && (ts.getModifiers(member) ?? []).some((m) => m.kind === ts.SyntaxKind.PrivateKeyword));
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

function declarations(root, group) {
  const sources = group.modules.map((m) => path.join(root, group.source, `${m.name}.ts`));
  const program = ts.createProgram(sources, compilerOptions(root));
  const errors = ts.getPreEmitDiagnostics(program);
  if (errors.length) {
    const text = errors.map((d) => {
      const where = d.file ? `${path.relative(root, d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1} ` : '';
      return `${where}${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    });
    throw new Error(`the sources of the given helpers do not type-check:\n${text.join('\n')}`);
  }
  const emitted = new Map();
  const result = program.emit(undefined, (file, text) => emitted.set(path.resolve(file), text), undefined, true, { afterDeclarations: [withoutPrivateMembers] });
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
    const dts = declarations(root, group);
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
        entryPoints: [path.join(sourceDir, `${m.name}.ts`)],
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
