/**
 * The jest run Stryker mutates against (`npm run test:mutation`): only the
 * DNS core's unit and property tests, which need no dockerd, moto or
 * Terraform. Not test/setup.ts: cdktf's matchers are not used here, and
 * loading cdktf would add seconds to every one of Stryker's test runs.
 * test/mutation/jest-setup.ts fixes fast-check's seed and scales the
 * properties' runs down. The AWS SDK, which none of these tests calls, is
 * replaced by a stub that fails if called (test/mutation/no-aws-sdk.ts):
 * loading it took seconds per run.
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: "node",
  rootDir: __dirname,
  roots: ["<rootDir>/test"],
  testMatch: [
    "<rootDir>/test/dns/{records,set-identifier,planner,planner.property,batching,record-mapping,route53-api,route53-provider}.test.ts",
    "<rootDir>/test/agent/unit/{container-conventions,desired-records,http-check-convention}.test.ts",
    "<rootDir>/test/properties/*.test.ts",
  ],
  moduleNameMapper: { "^@aws-sdk/client-route-53$": "<rootDir>/test/mutation/no-aws-sdk.ts" },
  setupFiles: ["<rootDir>/test/mutation/jest-setup.ts"],
  transform: { "^.+\\.ts$": ["ts-jest", { diagnostics: false }] },
  testTimeout: 30_000,
};
