/**
 * Fault: dockerd restarted 10 times under a running agent, with containers
 * started and stopped in between (registrator dies when Docker restarts).
 */
import { testEnv } from "../agent/helpers/test-env";
import { missingForOwnDockerd, OwnDockerd } from "../agent/helpers/own-dockerd";
import { needs } from "../helpers/real-parts";
import { FaultCase } from "./helpers/fault-case";
import { CONVERGE_BUDGET_MS, RESYNC_SECONDS, reportFaultCase, waitConverged } from "./helpers/fault-world";
import { BEFORE_ALL_WITH_DOCKER_LOCK_MS } from "../agent/helpers/docker-lock";

// Ten daemon restarts take minutes on a busy 2-core machine; convergence has its own budget (CONVERGE_BUDGET_MS).
jest.setTimeout(600_000);

const HOST = { hostId: "h-dockerd", ip: "127.0.5.1" };
const RESTARTS = 10;
// A dockerd of the case's own, which it restarts: whoever started the run's (npm test or the user), the case runs.
const missing = missingForOwnDockerd();
let dockerd: OwnDockerd | undefined;
let fc: FaultCase | undefined;

beforeAll(async () => {
  if (missing) return; // the test fails (CI) or is skipped, naming it
  dockerd = await OwnDockerd.start(testEnv());
  fc = await FaultCase.open({ prefix: "faults-dockerd", hosts: [HOST], env: dockerd.env });
}, BEFORE_ALL_WITH_DOCKER_LOCK_MS);

afterAll(async () => {
  await fc?.close();
  await dockerd?.stop();
}, 120_000);

needs(missing).test(`after ${RESTARTS} dockerd restarts the zone holds exactly what the containers ask for, within one resync`, async () => {
  const c = fc!;
  const proxy = await c.proxy(HOST);
  const agent = c.startAgent(HOST, proxy);
  // The first pass waits on the agent's start (tsx transpiles it), which takes tens of seconds on a busy machine.
  await agent.waitForPass(0, 90_000);
  // Containers that must be running at the end: restart=always ones survive a daemon restart.
  const shouldRun = new Set<string>();
  for (const n of [0, 1]) shouldRun.add((await c.startContainer(c.serviceEnv(n, n === 0), "always")).id);

  let lastFaultEnd = 0;
  for (let i = 0; i < RESTARTS; i++) {
    // Between restarts: one container more (every other one dies with the daemon), the oldest stopped.
    const survives = i % 2 === 0;
    const started = await c.startContainer(c.serviceEnv(i % 4, i % 3 === 0), survives ? "always" : "no");
    if (survives) shouldRun.add(started.id);
    if (shouldRun.size > 4) {
      const oldest = [...shouldRun][0];
      await c.containers.stop(oldest);
      shouldRun.delete(oldest);
    }
    await dockerd!.restart();
    lastFaultEnd = Date.now();
    // Events on the new daemon's stream (after the last restart too: the agent must have reconnected or resynced).
    if (i % 3 === 1 || i === RESTARTS - 1) shouldRun.add((await c.startContainer(c.serviceEnv(5, true), "always")).id);
  }

  const convergeMs = await waitConverged(
    "the zone to match the containers after the last restart",
    c.zone,
    [HOST],
    (h) => c.expected(h),
    lastFaultEnd,
    60_000,
    async () => JSON.stringify(await c.runningIds()) === JSON.stringify([...shouldRun].sort()),
  );
  const touched = await c.zone.foreignTouched();
  const totals = c.totals();
  const reopened = agent.lines.filter((l) => l.msg === "Docker event stream reopened").length;
  reportFaultCase("dockerd-restarts", {
    title: `dockerd restarted ${RESTARTS} times under a running agent, containers started and stopped in between`,
    iterations: RESTARTS,
    resyncSeconds: RESYNC_SECONDS,
    convergeAfterLastFaultMs: convergeMs,
    changeCalls: totals.changeCalls,
    listCalls: totals.listCalls,
    throttlesAnswered: totals.throttles,
    foreignRecordsTouched: touched.length + totals.foreignChanges.length,
    notes: `event stream reopened ${reopened} times; ${shouldRun.size} containers running at the end; convergence is measured from dockerd answering again and includes a container started right after`,
  });

  expect(touched).toEqual([]);
  expect(totals.foreignChanges).toEqual([]);
  expect(reopened).toBeGreaterThanOrEqual(1);
  expect(convergeMs).toBeLessThanOrEqual(CONVERGE_BUDGET_MS);
  // The agent never exits because Docker went away.
  expect(await Promise.race([agent.exited.then(() => "exited"), new Promise((r) => setTimeout(() => r("running"), 50))])).toBe("running");
  expect(await agent.stop()).toBe(0);
});
