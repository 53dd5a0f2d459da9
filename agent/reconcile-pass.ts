/**
 * One reconcile pass: list containers → desired records → current records →
 * plan → policy → apply. Level-triggered: it never looks at which event
 * caused it.
 *
 * Reading the zone costs one call per 300 record sets, shared with the
 * account's 10 requests/s, so only full passes (start, resync, reconnect,
 * after a failure) list it; event passes plan against the zone as the last
 * full pass saw it plus the changes applied since. UPSERT and
 * "DELETE of a record already gone counts as done" make a stale view
 * harmless, and the next resync corrects it.
 */
import { computeDesiredRecords, type HostIdentity, type WithheldContainer } from "./desired-records";
import type { ContainerProblem } from "./container-conventions";
import type { Logger } from "../cli/logger";
import type { AgentMetrics } from "./metrics";
import { planChanges } from "../dns/planner";
import { applyPolicy, type Policy } from "../dns/policy";
import type { ApplyResult, DnsProvider } from "../dns/dns-provider";
import type { DockerSource } from "./ports";
import { EMPTY_CHANGES, changeCount, recordKey, type ChangeSet, type DnsRecord } from "../dns/records";
import { isOwnedBy } from "../dns/set-identifier";

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
}

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
  private readonly reportedProblems = new Map<string, Set<string>>();
  /** Container id → the health status last logged as holding its records back. */
  private reportedWithheld = new Map<string, string>();
  private reportedConflicts = new Set<string>();

  constructor(private readonly options: ReconcilePassOptions) {}

  /** Forgets the zone view, so the next pass lists the zone. */
  invalidate(): void {
    this.zoneView = undefined;
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
    const desired = desiredOverride ?? (await this.desiredRecords(signal));
    const listed = full || !this.zoneView;
    if (listed) {
      let current: DnsRecord[];
      try {
        current = await options.dns.listRecords(signal);
      } catch (error) {
        // This pass was to read the zone (a resync, a reconnect): its retry must read it too,
        // not plan against the older view it was meant to repair.
        this.invalidate();
        throw error;
      }
      const scope = { owner: options.host.owner, hostId: options.host.hostId };
      this.zoneView = new Map(current.map((r) => [recordKey(r), isOwnedBy(r.setIdentifier, scope.owner, scope.hostId) ? r : compactForeign(r)]));
    }
    const plan = planChanges(desired, [...this.zoneView!.values()], { owner: options.host.owner, hostId: options.host.hostId });
    this.reportConflicts(plan.conflicts.map((c) => ({ key: recordKey(c.desired), desired: c.desired, blocking: c.blocking })));
    const planned = desiredOverride ? plan.changes : applyPolicy(plan.changes, options.policy);
    options.metrics?.recordsOwned.set(plan.ownedCurrent.length);

    if (changeCount(planned) === 0) {
      this.logPassDone(listed, plan.ownedCurrent.length, plan.conflicts.length, "all records up to date");
      return { full: listed, planned: EMPTY_CHANGES, inSync: plan.conflicts.length === 0 };
    }
    if (options.dryRun) {
      this.logChanges(planned, "dry_run");
      this.logPassDone(listed, plan.ownedCurrent.length, plan.conflicts.length, "dry run: changes not made");
      return { full: listed, planned, inSync: false };
    }
    const result = await options.dns.applyChanges(planned, signal);
    this.logChanges(result.applied, "applied");
    for (const f of result.failed) {
      options.metrics?.changes.inc({ action: f.action, outcome: "failed" });
      options.logger.warn({ action: f.action, name: f.record.name, type: f.record.type, setIdentifier: f.record.setIdentifier, reason: f.reason }, "change failed; retried next pass");
    }
    this.updateView(result.applied);
    if (result.failed.length > 0) this.invalidate();
    const owned = plan.ownedCurrent.length + result.applied.create.length - result.applied.delete.length;
    options.metrics?.recordsOwned.set(owned);
    this.logPassDone(listed, owned, plan.conflicts.length, result.failed.length > 0 ? "some changes failed" : "changes applied", result.changeCalls);
    return { full: listed, planned, result, inSync: result.failed.length === 0 && plan.conflicts.length === 0 };
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
  private logPassDone(full: boolean, ownedRecords: number, conflicts: number, outcome: string, changeCalls = 0): void {
    const list = full ? this.options.dns.lastList : undefined;
    const fields = { full, ownedRecords, conflicts, changeCalls, ...(list ? { listCalls: list.pages, zoneRecords: list.records } : {}), outcome };
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
    for (const u of changes.update) line("update", u.to, { previousValue: u.from.values.join(","), previousTtl: u.from.ttlSeconds });
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
