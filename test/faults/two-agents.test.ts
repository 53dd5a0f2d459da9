/**
 * Fault: two agents (two host ids) reconciling the same service names at
 * once, started together and fed the same bursts of container starts and
 * stops, so their change batches for the same names interleave.
 */
import { FaultCase } from "./helpers/fault-case";
import { CONVERGE_BUDGET_MS, RESYNC_SECONDS, reportFaultCase, waitConverged } from "./helpers/fault-world";
import { BEFORE_ALL_WITH_DOCKER_LOCK_MS } from "../agent/helpers/docker-lock";

jest.setTimeout(180_000);

const HOSTS = [
  { hostId: "h-left", ip: "127.0.6.1" },
  { hostId: "h-right", ip: "127.0.6.2" },
];
const ROUNDS = 6;
let fc: FaultCase;

beforeAll(async () => {
  fc = await FaultCase.open({ prefix: "faults-two", hosts: HOSTS });
}, BEFORE_ALL_WITH_DOCKER_LOCK_MS);

afterAll(async () => {
  await fc?.close();
});

test("two agents publishing the same names at once each converge on their own records and touch nothing else", async () => {
  const proxies = await Promise.all(HOSTS.map((h) => fc.proxy(h)));
  const agents = HOSTS.map((h, i) => fc.startAgent(h, proxies[i]));
  await Promise.all(agents.map((a) => a.waitForPass(0, 30_000)));

  const running: string[] = [];
  let lastChange = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const started = await Promise.all([0, 1, 2].map((k) => fc.startContainer(fc.serviceEnv((round + k) % 3, k === 1))));
    running.push(...started.map((s) => s.id));
    if (running.length > 5) await fc.containers.stop(running.shift()!);
    lastChange = Date.now();
    await new Promise((r) => setTimeout(r, 700));
  }
  const convergeMs = await waitConverged("both hosts' records to match the containers", fc.zone, HOSTS, (h) => fc.expected(h), lastChange, 60_000);

  // Both publish every name: one record set per host under each service name.
  const names = await fc.zone.records();
  for (const n of [0, 1, 2]) {
    const ids = names.filter((r) => r.Name === `_svc-${n}._tcp.${fc.zone.name}`).map((r) => r.SetIdentifier?.split("/")[1]);
    expect(new Set(ids)).toEqual(new Set(["h-left", "h-right", ...(n === 0 ? ["h-foreign"] : [])]));
  }
  const touched = await fc.zone.foreignTouched();
  const totals = fc.totals();
  reportFaultCase("two-agents-same-names", {
    title: "two agents (two host ids) reconciling the same service names at once",
    iterations: ROUNDS,
    resyncSeconds: RESYNC_SECONDS,
    convergeAfterLastFaultMs: convergeMs,
    changeCalls: totals.changeCalls,
    listCalls: totals.listCalls,
    throttlesAnswered: totals.throttles,
    foreignRecordsTouched: touched.length + totals.foreignChanges.length,
    notes: "each agent's proxy records any change outside its own set identifiers (the other agent's records included); convergence is measured from the last container change",
  });

  expect(touched).toEqual([]);
  expect(totals.foreignChanges).toEqual([]);
  expect(convergeMs).toBeLessThanOrEqual(CONVERGE_BUDGET_MS);
  for (const a of agents) expect(await a.stop()).toBe(0);
});
