/**
 * Fault: Route53 throttles. A proxy in front of the emulator answers 30 % of
 * the calls with Route53's `Throttling` and (for changes)
 * `PriorRequestNotComplete` errors; the agent, pointed at it with
 * AWS_ENDPOINT_URL_ROUTE_53, converges anyway and counts every throttle.
 */
import { FaultCase } from "./helpers/fault-case";
import { CONVERGE_BUDGET_MS, RESYNC_SECONDS, freePort, readMetric, reportFaultCase, waitConverged } from "./helpers/fault-world";
import type { Route53Proxy } from "./helpers/throttling-proxy";
import { BEFORE_ALL_WITH_DOCKER_LOCK_MS } from "../agent/helpers/docker-lock";

jest.setTimeout(180_000);

const HOST = { hostId: "h-throttled", ip: "127.0.4.1" };
const SHARE = 0.3;
const ROUNDS = 8;
const MAX_ROUNDS = 20;
/**
 * What one throttled call may add to a pass: the SDK backs off (adaptive
 * mode: 500 ms doubling, and a client-side rate limit that drops to one
 * request per 2 s after throttling), so the throttled case is held to one
 * resync plus this much per throttle met while converging.
 */
const BACKOFF_PER_THROTTLE_MS = 3000;
let fc: FaultCase;

beforeAll(async () => {
  fc = await FaultCase.open({ prefix: "faults-throttle", hosts: [HOST] });
}, BEFORE_ALL_WITH_DOCKER_LOCK_MS);

afterAll(async () => {
  await fc?.close();
});

test("with 30 % of Route53 calls throttled the agent converges within one resync and counts the throttles", async () => {
  const proxy = await fc.proxy(HOST, { throttleShare: SHARE, seed: 6 });
  const metricsPort = await freePort();
  const agent = fc.startAgent(HOST, proxy, "--metrics-port", String(metricsPort), "--metrics-host", "127.0.0.1");
  await agent.waitForPass(0, 60_000);

  // Bursts of starts and stops while throttled; the last change ends the fault window that matters.
  const running: string[] = [];
  let lastChange = 0;
  // At least ROUNDS bursts, more (bounded) until both error shapes have been answered.
  const bothShapesSeen = () => proxy.snapshot().throttled.Throttling > 0 && proxy.snapshot().throttled.PriorRequestNotComplete > 0;
  let round = 0;
  for (; round < MAX_ROUNDS && (round < ROUNDS || !bothShapesSeen()); round++) {
    const started = await Promise.all([0, 1, 2, 3, 4].map((k) => fc.startContainer(fc.serviceEnv((round + k) % 5, k === 0))));
    running.push(...started.map((s) => s.id));
    if (round > 0) await Promise.all(running.splice(0, 2).map((id) => fc.containers.stop(id)));
    lastChange = Date.now();
    await new Promise((r) => setTimeout(r, 1200));
  }
  const convergeMs = await waitConverged("the zone to match the containers while throttled", fc.zone, [HOST], (h) => fc.expected(h), lastChange, 60_000);
  const throttlesWhileConverging = throttlesBetween(proxy, lastChange, lastChange + convergeMs);

  // Two resyncs more under throttling, then every throttle answered is one the agent counted.
  for (let resync = 0; resync < 2; resync++) {
    await agent.waitForLog("a resync after convergence", (l) => l.msg === "full pass done", RESYNC_SECONDS * 1000 + 15_000, agent.lines.length);
  }
  const counted = await pollFor(async () => {
    const value = await readMetric(metricsPort, "ecsdns_agent_route53_throttles_total");
    return value === proxy.throttles ? value : undefined;
  });
  const touched = await fc.zone.foreignTouched();
  const totals = fc.totals();
  const counts = proxy.snapshot();
  reportFaultCase("route53-throttling", {
    title: "30 % of Route53 calls answered with Throttling / PriorRequestNotComplete by a proxy in front of the emulator",
    iterations: round,
    resyncSeconds: RESYNC_SECONDS,
    convergeAfterLastFaultMs: convergeMs,
    changeCalls: totals.changeCalls,
    listCalls: totals.listCalls,
    throttlesAnswered: totals.throttles,
    throttlesCounted: counted ?? -1,
    foreignRecordsTouched: touched.length + totals.foreignChanges.length,
    notes: `Throttling ${counts.throttled.Throttling}, PriorRequestNotComplete ${counts.throttled.PriorRequestNotComplete} of ${Object.values(counts.received).reduce((a, b) => a + b, 0)} calls; convergence is measured from the last container change, with throttling still on (${throttlesWhileConverging} throttles met on the way; budget one resync + ${BACKOFF_PER_THROTTLE_MS} ms per throttle)`,
  });

  expect(touched).toEqual([]);
  expect(totals.foreignChanges).toEqual([]);
  expect(counts.throttled.Throttling).toBeGreaterThan(0);
  expect(counts.throttled.PriorRequestNotComplete).toBeGreaterThan(0);
  expect(counted).toBe(proxy.throttles);
  expect(convergeMs).toBeLessThanOrEqual(CONVERGE_BUDGET_MS + BACKOFF_PER_THROTTLE_MS * throttlesWhileConverging);
  expect(await agent.stop()).toBe(0);
});

/** Throttling answers the proxy gave between two times. */
function throttlesBetween(proxy: Route53Proxy, from: number, to: number): number {
  return proxy.timeline.filter((t) => t.at >= from && t.at <= to && t.outcome !== "forwarded" && t.outcome !== "held").length;
}

/** Polls `probe` every 200 ms for up to 10 s; undefined when it never answered. */
async function pollFor<T>(probe: () => Promise<T | undefined>): Promise<T | undefined> {
  for (let i = 0; i < 50; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
  return undefined;
}
