/**
 * One fleet run on the virtual clock (see run.ts for the timeline): N hosts
 * × 15 containers, a rolling deploy of one service every minute, a record
 * deleted behind a few agents' backs, then an instance refresh that replaces
 * every host within 5 minutes (old agent deregisters, the janitor gets the
 * termination event, a new host boots and its tasks start).
 */
import { loadConfig, type AgentConfig } from "../../agent/config";
import type { HostIdentity } from "../../agent/desired-records";
import type { ContainerInfo } from "../../agent/ports";
import { SILENT_LOGGER } from "../../cli/logger";
import { Route53Provider } from "../../dns/route53/route53-provider";
import type { ListPage, ListPageRequest, Route53Api, WireChange, WireRecordSet } from "../../dns/route53/route53-api";
import { runJanitor, type JanitorOptions } from "../../janitor/janitor";
import { percentile } from "../lib/stats";
import { seededRandom } from "../../scripts/lib/seeded-random";
import { FleetWorld, SimHost, TASKS_PER_SERVICE, ZONE_NAME } from "./fleet-world";
import { VirtualClock } from "./virtual-clock";

/** When things happen, in virtual ms from the start. */
export const TIMELINE = {
  /** Agents start at random times in [0, this): a fleet coming up. */
  coldStartSpreadMs: 300_000,
  /** One service is redeployed every minute from here until the refresh. */
  deployFromMs: 300_000,
  deployEveryMs: 60_000,
  /** A deploy starts task j's new container j × this after the deploy began... */
  taskStaggerMs: 4_000,
  /** ...and stops its old container this much later. */
  drainMs: 30_000,
  /** Steady state is measured over [from, to): 10 minutes. */
  steadyFromMs: 420_000,
  steadyToMs: 1_020_000,
  /** Records deleted behind the agents' backs at this time, and watched for 10 minutes. */
  deleteAtMs: 420_000,
  deletedRecords: 10,
  /** Every host replaced at a random time in [refreshAtMs, refreshAtMs + refreshSpreadMs). */
  refreshAtMs: 1_080_000,
  refreshSpreadMs: 300_000,
  /** A replacement host's agent starts this long after the old host's agent stopped. */
  bootMs: 60_000,
  /** EventBridge delivers the termination event this long after the agent stopped. */
  janitorEventDelayMs: 30_000,
  /** The refresh's windows are measured until here; the run ends here. */
  endMs: 1_500_000,
} as const;

/** What a run measured (bench/results/fleet.json's `runs`, plus the series for the plot). */
export interface FleetRunResult {
  readonly variant: "before" | "after";
  readonly hosts: number;
  readonly steadyRequestsPerSecond: number;
  readonly refreshMaxRequestsPer10s: number;
  readonly startToChangeP50Ms: number | null;
  /** Slowest restore of a record deleted behind an agent's back; null: one was not back within 10 minutes. */
  readonly restoreSeconds: number | null;
  readonly foreignRecordsTouched: number;
  readonly janitorForeignEventCalls: number;
  readonly zoneRecordSets: number;
  readonly throttled: number;
  readonly requests: number;
  readonly flags: readonly string[];
  readonly wallSeconds: number;
  /** Requests (accepted + throttled) per 10-s window from the start. */
  readonly series: readonly { readonly t: number; readonly requests: number; readonly throttled: number }[];
}

/** Settings of one run. */
export interface FleetRunOptions {
  readonly variant: "before" | "after";
  readonly hosts: number;
  /** The agent's flags (the installed unit's, for "after"). */
  readonly agentArgs: readonly string[];
  /** Record sets in the zone, ours included, at steady state (at least 1,000 foreign ones). */
  readonly zoneSize: number;
  readonly latencyMs: number;
  readonly seed: number;
}

/** Counts the calls one caller makes. */
class CountingApi implements Route53Api {
  calls = 0;
  constructor(private readonly inner: Route53Api) {}
  listRecordSets(request: ListPageRequest, signal?: AbortSignal): Promise<ListPage> {
    this.calls += 1;
    return this.inner.listRecordSets(request, signal);
  }
  changeRecordSets(zoneId: string, changes: WireChange[], signal?: AbortSignal): Promise<void> {
    this.calls += 1;
    return this.inner.changeRecordSets(zoneId, changes, signal);
  }
  getZoneName(zoneId: string, signal?: AbortSignal): Promise<string> {
    this.calls += 1;
    return this.inner.getZoneName(zoneId, signal);
  }
}

const hex17 = (n: number) => n.toString(16).padStart(17, "0");

/** Runs one variant at one fleet size. */
export async function runFleet(options: FleetRunOptions): Promise<FleetRunResult> {
  const wallStart = performance.now();
  const loaded = loadConfig([...options.agentArgs], {});
  if (loaded.kind !== "ok") throw new Error(`agent flags ${options.agentArgs.join(" ")}: ${loaded.kind === "error" ? loaded.problems.join("; ") : "help"}`);
  const config: AgentConfig = loaded.config;
  const random = seededRandom(options.seed);
  const clock = new VirtualClock(0);
  try {
    // The fake's zone answers to the installed unit's zone id.
    const world = new FleetWorld(options.latencyMs, config.zoneId);
    const H = options.hosts;
    const services = H; // H services × 15 tasks = 15 containers per host
    await world.seedForeign(Math.max(1000, options.zoneSize - H * (TASKS_PER_SERVICE + 1)));

    let generation = 0;
    const identity = (h: number): HostIdentity => ({ owner: config.owner, hostId: `i-${hex17(generation * 100_000 + h + 1)}`, privateIpv4: `10.${generation + 1}.${(h >> 8) & 255}.${h & 255}` });
    const hosts: SimHost[] = [];
    // tasks[h]: the service and container of each of host h's task slots.
    const tasks: { service: number; container: ContainerInfo }[][] = [];
    for (let h = 0; h < H; h++) {
      hosts.push(new SimHost(identity(h), world));
      tasks.push([]);
    }
    for (let s = 0; s < services; s++) {
      for (let j = 0; j < TASKS_PER_SERVICE; j++) {
        const h = (s * TASKS_PER_SERVICE + j) % H;
        const container = world.newContainer(s);
        tasks[h].push({ service: s, container });
        hosts[h].docker.start(container);
      }
    }
    for (const host of hosts) setTimeout(() => host.startAgent(config), Math.floor(random() * TIMELINE.coldStartSpreadMs));

    // Rolling deploys: new container first, the old one stops after draining.
    const deployedWhileWatched = new Set<number>();
    for (let at = TIMELINE.deployFromMs, k = 0; at < TIMELINE.refreshAtMs; at += TIMELINE.deployEveryMs, k++) {
      const service = (k * 7) % services;
      if (at + TIMELINE.deployEveryMs >= TIMELINE.deleteAtMs && at < TIMELINE.deleteAtMs + 600_000) deployedWhileWatched.add(service);
      for (let j = 0; j < TASKS_PER_SERVICE; j++) {
        const h = (service * TASKS_PER_SERVICE + j) % H;
        setTimeout(() => {
          const slot = tasks[h].find((t) => t.service === service);
          if (!slot) return;
          const host = hosts[h];
          const fresh = world.newContainer(service);
          const old = slot.container;
          slot.container = fresh;
          if (Date.now() >= TIMELINE.steadyFromMs && Date.now() < TIMELINE.steadyToMs) world.trackStart(host.identity, fresh);
          host.docker.start(fresh);
          setTimeout(() => host.docker.stop(old.id), TIMELINE.drainMs);
        }, at + j * TIMELINE.taskStaggerMs);
      }
    }

    // Records deleted behind the agents' backs, then watched until they are back.
    const restoredAfter: (number | null)[] = [];
    setTimeout(() => {
      void (async () => {
        const victims = new Set<number>();
        while (victims.size < Math.min(TIMELINE.deletedRecords, H)) victims.add(Math.floor(random() * H));
        const srv = world.srvOf([...victims].map((h) => hosts[h].identity.hostId));
        const deleted: WireRecordSet[] = [];
        // A record whose container a deploy replaces meanwhile is rightly never back, and so is one
        // whose container has already stopped (its agent has not caught up yet): pick others.
        const serviceOf = (r: WireRecordSet) => Number(/^_svc-(\d+)\./.exec(r.Name)?.[1]);
        const running = new Set([...victims].flatMap((h) => hosts[h].docker.containers.map((c) => `${hosts[h].identity.hostId}/${c.id.slice(0, 12)}`)));
        const containerOf = (r: WireRecordSet) => /^[^/]+\/([^/]+)\/([0-9a-f]{12})-/.exec(r.SetIdentifier ?? "");
        const isRunning = (r: WireRecordSet) => {
          const m = containerOf(r);
          return m !== null && running.has(`${m[1]}/${m[2]}`);
        };
        for (const records of srv.values()) {
          const victim = records.find((r) => !deployedWhileWatched.has(serviceOf(r)) && isRunning(r));
          if (!victim) continue;
          await world.deleteBehindBack(victim);
          deleted.push(victim);
        }
        const deletedAt = Date.now();
        process.stderr.write(`  deleted behind the agents' backs: ${deleted.length} record sets of ${victims.size} hosts\n`);
        const open = new Set(deleted);
        const watch = setInterval(() => {
          void (async () => {
            for (const record of [...open]) {
              if (!(await world.has(record))) continue;
              open.delete(record);
              restoredAfter.push(Date.now() - deletedAt);
            }
            if (open.size === 0 || Date.now() >= deletedAt + 600_000) {
              for (const record of open) process.stderr.write(`  not restored within 10 minutes: ${record.Name} ${record.SetIdentifier}\n`);
              for (let i = 0; i < open.size; i++) restoredAfter.push(null);
              open.clear();
              clearInterval(watch);
            }
          })();
        }, 5_000);
      })();
    }, TIMELINE.deleteAtMs);

    // Instance refresh: every host replaced once, at a random time.
    generation = 1;
    for (let h = 0; h < H; h++) {
      setTimeout(() => {
        void (async () => {
          const old = hosts[h];
          await old.stopAgent(config);
          setTimeout(() => void janitorEvent(world, janitorSettings(options.variant, config), old.identity.hostId), TIMELINE.janitorEventDelayMs);
          const host = new SimHost(identity(h), world);
          hosts[h] = host;
          setTimeout(() => {
            host.startAgent(config);
            tasks[h].forEach((slot, j) => {
              setTimeout(() => {
                slot.container = world.newContainer(slot.service);
                host.docker.start(slot.container);
              }, 5_000 + j * 1_500);
            });
          }, TIMELINE.bootMs);
        })();
      }, TIMELINE.refreshAtMs + Math.floor(random() * TIMELINE.refreshSpreadMs));
    }

    const progress = setInterval(() => process.stderr.write(`  ${options.variant} ${H} hosts: minute ${Math.round(Date.now() / 60_000)} after ${Math.round((performance.now() - wallStart) / 1000)} s, ${clock.fired} timers\n`), 60_000);
    await clock.runUntil(TIMELINE.endMs);
    clearInterval(progress);

    // The janitor on an event for an instance that never ran an agent, on a quiet account.
    const janitorApi = new CountingApi(world.account);
    const quiet = new Promise<void>((resolve) => setTimeout(resolve, 60_000));
    await clock.runUntil(TIMELINE.endMs + 60_000);
    await quiet;
    const foreignEvent = runJanitor(
      { ...janitorSettings(options.variant, config), dns: new Route53Provider({ api: janitorApi, zoneId: world.zoneId }) },
      { kind: "instance-gone", instanceId: "i-0123456789abcdef0" },
      new AbortController().signal,
    ).catch(() => undefined);
    await clock.runUntil(TIMELINE.endMs + 120_000);
    await foreignEvent;

    const budget = world.budget;
    const series = budget.series().map((w) => ({ t: w.start / 1000, requests: w.requests, throttled: w.throttled }));
    const refreshWindows = series.filter((w) => w.t * 1000 >= TIMELINE.refreshAtMs && w.t * 1000 < TIMELINE.endMs);
    const restored = restoredAfter.filter((x): x is number => x !== null);
    return {
      variant: options.variant,
      hosts: H,
      steadyRequestsPerSecond: budget.requests(TIMELINE.steadyFromMs, TIMELINE.steadyToMs) / ((TIMELINE.steadyToMs - TIMELINE.steadyFromMs) / 1000),
      refreshMaxRequestsPer10s: Math.max(0, ...refreshWindows.map((w) => w.requests)),
      startToChangeP50Ms: world.startToChangeMs.length > 0 ? percentile(world.startToChangeMs, 50) : null,
      restoreSeconds: restoredAfter.length > 0 && restored.length === restoredAfter.length ? Math.max(...restored) / 1000 : null,
      foreignRecordsTouched: world.foreignTouched(),
      janitorForeignEventCalls: janitorApi.calls,
      zoneRecordSets: world.route53.snapshot(world.zoneId).length,
      throttled: series.reduce((n, w) => n + w.throttled, 0),
      requests: series.reduce((n, w) => n + w.requests, 0),
      flags: options.agentArgs,
      wallSeconds: (performance.now() - wallStart) / 1000,
      series: series.filter((w) => w.t * 1000 < TIMELINE.endMs),
    };
  } finally {
    clock.uninstall();
  }
}

/** The janitor as its stack installs it: with the zone's name (ECSDNS_ZONE_NAME) after issue 15, without before. EC2 says no instance runs. */
function janitorSettings(variant: "before" | "after", config: AgentConfig): Omit<JanitorOptions, "dns"> {
  return { instances: { running: async () => new Set<string>() }, owner: config.owner, logger: SILENT_LOGGER, ...(variant === "after" ? { zoneName: ZONE_NAME } : {}) };
}

/** The janitor's Lambda on a termination event; Lambda retries a failed one twice (after 1 and 2 minutes). */
async function janitorEvent(world: FleetWorld, settings: Omit<JanitorOptions, "dns">, instanceId: string, attempt = 0): Promise<void> {
  try {
    await runJanitor(
      { ...settings, dns: new Route53Provider({ api: world.apiFor(), zoneId: world.zoneId }) },
      { kind: "instance-gone", instanceId },
      new AbortController().signal,
    );
  } catch {
    if (attempt < 2) setTimeout(() => void janitorEvent(world, settings, instanceId, attempt + 1), 60_000 * (attempt + 1));
  }
}
