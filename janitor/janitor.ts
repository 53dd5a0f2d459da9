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
import { NAMES_SLOT, namesInIndex } from "../dns/name-index";
import { normalizeName, recordKey, type DnsRecord } from "../dns/records";
import { isOwnedBy, parseSetIdentifier } from "../dns/set-identifier";
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
  /**
   * Normalized zone name: an instance event then reads the instance's name
   * index (one call; dns/name-index.ts) and the names it lists, not the zone.
   * @default - instance events list the whole zone
   */
  readonly zoneName?: string;
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

/**
 * One instance's records without listing the zone: its host record's name
 * (one call) holds its name index when an agent with owned reads ran there,
 * which lists the other names to read (one call each). `records` is
 * undefined when the zone must be listed after all: records of the instance
 * but no index (an older agent), or an index too long to list its names.
 */
export async function recordsOfInstance(
  dns: DnsProvider,
  instanceId: string,
  owner: string,
  zoneName: string,
  signal: AbortSignal,
): Promise<{ records?: DnsRecord[]; reads: number }> {
  const ours = (r: DnsRecord) => isOwnedBy(r.setIdentifier, owner, instanceId);
  const atHostName = (await dns.listRecordsAt(hostRecordName(instanceId, zoneName), signal)).filter(ours);
  if (atHostName.length === 0) return { records: [], reads: 1 };
  const index = atHostName.find((r) => r.type === "TXT" && parseSetIdentifier(r.setIdentifier)?.slot === NAMES_SLOT);
  const names = index ? namesInIndex(index, zoneName) : undefined;
  if (!names) return { reads: 1 };
  const records = [...atHostName];
  for (const name of names) records.push(...(await dns.listRecordsAt(name, signal)).filter(ours));
  return { records, reads: 1 + names.length };
}

/** `<instanceId>.<zone>`: where an agent writes its host record and name index. */
function hostRecordName(instanceId: string, zoneName: string): string {
  return normalizeName(`${instanceId.toLowerCase()}.${normalizeName(zoneName)}`);
}

/** Run one sweep. Throws only when the zone or EC2 cannot be read. */
export async function runJanitor(options: JanitorOptions, scope: SweepScope, signal: AbortSignal): Promise<JanitorReport> {
  const started = Date.now();
  const { dns, owner, logger } = options;

  let isRunning: (id: string) => boolean;
  let onlyHosts: ReadonlySet<string> | undefined;
  let records: DnsRecord[];
  let listed = true;
  let listCallsOverride: number | undefined;
  if (scope.kind === "instance-gone") {
    const running = await options.instances.running([scope.instanceId], signal);
    onlyHosts = new Set([scope.instanceId]);
    isRunning = (id) => running.has(id);
    // A running instance's records are its agent's: the zone need not even be read.
    listed = !running.has(scope.instanceId);
    if (!listed) logger.info({ instanceId: scope.instanceId }, "EC2 lists the instance as running (started again, or an old event): its records stay");
    let reads = 0;
    if (!listed) records = [];
    else if (options.zoneName) {
      const found = await recordsOfInstance(dns, scope.instanceId, owner, options.zoneName, signal);
      reads = found.reads;
      records = found.records ?? (await dns.listRecords(signal));
      if (found.records) listCallsOverride = reads;
    } else records = await dns.listRecords(signal);
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
    listCalls: listCallsOverride ?? (listed ? (dns.lastList?.pages ?? 0) : 0),
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
