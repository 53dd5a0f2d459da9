// @ts-check
/**
 * Mutation testing of the shared DNS core (`npm run test:mutation`, which runs
 * bench/mutation/run.ts). Stryker changes one operator, condition or
 * literal at a time in the files below and runs the core's unit tests
 * (jest.mutation.config.js) against it: a change that no test notices
 * ("survived") is a regression the suite would let through.
 * Equivalent mutants are disabled in the source with a reason, and listed in
 * test/mutation/equivalent-mutants.md.
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  packageManager: "npm",
  testRunner: "jest",
  jest: { configFile: "jest.mutation.config.js", enableFindRelatedTests: true },
  // Mutants that do not type-check are dropped before any test runs (no score either way).
  checkers: ["typescript"],
  tsconfigFile: "tsconfig.mutation.json",
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  mutate: [
    "dns/records.ts",
    "dns/set-identifier.ts",
    "dns/planner.ts",
    "agent/container-conventions.ts",
    "agent/http-check-convention.ts",
    "agent/desired-records.ts",
    "dns/route53/batching.ts",
    "dns/route53/record-mapping.ts",
    "dns/route53/route53-api.ts",
    "dns/error-code.ts",
  ],
  coverageAnalysis: "perTest",
  // The machine has 2 cores, shared with the rest of what runs on it.
  concurrency: 2,
  timeoutMS: 10_000,
  reporters: ["json", "clear-text", "progress"],
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  // The baseline `--incremental` starts from: committed, so a run tests only the mutants that changed.
  incrementalFile: "reports/mutation/stryker-incremental.json",
  // scripts/test/mutation.ts applies the 90 % rule to every file; Stryker's own threshold is the whole run's.
  thresholds: { high: 95, low: 90, break: null },
  tempDirName: ".stryker-tmp",
  cleanTempDir: true,
  ignorePatterns: [".cache", ".test-env", ".local", "cdktf.out", "dist", "bench/results", "reports"],
};
