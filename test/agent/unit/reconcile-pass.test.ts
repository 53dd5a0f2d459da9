import { InMemoryRoute53 } from "../../../dns/memory/in-memory-dns";
import { AgentMetrics } from "../../../agent/metrics";
import type { Policy } from "../../../dns/policy";
import { ReconcilePass } from "../../../agent/reconcile-pass";
import { Route53Provider } from "../../../dns/route53/route53-provider";
import type { WireRecordSet } from "../../../dns/route53/route53-api";
import { FakeDockerSource } from "../helpers/fake-docker-source";
import { HOST, NO_SIGNAL, ZONE, container, containerId, tcp } from "../helpers/fixtures";
import { RecordingLogger } from "../helpers/recording-logger";

describe("one reconcile pass", () => {
  let docker: FakeDockerSource;
  let r53: InMemoryRoute53;
  let zoneId: string;
  let logger: RecordingLogger;
  let metrics: AgentMetrics;

  const pass = (options: { dryRun?: boolean; policy?: Policy } = {}) =>
    new ReconcilePass({
      docker,
      dns: new Route53Provider({ api: r53, zoneId }),
      host: HOST,
      zoneName: ZONE,
      defaultTtlSeconds: 10,
      policy: options.policy ?? "sync",
      dryRun: options.dryRun ?? false,
      logger,
      metrics,
    });
  const ours = () => r53.snapshot(zoneId).filter((r) => r.SetIdentifier?.startsWith("ecsdns/i-0abc/"));
  const echo = container({ id: containerId("e0e0e0e0e0e0"), name: "echo", env: { SERVICE_8080_NAME: "_echo._tcp", SERVICE_FQDN: "echo.svc.internal" }, ports: [tcp(8080, 32768)] });

  beforeEach(() => {
    docker = new FakeDockerSource();
    r53 = new InMemoryRoute53();
    zoneId = r53.createZone(ZONE);
    logger = new RecordingLogger();
    metrics = new AgentMetrics();
  });

  test("publishes the containers' records and logs one line per change with action, name, type and value", async () => {
    docker.containers = [echo];
    const outcome = await pass().run(NO_SIGNAL, true);
    expect(outcome.inSync).toBe(true);
    expect(ours().map((r) => `${r.Type} ${r.Name} ${r.ResourceRecords![0].Value}`)).toEqual([
      "SRV _echo._tcp.svc.internal. 1 1 32768 i-0abc.svc.internal",
      "A echo.svc.internal. 10.0.1.5",
      "A i-0abc.svc.internal. 10.0.1.5",
    ]);
    expect(logger.at("info").filter((l) => l.action).map((l) => [l.action, l.name, l.type, l.value])).toEqual([
      ["create", "_echo._tcp.svc.internal.", "SRV", "1 1 32768 i-0abc.svc.internal"],
      ["create", "echo.svc.internal.", "A", "10.0.1.5"],
      ["create", "i-0abc.svc.internal.", "A", "10.0.1.5"],
    ]);
    expect(logger.at("info")).toContainEqual(
      expect.objectContaining({ msg: "full pass done", full: true, ownedRecords: 3, changeCalls: 1, listCalls: 1, zoneRecords: 2, outcome: "changes applied" }),
    );
  });

  test("a second pass with nothing new changes nothing", async () => {
    docker.containers = [echo];
    const p = pass();
    await p.run(NO_SIGNAL, true);
    const calls = r53.calls.change;
    const outcome = await p.run(NO_SIGNAL, true);
    expect(outcome).toMatchObject({ inSync: true, planned: { create: [], update: [], delete: [] } });
    expect(r53.calls.change).toBe(calls);
  });

  test("dry-run logs the changes it would make and makes none", async () => {
    docker.containers = [echo];
    const outcome = await pass({ dryRun: true }).run(NO_SIGNAL, true);
    expect(r53.calls.change).toBe(0);
    expect(ours()).toEqual([]);
    expect(outcome.inSync).toBe(false);
    const changeLines = logger.at("info").filter((l) => l.action);
    expect(changeLines).toHaveLength(3);
    expect(changeLines.every((l) => l.dryRun === true && String(l.msg).startsWith("would create"))).toBe(true);
    expect(logger.at("info")).toContainEqual(expect.objectContaining({ msg: "full pass done", outcome: "dry run: changes not made" }));
  });

  test("upsert-only leaves the records of a stopped container in place", async () => {
    docker.containers = [echo];
    await pass().run(NO_SIGNAL, true);
    docker.containers = [];
    await pass({ policy: "upsert-only" }).run(NO_SIGNAL, true);
    expect(ours()).toHaveLength(3);
  });

  test("sync deletes the records of a stopped container; the host record stays while the agent runs", async () => {
    docker.containers = [echo];
    const p = pass();
    await p.run(NO_SIGNAL, true);
    docker.containers = [];
    await p.run(NO_SIGNAL, false);
    expect(ours().map((r) => r.SetIdentifier)).toEqual(["ecsdns/i-0abc/host"]);
  });

  test("deregistration (desired = nothing) deletes only this host's records", async () => {
    const foreign: WireRecordSet = { Name: "echo.svc.internal.", Type: "A", SetIdentifier: "ecsdns/i-0def/fqdn-public", MultiValueAnswer: true, TTL: 10, ResourceRecords: [{ Value: "10.0.1.6" }] };
    await r53.changeRecordSets(zoneId, [{ Action: "CREATE", ResourceRecordSet: foreign }]);
    docker.containers = [echo];
    const p = pass({ policy: "upsert-only" });
    await p.run(NO_SIGNAL, true);
    await p.run(NO_SIGNAL, true, []);
    expect(ours()).toEqual([]);
    expect(r53.snapshot(zoneId)).toContainEqual(foreign);
  });

  test("a bad variable is logged once per container, with the container id and the exact variable", async () => {
    const bad = container({ id: containerId("bad0bad0bad0"), name: "bad", env: { SERVICE_PORT_99999: "x.svc.internal", SERVICE_FQDN: "ok.svc.internal" } });
    docker.containers = [bad];
    const p = pass();
    await p.run(NO_SIGNAL, true);
    await p.run(NO_SIGNAL, false);
    const warnings = logger.at("warn");
    expect(warnings).toEqual([expect.objectContaining({ containerId: bad.id, variable: "SERVICE_PORT_99999", value: "x.svc.internal" })]);
    expect(ours().map((r) => r.Name)).toEqual(["i-0abc.svc.internal.", "ok.svc.internal."]);
  });

  test("a port bound only to 127.0.0.1 is logged once per container, not on every pass, and gets no SRV", async () => {
    const local = container({ id: containerId("10ca110ca110"), name: "local-only", env: { SERVICE_8080_NAME: "_echo._tcp" }, ports: [tcp(8080, 32768, "127.0.0.1")] });
    docker.containers = [local];
    const p = pass();
    await p.run(NO_SIGNAL, true);
    await p.run(NO_SIGNAL, false);
    await p.run(NO_SIGNAL, true);
    expect(logger.at("warn")).toEqual([
      expect.objectContaining({ containerId: local.id, container: "local-only", variable: "SERVICE_8080_NAME", reason: expect.stringContaining("published only on 127.0.0.1:32768/tcp") }),
    ]);
    expect(ours().map((r) => r.SetIdentifier)).toEqual(["ecsdns/i-0abc/host"]); // the host record stays while the agent runs
  });

  test("an unhealthy container's records are withdrawn until it is healthy again, with one log line each time", async () => {
    const p = pass();
    docker.containers = [{ ...echo, health: "healthy" }];
    await p.run(NO_SIGNAL, true);
    expect(ours()).toHaveLength(3);
    docker.containers = [{ ...echo, health: "unhealthy" }];
    await p.run(NO_SIGNAL, false);
    await p.run(NO_SIGNAL, true);
    expect(ours().map((r) => r.SetIdentifier)).toEqual(["ecsdns/i-0abc/host"]); // the host record stays while the agent runs
    docker.containers = [{ ...echo, health: "healthy" }];
    await p.run(NO_SIGNAL, false);
    expect(ours()).toHaveLength(3);
    docker.containers = [{ ...echo, health: "unhealthy" }];
    await p.run(NO_SIGNAL, false);
    const held = logger.lines.filter((l) => l.health !== undefined);
    expect(held).toEqual([
      expect.objectContaining({ level: "info", containerId: echo.id, container: "echo", health: "unhealthy", msg: "not publishing the container's records while Docker reports it unhealthy" }),
      expect.objectContaining({ containerId: echo.id, health: "unhealthy" }),
    ]);
  });

  test("a name taken by a hand-made simple record is a logged conflict, and the record is untouched", async () => {
    const handMade: WireRecordSet = { Name: "echo.svc.internal.", Type: "A", TTL: 300, ResourceRecords: [{ Value: "192.0.2.10" }] };
    await r53.changeRecordSets(zoneId, [{ Action: "CREATE", ResourceRecordSet: handMade }]);
    docker.containers = [echo];
    const p = pass();
    const outcome = await p.run(NO_SIGNAL, true);
    expect(outcome.inSync).toBe(false);
    expect(r53.snapshot(zoneId)).toContainEqual(handMade);
    expect(ours().map((r) => r.Name)).toEqual(["_echo._tcp.svc.internal.", "i-0abc.svc.internal."]);
    await p.run(NO_SIGNAL, true);
    expect(logger.at("warn").filter((l) => String(l.msg).startsWith("conflict"))).toEqual([
      expect.objectContaining({ name: "echo.svc.internal.", type: "A", blockingRouting: "simple" }),
    ]);
    expect((await metrics.conflicts.get()).values[0].value).toBe(1);
  });

  test("a throttled apply keeps the zone view: the retry does not read the zone again", async () => {
    docker.containers = [echo];
    const p = pass();
    await p.run(NO_SIGNAL, true);
    r53.hooks.beforeChange = () => {
      throw Object.assign(new Error("Rate exceeded"), { name: "Throttling" });
    };
    docker.containers = [];
    await expect(p.run(NO_SIGNAL, false)).rejects.toMatchObject({ name: "Throttling" });
    r53.hooks.beforeChange = undefined;
    const lists = r53.calls.list;
    await p.run(NO_SIGNAL, false);
    expect(r53.calls.list).toBe(lists);
    expect(ours().map((r) => r.SetIdentifier)).toEqual(["ecsdns/i-0abc/host"]);
  });

  test("a failed listing leaves no view, so the next pass lists again", async () => {
    docker.containers = [echo];
    const p = pass();
    r53.hooks.beforeList = () => {
      throw Object.assign(new Error("Rate exceeded"), { name: "Throttling" });
    };
    await expect(p.run(NO_SIGNAL, true)).rejects.toMatchObject({ name: "Throttling" });
    r53.hooks.beforeList = undefined;
    await p.run(NO_SIGNAL, false);
    expect(ours()).toHaveLength(3);
  });

  test("a full pass whose listing fails drops the older view, so the retry reads the zone it meant to repair", async () => {
    // GIVEN a pass in sync, then a record of ours deleted behind the agent's back
    docker.containers = [echo];
    const p = pass();
    await p.run(NO_SIGNAL, true);
    const lost = ours().find((r) => r.Type === "SRV")!;
    await r53.changeRecordSets(zoneId, [{ Action: "DELETE", ResourceRecordSet: lost }]);
    // WHEN the resync's listing is throttled, and the retry (not a full pass) runs
    r53.hooks.beforeList = () => {
      throw Object.assign(new Error("Rate exceeded"), { name: "Throttling" });
    };
    await expect(p.run(NO_SIGNAL, true)).rejects.toMatchObject({ name: "Throttling" });
    r53.hooks.beforeList = undefined;
    await p.run(NO_SIGNAL, false);
    // THEN the retry listed the zone and put the record back
    expect(ours()).toHaveLength(3);
  });

  test("a rejected change drops the view, so the next pass reads what Route53 really holds", async () => {
    const handMade: WireRecordSet = { Name: "echo.svc.internal.", Type: "A", TTL: 300, ResourceRecords: [{ Value: "192.0.2.10" }] };
    docker.containers = [echo];
    const p = pass();
    await p.run(NO_SIGNAL, true);
    // Someone creates a conflicting record after our first pass: our view does not know it.
    await r53.changeRecordSets(zoneId, [{ Action: "DELETE", ResourceRecordSet: ours().find((r) => r.Name === "echo.svc.internal.")! }]);
    await r53.changeRecordSets(zoneId, [{ Action: "CREATE", ResourceRecordSet: handMade }]);
    docker.containers = [{ ...echo, env: { ...echo.env, SERVICE_TTL: "30" } }];
    const failed = await p.run(NO_SIGNAL, false);
    expect(failed.result?.failed.map((f) => f.record.name)).toEqual(["echo.svc.internal."]);
    const lists = r53.calls.list;
    const next = await p.run(NO_SIGNAL, false);
    expect(r53.calls.list).toBeGreaterThan(lists);
    expect(next.inSync).toBe(false); // a conflict now, reported instead of retried
    expect(r53.snapshot(zoneId)).toContainEqual(handMade);
  });

  test("counts owned records and changes in the metrics", async () => {
    docker.containers = [echo];
    await pass().run(NO_SIGNAL, true);
    expect((await metrics.recordsOwned.get()).values[0].value).toBe(3);
    expect((await metrics.changes.get()).values).toEqual([expect.objectContaining({ labels: { action: "create", outcome: "applied" }, value: 3 })]);
  });
});
