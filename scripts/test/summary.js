#!/usr/bin/env node
/**
 * `npm test`'s closing line from jest's JSON report (--json --outputFile):
 *
 *   node scripts/test/summary.js <report.json>
 *
 * prints the name of every skipped test, then `tests: N passed, N failed, N skipped`
 * as the last line (what CI reads). A missing report counts as one failure, and so
 * does each suite that failed to load (it has no test results), so a run that
 * executed nothing cannot pass for green. Skipped counts test.skip/describe.skip
 * (jest's "pending") and test.todo: a skip is never silent.
 */
const fs = require("node:fs");

/** The lines to print for a parsed report (`undefined`: no report). */
function summaryLines(report) {
  if (!report) return ["tests: 0 passed, 1 failed, 0 skipped"];
  const brokenSuites = report.testResults.filter((s) => s.status === "failed" && s.assertionResults.length === 0).length;
  const skippedNames = report.testResults.flatMap((s) =>
    s.assertionResults.filter((a) => a.status === "pending" || a.status === "todo").map((a) => `skipped: ${a.fullName} (${s.name})`),
  );
  const skipped = report.numPendingTests + report.numTodoTests;
  return [...skippedNames, `tests: ${report.numPassedTests} passed, ${report.numFailedTests + brokenSuites} failed, ${skipped} skipped`];
}

module.exports = { summaryLines };

if (require.main === module) {
  const file = process.argv[2];
  const report = file && fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : undefined;
  console.log(summaryLines(report).join("\n"));
}
