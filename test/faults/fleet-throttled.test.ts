/**
 * Fault: a fleet that starts throttled. 50 agents, wired as main.ts wires
 * them with the installed unit's defaults (agent/assemble.ts, loadConfig),
 * start within 10 s of each other while another caller spends the account's
 * whole Route53 budget for the first 2 minutes: every call they make then is
 * answered `Throttling`. On the virtual clock of the fleet benchmark
 * (bench/fleet/), against the strict in-memory Route53 behind the account's
 * token bucket (burst 50, 10/s).
 *
 * Converges: once the budget is free again, every host's records are in the
 * zone. Without a thundering herd: no 10-s window after the throttling asks
 * for more than the account refills in it (100 requests), and none is
 * throttled: the agents' retries (equal-jitter backoff) and their own token
 * buckets spread them, so the fleet does not throttle itself.
 */
import { loadConfig, type AgentConfig } from "../../agent/config";
import { FleetWorld, SimHost, serviceName } from "../../bench/fleet/fleet-world";
import { seededRandom } from "../../scripts/lib/seeded-random";
import { VirtualClock } from "../../bench/fleet/virtual-clock";

const HOSTS = 50;
const CONTAINERS = 5;
const BLOCKED_MS = 120_000;
const ZONE_ID = "ZFLEETTHROTTLED00001";

let clock: VirtualClock;

beforeEach(() => {
  clock = new VirtualClock(0);
});

afterEach(() => {
  clock.uninstall();
});

function installedConfig(): AgentConfig {
  // The unit's own flags (modules/dns-agent-install.ts); everything else is the agent's default.
  const loaded = loadConfig(["--zone-id", ZONE_ID, "--zone-name", "svc.internal", "--owner", "ecsdns", "--ttl", "10", "--resync-seconds", "500", "--deregister-on-exit"], {});
  if (loaded.kind !== "ok") throw new Error(JSON.stringify(loaded));
  return loaded.config;
}

test("a fleet that starts throttled converges once the budget is back, without a thundering herd", async () => {
  const config = installedConfig();
  const world = new FleetWorld(50, ZONE_ID);
  await world.seedForeign(2000);
  const random = seededRandom(7);
  // Another caller holds the account's budget: every request in the first 2 minutes is throttled.
  const hog = setInterval(() => world.budget.drain(), 100);
  setTimeout(() => clearInterval(hog), BLOCKED_MS);
  world.budget.drain();

  const hosts: SimHost[] = [];
  for (let h = 0; h < HOSTS; h++) {
    const host = new SimHost({ owner: "ecsdns", hostId: `i-${(h + 1).toString(16).padStart(17, "0")}`, privateIpv4: `10.0.0.${h + 1}` }, world);
    for (let c = 0; c < CONTAINERS; c++) host.docker.start(world.newContainer(10 + h * CONTAINERS + c));
    hosts.push(host);
    setTimeout(() => host.startAgent(config), Math.floor(random() * 10_000));
  }

  await clock.runUntil(BLOCKED_MS + 10 * 60_000);

  const throttledWhileBlocked = world.budget.series().filter((w) => w.start < BLOCKED_MS).reduce((n, w) => n + w.throttled, 0);
  expect(throttledWhileBlocked).toBeGreaterThan(0);
  const srv = world.srvOf(hosts.map((h) => h.identity.hostId));
  for (const host of hosts) {
    const names = srv.get(host.identity.hostId)!.map((r) => r.Name);
    expect(names.sort()).toEqual(host.docker.containers.map((c) => `${serviceName(Number(c.name.split("-")[1]))}.svc.internal.`).sort());
  }
  const after = world.budget.series().filter((w) => w.start >= BLOCKED_MS);
  expect(Math.max(...after.map((w) => w.requests))).toBeLessThanOrEqual(100);
  expect(after.reduce((n, w) => n + w.throttled, 0)).toBe(0);
  expect(world.foreignTouched()).toBe(0);
  // SIGTERM to every agent; their deregistration calls run on the virtual clock too.
  const stopped = Promise.all(hosts.map((host) => host.stopAgent(config)));
  await clock.runUntil(clock.now + 60_000);
  await stopped;
  expect(world.srvOf(hosts.map((h) => h.identity.hostId))).toEqual(new Map(hosts.map((h) => [h.identity.hostId, []])));
}, 600_000);
