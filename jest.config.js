/**
 * One jest run for everything. ts-jest only transpiles (tsconfig sets
 * isolatedModules); `npm run typecheck` type-checks once, which is several
 * times faster than letting ts-jest type-check every file.
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": ["ts-jest", { diagnostics: false }] },
  setupFilesAfterEnv: ["<rootDir>/test/setup.ts"],
  testTimeout: 30_000,
  maxWorkers: 2,
};
