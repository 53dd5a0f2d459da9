/**
 * The jest run Stryker mutates against (`npm run test:mutation`): only the
 * DNS core's unit tests (with their small fast-check properties), which need
 * no dockerd, moto or Terraform.
 *
 * Not the Route53 adapter's tests (test/dns/route53-provider.test.ts): they
 * test what is not mutated here (sending, paging, repairs), and their
 * 10,000-record zone and 1,200 creates took seconds for each mutant of
 * records.ts; batching and record mapping have tests of their own.
 *
 * Not the two property suites (test/dns/planner.property.test.ts,
 * test/properties/desired-records.property.test.ts): jest cannot stop at a
 * first failure under Stryker, so every test covering a mutant runs in full
 * for each of about a thousand mutants, and with those two Stryker estimated
 * 3.5 hours on this machine against about half an hour without (both runs
 * measured side by side, machine shared). `npm test` runs them as always;
 * the score here is what the deterministic tests alone catch.
 *
 * Not test/setup.ts: cdktf's matchers are not used here, and loading cdktf
 * would add seconds to every one of Stryker's test runs; for the same
 * reason the AWS SDK, which none of these tests calls, is replaced by a stub
 * that fails if called (test/mutation/no-aws-sdk.ts).
 * test/mutation/jest-setup.ts fixes fast-check's seed.
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: "node",
  rootDir: __dirname,
  roots: ["<rootDir>/test"],
  testMatch: [
    "<rootDir>/test/dns/{records,set-identifier,planner,batching,record-mapping,route53-api}.test.ts",
    "<rootDir>/test/agent/unit/{container-conventions,desired-records,http-check-convention}.test.ts",
  ],
  moduleNameMapper: { "^@aws-sdk/client-route-53$": "<rootDir>/test/mutation/no-aws-sdk.ts" },
  setupFiles: ["<rootDir>/test/mutation/jest-setup.ts"],
  transform: { "^.+\\.ts$": ["ts-jest", { diagnostics: false }] },
  testTimeout: 30_000,
};
