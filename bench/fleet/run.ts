/**
 * `npm run bench:fleet`: a fleet of agents within Route53's request budget
 * (issue 15). N agents (the real reconciler, planner and Route53 adapter,
 * wired as main.ts wires them, with the installed unit's flags) run in one
 * process on a virtual clock against the strict in-memory Route53 behind
 * the account's token bucket (burst 50, refill 10/s, shared by every caller:
 * requests over it are answered `Throttling`, and counted).
 *
 * Timeline of a run (virtual time, fleet-run.ts TIMELINE): agents start
 * over the first 5 minutes; from minute 5 a rolling deploy of one service
 * every minute (15 tasks, each: new container, the old one stops 30 s later,
 * on the same host); steady state measured over minutes 7–17; at minute 7
 * ten SRV records are deleted behind their agents' backs and watched for 10
 * minutes; at minute 18 an instance refresh replaces every host within 5 minutes (the old agent
 * deregisters on SIGTERM as its unit says, the janitor gets the termination
 * event 30 s later, the new host's agent starts a minute later and its 15
 * tasks start over the next 30 s); its 10-s windows are measured until
 * minute 25. Then the janitor handles one event for an instance that never
 * ran an agent. Route53 answers every call after BENCH_FLEET_LATENCY_MS
 * (50). The SDK's own retries are not simulated: a throttled call fails the
 * pass, and the agent's loop backs off.
 *
 * Variants: "after" runs the agent as the stacks install it (the unit's
 * flags, the agent's defaults); "before" adds the flags that give back the
 * old behaviour (see BEFORE_FLAGS).
 *
 * Knobs: BENCH_FLEET_SIZES (20,200,1000), BENCH_FLEET_VARIANTS (before,after).
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { installedAgentArgs } from "./installed-flags";
import { runFleet, type FleetRunResult } from "./fleet-run";
import { fleetChartSvg } from "./fleet-chart";
import { fleetTable } from "./fleet-report";

const ROOT = resolve(__dirname, "..", "..");
const ZONE = { id: "ZFLEETBENCH0000000001", name: "svc.internal" };
const ZONE_SIZE = 10_000;
/** Flags that give the agent's old behaviour back (every resync lists the whole zone, every 60 s). */
export const BEFORE_FLAGS: readonly string[] = ["--zone-reads", "all", "--resync-seconds", "60", "--route53-burst", "0"];

async function main(): Promise<void> {
  const sizes = (process.env.BENCH_FLEET_SIZES ?? "20,200,1000").split(",").map(Number);
  const variants = (process.env.BENCH_FLEET_VARIANTS ?? "before,after").split(",") as ("before" | "after")[];
  const latencyMs = Number(process.env.BENCH_FLEET_LATENCY_MS ?? 50);
  const installed = installedAgentArgs(ZONE);
  process.stdout.write(`installed agent flags: ${installed.join(" ")}\n`);
  const dir = join(ROOT, "bench", "results");
  const file = join(dir, "fleet.json");
  for (const variant of variants) {
    for (const hosts of sizes) {
      const agentArgs = variant === "before" ? [...installed, ...BEFORE_FLAGS] : installed;
      const { series: windows, ...figures } = await runFleet({ variant, hosts, agentArgs, zoneSize: ZONE_SIZE, latencyMs, seed: 15 });
      process.stdout.write(`${JSON.stringify(figures)}\n`);
      // Runs of variants and sizes not run this time are kept (read again now: another run may have written meanwhile).
      const previous: { runs: Omit<FleetRunResult, "series">[]; series: SeriesEntry[] } = existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : { runs: [], series: [] };
      const other = (r: { variant: string; hosts: number }) => r.variant !== variant || r.hosts !== hosts;
      const runs = [...previous.runs.filter(other), figures].sort(byVariantAndSize);
      const series = [...previous.series.filter(other), { variant, hosts, windows }].sort(byVariantAndSize);
      writeFileSync(file, `${JSON.stringify({ zoneSize: ZONE_SIZE, latencyMs, runs, series }, null, 2)}\n`);
      writeFileSync(join(dir, "fleet.svg"), fleetChartSvg(series.map((s) => ({ variant: s.variant, hosts: s.hosts, series: s.windows }))));
      writeFileSync(join(dir, "fleet.md"), `${fleetTable(runs)}\n`);
    }
  }
  process.stdout.write("wrote bench/results/fleet.json, fleet.md, fleet.svg\n");
}

interface SeriesEntry {
  readonly variant: "before" | "after";
  readonly hosts: number;
  readonly windows: FleetRunResult["series"];
}

const byVariantAndSize = (a: { variant: string; hosts: number }, b: { variant: string; hosts: number }) => (a.variant === b.variant ? a.hosts - b.hosts : a.variant === "before" ? -1 : 1);

main().catch((error: unknown) => {
  process.stderr.write(`bench:fleet: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});
