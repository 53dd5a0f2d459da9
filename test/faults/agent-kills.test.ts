/**
 * Fault: the agent SIGKILLed 10 times in the middle of a change batch, then
 * restarted. The proxy holds the agent's ChangeResourceRecordSets call in
 * flight; the test kills the agent, then lets the batch reach the emulator
 * (applied, and nobody hears the answer) or drops it (never applied),
 * alternately, and starts a new agent.
 */
import { AgentProcess } from "../agent/helpers/agent-process";
import { FaultCase } from "./helpers/fault-case";
import { CONVERGE_BUDGET_MS, RESYNC_SECONDS, reportFaultCase, waitConverged } from "./helpers/fault-world";
import { BEFORE_ALL_WITH_DOCKER_LOCK_MS } from "../agent/helpers/docker-lock";

jest.setTimeout(180_000);

const HOST = { hostId: "h-kill", ip: "127.0.7.1" };
const KILLS = 10;
let fc: FaultCase;

beforeAll(async () => {
  fc = await FaultCase.open({ prefix: "faults-kill", hosts: [HOST] });
}, BEFORE_ALL_WITH_DOCKER_LOCK_MS);

afterAll(async () => {
  await fc?.close();
});

/** `promise`, or a failure naming `what` after `ms`. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms)));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

test(`after ${KILLS} SIGKILLs in the middle of a change batch, a restarted agent converges within one resync`, async () => {
  const proxy = await fc.proxy(HOST);
  let agent = fc.startAgent(HOST, proxy);
  await agent.waitForPass(0, 30_000);
  const running: string[] = [];
  let lastFaultEnd = 0;
  let forwarded = 0;

  for (let i = 0; i < KILLS; i++) {
    const held = proxy.holdNextChange();
    // A burst: three containers start, the oldest stops.
    const started = await Promise.all([0, 1, 2].map((k) => fc.startContainer(fc.serviceEnv((i + k) % 4, k === 0))));
    running.push(...started.map((s) => s.id));
    if (running.length > 6) await fc.containers.stop(running.shift()!);

    const change = await within(held, 30_000, "a change batch in flight");
    await agent.stop("SIGKILL");
    const action = i % 2 === 0 ? "forward" : "drop";
    if (action === "forward") forwarded += 1;
    change.release(action);
    agent = fc.startAgent(HOST, proxy);
    lastFaultEnd = Date.now();
  }

  const convergeMs = await waitConverged("the zone to match the containers after the last kill", fc.zone, [HOST], (h) => fc.expected(h), lastFaultEnd, 60_000);
  const touched = await fc.zone.foreignTouched();
  const totals = fc.totals();
  reportFaultCase("agent-sigkill-mid-batch", {
    title: `the agent SIGKILLed ${KILLS} times with a ChangeResourceRecordSets call in flight, then restarted`,
    iterations: KILLS,
    resyncSeconds: RESYNC_SECONDS,
    convergeAfterLastFaultMs: convergeMs,
    changeCalls: totals.changeCalls,
    listCalls: totals.listCalls,
    throttlesAnswered: totals.throttles,
    foreignRecordsTouched: touched.length + totals.foreignChanges.length,
    notes: `${forwarded} held batches reached the emulator after the kill, ${KILLS - forwarded} were dropped; convergence is measured from the last restart and includes the agent's start`,
  });

  expect(touched).toEqual([]);
  expect(totals.foreignChanges).toEqual([]);
  expect(convergeMs).toBeLessThanOrEqual(CONVERGE_BUDGET_MS);
  expect(await agent.stop()).toBe(0);
  await AgentProcess.killAll();
});
