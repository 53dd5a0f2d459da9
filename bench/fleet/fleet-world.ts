/**
 * The world of the fleet benchmark: one hosted zone in the strict in-memory
 * Route53 behind the account's request budget, foreign records around ours,
 * and hosts whose agents are wired exactly as main.ts wires them
 * (agent/assemble.ts) from the installed unit's flags.
 */
import { assembleLoop, assemblePass, limitedApi } from "../../agent/assemble";
import type { AgentConfig } from "../../agent/config";
import type { HostIdentity } from "../../agent/desired-records";
import type { ContainerInfo } from "../../agent/ports";
import type { ReconcilePass } from "../../agent/reconcile-pass";
import type { RateLimitedRoute53Api } from "../../dns/route53/rate-limited-api";
import { SILENT_LOGGER } from "../../cli/logger";
import { InMemoryRoute53 } from "../../dns/memory/in-memory-dns";
import { AccountRequestBudget, BudgetedRoute53Api } from "../../dns/memory/request-budget";
import { recordKey } from "../../dns/records";
import type { ListPage, ListPageRequest, Route53Api, WireChange, WireRecordSet } from "../../dns/route53/route53-api";
import { fromWire } from "../../dns/route53/record-mapping";
import { SimDocker } from "./sim-docker";

/** The zone every simulated agent writes. */
export const ZONE_NAME = "svc.internal.";
/** Tasks per service, and containers per host. */
export const TASKS_PER_SERVICE = 15;
/** Owner of the foreign multivalue records (another deployment). */
export const FOREIGN_OWNER = "other";

/** `_svc-0042._tcp`: the SRV name of service `n`. */
export const serviceName = (n: number) => `_svc-${String(n).padStart(4, "0")}._tcp`;

/** A Route53Api in front of the account's budget: answers after `latencyMs`, and reports accepted changes. */
class HostApi implements Route53Api {
  constructor(
    private readonly inner: Route53Api,
    private readonly latencyMs: number,
    private readonly onChanged: (changes: readonly WireChange[]) => void,
  ) {}

  async listRecordSets(request: ListPageRequest, signal?: AbortSignal): Promise<ListPage> {
    await delay(this.latencyMs);
    return this.inner.listRecordSets(request, signal);
  }

  async changeRecordSets(zoneId: string, changes: WireChange[], signal?: AbortSignal): Promise<void> {
    await delay(this.latencyMs);
    await this.inner.changeRecordSets(zoneId, changes, signal);
    this.onChanged(changes);
  }

  async getZoneName(zoneId: string, signal?: AbortSignal): Promise<string> {
    await delay(this.latencyMs);
    return this.inner.getZoneName(zoneId, signal);
  }
}

const delay = (ms: number) => (ms > 0 ? new Promise<void>((resolve) => setTimeout(resolve, ms)) : Promise.resolve());

/** One host: its Docker and, while it runs, its agent. */
export class SimHost {
  readonly docker = new SimDocker();
  private stop?: AbortController;
  private hard?: AbortController;
  private running?: Promise<void>;
  private pass?: ReconcilePass;
  private api?: RateLimitedRoute53Api;

  constructor(
    readonly identity: HostIdentity,
    private readonly world: FleetWorld,
  ) {}

  /** Starts the agent, as main.ts does (without its HTTP server and watchdog). */
  startAgent(config: AgentConfig): void {
    const parts = { config, identity: this.identity, zoneName: ZONE_NAME, api: this.world.apiFor(), docker: this.docker, logger: SILENT_LOGGER };
    this.stop = new AbortController();
    this.hard = new AbortController();
    const api = limitedApi(parts);
    this.api = api;
    this.pass = assemblePass(parts, api);
    this.running = assembleLoop(parts, this.pass, api).run(this.stop.signal, this.hard.signal);
  }

  /** SIGTERM: the loop ends after its pass, then, with `--deregister-on-exit`, the host's records go. */
  async stopAgent(config: AgentConfig): Promise<void> {
    if (!this.stop || !this.running || !this.pass) return;
    this.stop.abort();
    await this.running;
    if (config.deregisterOnExit) {
      this.api?.release();
      try {
        await this.pass.run(this.hard!.signal, true, []);
      } catch {
        // main.ts logs it and exits 1; the janitor removes what is left.
      }
    }
    this.stop = undefined;
  }
}

/** The zone, the budget and the hosts. */
export class FleetWorld {
  readonly route53 = new InMemoryRoute53();
  readonly zoneId: string;
  readonly budget: AccountRequestBudget;
  readonly account: BudgetedRoute53Api;
  /** Foreign record sets as seeded, by key. */
  readonly foreign = new Map<string, WireRecordSet>();
  /** Container starts waiting for their SRV record: `<set identifier>` → start time. */
  private readonly pendingStarts = new Map<string, number>();
  /** start → change accepted, ms, for the starts that were tracked. */
  readonly startToChangeMs: number[] = [];
  private nextContainer = 1;

  constructor(
    private readonly latencyMs: number,
    zoneId: string,
  ) {
    this.zoneId = this.route53.createZone(ZONE_NAME, zoneId);
    this.budget = new AccountRequestBudget();
    this.account = new BudgetedRoute53Api(this.route53, this.budget);
  }

  /** Route53 as one agent reaches it: through the account's budget, with latency. */
  apiFor(): Route53Api {
    return new HostApi(this.account, this.latencyMs, (changes) => this.noteChanges(changes));
  }

  /**
   * Fills the zone with `count` record sets of others: simple A records,
   * weighted records, TXT, and at two of our service names what an agent
   * must leave alone (a CNAME, and another owner's multivalue SRV records).
   */
  async seedForeign(count: number): Promise<void> {
    const sets: WireRecordSet[] = [
      { Name: `${serviceName(1)}.${ZONE_NAME}`, Type: "CNAME", TTL: 300, ResourceRecords: [{ Value: "legacy.example.com." }] },
      ...[0, 1].map((i) => ({ Name: `${serviceName(2)}.${ZONE_NAME}`, Type: "SRV", SetIdentifier: `${FOREIGN_OWNER}/i-0f0f0f0f0f0f0f0f${i}/host`, MultiValueAnswer: true, TTL: 10, ResourceRecords: [{ Value: `1 1 ${8000 + i} other-${i}.${ZONE_NAME}` }] })),
    ];
    for (let i = 0; sets.length < count; i++) {
      const name = `legacy-${String(i).padStart(5, "0")}.${ZONE_NAME}`;
      if (i % 50 === 0) sets.push({ Name: name, Type: "A", SetIdentifier: "blue", Weight: 10, TTL: 60, ResourceRecords: [{ Value: `10.200.${(i >> 8) & 255}.${i & 255}` }] });
      else if (i % 10 === 0) sets.push({ Name: name, Type: "TXT", TTL: 300, ResourceRecords: [{ Value: `"owner=team-${i % 7}"` }] });
      else sets.push({ Name: name, Type: "A", TTL: 300, ResourceRecords: [{ Value: `10.200.${(i >> 8) & 255}.${i & 255}` }] });
    }
    for (let i = 0; i < sets.length; i += 500) {
      await this.route53.changeRecordSets(this.zoneId, sets.slice(i, i + 500).map((ResourceRecordSet) => ({ Action: "CREATE", ResourceRecordSet })));
    }
    for (const r of this.route53.snapshot(this.zoneId)) if (r.Type !== "NS" && r.Type !== "SOA") this.foreign.set(wireKey(r), r);
  }

  /** Foreign record sets that are gone or differ from how they were seeded. */
  foreignTouched(): number {
    const now = new Map(this.route53.snapshot(this.zoneId).map((r) => [wireKey(r), r]));
    let touched = 0;
    for (const [key, seeded] of this.foreign) if (JSON.stringify(now.get(key)) !== JSON.stringify(seeded)) touched += 1;
    return touched;
  }

  /** A container of service `service` with a fresh id and host port. */
  newContainer(service: number): ContainerInfo {
    const n = this.nextContainer++;
    return {
      id: n.toString(16).padStart(12, "0").padEnd(64, "a"),
      name: `svc-${service}-${n}`,
      env: { SERVICE_8080_NAME: serviceName(service) },
      labels: {},
      ports: [{ containerPort: 8080, protocol: "tcp", hostIp: "0.0.0.0", hostPort: 32768 + (n % 28000) }],
      networkMode: "bridge",
    };
  }

  /** Tracks a start: its latency is taken when the change creating its SRV record is accepted. */
  trackStart(host: HostIdentity, container: ContainerInfo): void {
    this.pendingStarts.set(`${host.owner}/${host.hostId}/${container.id.slice(0, 12)}-8080`, Date.now());
  }

  /** The SRV record sets of some hosts in the zone, by host id (one snapshot). */
  srvOf(hostIds: readonly string[]): Map<string, WireRecordSet[]> {
    const wanted = new Map(hostIds.map((id) => [id, [] as WireRecordSet[]]));
    for (const r of this.route53.snapshot(this.zoneId)) {
      if (r.Type !== "SRV") continue;
      const hostId = (r.SetIdentifier ?? "").split("/")[1];
      wanted.get(hostId)?.push(r);
    }
    return wanted;
  }

  /** True when the zone holds this record set (one list call on the fake, outside the budget). */
  async has(record: WireRecordSet): Promise<boolean> {
    const page = await this.route53.listRecordSets({ zoneId: this.zoneId, startName: record.Name, startType: record.Type, startIdentifier: record.SetIdentifier, maxItems: 1 });
    return page.recordSets.some((r) => wireKey(r) === wireKey(record));
  }

  /** Deletes a record set behind every agent's back (not through the budget). */
  async deleteBehindBack(record: WireRecordSet): Promise<void> {
    await this.route53.changeRecordSets(this.zoneId, [{ Action: "DELETE", ResourceRecordSet: record }]);
  }

  private noteChanges(changes: readonly WireChange[]): void {
    if (this.pendingStarts.size === 0) return;
    for (const c of changes) {
      const id = c.ResourceRecordSet.SetIdentifier;
      if (c.Action === "DELETE" || !id) continue;
      const startedAt = this.pendingStarts.get(id);
      if (startedAt === undefined) continue;
      this.startToChangeMs.push(Date.now() - startedAt);
      this.pendingStarts.delete(id);
    }
  }
}

/** Route53's key of a wire record set. */
export function wireKey(r: WireRecordSet): string {
  return recordKey(fromWire(r));
}
