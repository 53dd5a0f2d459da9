/**
 * The fleet benchmark's table, for bench/results/fleet.md and BENCHMARKS.md,
 * with the goals in its header (they hold for 200 hosts).
 */
import { markdownTable } from "../lib/stats";
import type { FleetRunResult } from "./fleet-run";

/** A run as bench/results/fleet.json holds it: the figures the table and the goals read. */
export type FleetFigures = Pick<
  FleetRunResult,
  | "hosts"
  | "steadyRequestsPerSecond"
  | "refreshMaxRequestsPer10s"
  | "startToChangeP50Ms"
  | "restoreSeconds"
  | "foreignRecordsTouched"
  | "janitorForeignEventCalls"
  | "throttled"
  | "requests"
  | "wallSeconds"
> & { readonly variant: string };

/** True when a run meets every goal of issue 15. */
export function meetsGoals(r: FleetFigures): boolean {
  return (
    r.steadyRequestsPerSecond <= 1 &&
    r.refreshMaxRequestsPer10s <= 50 &&
    r.startToChangeP50Ms !== null &&
    r.startToChangeP50Ms <= 300 &&
    r.restoreSeconds !== null &&
    r.restoreSeconds <= 600 &&
    r.foreignRecordsTouched === 0 &&
    r.janitorForeignEventCalls <= 1
  );
}

/** The results table (also in BENCHMARKS.md). */
export function fleetTable(runs: readonly FleetFigures[]): string {
  const show = (v: number | null, digits = 3) => (v === null ? "not restored" : String(Number(v.toPrecision(digits))));
  return markdownTable(
    ["variant", "hosts", "steady req/s (≤ 1)", "refresh: max req per 10 s (≤ 50)", "start → change p50 ms (≤ 300)", "restore s (≤ 600)", "foreign touched", "janitor foreign event calls (≤ 1)", "throttled / requests", "wall time"],
    runs.map((r) => [r.variant, r.hosts, show(r.steadyRequestsPerSecond), r.refreshMaxRequestsPer10s, r.startToChangeP50Ms === null ? "-" : Math.round(r.startToChangeP50Ms), r.restoreSeconds === null ? "not restored" : Math.round(r.restoreSeconds), r.foreignRecordsTouched, r.janitorForeignEventCalls, `${r.throttled} / ${r.requests}`, `${Math.round(r.wallSeconds)} s`]),
  );
}

