/**
 * The janitor's heartbeat check: the pure verdict (janitor/silent-agents.ts)
 * and one check over the strict in-memory Route53, with EC2 and CloudWatch
 * as fakes that answer what those APIs answer (janitor/heartbeat-check.ts).
 */
import fc from "fast-check";
import { SILENT_LOGGER } from "../../cli/logger";
import { InMemoryRoute53 } from "../../dns/memory/in-memory-dns";
import { nameIndexRecord } from "../../dns/name-index";
import type { DnsRecord } from "../../dns/records";
import { Route53Provider } from "../../dns/route53/route53-provider";
import { toWire } from "../../dns/route53/record-mapping";
import { loadJanitorConfig } from "../../janitor/config";
import { isHeartbeatCheck, scopeOf } from "../../janitor/handler";
import { runHeartbeatCheck } from "../../janitor/heartbeat-check";
import { HEARTBEAT_LOOK_BACK_SECONDS, type HeartbeatStore } from "../../janitor/heartbeats";
import type { InstanceStates } from "../../janitor/instance-states";
import { judgeSilentAgents, type HeartbeatObservations } from "../../janitor/silent-agents";
import { aRecord, simpleRecord, srvRecord } from "../agent/helpers/fixtures";

const NOW = Date.parse("2026-12-02T12:00:00Z");
const RULES = { nowMs: NOW, silentAfterMs: 150_000, maxSilentPercent: 50 };
const host = (n: number) => `i-0${String(n).padStart(16, "0")}`;
const [A, B, C, D] = [1, 2, 3, 4].map(host);

/** Observations where every host runs, CloudWatch answered whole, and `ages` gives each host's heartbeat age in seconds (undefined: none in the window). */
function observed(ages: Record<string, number | undefined>, extra: Partial<HeartbeatObservations> = {}): HeartbeatObservations {
  const lastHeartbeatAtMs = new Map<string, number>();
  for (const [id, age] of Object.entries(ages)) if (age !== undefined) lastHeartbeatAtMs.set(id, NOW - age * 1000);
  return { reportingHostIds: Object.keys(ages), running: new Set(Object.keys(ages)), lastHeartbeatAtMs, complete: true, ...extra };
}

describe("judgeSilentAgents (the check's truth table)", () => {
  test("a host whose heartbeat is within the threshold is reporting; one older is silent and its records are cleaned", () => {
    const verdict = judgeSilentAgents(observed({ [A]: 20, [B]: 150, [C]: 151, [D]: 40 }), RULES);
    expect(verdict).toEqual({ checked: [A, B, C, D], silent: [C], clean: [C], held: [] });
  });

  test("a host with no heartbeat in the look-back window is long silent: counted, never cleaned again", () => {
    const verdict = judgeSilentAgents(observed({ [A]: 20, [B]: 30, [C]: undefined }), RULES);
    expect(verdict).toEqual({ checked: [A, B, C], silent: [C], clean: [], held: [] });
  });

  test("only running EC2 instances are judged: a stopped one is the sweep's, a laptop's host id is never judged", () => {
    const verdict = judgeSilentAgents(observed({ [A]: 20, [B]: 900, "laptop-1": 900 }, { running: new Set([A, "laptop-1"]) }), RULES);
    expect(verdict).toEqual({ checked: [A], silent: [], clean: [], held: [] });
  });

  test("the guard: more than half of the hosts newly silent at once is held, nothing cleaned", () => {
    const verdict = judgeSilentAgents(observed({ [A]: 200, [B]: 300, [C]: 20 }), RULES);
    expect(verdict).toEqual({ checked: [A, B, C], silent: [A, B], clean: [], held: [A, B], holdReason: "too-many-silent" });
  });

  test("the guard: exactly half is still the agents' fault, and cleaned", () => {
    expect(judgeSilentAgents(observed({ [A]: 200, [B]: 20 }), RULES).clean).toEqual([A]);
  });

  test("the guard: a single host that falls silent alone is held (it cannot be told from a CloudWatch outage) and pages", () => {
    expect(judgeSilentAgents(observed({ [A]: 200 }), RULES)).toMatchObject({ clean: [], held: [A], holdReason: "too-many-silent" });
  });

  test("the guard: CloudWatch answering only part of the data holds every newly silent host", () => {
    expect(judgeSilentAgents(observed({ [A]: 200, [B]: 20, [C]: 20 }, { complete: false }), RULES)).toMatchObject({ clean: [], held: [A], holdReason: "incomplete-data" });
  });

  test("long-silent hosts weigh in neither side of the guard", () => {
    // Two hosts long silent, one newly silent, two reporting: 1 of 3 that reported in the window.
    const verdict = judgeSilentAgents(observed({ [A]: undefined, [B]: undefined, [C]: 200, [D]: 20, [host(5)]: 10 }), RULES);
    expect(verdict).toMatchObject({ silent: [A, B, C], clean: [C], held: [] });
  });

  test("property: cleaned and held never overlap, are newly silent, and cleaned stays within the guard's share", () => {
    fc.assert(
      fc.property(fc.array(fc.option(fc.integer({ min: 0, max: 1800 }), { nil: undefined }), { minLength: 0, maxLength: 40 }), fc.integer({ min: 0, max: 100 }), (ages, percent) => {
        const byHost = Object.fromEntries(ages.map((age, i) => [host(i + 1), age]));
        const verdict = judgeSilentAgents(observed(byHost), { ...RULES, maxSilentPercent: percent });
        const inWindow = ages.filter((a) => a !== undefined).length;
        expect(verdict.clean.filter((id) => verdict.held.includes(id))).toEqual([]);
        for (const id of [...verdict.clean, ...verdict.held]) expect(byHost[id]! > 150).toBe(true);
        expect(verdict.clean.length * 100).toBeLessThanOrEqual(percent * inWindow);
        expect(verdict.silent.length).toBe(ages.filter((a) => a === undefined || a > 150).length);
      }),
    );
  });
});

describe("runHeartbeatCheck", () => {
  const ZONE = "svc.internal.";
  const sid = (h: string, slot: string, owner = "ecsdns") => `${owner}/${h}/${slot}`;
  const hostRecords = (h: string, ip: string): DnsRecord[] => [
    aRecord(`${h}.${ZONE}`, sid(h, "host"), ip),
    srvRecord(`_web._tcp.${ZONE}`, sid(h, "3f2a9c1b7d4e-8080"), `1 1 32768 ${h}.${ZONE}`),
  ];

  /** CloudWatch as a fake: the hosts that reported, their last heartbeats; it records what was asked and published. */
  function heartbeatStore(lastAgeSeconds: Record<string, number | undefined>) {
    const published: { silent: number; held: number }[] = [];
    const asked: { hostIds: string[]; sinceMs: number }[] = [];
    const store: HeartbeatStore = {
      reportingHosts: async () => Object.keys(lastAgeSeconds).sort(),
      lastHeartbeats: async (hostIds, sinceMs, nowMs) => {
        asked.push({ hostIds: [...hostIds], sinceMs });
        const lastAtMs = new Map<string, number>();
        for (const id of hostIds) {
          const age = lastAgeSeconds[id];
          if (age !== undefined && nowMs - age * 1000 >= sinceMs) lastAtMs.set(id, nowMs - age * 1000);
        }
        return { lastAtMs, complete: true };
      },
      publishCounts: async (counts) => void published.push({ ...counts }),
    };
    return { store, published, asked };
  }

  async function setup(running: string[], records: DnsRecord[]) {
    const api = new InMemoryRoute53();
    const zoneId = api.createZone(ZONE);
    await api.changeRecordSets(
      zoneId,
      records.map((r) => ({ Action: "CREATE" as const, ResourceRecordSet: toWire(r) })),
    );
    api.calls.list = 0;
    api.calls.change = 0;
    const instances: InstanceStates = { running: async (ids) => new Set(ids.filter((id) => running.includes(id))) };
    return { api, zoneId, dns: new Route53Provider({ api, zoneId }), instances };
  }

  const foreign = [simpleRecord(`www.${ZONE}`, "A", ["10.9.9.9"]), aRecord(`web.${ZONE}`, sid(B, "fqdn-local", "other-team"), "10.0.0.9")];

  test("removes the records of the running host whose agent went silent, keeps the live hosts' and every foreign record, and publishes the counts", async () => {
    // GIVEN A and C report, B stopped 200 s ago
    const { api, zoneId, dns, instances } = await setup([A, B, C], [...hostRecords(A, "10.0.1.1"), ...hostRecords(B, "10.0.1.2"), ...hostRecords(C, "10.0.1.3"), ...foreign]);
    const cw = heartbeatStore({ [A]: 30, [B]: 200, [C]: 5 });
    // WHEN
    const report = await runHeartbeatCheck({ dns, instances, heartbeats: cw.store, owner: "ecsdns", logger: SILENT_LOGGER, silentAfterSeconds: 150, maxSilentPercent: 50, now: () => NOW }, new AbortController().signal);
    // THEN
    expect(report).toMatchObject({ checkedHosts: 3, silentHosts: [B], cleanedHosts: [B], heldHosts: [], deleted: 2, failed: 0 });
    const left = api.snapshot(zoneId).map((r) => r.SetIdentifier ?? r.Name).filter((s) => s !== ZONE);
    expect(left.sort()).toEqual([sid(A, "host"), sid(A, "3f2a9c1b7d4e-8080"), sid(C, "host"), sid(C, "3f2a9c1b7d4e-8080"), sid(B, "fqdn-local", "other-team"), `www.${ZONE}`].sort());
    expect(cw.published).toEqual([{ silent: 1, held: 0 }]);
    expect(cw.asked).toEqual([{ hostIds: [A, B, C], sinceMs: NOW - HEARTBEAT_LOOK_BACK_SECONDS * 1000 }]);
  });

  test("with the zone's name, a silent host's records are read through its name index, never the zone; once gone, a check costs 1 call", async () => {
    // GIVEN B (silent) wrote a name index at its host name, listing _web._tcp; the zone holds 900 foreign records
    const withIndex = (h: string, ip: string): DnsRecord[] => {
      const records = hostRecords(h, ip);
      const index = nameIndexRecord(records, { owner: "ecsdns", hostId: h }, `${h}.${ZONE}`, ZONE, 10)!;
      return [...records, index];
    };
    const filler = Array.from({ length: 900 }, (_, i) => simpleRecord(`f${i}.${ZONE}`, "A", ["10.9.0.1"]));
    const { api, zoneId, dns, instances } = await setup([A, B, C], [...withIndex(A, "10.0.1.1"), ...withIndex(B, "10.0.1.2"), ...withIndex(C, "10.0.1.3"), ...filler]);
    const cw = heartbeatStore({ [A]: 30, [B]: 200, [C]: 5 });
    const check = () =>
      runHeartbeatCheck({ dns, instances, heartbeats: cw.store, owner: "ecsdns", zoneName: ZONE, logger: SILENT_LOGGER, silentAfterSeconds: 150, maxSilentPercent: 50, now: () => NOW }, new AbortController().signal);
    // WHEN
    const first = await check();
    // THEN its A, SRV and TXT go: 2 reads (its host name, then _web._tcp), 1 change
    expect(first).toMatchObject({ cleanedHosts: [B], deleted: 3, listCalls: 2, changeCalls: 1 });
    expect(api.calls.list).toBe(2);
    expect(api.snapshot(zoneId).filter((r) => r.SetIdentifier?.includes(B))).toEqual([]);
    expect(api.snapshot(zoneId).filter((r) => r.SetIdentifier?.includes(A))).toHaveLength(3);
    // AND the next check (B still newly silent) reads B's host name once and changes nothing
    api.calls.list = 0;
    const second = await check();
    expect(second).toMatchObject({ cleanedHosts: [B], deleted: 0, listCalls: 1, changeCalls: 0 });
    expect(api.calls.list).toBe(1);
  });

  test("when every agent reports, it makes no Route53 call at all", async () => {
    const { api, dns, instances } = await setup([A, B], [...hostRecords(A, "10.0.1.1"), ...hostRecords(B, "10.0.1.2")]);
    const cw = heartbeatStore({ [A]: 30, [B]: 61 });
    const report = await runHeartbeatCheck({ dns, instances, heartbeats: cw.store, owner: "ecsdns", logger: SILENT_LOGGER, silentAfterSeconds: 150, maxSilentPercent: 50, now: () => NOW }, new AbortController().signal);
    expect(report).toMatchObject({ silentHosts: [], deleted: 0, listCalls: 0 });
    expect(api.calls).toEqual({ list: 0, change: 0, getZone: 0 });
    expect(cw.published).toEqual([{ silent: 0, held: 0 }]);
  });

  test("when most hosts fall silent at once, it deletes nothing, reads no zone, and publishes them as held", async () => {
    const { api, zoneId, dns, instances } = await setup([A, B, C], [...hostRecords(A, "10.0.1.1"), ...hostRecords(B, "10.0.1.2"), ...hostRecords(C, "10.0.1.3")]);
    const before = api.snapshot(zoneId);
    const cw = heartbeatStore({ [A]: 200, [B]: 300, [C]: 20 });
    const report = await runHeartbeatCheck({ dns, instances, heartbeats: cw.store, owner: "ecsdns", logger: SILENT_LOGGER, silentAfterSeconds: 150, maxSilentPercent: 50, now: () => NOW }, new AbortController().signal);
    expect(report).toMatchObject({ cleanedHosts: [], heldHosts: [A, B], holdReason: "too-many-silent", deleted: 0 });
    expect(api.snapshot(zoneId)).toEqual(before);
    expect(api.calls.list + api.calls.change).toBe(0);
    expect(cw.published).toEqual([{ silent: 2, held: 2 }]);
  });

  test("a host EC2 lists as stopped is not judged here (the sweep and the state-change events remove it)", async () => {
    const { api, zoneId, dns, instances } = await setup([A, C], [...hostRecords(A, "10.0.1.1"), ...hostRecords(B, "10.0.1.2"), ...hostRecords(C, "10.0.1.3")]);
    const before = api.snapshot(zoneId);
    const cw = heartbeatStore({ [A]: 10, [B]: 400, [C]: 10 });
    const report = await runHeartbeatCheck({ dns, instances, heartbeats: cw.store, owner: "ecsdns", logger: SILENT_LOGGER, silentAfterSeconds: 150, maxSilentPercent: 50, now: () => NOW }, new AbortController().signal);
    expect(report).toMatchObject({ checkedHosts: 2, silentHosts: [], deleted: 0 });
    expect(api.snapshot(zoneId)).toEqual(before);
  });
});

describe("the janitor's heartbeat-check event and settings", () => {
  test("the schedule's input starts the check; other events keep their sweeps", () => {
    expect(isHeartbeatCheck({ ecsdns: "heartbeat-check" })).toBe(true);
    expect(isHeartbeatCheck({ source: "aws.events", "detail-type": "Scheduled Event" })).toBe(false);
    expect(isHeartbeatCheck(null)).toBe(false);
    expect(scopeOf({ source: "aws.events", "detail-type": "Scheduled Event" })).toEqual({ kind: "all" });
  });

  test("defaults: silent after 150 s, guard at 50 %; bad values are named with the variable and value", () => {
    const ok = loadJanitorConfig(["--zone-id", "Z1"], {});
    expect(ok).toMatchObject({ kind: "ok", config: { silentAfterSeconds: 150, silentHostsMaxPercent: 50, heartbeatCheck: false } });
    const bad = loadJanitorConfig(["--zone-id", "Z1"], { ECSDNS_SILENT_AFTER_SECONDS: "5", ECSDNS_SILENT_HOSTS_MAX_PERCENT: "101" });
    expect(bad.kind).toBe("error");
    const problems = bad.kind === "error" ? bad.problems.join("\n") : "";
    expect(problems).toMatch(/ECSDNS_SILENT_AFTER_SECONDS.*"5"|"5".*ECSDNS_SILENT_AFTER_SECONDS/);
    expect(problems).toMatch(/ECSDNS_SILENT_HOSTS_MAX_PERCENT.*"101"|"101".*ECSDNS_SILENT_HOSTS_MAX_PERCENT/);
  });
});
