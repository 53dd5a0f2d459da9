/**
 * The Jenkinsfile as Groovy: parsed and checked by npm-groovy-lint (CodeNarc,
 * on Java) with the Jenkinsfile rule set (.groovylintrc.json), as
 * `npm run lint:jenkinsfile` runs it. A copy cut short proves that the parser
 * really parses: it must report the syntax error.
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { run } from "../../scripts/lib/run";

const root = resolve(__dirname, "..", "..");
// A JVM start and CodeNarc take about a minute on an idle machine, much longer on a busy one.
jest.setTimeout(20 * 60_000);

interface LintReport {
  readonly files: Record<string, { readonly errors: readonly { readonly line: number; readonly rule: string; readonly severity: string; readonly msg: string }[] }>;
}

let dir: string;
let report: LintReport;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "jenkinsfile-lint-"));
  const jenkinsfile = readFileSync(join(root, "Jenkinsfile"), "utf8");
  copyFileSync(join(root, "Jenkinsfile"), join(dir, "Jenkinsfile"));
  writeFileSync(join(dir, "Broken.groovy"), jenkinsfile.slice(0, jenkinsfile.lastIndexOf("}")));
  // One run for both files: one JVM start.
  const reportFile = join(dir, "report.json");
  const result = await run(join(root, "node_modules", ".bin", "npm-groovy-lint"), ["--noserver", "--config", join(root, ".groovylintrc.json"), "--output", reportFile, "Jenkinsfile", "Broken.groovy"], { cwd: dir });
  if (!existsSync(reportFile)) throw new Error(`npm-groovy-lint wrote no report (exit ${result.code}):\n${result.output}`);
  report = JSON.parse(readFileSync(reportFile, "utf8"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const findings = (file: string) => Object.entries(report.files).find(([name]) => name.endsWith(file))?.[1].errors ?? [];

test("the Jenkinsfile parses, with no error and no warning of the Jenkinsfile rules", () => {
  expect(Object.keys(report.files).some((name) => name.endsWith("Jenkinsfile"))).toBe(true);
  expect(findings("Jenkinsfile").filter((f) => f.severity !== "info").map((f) => `${f.line}: ${f.rule} ${f.msg}`)).toEqual([]);
});

test("a Jenkinsfile cut short is reported as a parse error", () => {
  expect(findings("Broken.groovy").filter((f) => f.severity === "error").map((f) => f.rule)).toContain("NglParseError");
});
