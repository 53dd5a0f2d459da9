/**
 * `npm run test:mutation`: Stryker over the shared DNS core
 * (stryker.config.mjs), then the per-file scores into
 * bench/results/mutation.{json,md} and BENCHMARKS.md. Fails when a file
 * scores under {@link MIN_FILE_SCORE_PERCENT} or when the equivalent mutants
 * disabled in the source and the list in test/mutation/equivalent-mutants.md
 * disagree.
 *
 *   npm run test:mutation                    every mutant (about 930; Stryker estimated 40 minutes
 *                                            on the 2 shared cores at a load average of 20)
 *   npm run test:mutation -- --incremental   keeps the results in reports/mutation/stryker-incremental.json;
 *                                            from then on, only mutants whose code or tests changed run
 *
 * Other arguments go to `stryker run`.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join, resolve } from "node:path";
import { markdownTable } from "../lib/stats";
import { writeBenchmarks } from "../report";
import { MIN_FILE_SCORE_PERCENT, fileScores, totalScore, type FileScore, type StrykerReport } from "./scores";
import { equivalentMutantMismatches } from "./equivalent-mutants";

const root = resolve(__dirname, "..", "..");
const REPORT = join(root, "reports", "mutation", "mutation.json");

function main(argv: readonly string[]): number {
  const incremental = argv.includes("--incremental");
  const mismatches = equivalentMutantMismatches(root);
  for (const m of mismatches) process.stderr.write(`test:mutation: ${m}\n`);

  const started = Date.now();
  const stryker = spawnSync("npx", ["stryker", "run", ...argv], { cwd: root, stdio: "inherit" });
  const durationMs = Date.now() - started;
  if (stryker.status !== 0 || !existsSync(REPORT)) {
    process.stderr.write(`test:mutation: stryker failed (exit ${stryker.status ?? stryker.signal})\n`);
    return 1;
  }

  const scores = fileScores(JSON.parse(readFileSync(REPORT, "utf8")) as StrykerReport);
  const total = totalScore(scores);
  const below = scores.filter((s) => s.scorePercent < MIN_FILE_SCORE_PERCENT);
  const results = {
    measuredAt: new Date().toISOString(),
    machine: `${cpus().length} × ${cpus()[0]?.model ?? "unknown CPU"}, Node ${process.version}`,
    incremental,
    durationMs,
    minFileScorePercent: MIN_FILE_SCORE_PERCENT,
    files: scores,
    total,
  };
  const table = scoreTable(scores, total);
  writeFileSync(join(root, "bench", "results", "mutation.json"), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(root, "bench", "results", "mutation.md"), `# M1 mutation score\n\n${describeRun(results)}\n\n${table}\n`);
  writeBenchmarks(root, { resultsDir: join(root, "bench", "results"), generatedAt: new Date() });

  process.stdout.write(`\n${table}\n\n`);
  for (const s of below) process.stderr.write(`test:mutation: ${s.file} scores ${s.scorePercent.toFixed(1)} %, under ${MIN_FILE_SCORE_PERCENT} %\n`);
  process.stdout.write(`mutation score ${total.scorePercent.toFixed(1)} % in ${(durationMs / 60_000).toFixed(1)} min; ${below.length} file(s) under ${MIN_FILE_SCORE_PERCENT} %; wrote BENCHMARKS.md\n`);
  return below.length > 0 || mismatches.length > 0 ? 1 : 0;
}

/** The run in one sentence, for the section's head. */
export function describeRun(results: { incremental: boolean; durationMs: number; measuredAt: string; machine: string }): string {
  const kind = results.incremental ? "an incremental run (`--incremental`: only mutants whose code or tests changed ran)" : "a full run";
  return `Measured ${results.measuredAt.slice(0, 10)} by \`npm run test:mutation\`, ${kind} of ${(results.durationMs / 60_000).toFixed(1)} min on ${results.machine}, Stryker with concurrency 2, against the DNS core's unit tests (jest.mutation.config.js). Score = killed ÷ (killed + survived + no coverage); equivalent mutants, disabled in the source, are listed in test/mutation/equivalent-mutants.md. Target: ≥ ${MIN_FILE_SCORE_PERCENT} % in every file.`;
}

/** The per-file table. */
export function scoreTable(scores: readonly FileScore[], total: FileScore): string {
  const row = (s: FileScore) => [s.file === "all" ? "**all**" : s.file, `${s.scorePercent.toFixed(1)} %`, s.killed + s.timeout, s.survived, s.noCoverage, s.ignored, s.invalid];
  return markdownTable(["file", "score", "killed", "survived", "no coverage", "equivalent (disabled)", "not compiling"], [...scores.map(row), row(total)]);
}

if (require.main === module) process.exit(main(process.argv.slice(2)));
