/**
 * One janitor sweep of one zone: list every record set (all pages), find our
 * owner's hosts, ask EC2 which still run, delete the records of the others,
 * optionally health-check the SRV targets whose containers asked for it.
 *
 * A state-change event is a hint, never the verdict: EventBridge delivers
 * events late (up to an hour, with retries) and more than once, and a stopped
 * instance may have been started again since. So the event's instance is
 * looked up in EC2 first, and its records stay when it runs.
 *
 * It runs the same in the Lambda (scheduled, or on an instance state-change
 * event) and from the command line (`npm run janitor`).
 */
import type { Logger } from "../cli/logger";
import type { DnsProvider } from "../dns/dns-provider";
import { recordKey, type DnsRecord } from "../dns/records";
import { instanceIdsIn, planJanitorDeletes, type DeleteReason } from "./dead-host-records";
import { srvTargets, unhealthyTargets, type HealthCheckOptions, type Probe } from "./health-check";
import type { InstanceStates } from "./instance-states";

/** What a sweep looks at. */
export type SweepScope =
  /** Every host of the owner in the zone; liveness from EC2. */
  | { readonly kind: "all" }
  /**
   * One instance an EC2 state-change event reported stopping or gone. EC2 is
   * asked first; when it lists the instance as running, nothing is listed
   * or deleted.
   */
  | { readonly kind: "instance-gone"; readonly instanceId: string };

/** Dependencies and settings of a sweep. */
export interface JanitorOptions {
  readonly dns: DnsProvider;
  readonly instances: InstanceStates;
  readonly owner: string;
  readonly logger: Logger;
  /** Log the deletes, make none. @default false */
  readonly dryRun?: boolean;
  /** Probe the SRV targets that asked for it (janitor/health-check.ts). @default - no health checks */
  readonly healthCheck?: HealthCheckOptions;
  /** For tests. @default an HTTP GET */
  readonly probe?: Probe;
}

/** What a sweep did. */
export interface JanitorReport {
  readonly recordSets: number;
  readonly listCalls: number;
  readonly hosts: number;
  readonly deadHosts: readonly string[];
  readonly deleted: Readonly<Record<DeleteReason | "failed-health-check", number>>;
  readonly failed: number;
  readonly changeCalls: number;
  readonly durationMs: number;
}

/** Run one sweep. Throws only when the zone or EC2 cannot be read. */
export async function runJanitor(options: JanitorOptions, scope: SweepScope, signal: AbortSignal): Promise<JanitorReport> {
  const started = Date.now();
  const { dns, owner, logger } = options;

  let isRunning: (id: string) => boolean;
  let onlyHosts: ReadonlySet<string> | undefined;
  let records: DnsRecord[];
  let listed = true;
  if (scope.kind === "instance-gone") {
    const running = await options.instances.running([scope.instanceId], signal);
    onlyHosts = new Set([scope.instanceId]);
    isRunning = (id) => running.has(id);
    // A running instance's records are its agent's: the zone need not even be read.
    listed = !running.has(scope.instanceId);
    if (!listed) logger.info({ instanceId: scope.instanceId }, "EC2 lists the instance as running (started again, or an old event): its records stay");
    records = listed ? await dns.listRecords(signal) : [];
  } else {
    records = await dns.listRecords(signal);
    const running = await options.instances.running(instanceIdsIn(records, owner), signal);
    isRunning = (id) => running.has(id);
  }
  const plan = planJanitorDeletes(records, owner, isRunning, onlyHosts);
  for (const hostId of plan.uncheckedHostIds) logger.debug({ hostId }, "host id is not an EC2 instance id: left alone");

  const toDelete: { record: DnsRecord; reason: DeleteReason | "failed-health-check" }[] = plan.deletes.map((d) => ({ record: d.record, reason: d.reason }));
  if (options.healthCheck && scope.kind === "all") {
    const doomed = new Set(toDelete.map((d) => d.record));
    const candidates = srvTargets(records, owner).filter((t) => !doomed.has(t.record));
    for (const target of await unhealthyTargets(candidates, options.healthCheck, options.probe)) {
      logger.warn({ url: target.url, name: target.record.name }, "SRV target failed every health check try");
      toDelete.push({ record: target.record, reason: "failed-health-check" });
    }
  }

  const deleted = { "host-gone": 0, "failed-health-check": 0 };
  let failed = 0;
  let changeCalls = 0;
  for (const { record, reason } of toDelete) {
    logger.info({ action: options.dryRun ? "would-delete" : "delete", name: record.name, type: record.type, setIdentifier: record.setIdentifier, values: record.values, reason }, "record");
  }
  if (!options.dryRun && toDelete.length > 0) {
    const result = await dns.applyChanges({ create: [], update: [], delete: toDelete.map((d) => d.record) }, signal);
    changeCalls = result.changeCalls;
    failed = result.failed.length;
    const gone = new Set(result.applied.delete.map(recordKey));
    for (const { record, reason } of toDelete) if (gone.has(recordKey(record))) deleted[reason] += 1;
    for (const f of result.failed) logger.error({ name: f.record.name, type: f.record.type, setIdentifier: f.record.setIdentifier, reason: f.reason }, "delete failed");
  }

  const deadHosts = [...new Set(plan.deletes.filter((d) => d.reason === "host-gone").map((d) => d.hostId))];
  const report: JanitorReport = {
    recordSets: records.length,
    listCalls: listed ? (dns.lastList?.pages ?? 0) : 0,
    hosts: plan.hostIds.length,
    deadHosts,
    deleted,
    failed,
    changeCalls,
    durationMs: Date.now() - started,
  };
  logger.info({ ...report, dryRun: options.dryRun ?? false, scope: scope.kind }, "janitor sweep done");
  return report;
}
