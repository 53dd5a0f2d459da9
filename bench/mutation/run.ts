/**
 * `npm run test:mutation`: Stryker over the shared DNS core
 * (stryker.config.mjs), then the per-file scores into
 * bench/results/mutation.{json,md} and BENCHMARKS.md. Fails when a file
 * scores under {@link MIN_FILE_SCORE_PERCENT} or when the equivalent mutants
 * disabled in the source and the list in test/mutation/equivalent-mutants.md
 * disagree.
 *
 *   npm run test:mutation                    every mutant (947): measured 27 min for the first 899
 *                                            on the 2 shared cores at a load average of 5 to 15
 *   npm run test:mutation -- --incremental   keeps the results in reports/mutation/stryker-incremental.json;
 *                                            from then on, only mutants whose code or tests changed run
 *
 * Other arguments go to `stryker run`.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join, resolve } from "node:path";
import { markdownTable } from "../lib/stats";
import { writeBenchmarks } from "../report";
import { MIN_FILE_SCORE_PERCENT, fileScores, totalScore, type FileScore, type StrykerReport } from "./scores";
import { equivalentMutantMismatches } from "./equivalent-mutants";

const root = resolve(__dirname, "..", "..");
const REPORT = join(root, "reports", "mutation", "mutation.json");
const BASELINE = join(root, "reports", "mutation", "stryker-incremental.json");

function main(argv: readonly string[]): number {
  // Without a baseline (or with --force), --incremental tests every mutant: a full run.
  const incremental = argv.includes("--incremental") && !argv.includes("--force") && existsSync(BASELINE);
  const mismatches = equivalentMutantMismatches(root);
  for (const m of mismatches) process.stderr.write(`test:mutation: ${m}\n`);

  const loadBefore = loadavg()[0];
  const started = Date.now();
  const stryker = spawnSync("npx", ["stryker", "run", ...argv], { cwd: root, stdio: "inherit" });
  const durationMs = Date.now() - started;
  const loadAfter = loadavg()[0];
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
    /** The machine's 1-minute load average when the run started and ended (2 cores, shared). */
    loadAverage: { start: round2(loadBefore), end: round2(loadAfter) },
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

const round2 = (n: number): number => Math.round(n * 100) / 100;

/** The run in one sentence, for the section's head. */
export function describeRun(results: {
  incremental: boolean;
  durationMs: number;
  measuredAt: string;
  machine: string;
  loadAverage: { start: number; end: number };
}): string {
  const kind = results.incremental ? "an incremental run (`--incremental`: only mutants whose code or tests changed ran)" : "a full run (every mutant)";
  const load = `load average ${results.loadAverage.start.toFixed(1)} at the start and ${results.loadAverage.end.toFixed(1)} at the end`;
  return `Measured ${results.measuredAt.slice(0, 16).replace("T", " ")} UTC by \`npm run test:mutation\`, ${kind}: ${(results.durationMs / 60_000).toFixed(1)} min wall on ${results.machine} (${load}), Stryker with concurrency 2 (one type checker, one jest runner), against the DNS core's unit tests (jest.mutation.config.js). Score = killed ÷ (killed + survived + no coverage); equivalent mutants, disabled in the source, are listed in test/mutation/equivalent-mutants.md. Target: ≥ ${MIN_FILE_SCORE_PERCENT} % in every file.`;
}

/** The per-file table. */
export function scoreTable(scores: readonly FileScore[], total: FileScore): string {
  const row = (s: FileScore) => [
    s.file === "all" ? "**all**" : s.file,
    s.killed + s.timeout + s.survived + s.noCoverage + s.ignored + s.invalid,
    s.killed + s.timeout,
    s.survived,
    s.noCoverage,
    s.ignored,
    s.invalid,
    `${s.scorePercent.toFixed(1)} %`,
  ];
  return markdownTable(
    ["file", "mutants", "killed", "survived", "no coverage", "equivalent (disabled)", "not compiling", "score"],
    [...scores.map(row), row(total)],
  );
}

if (require.main === module) process.exit(main(process.argv.slice(2)));
