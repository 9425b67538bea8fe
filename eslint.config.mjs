// Lint for the project's own code (`npm run lint`, part of `npm test` and CI): typescript-eslint's type-aware
// recommended rules, with the types of tsconfig.json (the TypeScript) and tsconfig.scripts.json (the CommonJS tools,
// type-checked as JavaScript). Layout is Prettier's job (`npm run format:check`), not eslint's. Learners' files,
// solutions, mutants and fixtures are not linted here: `course verify` type-checks them per exercise.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      '**/node_modules/**',
      'coverage/**',
      'solutions/**',
      'exercises/**',
      'harness/mutants/**',
      'harness/contracts/**',
      'test/fixtures/**',
      'deploy/**',
      // What `course` writes while it runs (builds, prepared mutants): generated, never edited.
      '.course/**',
    ],
  },
  // A disable comment that no longer disables anything is an error, so none is left behind.
  { linterOptions: { reportUnusedDisableDirectives: 'error' } },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        project: ['./tsconfig.json', './tsconfig.scripts.json', './grader/report/browser/tsconfig.json', './grader/lab/browser/tsconfig.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // The code indexes arrays and records with `!` (`lanes[i]!`) as if noUncheckedIndexedAccess were on, which is how
      // learners' code is checked; without that option every such `!` reads as unnecessary.
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
      // An async method that does not await implements an interface whose other implementations do (Command.run,
      // jest's handleTestEvent): the signature is the contract.
      '@typescript-eslint/require-await': 'off',
      // require() is deliberate in the TypeScript too: the CLI loads a command's module only when it runs (start-up
      // time), and tests load the CommonJS tools of scripts/ by path.
      '@typescript-eslint/no-require-imports': 'off',
      // The grader and the tests match and strip terminal control characters on purpose (safe-text, the pty).
      'no-control-regex': 'off',
      // `const { dropped, ...kept } = x` is how a field is left out of a copy.
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true }],
    },
  },
  {
    // Tests, hidden suites and their peers (mocks, support): they print received data and thrown values of unknown
    // type into failure messages, read JSON outputs and browser objects untyped to assert on them, and throw or
    // rethrow learner-facing failures on purpose; a wrong guess there fails an expectation, it does not ship.
    files: ['test/**', 'harness/suites/**', 'harness/mocks/**', 'harness/support/**'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-base-to-string': 'off',
      '@typescript-eslint/restrict-template-expressions': 'off',
      '@typescript-eslint/only-throw-error': 'off',
      '@typescript-eslint/no-redundant-type-constituents': 'off',
      'preserve-caught-error': 'off',
      'no-useless-assignment': 'off',
    },
  },
  {
    // The tools' messages interpolate values of any type on purpose (diagnostics); the grader's must not.
    files: ['scripts/**', 'bench/**', 'harness/sandbox/**'],
    rules: { '@typescript-eslint/no-base-to-string': 'off', '@typescript-eslint/restrict-template-expressions': 'off' },
  },
  {
    // The CommonJS tools: require() is how they load, and their untyped parameters (no JSDoc) are `any` on purpose
    // (tsconfig.scripts.json: noImplicitAny off), so the no-unsafe-* family would flag every use of them.
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        require: 'readonly',
        module: 'writable',
        exports: 'writable',
        __dirname: 'readonly',
        __filename: 'readonly',
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        setImmediate: 'readonly',
        URL: 'readonly',
        AbortController: 'readonly',
        performance: 'readonly',
        TextDecoder: 'readonly',
        TextEncoder: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-require-imports': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  { files: ['**/*.mjs'], languageOptions: { sourceType: 'module' } },
  {
    // A function of the grader or of the sandbox reads on one screen. A warning until the last long ones are split
    // (gitCommitTime in batch/submitted-at.ts, grade's run, verifyExercise, releaseCourse); then an error.
    files: ['grader/**/*.ts', 'harness/sandbox/**/*.ts'],
    rules: { 'max-lines-per-function': ['warn', { max: 80, skipBlankLines: true, skipComments: true }] },
  },
  {
    // The tools tsconfig.scripts.json does not type-check yet (it says why): linted without type information.
    files: [
      'bench/report.js',
      'bench/qpack.js',
      'scripts/interop-nghttp3.js',
      'bench/h2-flow-control.js',
      'bench/long-polling.js',
      'bench/sse-parser.js',
      'bench/websocket-frames.js',
      'scripts/differential-frames-nghttp2.js',
      'scripts/differential-sse-chromium.js',
      'scripts/interop-nghttp2.js',
      'test/batch/fixture-course.js',
    ],
    ...tseslint.configs.disableTypeChecked,
  },
);
