/**
 * The janitor's heartbeat check (every minute, from its own schedule): the
 * records of a running host whose agent stopped reporting (dead, hung, or
 * failing every pass) are removed, unless the guard holds them; the counts
 * go to CloudWatch, where two alarms page (modules/dns-janitor.ts).
 *
 * It reads CloudWatch and EC2 on every run, and Route53 only when a host is
 * newly silent: a check that finds every agent reporting makes no Route53
 * call at all. With the zone's name it reads a silent host's records through
 * its name index (dns/name-index.ts: 1 call, plus 1 per listed name; 1 once
 * they are gone), whatever the zone's size; without it, or for a host with
 * no index, it lists the zone.
 */
import type { Logger } from "../cli/logger";
import type { DnsProvider } from "../dns/dns-provider";
import { recordKey } from "../dns/records";
import type { DnsRecord } from "../dns/records";
import { planJanitorDeletes } from "./dead-host-records";
import { HEARTBEAT_LOOK_BACK_SECONDS, type HeartbeatStore } from "./heartbeats";
import type { InstanceStates } from "./instance-states";
import { recordsOfInstance } from "./janitor";
import { judgeSilentAgents, type HoldReason } from "./silent-agents";

/** Dependencies and settings of a check. */
export interface HeartbeatCheckOptions {
  readonly dns: DnsProvider;
  readonly instances: InstanceStates;
  readonly heartbeats: HeartbeatStore;
  readonly owner: string;
  /** The zone's name: read silent hosts' records by their name index instead of listing the zone. */
  readonly zoneName?: string;
  readonly logger: Logger;
  readonly silentAfterSeconds: number;
  readonly maxSilentPercent: number;
  /** Log the deletes, make none. @default false */
  readonly dryRun?: boolean;
  /** @default Date.now */
  readonly now?: () => number;
}

/** What a check found and did. */
export interface HeartbeatCheckReport {
  readonly checkedHosts: number;
  readonly silentHosts: readonly string[];
  readonly cleanedHosts: readonly string[];
  readonly heldHosts: readonly string[];
  readonly holdReason: HoldReason | null;
  readonly deleted: number;
  readonly failed: number;
  readonly listCalls: number;
  readonly changeCalls: number;
  readonly durationMs: number;
}

/** Runs one check. Throws when CloudWatch, EC2 or the zone cannot be read, or the counts cannot be published. */
export async function runHeartbeatCheck(options: HeartbeatCheckOptions, signal: AbortSignal): Promise<HeartbeatCheckReport> {
  const now = options.now ?? Date.now;
  const started = now();
  const { logger } = options;
  const reporting = await options.heartbeats.reportingHosts(signal);
  const verdictOf = async () => {
    const running = reporting.length > 0 ? await options.instances.running(reporting, signal) : new Set<string>();
    const candidates = reporting.filter((id) => running.has(id));
    const nowMs = now();
    const last = await options.heartbeats.lastHeartbeats(candidates, nowMs - HEARTBEAT_LOOK_BACK_SECONDS * 1000, nowMs, signal);
    return judgeSilentAgents(
      { reportingHostIds: reporting, running, lastHeartbeatAtMs: last.lastAtMs, complete: last.complete },
      { nowMs, silentAfterMs: options.silentAfterSeconds * 1000, maxSilentPercent: options.maxSilentPercent },
    );
  };
  const verdict = await verdictOf();
  if (verdict.held.length > 0) {
    logger.error(
      { heldHosts: verdict.held, holdReason: verdict.holdReason, checkedHosts: verdict.checked.length },
      "agents stopped reporting on too many hosts at once (or CloudWatch answered in part): deleting nothing; the held-silent-hosts alarm pages",
    );
  }
  for (const hostId of verdict.clean) logger.warn({ hostId, silentAfterSeconds: options.silentAfterSeconds }, "the agent of a running host stopped reporting: removing its records");

  let deleted = 0;
  let failed = 0;
  let changeCalls = 0;
  let listCalls = 0;
  if (verdict.clean.length > 0) {
    const silent = new Set(verdict.clean);
    const records = await recordsOfHosts(options, verdict.clean, signal, (calls) => (listCalls += calls));
    const plan = planJanitorDeletes(records, options.owner, (id) => !silent.has(id), silent);
    for (const { record, hostId } of plan.deletes) {
      logger.info({ action: options.dryRun ? "would-delete" : "delete", name: record.name, type: record.type, setIdentifier: record.setIdentifier, values: record.values, hostId, reason: "agent-silent" }, "record");
    }
    if (!options.dryRun && plan.deletes.length > 0) {
      const result = await options.dns.applyChanges({ create: [], update: [], delete: plan.deletes.map((d) => d.record) }, signal);
      changeCalls = result.changeCalls;
      failed = result.failed.length;
      const gone = new Set(result.applied.delete.map(recordKey));
      deleted = plan.deletes.filter((d) => gone.has(recordKey(d.record))).length;
      for (const f of result.failed) logger.error({ name: f.record.name, type: f.record.type, setIdentifier: f.record.setIdentifier, reason: f.reason }, "delete failed");
    }
  }
  await options.heartbeats.publishCounts({ silent: verdict.silent.length, held: verdict.held.length }, signal);

  const report: HeartbeatCheckReport = {
    checkedHosts: verdict.checked.length,
    silentHosts: verdict.silent,
    cleanedHosts: verdict.clean,
    heldHosts: verdict.held,
    holdReason: verdict.holdReason ?? null,
    deleted,
    failed,
    listCalls,
    changeCalls,
    durationMs: now() - started,
  };
  logger.info({ ...report, dryRun: options.dryRun ?? false }, "heartbeat check done");
  return report;
}

/** The records of `hostIds`: by their name indexes when the zone's name is known and each has one, else the zone. */
async function recordsOfHosts(options: HeartbeatCheckOptions, hostIds: readonly string[], signal: AbortSignal, count: (calls: number) => void): Promise<DnsRecord[]> {
  const { dns, owner, zoneName } = options;
  if (zoneName) {
    const found: DnsRecord[] = [];
    for (const hostId of hostIds) {
      const one = await recordsOfInstance(dns, hostId, owner, zoneName, signal);
      count(one.reads);
      if (!one.records) return listZone();
      found.push(...one.records);
    }
    return found;
  }
  return listZone();

  async function listZone(): Promise<DnsRecord[]> {
    const records = await dns.listRecords(signal);
    count(dns.lastList?.pages ?? 0);
    return records;
  }
}
