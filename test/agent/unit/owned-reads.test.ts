/**
 * `--zone-reads owned` (the default): the pass reads only this host's names
 * and rewrites its records on full passes; the strict Route53 fake counts
 * every call. Issue 15.
 */
import { SILENT_LOGGER } from "../../../cli/logger";
import { ReconcilePass } from "../../../agent/reconcile-pass";
import { InMemoryRoute53 } from "../../../dns/memory/in-memory-dns";
import { Route53Provider } from "../../../dns/route53/route53-provider";
import { recordsOfInstance } from "../../../janitor/janitor";
import { FakeDockerSource } from "../helpers/fake-docker-source";
import { HOST, ZONE, container, containerId, tcp } from "../helpers/fixtures";

const NO_SIGNAL = new AbortController().signal;
const web = (n: number, service = "_web._tcp") =>
  container({ id: containerId(`${n}`.padStart(12, "0")), name: `web-${n}`, env: { SERVICE_80_NAME: service }, ports: [tcp(80, 32000 + n)] });

async function world(foreign = 2000) {
  const r53 = new InMemoryRoute53();
  const zoneId = r53.createZone(ZONE);
  const filler = Array.from({ length: foreign }, (_, i) => ({ Action: "CREATE" as const, ResourceRecordSet: { Name: `legacy-${i}.${ZONE}`, Type: "A", TTL: 300, ResourceRecords: [{ Value: "10.9.0.1" }] } }));
  for (let i = 0; i < filler.length; i += 500) await r53.changeRecordSets(zoneId, filler.slice(i, i + 500));
  const docker = new FakeDockerSource();
  const pass = () =>
    new ReconcilePass({ docker, dns: new Route53Provider({ api: r53, zoneId }), host: HOST, zoneName: ZONE, defaultTtlSeconds: 10, policy: "sync", dryRun: false, logger: SILENT_LOGGER, zoneReads: "owned" });
  r53.calls.list = 0;
  r53.calls.change = 0;
  return { r53, zoneId, docker, pass };
}

test("a host that never published reads one name at start, however large the zone, and writes its records and name index in one call", async () => {
  const { r53, zoneId, docker, pass } = await world();
  docker.containers = [web(1), web(2, "_api._tcp")];
  const outcome = await pass().run(NO_SIGNAL, true);
  expect(outcome.inSync).toBe(true);
  expect(r53.calls).toMatchObject({ list: 1, change: 1 });
  const index = r53.snapshot(zoneId).find((r) => r.Type === "TXT")!;
  expect(index).toMatchObject({ Name: `i-0abc.${ZONE}`, SetIdentifier: "ecsdns/i-0abc/names", ResourceRecords: [{ Value: '"_api._tcp _web._tcp"' }] });
});

test("a full pass reads nothing and puts back a record deleted behind the agent's back, in one call", async () => {
  const { r53, zoneId, docker, pass } = await world();
  docker.containers = [web(1)];
  const agent = pass();
  await agent.run(NO_SIGNAL, true);
  const srv = r53.snapshot(zoneId).find((r) => r.Type === "SRV")!;
  await r53.changeRecordSets(zoneId, [{ Action: "DELETE", ResourceRecordSet: srv }]);
  r53.calls.list = 0;
  r53.calls.change = 0;
  await agent.run(NO_SIGNAL, false);
  expect(r53.snapshot(zoneId).some((r) => r.Type === "SRV")).toBe(false); // an event pass trusts its view
  await agent.run(NO_SIGNAL, true);
  expect(r53.snapshot(zoneId).find((r) => r.Type === "SRV")).toEqual(srv);
  expect(r53.calls).toMatchObject({ list: 0, change: 1 });
});

test("a restarted agent reads its name index and the names it lists, not the zone, and deletes what its last run left", async () => {
  const { r53, zoneId, docker, pass } = await world();
  docker.containers = [web(1), web(2, "_api._tcp")];
  await pass().run(NO_SIGNAL, true);
  docker.containers = [web(1)]; // web-2 died while no agent ran
  r53.calls.list = 0;
  r53.calls.change = 0;
  const outcome = await pass().run(NO_SIGNAL, true);
  expect(outcome.result?.applied.delete.map((r) => r.name)).toEqual([`_api._tcp.${ZONE}`]);
  expect(r53.calls).toMatchObject({ list: 3, change: 1 }); // the host's name, then _api._tcp and _web._tcp
  expect(r53.snapshot(zoneId).filter((r) => r.Type === "SRV").map((r) => r.Name)).toEqual([`_web._tcp.${ZONE}`]);
});

test("a foreign record at a wanted name: Route53 rejects the write, the agent reads that name and stops trying", async () => {
  const { r53, zoneId, docker, pass } = await world(10);
  await r53.changeRecordSets(zoneId, [{ Action: "CREATE", ResourceRecordSet: { Name: `_web._tcp.${ZONE}`, Type: "CNAME", TTL: 300, ResourceRecords: [{ Value: "legacy.example.com." }] } }]);
  const cname = r53.snapshot(zoneId).find((r) => r.Type === "CNAME");
  docker.containers = [web(1)];
  const agent = pass();
  const first = await agent.run(NO_SIGNAL, true);
  expect(first.result?.failed.map((f) => f.record.name)).toEqual([`_web._tcp.${ZONE}`]);
  const second = await agent.run(NO_SIGNAL, false);
  expect(second.planned.create).toEqual([]);
  r53.calls.change = 0;
  await agent.run(NO_SIGNAL, true);
  expect(r53.calls.change).toBe(1); // the refresh of the host's own records only
  expect(r53.snapshot(zoneId).find((r) => r.Type === "CNAME")).toEqual(cname);
});

test("the janitor finds an instance's records from its name index: one call for an instance that never ran an agent, 1 + names for one that did", async () => {
  const { r53, zoneId, docker, pass } = await world();
  docker.containers = [web(1), web(2, "_api._tcp")];
  await pass().run(NO_SIGNAL, true);
  const dns = new Route53Provider({ api: r53, zoneId });
  r53.calls.list = 0;
  expect(await recordsOfInstance(dns, "i-0123456789abcdef0", "ecsdns", ZONE, NO_SIGNAL)).toEqual({ records: [], reads: 1 });
  const ours = await recordsOfInstance(dns, HOST.hostId, "ecsdns", ZONE, NO_SIGNAL);
  expect(ours.reads).toBe(3);
  expect(ours.records!.map((r) => `${r.name} ${r.type}`).sort()).toEqual([`_api._tcp.${ZONE} SRV`, `_web._tcp.${ZONE} SRV`, `i-0abc.${ZONE} A`, `i-0abc.${ZONE} TXT`]);
  expect(r53.calls.list).toBe(4);
});
