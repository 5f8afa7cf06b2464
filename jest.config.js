// Tests run TypeScript through esbuild (transpile only); `npm test` type-checks with tsc first.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': '<rootDir>/jest.transform.js' },
  testTimeout: 60000,
  // OCPKIT_TYPECHECK=0 for spawned synths unless a test turns it on (see the file)
  setupFiles: ['<rootDir>/test/_env.js'],
};
