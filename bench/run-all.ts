/**
 * `npm run bench`: runs every benchmark, then writes BENCHMARKS.md from their
 * results (bench/report.ts).
 *
 *   npm run bench                          all of them (about 40 minutes on 2 cores; bench:deploy alone 26)
 *   npm run bench -- --only synth,agent    some of them, then the report
 *   npm run bench -- --report-only         the report from the results already there
 *
 * Benchmarks run one after the other: they share the machine's 2 cores, and
 * a benchmark that runs beside another measures the other.
 */
import { spawnSync } from "node:child_process";
import { join, resolve } from "node:path";
import { writeBenchmarks } from "./report";

const root = resolve(__dirname, "..");

/** Each benchmark: how to run it, and the results file it writes. */
const BENCHMARKS: Readonly<Record<string, { command: string[]; env?: Record<string, string> }>> = {
  synth: { command: ["npx", "tsx", "bench/synth/run.ts"] },
  agent: { command: ["npx", "tsx", "bench/agent/run.ts"] },
  janitor: { command: ["npx", "tsx", "bench/janitor/run.ts"] },
  "bad-input": { command: ["npx", "tsx", "bench/bad-input/run.ts"] },
  fleet: { command: ["npx", "tsx", "bench/fleet/run.ts"] },
  deploy: { command: ["npx", "tsx", "bench/deploy/run.ts"] },
  // The fault suite measures while it proves convergence (R1).
  faults: { command: ["npm", "test", "--", "test/faults"], env: { FAULTS_REPORT: "1" } },
  // The fault matrix's second column: every case again with a busy loop on every core (issue 17).
  "faults-busy": { command: ["npm", "test", "--", "test/faults"], env: { FAULTS_REPORT: "1", FAULTS_EVERY_CORE_BUSY: "1" } },
};

function main(argv: readonly string[]): number {
  const reportOnly = argv.includes("--report-only");
  const onlyArg = argv[argv.indexOf("--only") + 1];
  const selected = argv.includes("--only") ? (onlyArg ?? "").split(",").filter(Boolean) : Object.keys(BENCHMARKS);
  const unknown = selected.filter((name) => !BENCHMARKS[name]);
  if (unknown.length > 0) {
    process.stderr.write(`bench: unknown benchmark(s) ${unknown.join(", ")}; known: ${Object.keys(BENCHMARKS).join(", ")}\n`);
    return 2;
  }
  let failed = 0;
  if (!reportOnly) {
    for (const name of selected) {
      const { command, env } = BENCHMARKS[name];
      process.stdout.write(`\n=== bench: ${name} (${command.join(" ")})\n`);
      const started = Date.now();
      const result = spawnSync(command[0], command.slice(1), { cwd: root, stdio: "inherit", env: { ...process.env, ...env } });
      process.stdout.write(`=== bench: ${name} ${result.status === 0 ? "done" : `FAILED (${result.status})`} in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
      if (result.status !== 0) failed += 1;
    }
  }
  writeBenchmarks(root, { resultsDir: join(root, "bench", "results"), generatedAt: new Date() });
  process.stdout.write(`\nwrote BENCHMARKS.md and bench/results/scaling.svg${failed ? ` (${failed} benchmark(s) failed; their sections say so)` : ""}\n`);
  return failed > 0 ? 1 : 0;
}

process.exit(main(process.argv.slice(2)));
