/**
 * Fault: dockerd restarted 10 times under a running agent, with containers
 * started and stopped in between (registrator dies when Docker restarts).
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { testEnv } from "../agent/helpers/test-env";
import { FaultCase } from "./helpers/fault-case";
import { CONVERGE_BUDGET_MS, RESYNC_SECONDS, reportFaultCase, waitConverged } from "./helpers/fault-world";
import { BEFORE_ALL_WITH_DOCKER_LOCK_MS } from "../agent/helpers/docker-lock";

jest.setTimeout(240_000);

const ROOT = path.resolve(__dirname, "../..");
const HOST = { hostId: "h-dockerd", ip: "127.0.5.1" };
const RESTARTS = 10;
// Only when `npm test` started the dockerd itself can the test restart it.
const ownDockerd = fs.existsSync(path.join(testEnv().envDir, "dockerd.pid"));
let fc: FaultCase | undefined;

beforeAll(async () => {
  if (ownDockerd) fc = await FaultCase.open({ prefix: "faults-dockerd", hosts: [HOST] });
}, BEFORE_ALL_WITH_DOCKER_LOCK_MS);

afterAll(async () => {
  await fc?.close();
});

async function restartDockerd(envDir: string): Promise<void> {
  await promisify(execFile)("bash", ["scripts/test/test-env.sh", "restart-dockerd"], { cwd: ROOT, env: { ...process.env, TEST_ENV_DIR: envDir }, timeout: 90_000 });
}

(ownDockerd ? test : test.skip)(`after ${RESTARTS} dockerd restarts the zone holds exactly what the containers ask for, within one resync`, async () => {
  const c = fc!;
  const proxy = await c.proxy(HOST);
  const agent = c.startAgent(HOST, proxy);
  await agent.waitForPass(0, 30_000);
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
    await restartDockerd(c.env.envDir);
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
