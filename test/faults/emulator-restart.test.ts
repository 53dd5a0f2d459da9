/**
 * Fault: the DNS API forgets its state under a running agent.
 *
 * 1. The emulator is restarted empty (this file's own moto, started with
 *    scripts/emulator/launch.ts, so the other files' zones survive): the
 *    agent sees connections refused, then the zone missing, then the zone
 *    back with the same id (moto's id generator is seeded, see below) but
 *    empty. The foreign records are seeded again, as their owners would
 *    restore them. This is the most faithful form: the agent meets every
 *    state a restart goes through, including "the zone id it was given does
 *    not exist (yet)".
 * 2. Every record of the agent is deleted behind its back while the API stays
 *    up (what "Route53 lost our records" looks like on AWS: someone or
 *    something deleted them).
 * In both the agent recreates its own records within one resync.
 *
 * Route53 zone ids come from moto's random generator
 * (moto/route53/models.py, create_route53_zone_id: 22 choices of
 * `mock_random`), which moto lets a client seed (`POST /moto-api/seed?a=<n>`).
 * Seeding the same number before creating the same zone on a fresh moto gives
 * the zone the id it had, which is what an agent configured with that zone id
 * needs in order to find "its" zone again after the emulator forgot everything.
 */
import path from "node:path";
import { FaultCase } from "./helpers/fault-case";
import { CONVERGE_BUDGET_MS, FaultZone, RESYNC_SECONDS, reportFaultCase, waitConverged } from "./helpers/fault-world";
import { startEmulator, type Emulator } from "../../scripts/emulator/launch";
import { BEFORE_ALL_WITH_DOCKER_LOCK_MS } from "../agent/helpers/docker-lock";

jest.setTimeout(180_000);

const HOST = { hostId: "h-amnesia", ip: "127.0.3.1" };
const RESTARTS = 3;
const SEED = 4242;
let moto: Emulator | undefined;
let fc: FaultCase;

beforeAll(async () => {
  // The Docker lock comes with the case; moto is started first so the zone can live in it.
  const logDir = process.env.TEST_ENV_DIR ?? "/tmp";
  moto = await startEmulator({ logFile: (port) => path.join(logDir, `own-moto-${port}.log`) });
  await moto.seed(SEED);
  fc = await FaultCase.open({ prefix: "faults-amnesia", hosts: [HOST], motoUrl: moto.url });
}, BEFORE_ALL_WITH_DOCKER_LOCK_MS);

afterAll(async () => {
  await fc?.close();
  await moto?.stop();
});

test(`after the emulator restarted empty ${RESTARTS} times the agent recreates its records within one resync`, async () => {
  const proxy = await fc.proxy(HOST, {}, moto!.url);
  const agent = fc.startAgent(HOST, proxy);
  await agent.waitForPass(0, 30_000);
  const running: string[] = [];
  for (const n of [0, 1]) running.push((await fc.startContainer(fc.serviceEnv(n, n === 0))).id);
  await waitConverged("the first records", fc.zone, [HOST], (h) => fc.expected(h), Date.now(), 30_000);

  const convergeMs: number[] = [];
  for (let i = 0; i < RESTARTS; i++) {
    running.push((await fc.startContainer(fc.serviceEnv(2 + i, i === 1))).id);
    if (running.length > 3) await fc.containers.stop(running.shift()!);
    await moto!.restart();
    await moto!.seed(SEED);
    const again = await FaultZone.create(fc.zone.client, fc.zone.name);
    expect(again.id).toBe(fc.zone.id);
    await fc.zone.seedForeign([HOST]);
    const recreatedAt = Date.now();
    convergeMs.push(await waitConverged(`the records to be back after restart ${i + 1}`, fc.zone, [HOST], (h) => fc.expected(h), recreatedAt, 60_000));
  }

  const touched = await fc.zone.foreignTouched();
  const totals = fc.totals();
  reportFaultCase("emulator-restarted-empty", {
    title: `the emulator restarted empty ${RESTARTS} times under a running agent (zone recreated with the same id, foreign records restored by their owners)`,
    iterations: RESTARTS,
    resyncSeconds: RESYNC_SECONDS,
    convergeAfterLastFaultMs: convergeMs[convergeMs.length - 1],
    changeCalls: totals.changeCalls,
    listCalls: totals.listCalls,
    throttlesAnswered: totals.throttles,
    foreignRecordsTouched: touched.length + totals.foreignChanges.length,
    notes: `convergence after each restart (ms, from the zone's re-creation): ${convergeMs.join(", ")}`,
  });

  expect(touched).toEqual([]);
  expect(totals.foreignChanges).toEqual([]);
  for (const ms of convergeMs) expect(ms).toBeLessThanOrEqual(CONVERGE_BUDGET_MS);
  expect(await agent.stop()).toBe(0);
});

test("records deleted behind the agent's back are recreated within one resync, and nothing else is touched", async () => {
  const proxy = await fc.proxy(HOST, {}, moto!.url);
  const agent = fc.startAgent(HOST, proxy);
  await agent.waitForPass(0, 30_000);
  await waitConverged("the records before the deletion", fc.zone, [HOST], (h) => fc.expected(h), Date.now(), 30_000);
  const changeCallsBefore = proxy.snapshot().answered.ChangeResourceRecordSets;

  const ours = (await fc.zone.records()).filter((r) => r.SetIdentifier?.startsWith(`ecsdns/${HOST.hostId}/`));
  expect(ours.length).toBeGreaterThan(0);
  await fc.zone.change(ours.map((r) => ({ Action: "DELETE", ResourceRecordSet: r })));
  const deletedAt = Date.now();
  const convergeMs = await waitConverged("the deleted records to be back", fc.zone, [HOST], (h) => fc.expected(h), deletedAt, 60_000);

  const touched = await fc.zone.foreignTouched();
  reportFaultCase("records-deleted-behind-the-agent", {
    title: "every record of the agent deleted behind its back (the API stays up)",
    iterations: 1,
    resyncSeconds: RESYNC_SECONDS,
    convergeAfterLastFaultMs: convergeMs,
    changeCalls: proxy.snapshot().answered.ChangeResourceRecordSets - changeCallsBefore,
    listCalls: proxy.snapshot().answered.ListResourceRecordSets,
    throttlesAnswered: proxy.throttles,
    foreignRecordsTouched: touched.length + proxy.foreignChanges.length,
    notes: `${ours.length} record sets deleted; the agent notices at its next full resync`,
  });

  expect(touched).toEqual([]);
  expect(proxy.foreignChanges).toEqual([]);
  expect(convergeMs).toBeLessThanOrEqual(CONVERGE_BUDGET_MS);
  expect(await agent.stop()).toBe(0);
});
