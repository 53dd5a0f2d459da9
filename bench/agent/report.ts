/**
 * The result files: bench/results/agent.md (a table with the
 * target next to each figure) and bench/results/agent.json (raw numbers).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ROOT } from "./bench-env";

/** One row of the results table. */
export interface ResultRow {
  readonly metric: string;
  readonly value: number;
  readonly unit: string;
  /** Human-readable target, e.g. "≤ 300 ms". */
  readonly target: string;
  readonly pass: boolean;
}

/** Writes both result files; returns the Markdown. */
export function writeResults(rows: readonly ResultRow[], raw: Record<string, unknown>, notes: readonly string[]): string {
  const dir = path.join(ROOT, "bench/results");
  mkdirSync(dir, { recursive: true });
  const fmt = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(v < 10 ? 2 : 1));
  const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  const md = [
    "# DNS agent benchmark",
    "",
    `Run ${new Date().toISOString()} on ${machine}, real dockerd and moto (\`npm run bench:agent\`).`,
    "",
    "| metric | value | target | |",
    "| --- | ---: | --- | --- |",
    ...rows.map((r) => `| ${r.metric} | ${fmt(r.value)} ${r.unit} | ${r.target} | ${r.pass ? "ok" : "MISSED"} |`),
    "",
    "Notes:",
    "",
    ...notes.map((n) => `- ${n}`),
    "",
  ].join("\n");
  writeFileSync(path.join(dir, "agent.md"), md);
  writeFileSync(path.join(dir, "agent.json"), `${JSON.stringify({ rows, raw, machine, at: new Date().toISOString() }, null, 2)}\n`);
  return md;
}
