/**
 * Projects: fast pure unit tests; replay of recorded workflow histories; integration tests on a real Temporal server and PostgreSQL; and the
 * browser test (headless Chromium) on the same real stack.
 */
const transform = { '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022' } }] };
const realStack = {
  testEnvironment: 'node',
  transform,
  globalSetup: '<rootDir>/test/integration/globalSetup.ts',
  globalTeardown: '<rootDir>/test/integration/globalTeardown.ts',
};
module.exports = {
  projects: [
    { displayName: 'unit', testEnvironment: 'node', transform, testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    { displayName: 'replay', testEnvironment: 'node', transform, testMatch: ['<rootDir>/test/replay/**/*.test.ts'] },
    { displayName: 'integration', ...realStack, testMatch: ['<rootDir>/test/integration/**/*.test.ts'] },
    { displayName: 'e2e', ...realStack, testMatch: ['<rootDir>/test/e2e/**/*.test.ts'] },
  ],
};
