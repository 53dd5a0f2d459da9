/**
 * No invisible skips: a test that needs a missing real part fails under
 * CI=true, naming the part, and is skipped elsewhere; `npm test`'s closing
 * line counts skipped tests and names each one.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { summaryLines } = require("../../scripts/test/summary.js") as { summaryLines: (report: unknown) => string[] };

const run = promisify(execFile);
const ROOT = resolve(__dirname, "../..");

interface Assertion {
  readonly title: string;
  readonly fullName: string;
  readonly status: string;
  readonly failureMessages: string[];
}

/** Runs the fixture under jest with `CI` as given; returns its tests. */
async function runFixture(ci: string | undefined): Promise<Assertion[]> {
  const dir = mkdtempSync(join(tmpdir(), "real-parts-"));
  try {
    const config = {
      rootDir: ROOT,
      roots: ["<rootDir>/test/fixtures/real-parts"],
      testMatch: ["**/*.fixture.ts"],
      testEnvironment: "node",
      transform: { "^.+\\.ts$": ["ts-jest", { diagnostics: false }] },
    };
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.CI;
    if (ci !== undefined) env.CI = ci;
    const report = join(dir, "report.json");
    await run(join(ROOT, "node_modules", ".bin", "jest"), ["--config", JSON.stringify(config), "--json", `--outputFile=${report}`], { cwd: ROOT, env, timeout: 120_000 }).catch(() => undefined);
    return JSON.parse(readFileSync(report, "utf8")).testResults[0].assertionResults as Assertion[];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("under CI=true a test or block whose part is missing fails, naming the part, without running its body", async () => {
  const tests = await runFixture("true");
  expect(tests.map((t) => [t.fullName, t.status])).toEqual([
    ["a block that needs the part needs a-part-this-machine-lacks (apt-get install it)", "failed"],
    ["a test that needs the part", "failed"],
    ["a test whose parts are all here", "passed"],
  ]);
  for (const t of tests.filter((x) => x.status === "failed")) {
    expect(t.failureMessages.join()).toContain("missing: a-part-this-machine-lacks (apt-get install it)");
    expect(t.failureMessages.join()).not.toContain("must not run");
  }
}, 150_000);

test("outside CI it is skipped, its name saying what it needs", async () => {
  const tests = await runFixture(undefined);
  expect(tests.map((t) => [t.fullName, t.status])).toEqual([
    ["a block that needs the part [skipped: needs a-part-this-machine-lacks (apt-get install it)] needs a-part-this-machine-lacks (apt-get install it)", "pending"],
    ["a test that needs the part [skipped: needs a-part-this-machine-lacks (apt-get install it)]", "pending"],
    ["a test whose parts are all here", "passed"],
  ]);
}, 150_000);

describe("the closing line", () => {
  const suite = (name: string, status: string, statuses: string[]) => ({
    name,
    status,
    assertionResults: statuses.map((s, i) => ({ fullName: `${name} test ${i}`, status: s })),
  });

  test("counts passed, failed (a suite that did not load counts once) and skipped (skip and todo), after naming each skipped test", () => {
    const report = {
      numPassedTests: 3,
      numFailedTests: 1,
      numPendingTests: 1,
      numTodoTests: 1,
      testResults: [suite("a.test.ts", "failed", ["passed", "passed", "failed"]), suite("b.test.ts", "passed", ["passed", "pending", "todo"]), suite("broken.test.ts", "failed", [])],
    };
    expect(summaryLines(report)).toEqual(["skipped: b.test.ts test 1 (b.test.ts)", "skipped: b.test.ts test 2 (b.test.ts)", "tests: 3 passed, 2 failed, 2 skipped"]);
  });

  test("is one failure when jest wrote no report", () => {
    expect(summaryLines(undefined)).toEqual(["tests: 0 passed, 1 failed, 0 skipped"]);
  });
});
