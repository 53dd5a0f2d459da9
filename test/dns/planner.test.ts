import { planChanges } from "../../dns/planner";
import { applyPolicy } from "../../dns/policy";
import type { DnsRecord } from "../../dns/records";
import { aRecord, simpleRecord, srvRecord } from "../agent/helpers/fixtures";

const scope = { owner: "ecsdns", hostId: "i-0abc" };

// Named fixtures, external-dns style.
const webA = aRecord("web.z.", "ecsdns/i-0abc/fqdn-local", "10.0.1.5");
const webAttl60 = { ...webA, ttlSeconds: 60 };
const webAotherIp = { ...webA, values: ["10.0.1.9"] };
const webAweighted: DnsRecord = { ...webA, routing: "other", providerSpecific: { Weight: 1 } };
const webAofOtherHost = aRecord("web.z.", "ecsdns/i-0def/fqdn-local", "10.0.1.6");
const webAofOtherOwner = aRecord("web.z.", "team-b/i-0abc/fqdn-local", "10.0.1.7");
const webAsimple = simpleRecord("web.z.", "A", ["192.0.2.1"]);
const webAweightedForeign: DnsRecord = { ...simpleRecord("web.z.", "A", ["192.0.2.1"]), setIdentifier: "blue", routing: "other" };
const webAalias: DnsRecord = { name: "web.z.", type: "A", routing: "simple", ttlSeconds: 0, values: [], alias: true };
const webCname = simpleRecord("web.z.", "CNAME", ["elsewhere.example.com"]);
const webTxt = simpleRecord("web.z.", "TXT", ['"hello"']);
const apiSrv = srvRecord("_api._tcp.z.", "ecsdns/i-0abc/0123456789ab-8080", "1 1 32768 i-0abc.z");
const apiSrvNewPort = { ...apiSrv, values: ["1 1 32999 i-0abc.z"] };
const apiSrvSimple = simpleRecord("_api._tcp.z.", "SRV", ["0 0 80 legacy.z"]);

type Row = [string, DnsRecord[], DnsRecord[], { create?: DnsRecord[]; update?: [DnsRecord, DnsRecord][]; delete?: DnsRecord[]; conflicts?: [DnsRecord, DnsRecord][] }];

// One row per line of the truth table in dns/planner.ts.
const truthTable: Row[] = [
  ["nothing desired, nothing current → nothing", [], [], {}],
  ["desired, absent, no conflict → create", [webA], [], { create: [webA] }],
  ["desired, absent, simple record of the same type at the name → conflict", [webA], [webAsimple], { conflicts: [[webA, webAsimple]] }],
  ["desired, absent, weighted foreign record of the same type → conflict", [webA], [webAweightedForeign], { conflicts: [[webA, webAweightedForeign]] }],
  ["desired, absent, alias record of the same type → conflict", [webA], [webAalias], { conflicts: [[webA, webAalias]] }],
  ["desired, absent, CNAME at the name → conflict", [apiSrv], [simpleRecord("_api._tcp.z.", "CNAME", ["x.z"])], { conflicts: [[apiSrv, simpleRecord("_api._tcp.z.", "CNAME", ["x.z"])]] }],
  ["desired SRV, absent, simple SRV at the name → conflict", [apiSrv], [apiSrvSimple], { conflicts: [[apiSrv, apiSrvSimple]] }],
  ["desired, absent, other host's multivalue record at the name → create alongside", [webA], [webAofOtherHost], { create: [webA] }],
  ["desired, absent, other owner's multivalue record at the name → create alongside", [webA], [webAofOtherOwner], { create: [webA] }],
  ["desired A, absent, foreign TXT at the name → create (other type)", [webA], [webTxt], { create: [webA] }],
  ["desired, ours with same content → nothing", [webA], [webA], {}],
  ["desired, ours with other TTL → update", [webAttl60], [webA], { update: [[webA, webAttl60]] }],
  ["desired, ours with other value → update", [webAotherIp], [webA], { update: [[webA, webAotherIp]] }],
  ["desired SRV, ours with old host port → update", [apiSrvNewPort], [apiSrv], { update: [[apiSrv, apiSrvNewPort]] }],
  ["desired, ours with other routing → update", [webA], [webAweighted], { update: [[webAweighted, webA]] }],
  ["desired, ours differs, conflict present → update anyway", [webAotherIp], [webA, webCname], { update: [[webA, webAotherIp]] }],
  ["not desired, ours → delete with its current values", [], [webAttl60], { delete: [webAttl60] }],
  ["not desired, other host's record → untouched", [], [webAofOtherHost], {}],
  ["not desired, other owner's record → untouched", [], [webAofOtherOwner], {}],
  ["not desired, hand-made record → untouched", [], [webAsimple, webCname, webTxt], {}],
];

describe("planner truth table", () => {
  test.each(truthTable)("%s", (_title, desired, current, expected) => {
    const plan = planChanges(desired, current, scope);
    expect(plan.changes).toEqual({
      create: expected.create ?? [],
      update: (expected.update ?? []).map(([from, to]) => ({ from, to })),
      delete: expected.delete ?? [],
    });
    expect(plan.conflicts).toEqual((expected.conflicts ?? []).map(([desiredRecord, blocking]) => ({ desired: desiredRecord, blocking })));
  });
});

describe("planner", () => {
  test("first round creates everything", () => {
    expect(planChanges([webA, apiSrv], [], scope).changes.create).toEqual([apiSrv, webA]);
  });

  test("is idempotent: planning against its own result changes nothing", () => {
    const desired = [webA, apiSrv];
    const first = planChanges(desired, [], scope);
    const second = planChanges(desired, first.changes.create, scope);
    expect(second.changes).toEqual({ create: [], update: [], delete: [] });
  });

  test("reports the records of ours it found", () => {
    expect(planChanges([], [webA, webAofOtherHost, webAsimple], scope).ownedCurrent).toEqual([webA]);
  });

  test("refuses a desired record that does not carry this host's identifier", () => {
    expect(() => planChanges([webAofOtherHost], [], scope)).toThrow(/does not carry this host's set identifier/);
  });

  test("output is sorted whatever the input order", () => {
    const a = planChanges([webA, apiSrv], [], scope);
    const b = planChanges([apiSrv, webA], [], scope);
    expect(a).toEqual(b);
  });

  test("upsert-only keeps creates and updates and drops deletes", () => {
    const plan = planChanges([webAotherIp], [webA, apiSrv], scope);
    expect(applyPolicy(plan.changes, "upsert-only")).toEqual({ create: [], update: [{ from: webA, to: webAotherIp }], delete: [] });
    expect(applyPolicy(plan.changes, "sync")).toBe(plan.changes);
  });
});
