import { InMemoryRoute53 } from "../../dns/memory/in-memory-dns";
import { SILENT_LOGGER } from "../../cli/logger";
import type { DnsRecord } from "../../dns/records";
import { Route53Provider } from "../../dns/route53/route53-provider";
import { JANITOR_PROGRAM, loadJanitorConfig } from "../../janitor/config";
import { envName, optionsOf } from "../../cli/options";
import { instanceIdsIn, planJanitorDeletes } from "../../janitor/dead-host-records";
import { GONE_INSTANCE_STATES } from "../../dns/gone-instance-states";
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

  test("deletes a running host's A record that no SRV of its host needs any more", () => {
    const [hostA, , fqdn] = hostRecords(LIVE, "10.0.1.1");
    const plan = planJanitorDeletes([hostA, fqdn], "ecsdns", () => true);
    expect(plan.deletes).toEqual([{ record: hostA, hostId: LIVE, reason: "orphan-host-record" }]);
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
      records.map((r) => ({
        Action: "CREATE" as const,
        ResourceRecordSet: {
          Name: r.name,
          Type: r.type,
          TTL: r.ttlSeconds,
          ...(r.setIdentifier ? { SetIdentifier: r.setIdentifier, MultiValueAnswer: true } : {}),
          ResourceRecords: r.values.map((Value) => ({ Value })),
        },
      })),
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
    expect(report).toMatchObject({ hosts: 2, deadHosts: [DEAD], deleted: { "host-gone": 3, "orphan-host-record": 0 }, failed: 0, changeCalls: 1 });
    expect(asked).toEqual([[LIVE, DEAD]]);
  });

  test("an instance state-change event removes that instance's records without asking EC2", async () => {
    const { api, zoneId, dns, instances, asked } = setup([LIVE, DEAD]);
    await seed(api, zoneId, [...hostRecords(LIVE, "10.0.1.1"), ...hostRecords(DEAD, "10.0.1.2")]);
    const report = await runJanitor({ dns, instances, owner: "ecsdns", logger: SILENT_LOGGER }, { kind: "instance-gone", instanceId: DEAD }, NO_SIGNAL);
    expect(report.deleted["host-gone"]).toBe(3);
    expect(api.snapshot(zoneId).some((r) => r.SetIdentifier?.includes(DEAD))).toBe(false);
    expect(asked).toEqual([]);
  });

  test("a dry run deletes nothing", async () => {
    const { api, zoneId, dns, instances } = setup([]);
    await seed(api, zoneId, hostRecords(DEAD, "10.0.1.2"));
    const before = api.snapshot(zoneId);
    const report = await runJanitor({ dns, instances, owner: "ecsdns", logger: SILENT_LOGGER, dryRun: true }, { kind: "all" }, NO_SIGNAL);
    expect(api.snapshot(zoneId)).toEqual(before);
    expect(report.changeCalls).toBe(0);
  });

  test("with health checks, removes an SRV record only when every try fails, and never touches the task", async () => {
    const { api, zoneId, dns, instances } = setup([LIVE]);
    await seed(api, zoneId, hostRecords(LIVE, "10.0.1.1"));
    const tried: string[] = [];
    const report = await runJanitor(
      {
        dns,
        instances,
        owner: "ecsdns",
        logger: SILENT_LOGGER,
        healthCheck: { path: "/health", timeoutMs: 100, tries: 3, retryDelayMs: 0 },
        probe: async (url) => (tried.push(url), false),
      },
      { kind: "all" },
      NO_SIGNAL,
    );
    expect(tried).toEqual(Array(3).fill("http://10.0.1.1:32768/health"));
    expect(report.deleted["failed-health-check"]).toBe(1);
    expect(api.snapshot(zoneId).some((r) => r.Type === "SRV")).toBe(false);
  });
});

describe("health checks", () => {
  test("a target that answers on any try stays", async () => {
    const targets = srvTargets(hostRecords(LIVE, "10.0.1.1"), "ecsdns", "/health");
    let calls = 0;
    const unhealthy = await unhealthyTargets(targets, { path: "/health", timeoutMs: 100, tries: 3, retryDelayMs: 0 }, async () => ++calls === 2);
    expect(unhealthy).toEqual([]);
    expect(calls).toBe(2);
  });

  test("SRV records whose target has no host A record in the zone are not checked", () => {
    const [, srv] = hostRecords(LIVE, "10.0.1.1");
    expect(srvTargets([srv], "ecsdns", "/")).toEqual([]);
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
    const loaded = loadJanitorConfig(["--owner", "team-a"], { ECSDNS_ZONE_ID: "/hostedzone/Z123", ECSDNS_OWNER: "ignored", ECSDNS_HEALTH_CHECK_PATH: "/health" });
    expect(loaded).toMatchObject({ kind: "ok", config: { zoneId: "Z123", owner: "team-a", healthCheck: { path: "/health", timeoutMs: 2000, tries: 3 } } });
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
