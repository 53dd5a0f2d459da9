/**
 * One reconcile pass: list containers → desired records → current records →
 * plan → policy → apply. Level-triggered: it never looks at which event
 * caused it.
 *
 * Reading the zone costs one call per 300 record sets, shared by the whole
 * account's 10 requests/s. How much of it a pass reads is `zoneReads`:
 * - `owned` (the default): the agent trusts its write-through view (what it
 *   wrote) and reads only names. At start it reads its host record's name
 *   (one call): with nothing of its own there, no earlier run of this host
 *   left records (the host record and its name index, dns/name-index.ts,
 *   go in the same batch as the first and the last of them), so nothing
 *   else is read; with its name index there, it reads the names the index
 *   lists (one call each); with records of its own but no index (an older
 *   agent), it lists the zone once. A
 *   full pass (every resync) reads nothing: it UPSERTs every record of this
 *   host in one call, which puts back what was deleted behind its back. A
 *   name whose change Route53 rejected (a foreign record there, a DELETE
 *   that no longer matched) is read before the next pass plans it.
 * - `all`: full passes (start, resync, reconnect, after a failure) list the
 *   whole zone, as agents before issue 15 did.
 * Event passes plan against the view: the zone as last read plus the
 * changes applied since. UPSERT and "DELETE of a record already gone counts
 * as done" make a stale view harmless.
 */
import { computeDesiredRecords, hostRecordName, type HostIdentity, type WithheldContainer } from "./desired-records";
import type { ContainerProblem } from "./container-conventions";
import type { Logger } from "../cli/logger";
import type { AgentMetrics } from "./metrics";
import { planChanges } from "../dns/planner";
import { applyPolicy, type Policy } from "../dns/policy";
import type { ApplyResult, DnsProvider } from "../dns/dns-provider";
import type { DockerSource } from "./ports";
import { EMPTY_CHANGES, changeCount, recordKey, type ChangeSet, type DnsRecord, type RecordUpdate } from "../dns/records";
import { isOwnedBy, parseSetIdentifier } from "../dns/set-identifier";
import { NAMES_SLOT, nameIndexRecord, namesInIndex } from "../dns/name-index";

/** Settings and dependencies of a pass. */
export interface ReconcilePassOptions {
  readonly docker: DockerSource;
  readonly dns: DnsProvider;
  readonly host: HostIdentity;
  /** Normalized zone name. */
  readonly zoneName: string;
  readonly defaultTtlSeconds: number;
  readonly policy: Policy;
  readonly dryRun: boolean;
  readonly logger: Logger;
  readonly metrics?: AgentMetrics;
  /** What the pass reads of the zone (see the file comment). @default "all" */
  readonly zoneReads?: ZoneReads;
  /**
   * Reads the names the name index lists, at start (owned reads). The agent
   * passes the Route53 side without its token bucket: only an agent that
   * restarts on a host that already has records reads them (a new instance
   * has none), once, and its first change should not wait one token per name.
   * @default dns
   */
  readonly indexReads?: Pick<DnsProvider, "listRecordsAt">;
}

/** How much of the zone the agent reads: `owned` names only, or `all` of it on every full pass. */
export type ZoneReads = "owned" | "all";
/** The values `--zone-reads` accepts. */
export const ZONE_READS: readonly ZoneReads[] = ["owned", "all"];

/** What a pass did. */
export interface PassOutcome {
  /** True when the pass listed the zone. */
  readonly full: boolean;
  /** Changes after policy, before applying. */
  readonly planned: ChangeSet;
  /** Absent in dry-run and when nothing was to be done. */
  readonly result?: ApplyResult;
  /** True when the zone now holds exactly the desired records (always false in dry-run with changes). */
  readonly inSync: boolean;
}

/** Runs passes and keeps what they need between runs. */
export class ReconcilePass {
  private zoneView?: Map<string, DnsRecord>;
  /** Names to read before the next pass plans (owned reads: their changes failed). */
  private namesToRead = new Set<string>();
  /** Names this pass read (owned reads), for its summary line. */
  private namesRead = 0;
  private readonly reportedProblems = new Map<string, Set<string>>();
  /** Container id → the health status last logged as holding its records back. */
  private reportedWithheld = new Map<string, string>();
  private reportedConflicts = new Set<string>();

  constructor(private readonly options: ReconcilePassOptions) {}

  /** Forgets the zone view, so the next pass lists the zone. */
  invalidate(): void {
    this.zoneView = undefined;
    this.namesToRead.clear();
  }

  /**
   * Runs one pass.
   *
   * @param full - list the zone even if a view is cached.
   * @param desiredOverride - records to reach instead of the containers' (`[]` deregisters).
   * @throws transport errors of Docker or Route53 (throttling after the SDK's
   * retries, network). The zone view survives those of an apply: a batch is
   * atomic, and a change whose answer was lost is harmless to repeat (UPSERT,
   * DELETE of a record already gone), so a retry need not read the whole zone
   * again. A failed listing drops the view: the retry reads the zone.
   */
  async run(signal: AbortSignal, full: boolean, desiredOverride?: readonly DnsRecord[]): Promise<PassOutcome> {
    const { options } = this;
    const ownedReads = (options.zoneReads ?? "all") === "owned";
    const wanted = desiredOverride ?? (await this.desiredRecords(signal));
    const desired = ownedReads ? this.withNameIndex(wanted) : wanted;
    this.namesRead = 0;
    const hadView = this.zoneView !== undefined;
    const listed = ownedReads ? await this.readOwned(signal) : full || !this.zoneView;
    if (listed && !ownedReads) await this.listZone(signal);
    const plan = planChanges(desired, [...this.zoneView!.values()], { owner: options.host.owner, hostId: options.host.hostId });
    this.reportConflicts(plan.conflicts.map((c) => ({ key: recordKey(c.desired), desired: c.desired, blocking: c.blocking })));
    const policed = desiredOverride ? plan.changes : applyPolicy(plan.changes, options.policy);
    // Owned reads: a full pass rewrites every record of ours it believes is there, unchanged ones
    // too, unless it has just read them (at start): then the view is what the zone holds.
    const planned = ownedReads && full && hadView ? withRefresh(policed, desired, this.zoneView!) : policed;
    options.metrics?.recordsOwned.set(plan.ownedCurrent.length);

    if (changeCount(planned) === 0) {
      this.logPassDone(listed, full, plan.ownedCurrent.length, plan.conflicts.length, "all records up to date");
      return { full: listed, planned: EMPTY_CHANGES, inSync: plan.conflicts.length === 0 };
    }
    if (options.dryRun) {
      this.logChanges(planned, "dry_run");
      this.logPassDone(listed, full, plan.ownedCurrent.length, plan.conflicts.length, "dry run: changes not made");
      return { full: listed, planned, inSync: false };
    }
    const result = await options.dns.applyChanges(planned, signal);
    this.logChanges(result.applied, "applied");
    for (const f of result.failed) {
      options.metrics?.changes.inc({ action: f.action, outcome: "failed" });
      options.logger.warn({ action: f.action, name: f.record.name, type: f.record.type, setIdentifier: f.record.setIdentifier, reason: f.reason }, "change failed; retried next pass");
    }
    this.updateView(result.applied);
    if (result.failed.length > 0) {
      if (ownedReads) for (const f of result.failed) this.namesToRead.add(f.record.name);
      else this.invalidate();
    }
    const owned = plan.ownedCurrent.length + result.applied.create.length - result.applied.delete.length;
    options.metrics?.recordsOwned.set(owned);
    this.logPassDone(listed, full, owned, plan.conflicts.length, result.failed.length > 0 ? "some changes failed" : "changes applied", result.changeCalls);
    return { full: listed, planned, result, inSync: result.failed.length === 0 && plan.conflicts.length === 0 };
  }

  /** Lists the whole zone into the view; a failed listing drops the view. */
  private async listZone(signal: AbortSignal): Promise<void> {
    let current: DnsRecord[];
    try {
      current = await this.options.dns.listRecords(signal);
    } catch (error) {
      // This pass was to read the zone (a resync, a reconnect): its retry must read it too,
      // not plan against the older view it was meant to repair.
      this.invalidate();
      throw error;
    }
    this.zoneView = new Map();
    this.putInView(current);
  }

  /**
   * Owned reads: builds the view at start (the host record's name; the whole
   * zone once if an earlier run left records), then reads the names whose
   * changes failed. Returns true when the whole zone was listed.
   */
  private async readOwned(signal: AbortSignal): Promise<boolean> {
    const { dns, host, zoneName } = this.options;
    if (!this.zoneView) {
      const atHostName = await dns.listRecordsAt(hostRecordName(host.hostId, zoneName), signal);
      this.namesRead += 1;
      const ours = atHostName.filter((r) => isOwnedBy(r.setIdentifier, host.owner, host.hostId));
      const index = ours.find((r) => r.type === "TXT" && parseSetIdentifier(r.setIdentifier)?.slot === NAMES_SLOT);
      const names = index ? namesInIndex(index, zoneName) : ours.length === 0 ? [] : undefined;
      // Records of an earlier run, and no index (or one too long) to say where: read the zone once.
      if (!names) {
        await this.listZone(signal);
        return true;
      }
      const view = new Map<string, DnsRecord>();
      this.zoneView = view;
      this.putInView(atHostName);
      try {
        for (const name of names) {
          this.putInView(await (this.options.indexReads ?? dns).listRecordsAt(name, signal));
          this.namesRead += 1;
        }
      } catch (error) {
        if (this.zoneView === view) this.zoneView = undefined;
        throw error;
      }
      return false;
    }
    for (const name of [...this.namesToRead].sort()) {
      const records = await dns.listRecordsAt(name, signal);
      this.namesRead += 1;
      for (const key of [...this.zoneView.keys()]) if (key.startsWith(`${name} `)) this.zoneView.delete(key);
      this.putInView(records);
      this.namesToRead.delete(name);
    }
    return false;
  }

  /** The desired records and, when there are any, the name index that lists their names (dns/name-index.ts). */
  private withNameIndex(records: readonly DnsRecord[]): readonly DnsRecord[] {
    const { host, zoneName, defaultTtlSeconds } = this.options;
    const hostName = hostRecordName(host.hostId, zoneName);
    const ttl = records.find((r) => r.name === hostName && r.type === "A")?.ttlSeconds ?? defaultTtlSeconds;
    const index = records.length > 0 ? nameIndexRecord(records, host, hostName, zoneName, ttl) : undefined;
    return index ? [...records, index] : records;
  }

  /** Adds records read from the zone: ours whole, others compacted. */
  private putInView(records: readonly DnsRecord[]): void {
    const { owner, hostId } = this.options.host;
    for (const r of records) this.zoneView!.set(recordKey(r), isOwnedBy(r.setIdentifier, owner, hostId) ? r : compactForeign(r));
  }

  private async desiredRecords(signal: AbortSignal): Promise<readonly DnsRecord[]> {
    const { options } = this;
    const containers = await options.docker.listContainers(signal);
    const desired = computeDesiredRecords({ containers, host: options.host, zoneName: options.zoneName, defaultTtlSeconds: options.defaultTtlSeconds });
    this.reportProblems(desired.problems, new Set(containers.map((c) => c.id)));
    this.reportWithheld(desired.withheld);
    return desired.records;
  }

  /** Logs a container once each time its health starts holding its records back. */
  private reportWithheld(withheld: readonly WithheldContainer[]): void {
    const now = new Map<string, string>();
    for (const w of withheld) {
      now.set(w.containerId, w.health);
      if (this.reportedWithheld.get(w.containerId) === w.health) continue;
      this.options.logger.info(
        { containerId: w.containerId, container: w.containerName, health: w.health },
        `not publishing the container's records while Docker reports it ${w.health}`,
      );
    }
    this.reportedWithheld = now;
  }

  /** Logs each problem once per container; forgets containers that are gone. */
  private reportProblems(problems: readonly ContainerProblem[], running: ReadonlySet<string>): void {
    for (const id of this.reportedProblems.keys()) if (!running.has(id)) this.reportedProblems.delete(id);
    for (const p of problems) {
      const seen = this.reportedProblems.get(p.containerId) ?? new Set<string>();
      this.reportedProblems.set(p.containerId, seen);
      const key = `${p.variable}=${p.value}`;
      if (seen.has(key)) continue;
      seen.add(key);
      this.options.logger.warn(
        { containerId: p.containerId, container: p.containerName, variable: p.variable, source: p.source, value: p.value, reason: p.reason },
        p.source === "docker" ? `skipping the container: ${p.reason}` : `skipping ${p.variable}: ${p.reason}`,
      );
    }
    this.options.metrics?.containerProblems.set(problems.length);
  }

  private reportConflicts(conflicts: readonly { key: string; desired: DnsRecord; blocking: DnsRecord }[]): void {
    const now = new Set(conflicts.map((c) => c.key));
    for (const c of conflicts) {
      if (this.reportedConflicts.has(c.key)) continue;
      this.options.logger.warn(
        { name: c.desired.name, type: c.desired.type, blockingType: c.blocking.type, blockingRouting: c.blocking.routing, blockingSetIdentifier: c.blocking.setIdentifier },
        "conflict: the name is taken by a record this agent does not own; not publishing it",
      );
    }
    this.reportedConflicts = now;
    this.options.metrics?.conflicts.set(now.size);
  }

  /** One summary line per pass: info for full passes (a heartbeat every resync), debug for event passes. */
  private logPassDone(listed: boolean, asked: boolean, ownedRecords: number, conflicts: number, outcome: string, changeCalls = 0): void {
    const full = listed || asked;
    const list = listed ? this.options.dns.lastList : undefined;
    // Owned reads: the names read (one call each), and no zone size, which the agent never learns.
    const reads = list ? { listCalls: list.pages, zoneRecords: list.records } : this.namesRead > 0 ? { listCalls: this.namesRead } : {};
    const fields = { full, ownedRecords, conflicts, changeCalls, ...reads, outcome };
    if (full) this.options.logger.info(fields, "full pass done");
    else this.options.logger.debug(fields, "event pass done");
  }

  private logChanges(changes: ChangeSet, outcome: "applied" | "dry_run"): void {
    const line = (action: string, r: DnsRecord, extra: object = {}): void => {
      this.options.metrics?.changes.inc({ action, outcome });
      this.options.logger.info(
        { action, name: r.name, type: r.type, value: r.values.join(","), ttl: r.ttlSeconds, setIdentifier: r.setIdentifier, ...(outcome === "dry_run" ? { dryRun: true } : {}), ...extra },
        outcome === "dry_run" ? `would ${action} ${r.type} ${r.name}` : `${action} ${r.type} ${r.name}`,
      );
    };
    for (const r of changes.create) line("create", r);
    // A refresh (an UPSERT of a record as it is) is no change worth a line.
    for (const u of changes.update) if (u.from !== u.to) line("update", u.to, { previousValue: u.from.values.join(","), previousTtl: u.from.ttlSeconds });
    for (const r of changes.delete) line("delete", r);
  }

  private updateView(applied: ChangeSet): void {
    if (!this.zoneView) return;
    for (const r of applied.create) this.zoneView.set(recordKey(r), r);
    for (const u of applied.update) this.zoneView.set(recordKey(u.to), u.to);
    for (const r of applied.delete) this.zoneView.delete(recordKey(r));
  }
}

/**
 * A full pass under owned reads: the planned changes plus an UPSERT of every
 * desired record the view already holds unchanged, so that a record deleted
 * behind the agent's back comes back without reading the zone. Same batch,
 * so it costs no call more than the changes themselves.
 */
function withRefresh(changes: ChangeSet, desired: readonly DnsRecord[], view: ReadonlyMap<string, DnsRecord>): ChangeSet {
  const touched = new Set([...changes.create.map(recordKey), ...changes.update.map((u) => recordKey(u.to)), ...changes.delete.map(recordKey)]);
  const refresh: RecordUpdate[] = [];
  for (const d of desired) {
    const current = view.get(recordKey(d));
    if (!current || touched.has(recordKey(d))) continue;
    touched.add(recordKey(d));
    refresh.push({ from: current, to: current });
  }
  return refresh.length === 0 ? changes : { ...changes, update: [...changes.update, ...refresh] };
}

/**
 * A record of someone else, reduced to what conflict detection reads (name,
 * type, routing, alias, set identifier): a 10,000-record zone is mostly
 * other people's records, and their values need not stay in memory.
 */
function compactForeign(r: DnsRecord): DnsRecord {
  return {
    name: r.name,
    type: r.type,
    ...(r.setIdentifier !== undefined ? { setIdentifier: r.setIdentifier } : {}),
    routing: r.routing,
    ttlSeconds: r.ttlSeconds,
    values: [],
    ...(r.alias ? { alias: true } : {}),
  };
}
