// The project's own tests (not the hidden suites: those run through `course check` with the grader's config).
/** @type {import('jest').Config} */
module.exports = {
  rootDir: __dirname,
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/test/fixtures/'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }] },
  testEnvironment: 'node',
  // Rebuilds a stale dist/ first (the tests run the compiled grader) and refuses a Node older than the course's.
  globalSetup: '<rootDir>/jest.global-setup.js',
  testTimeout: 120000,
  maxWorkers: 2,
};
