import { InMemoryRoute53 } from "../../dns/memory/in-memory-dns";
import { SILENT_LOGGER } from "../../cli/logger";
import type { DnsRecord } from "../../dns/records";
import { Route53Provider } from "../../dns/route53/route53-provider";
import { JANITOR_PROGRAM, loadJanitorConfig } from "../../janitor/config";
import { envName, optionsOf } from "../../cli/options";
import { instanceIdsIn, planJanitorDeletes } from "../../janitor/dead-host-records";
import { GONE_INSTANCE_STATES } from "../../dns/gone-instance-states";
import { toWire } from "../../dns/route53/record-mapping";
import { scopeOf } from "../../janitor/handler";
import { srvTargets, unhealthyTargets } from "../../janitor/health-check";
import type { InstanceStates } from "../../janitor/instance-states";
import { runJanitor } from "../../janitor/janitor";
import { aRecord, NO_SIGNAL, simpleRecord, srvRecord } from "../agent/helpers/fixtures";

const ZONE = "svc.internal.";
const LIVE = "i-0aaaaaaaaaaaaaaa1";
const DEAD = "i-0bbbbbbbbbbbbbbb2";
const sid = (host: string, slot: string, owner = "ecsdns") => `${owner}/${host}/${slot}`;

/** A host's usual records: host A, one SRV through it, and a SERVICE_FQDN A. */
function hostRecords(host: string, ip: string): DnsRecord[] {
  return [
    aRecord(`${host}.${ZONE}`, sid(host, "host"), ip),
    srvRecord(`_web._tcp.${ZONE}`, sid(host, "3f2a9c1b7d4e-8080"), `1 1 32768 ${host}.${ZONE}`),
    aRecord(`web.${ZONE}`, sid(host, "fqdn-local"), ip),
  ];
}

const keys = (records: readonly DnsRecord[]) => records.map((r) => `${r.name} ${r.type} ${r.setIdentifier ?? "-"}`).sort();

describe("planJanitorDeletes (the janitor's truth table)", () => {
  const foreign = [
    simpleRecord(`www.${ZONE}`, "A", ["10.9.9.9"]),
    aRecord(`web.${ZONE}`, sid(DEAD, "fqdn-local", "other-team"), "10.0.0.9"),
  ];

  test("deletes every record of an instance that no longer runs, and nothing of a running one", () => {
    // GIVEN two hosts' records and foreign ones WHEN only LIVE runs
    const plan = planJanitorDeletes([...hostRecords(LIVE, "10.0.1.1"), ...hostRecords(DEAD, "10.0.1.2"), ...foreign], "ecsdns", (id) => id === LIVE);
    // THEN exactly DEAD's three records go, all as host-gone
    expect(keys(plan.deletes.map((d) => d.record))).toEqual(keys(hostRecords(DEAD, "10.0.1.2")));
    expect(plan.deletes.every((d) => d.reason === "host-gone" && d.hostId === DEAD)).toBe(true);
  });

  test("never touches records of another owner or without our set identifier, even of a dead host", () => {
    const plan = planJanitorDeletes(foreign, "ecsdns", () => false);
    expect(plan.deletes).toEqual([]);
  });

  test("leaves hosts whose id is not an EC2 instance id alone: their liveness cannot be checked", () => {
    const plan = planJanitorDeletes(hostRecords("laptop-1", "192.168.1.5"), "ecsdns", () => false);
    expect(plan.deletes).toEqual([]);
    expect(plan.uncheckedHostIds).toEqual(["laptop-1"]);
  });

  test("leaves every record of a running instance to its agent, a host record that no SRV it saw needs included", () => {
    // GIVEN a running instance's host record and FQDN record, and no SRV of it in the listing
    const [hostA, , fqdn] = hostRecords(LIVE, "10.0.1.1");
    // WHEN the janitor plans
    const plan = planJanitorDeletes([hostA, fqdn], "ecsdns", () => true);
    // THEN nothing goes: an SRV may have been written on a page already read
    expect(plan.deletes).toEqual([]);
  });

  test("with onlyHosts, looks at those hosts only", () => {
    const plan = planJanitorDeletes([...hostRecords(LIVE, "10.0.1.1"), ...hostRecords(DEAD, "10.0.1.2")], "ecsdns", () => false, new Set([DEAD]));
    expect(new Set(plan.deletes.map((d) => d.hostId))).toEqual(new Set([DEAD]));
  });

  test("asks EC2 only about our owner's instance ids, each once", () => {
    const records = [...hostRecords(LIVE, "10.0.1.1"), ...hostRecords(DEAD, "10.0.1.2"), ...hostRecords("laptop-1", "192.168.1.5"), ...foreign];
    expect(instanceIdsIn(records, "ecsdns")).toEqual([LIVE, DEAD]);
  });
});

describe("runJanitor", () => {
  function setup(running: string[]) {
    const api = new InMemoryRoute53();
    const zoneId = api.createZone(ZONE);
    const dns = new Route53Provider({ api, zoneId });
    const asked: string[][] = [];
    const instances: InstanceStates = {
      async running(ids) {
        asked.push([...ids]);
        return new Set(ids.filter((id) => running.includes(id)));
      },
    };
    return { api, zoneId, dns, instances, asked };
  }

  async function seed(api: InMemoryRoute53, zoneId: string, records: DnsRecord[]) {
    await api.changeRecordSets(
      zoneId,
      records.map((r) => ({ Action: "CREATE" as const, ResourceRecordSet: toWire(r) })),
    );
  }

  test("a full sweep removes the dead host's records and reports what it did", async () => {
    // GIVEN a zone with a live host, a dead host and a hand-made record
    const { api, zoneId, dns, instances, asked } = setup([LIVE]);
    await seed(api, zoneId, [...hostRecords(LIVE, "10.0.1.1"), ...hostRecords(DEAD, "10.0.1.2"), simpleRecord(`www.${ZONE}`, "A", ["10.9.9.9"])]);
    // WHEN the janitor sweeps
    const report = await runJanitor({ dns, instances, owner: "ecsdns", logger: SILENT_LOGGER }, { kind: "all" }, NO_SIGNAL);
    // THEN only DEAD's records are gone, in one change call, after one EC2 question
    const left = api.snapshot(zoneId).map((r) => `${r.Name} ${r.Type} ${r.SetIdentifier ?? "-"}`);
    expect(left.filter((k) => k.includes(DEAD))).toEqual([]);
    expect(left.filter((k) => k.includes(LIVE))).toHaveLength(3);
    expect(left).toContain(`www.${ZONE} A -`);
    expect(report).toMatchObject({ hosts: 2, deadHosts: [DEAD], deleted: { "host-gone": 3 }, failed: 0, changeCalls: 1 });
    expect(asked).toEqual([[LIVE, DEAD]]);
  });

  test("an instance state-change event removes that instance's records once EC2 confirms it no longer runs", async () => {
    // GIVEN two hosts' records, and EC2 listing only LIVE as running
    const { api, zoneId, dns, instances, asked } = setup([LIVE]);
    await seed(api, zoneId, [...hostRecords(LIVE, "10.0.1.1"), ...hostRecords(DEAD, "10.0.1.2")]);
    // WHEN DEAD's state change arrives
    const report = await runJanitor({ dns, instances, owner: "ecsdns", logger: SILENT_LOGGER }, { kind: "instance-gone", instanceId: DEAD }, NO_SIGNAL);
    // THEN EC2 was asked about DEAD alone, and DEAD's records, only they, are gone
    expect(asked).toEqual([[DEAD]]);
    expect(report).toMatchObject({ deadHosts: [DEAD], deleted: { "host-gone": 3 } });
    expect(api.snapshot(zoneId).some((r) => r.SetIdentifier?.includes(DEAD))).toBe(false);
    expect(api.snapshot(zoneId).filter((r) => r.SetIdentifier?.includes(LIVE))).toHaveLength(3);
  });

  test("a stop event for an instance that runs again (started since, or an old retried event) leaves its records, and reads no zone", async () => {
    // GIVEN LIVE's records, and EC2 listing LIVE as running
    const { api, zoneId, dns, instances, asked } = setup([LIVE]);
    await seed(api, zoneId, hostRecords(LIVE, "10.0.1.1"));
    const before = api.snapshot(zoneId);
    const listsBefore = api.calls.list;
    // WHEN an hour-old "stopped" event of LIVE arrives
    const report = await runJanitor({ dns, instances, owner: "ecsdns", logger: SILENT_LOGGER }, { kind: "instance-gone", instanceId: LIVE }, NO_SIGNAL);
    // THEN EC2 was asked, and the zone is as it was, not even listed
    expect(asked).toEqual([[LIVE]]);
    expect(api.snapshot(zoneId)).toEqual(before);
    expect(api.calls.list).toBe(listsBefore);
    expect(report).toMatchObject({ deadHosts: [], deleted: { "host-gone": 0 }, changeCalls: 0, listCalls: 0 });
  });

  test("a sweep keeps a live host's record when its agent writes an SRV and the host record between two pages of the listing", async () => {
    // GIVEN a zone listed 3 record sets per page (apex NS and SOA, then a.<zone>; h.<zone> starts page 2),
    // and a running instance LIVE that has no records yet (its agent publishes a host record only with an SRV)
    const api = new InMemoryRoute53();
    const zoneId = api.createZone(ZONE);
    const dns = new Route53Provider({ api, zoneId, pageSize: 3 });
    const instances: InstanceStates = { running: async (ids) => new Set(ids.filter((id) => id === LIVE)) };
    await seed(api, zoneId, [simpleRecord(`a.${ZONE}`, "A", ["10.9.9.1"]), simpleRecord(`h.${ZONE}`, "A", ["10.9.9.2"])]);
    const [hostA, srv] = hostRecords(LIVE, "10.0.1.1");
    // AND LIVE's agent writes its first SRV and its host record while the janitor reads: after page 1, before page 2.
    // Route53 lists names with their labels reversed, so _web._tcp.<zone> sorts onto page 1 (already read), i-….<zone> onto page 2.
    let written = false;
    api.hooks.beforeList = (request) => {
      if (request.startName === undefined || written) return;
      written = true;
      void seed(api, zoneId, [srv, hostA]);
    };
    // WHEN the janitor sweeps
    const report = await runJanitor({ dns, instances, owner: "ecsdns", logger: SILENT_LOGGER }, { kind: "all" }, NO_SIGNAL);
    // THEN the race happened as staged (the listing saw the host record, not the SRV) ...
    expect(written).toBe(true);
    expect(report.listCalls).toBe(2);
    expect(report.recordSets).toBe(5);
    // ... and LIVE's records both stay
    const live = api.snapshot(zoneId).filter((r) => r.SetIdentifier?.includes(LIVE)).map((r) => `${r.Name} ${r.Type}`);
    expect(live.sort()).toEqual([`_web._tcp.${ZONE} SRV`, `${LIVE}.${ZONE} A`]);
    expect(report.changeCalls).toBe(0);
  });

  test("a dry run deletes nothing", async () => {
    const { api, zoneId, dns, instances } = setup([]);
    await seed(api, zoneId, hostRecords(DEAD, "10.0.1.2"));
    const before = api.snapshot(zoneId);
    const report = await runJanitor({ dns, instances, owner: "ecsdns", logger: SILENT_LOGGER, dryRun: true }, { kind: "all" }, NO_SIGNAL);
    expect(api.snapshot(zoneId)).toEqual(before);
    expect(report.changeCalls).toBe(0);
  });

  test("with health checks, removes an SRV record that asked for a check only when every try fails, and never touches the task", async () => {
    // GIVEN a live host whose container asked to be probed at /health (its agent put the path into the SRV's slot)
    const { api, zoneId, dns, instances } = setup([LIVE]);
    const [hostA, srv] = hostRecords(LIVE, "10.0.1.1");
    await seed(api, zoneId, [hostA, { ...srv, setIdentifier: sid(LIVE, "3f2a9c1b7d4e-8080.health") }]);
    const tried: string[] = [];
    // WHEN a sweep with health checks finds it failing every try
    const report = await runJanitor(
      { dns, instances, owner: "ecsdns", logger: SILENT_LOGGER, healthCheck: { timeoutMs: 100, tries: 3, retryDelayMs: 0 }, probe: async (url) => (tried.push(url), false) },
      { kind: "all" },
      NO_SIGNAL,
    );
    // THEN it was probed at its own path, three times, and only its SRV record went
    expect(tried).toEqual(Array(3).fill("http://10.0.1.1:32768/health"));
    expect(report.deleted["failed-health-check"]).toBe(1);
    expect(api.snapshot(zoneId).some((r) => r.Type === "SRV")).toBe(false);
  });

  test("with health checks, probes only the SRV targets that asked for it, each at its own path: UDP, gRPC and TCP services without the opt-in keep their records", async () => {
    // GIVEN a live host publishing a UDP, a gRPC and a raw TCP service that asked for no check, and two HTTP services that did, at their own paths
    const { api, zoneId, dns, instances } = setup([LIVE]);
    const target = `${LIVE}.${ZONE}`;
    const unchecked = [
      srvRecord(`_dns._udp.${ZONE}`, sid(LIVE, "aaaaaaaaaaaa-53"), `1 1 32801 ${target}`),
      srvRecord(`_grpc._tcp.${ZONE}`, sid(LIVE, "bbbbbbbbbbbb-50051"), `1 1 32802 ${target}`),
      srvRecord(`_redis._tcp.${ZONE}`, sid(LIVE, "cccccccccccc-6379"), `1 1 32803 ${target}`),
    ];
    const checked = [
      srvRecord(`_web._tcp.${ZONE}`, sid(LIVE, "dddddddddddd-8080.ready"), `1 1 32804 ${target}`),
      srvRecord(`_api._tcp.${ZONE}`, sid(LIVE, "eeeeeeeeeeee-9000.api.v1.health"), `1 1 32805 ${target}`),
    ];
    await seed(api, zoneId, [aRecord(target, sid(LIVE, "host"), "10.0.1.1"), ...unchecked, ...checked]);
    const tried = new Set<string>();
    // WHEN a sweep with health checks on finds nothing answering HTTP
    const report = await runJanitor(
      { dns, instances, owner: "ecsdns", logger: SILENT_LOGGER, healthCheck: { timeoutMs: 100, tries: 2, retryDelayMs: 0 }, probe: async (url) => (tried.add(url), false) },
      { kind: "all" },
      NO_SIGNAL,
    );
    // THEN only the two that asked were probed, at their paths, and only their records went
    expect([...tried].sort()).toEqual(["http://10.0.1.1:32804/ready", "http://10.0.1.1:32805/api/v1/health"]);
    expect(report.deleted["failed-health-check"]).toBe(2);
    const left = api.snapshot(zoneId).filter((r) => r.Type === "SRV").map((r) => r.SetIdentifier).sort();
    expect(left).toEqual(unchecked.map((r) => r.setIdentifier).sort());
  });
});

describe("health checks", () => {
  const checkedHost = (path: string) => {
    const [hostA, srv] = hostRecords(LIVE, "10.0.1.1");
    return [hostA, { ...srv, setIdentifier: sid(LIVE, `3f2a9c1b7d4e-8080${path}`) }];
  };

  test("a target that answers on any try stays", async () => {
    const targets = srvTargets(checkedHost(".health"), "ecsdns");
    let calls = 0;
    const unhealthy = await unhealthyTargets(targets, { timeoutMs: 100, tries: 3, retryDelayMs: 0 }, async () => ++calls === 2);
    expect(unhealthy).toEqual([]);
    expect(calls).toBe(2);
  });

  test("an SRV record whose container asked for no check is no target, nor is one of another owner", () => {
    expect(srvTargets(hostRecords(LIVE, "10.0.1.1"), "ecsdns")).toEqual([]);
    expect(srvTargets(checkedHost("."), "other-team")).toEqual([]);
    expect(srvTargets(checkedHost("."), "ecsdns").map((t) => t.url)).toEqual(["http://10.0.1.1:32768/"]);
  });

  test("SRV records whose target has no host A record in the zone are not checked", () => {
    const [, srv] = checkedHost(".health");
    expect(srvTargets([srv], "ecsdns")).toEqual([]);
  });
});

describe("the Lambda's events", () => {
  const stateChange = (state: string) => ({
    source: "aws.ec2",
    "detail-type": "EC2 Instance State-change Notification",
    detail: { "instance-id": DEAD, state },
  });

  test.each(GONE_INSTANCE_STATES)("an instance entering %s is swept alone", (state) => {
    expect(scopeOf(stateChange(state))).toEqual({ kind: "instance-gone", instanceId: DEAD });
  });

  test("an instance that is running needs no sweep", () => {
    expect(scopeOf(stateChange("running"))).toBeUndefined();
  });

  test("the schedule (and any other event) sweeps everything", () => {
    expect(scopeOf({ source: "aws.events", "detail-type": "Scheduled Event" })).toEqual({ kind: "all" });
    expect(scopeOf(undefined)).toEqual({ kind: "all" });
  });
});

describe("janitor configuration", () => {
  test("takes settings from ECSDNS_* variables (the Lambda) and flags (which win)", () => {
    const loaded = loadJanitorConfig(["--owner", "team-a"], { ECSDNS_ZONE_ID: "/hostedzone/Z123", ECSDNS_OWNER: "ignored", ECSDNS_HEALTH_CHECKS: "true" });
    expect(loaded).toMatchObject({ kind: "ok", config: { zoneId: "Z123", owner: "team-a", healthCheck: { timeoutMs: 2000, tries: 3 } } });
  });

  test("--health-check-path is gone: each service names its own path", () => {
    expect(loadJanitorConfig(["--zone-id", "Z1", "--health-check-path", "/health"], {})).toMatchObject({ kind: "error", problems: expect.arrayContaining(["--health-check-path: unknown flag (see --help)"]) });
  });

  test("--help documents every option, its variable and its default, from the same table the parser reads", () => {
    const help = loadJanitorConfig(["--help"], {});
    expect(help.kind).toBe("help");
    const text = help.kind === "help" ? help.text : "";
    for (const [name, spec] of optionsOf(JANITOR_PROGRAM)) {
      expect(text).toContain(`--${name}`);
      expect(text).toContain(envName(name));
      if (spec.defaultText) expect(text).toContain(`[default: ${spec.defaultText}]`);
    }
  });

  test("unknown flags and bad switches in the environment are reported with the rest, not one at a time", () => {
    expect(loadJanitorConfig(["--zone-id", "Z1", "--zone", "Z2", "--once=yes"], { ECSDNS_DRY_RUN: "maybe" })).toEqual({
      kind: "error",
      problems: ["--zone: unknown flag (see --help)", 'unexpected argument "Z2"', '--once: takes no value (got "yes")', 'ECSDNS_DRY_RUN: expected true or false (got "maybe")'],
    });
  });

  test("health checks are off by default", () => {
    expect(loadJanitorConfig(["--zone-id", "Z1"], {})).toMatchObject({ kind: "ok", config: { healthCheck: undefined, dryRun: false, once: false, intervalSeconds: 300 } });
  });

  test("reports every problem at once, naming the flag or variable and the value", () => {
    expect(loadJanitorConfig(["--health-check-tries", "0"], { ECSDNS_OWNER: "Bad_Owner" })).toEqual({
      kind: "error",
      problems: [
        "--zone-id (or ECSDNS_ZONE_ID): is required",
        'ECSDNS_OWNER: expected [a-z0-9-]{1,20} (got "Bad_Owner")',
        '--health-check-tries: expected tries, a whole number 1-10 (got "0")',
      ],
    });
  });
});
