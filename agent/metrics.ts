/**
 * Prometheus metrics of one agent, on a registry of its own (no global
 * state, so tests and the benchmark can run several agents in one process).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/** Metric name prefix. */
export const METRIC_PREFIX = "ecsdns_agent_";

/** The agent's metrics. */
export class AgentMetrics {
  readonly registry = new Registry();
  readonly reconciles = new Counter({
    name: `${METRIC_PREFIX}reconciles_total`,
    help: "Reconcile passes, by result (success, partial: some changes failed, error: the pass failed) and kind (full: read the zone; incremental: planned against the last view).",
    labelNames: ["result", "kind"] as const,
    registers: [this.registry],
  });
  readonly reconcileDuration = new Histogram({
    name: `${METRIC_PREFIX}reconcile_duration_seconds`,
    help: "Duration of reconcile passes.",
    labelNames: ["kind"] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  readonly changes = new Counter({
    name: `${METRIC_PREFIX}changes_total`,
    help: "Record changes, by action (create, update, delete) and outcome (applied, failed, dry_run).",
    labelNames: ["action", "outcome"] as const,
    registers: [this.registry],
  });
  readonly route53Calls = new Counter({
    name: `${METRIC_PREFIX}route53_calls_total`,
    help: "Route53 HTTP requests (every SDK attempt), by operation.",
    labelNames: ["operation"] as const,
    registers: [this.registry],
  });
  readonly route53Errors = new Counter({
    name: `${METRIC_PREFIX}route53_errors_total`,
    help: "Route53 requests that failed for a reason other than throttling, by operation.",
    labelNames: ["operation"] as const,
    registers: [this.registry],
  });
  readonly route53Throttles = new Counter({
    name: `${METRIC_PREFIX}route53_throttles_total`,
    help: "Route53 requests answered with Throttling or PriorRequestNotComplete, by operation.",
    labelNames: ["operation"] as const,
    registers: [this.registry],
  });
  readonly dockerReconnects = new Counter({
    name: `${METRIC_PREFIX}docker_reconnects_total`,
    help: "Times the Docker event stream was lost and reopened.",
    registers: [this.registry],
  });
  readonly recordsOwned = new Gauge({
    name: `${METRIC_PREFIX}records_owned`,
    help: "Record sets in the zone that belong to this host.",
    registers: [this.registry],
  });
  readonly lastSuccess = new Gauge({
    name: `${METRIC_PREFIX}last_success_timestamp_seconds`,
    help: "Unix time of the last reconcile pass that left the zone in sync.",
    registers: [this.registry],
  });
  readonly conflicts = new Gauge({
    name: `${METRIC_PREFIX}conflicts`,
    help: "Desired records blocked by a record this agent does not own.",
    registers: [this.registry],
  });
  readonly heartbeats = new Counter({
    name: `${METRIC_PREFIX}heartbeats_total`,
    help: "Heartbeats to CloudWatch, by result: sent, failed, or skipped (the agent was not working).",
    labelNames: ["result"] as const,
    registers: [this.registry],
  });
  readonly containerProblems = new Gauge({
    name: `${METRIC_PREFIX}container_problems`,
    help: "Container variables the agent could not use.",
    registers: [this.registry],
  });

  /**
   * @param processMetrics - also export Node's process metrics (RSS, CPU, event loop lag).
   */
  constructor(processMetrics = false) {
    // prom-client samples event loop delay every 10 ms by default: 100 wakeups
    // a second on an otherwise idle agent. Once a second is plenty here.
    if (processMetrics) collectDefaultMetrics({ register: this.registry, prefix: METRIC_PREFIX, eventLoopMonitoringPrecision: 1000 });
  }

  /** Counts one Route53 HTTP attempt; matches the SDK adapter's call observer. */
  observeRoute53Call(operation: string, outcome: "ok" | "throttled" | "error"): void {
    const op = operation.replace(/Command$/, "");
    this.route53Calls.inc({ operation: op });
    if (outcome === "throttled") this.route53Throttles.inc({ operation: op });
    if (outcome === "error") this.route53Errors.inc({ operation: op });
  }
}
