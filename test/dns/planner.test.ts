import { blocks, changesRoutingPolicy, nameTtls, planChanges } from "../../dns/planner";
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

describe("planner: desired records with one key", () => {
  test("a desired record given twice is created once", () => {
    const plan = planChanges([webA, apiSrv, webA], [], scope);
    expect(plan.changes.create).toEqual([apiSrv, webA]);
  });

  test("a key given twice with other values is planned once, as first given", () => {
    expect(planChanges([webAotherIp, webA], [], scope).changes.create).toEqual([webAotherIp]);
    expect(planChanges([webA, webAotherIp], [], scope).changes.create).toEqual([webA]);
  });

  test("a desired record given twice next to its current record is updated once, and never deleted", () => {
    const plan = planChanges([webAotherIp, webAotherIp], [webA], scope);
    expect(plan.changes).toEqual({ create: [], update: [{ from: webA, to: webAotherIp }], delete: [] });
  });

  test("a desired record given twice next to a blocking record is one conflict", () => {
    expect(planChanges([webA, webA], [webAsimple], scope).conflicts).toEqual([{ desired: webA, blocking: webAsimple }]);
  });
});

describe("planner: a create and a delete in one pass (a container swap)", () => {
  test("the new container's record is created and the old one's deleted in the same plan", () => {
    const oldSrv = srvRecord("_api._tcp.z.", "ecsdns/i-0abc/0123456789ab-8080", "1 1 32768 i-0abc.z");
    const newSrv = srvRecord("_api._tcp.z.", "ecsdns/i-0abc/ba9876543210-8080", "1 1 32999 i-0abc.z");
    const plan = planChanges([webA, newSrv], [webA, oldSrv], scope);
    expect(plan.changes).toEqual({ create: [newSrv], update: [], delete: [oldSrv] });
  });

  test("deletes come sorted by key", () => {
    const b = aRecord("b.z.", "ecsdns/i-0abc/fqdn-local", "10.0.1.5");
    const a = aRecord("a.z.", "ecsdns/i-0abc/fqdn-local", "10.0.1.5");
    const c = aRecord("c.z.", "ecsdns/i-0abc/fqdn-local", "10.0.1.5");
    expect(planChanges([], [b, c, a], scope).changes.delete).toEqual([a, b, c]);
  });

  test("records of ours found are reported sorted", () => {
    expect(planChanges([], [webA, apiSrv], scope).ownedCurrent).toEqual([apiSrv, webA]);
  });
});

describe("planner: conflicts", () => {
  test("a foreign record under another name blocks nothing", () => {
    expect(planChanges([webA], [simpleRecord("other.z.", "A", ["192.0.2.1"])], scope).changes.create).toEqual([webA]);
  });

  test("a conflict is found under any spelling of the name", () => {
    expect(planChanges([webA], [simpleRecord("Web.Z", "A", ["192.0.2.1"])], scope).conflicts).toHaveLength(1);
  });

  test("the first blocking record of the name is the one reported", () => {
    const txtFirst = [webTxt, webAsimple, webCname];
    expect(planChanges([webA], txtFirst, scope).conflicts).toEqual([{ desired: webA, blocking: webAsimple }]);
  });

  test("an update that changes routing next to a blocking record is a conflict, and the record stays", () => {
    const plan = planChanges([webA], [webAweighted, webAweightedForeign], scope);
    expect(plan.changes).toEqual({ create: [], update: [], delete: [] });
    expect(plan.conflicts).toEqual([{ desired: webA, blocking: webAweightedForeign }]);
  });

  test.each<[string, DnsRecord, DnsRecord, boolean]>([
    ["a foreign CNAME blocks any type", webCname, webA, true],
    ["a desired CNAME is blocked by any record", webTxt, { ...webA, type: "CNAME" }, true],
    ["a foreign multivalue record of the same type does not block", webAofOtherOwner, webA, false],
    ["a foreign simple record of the same type blocks", webAsimple, webA, true],
    ["a foreign simple record of another type does not block", webTxt, webA, false],
    ["a foreign multivalue alias of the same type blocks", { ...webAofOtherOwner, alias: true }, webA, true],
    ["a foreign multivalue alias of another type does not block", { ...webAofOtherOwner, type: "AAAA", alias: true }, webA, false],
  ])("%s", (_what, foreign, desired, blocked) => {
    expect(blocks(foreign, desired)).toBe(blocked);
  });

  test.each<[string, DnsRecord, DnsRecord, boolean]>([
    ["same routing, no alias", webA, webAotherIp, false],
    ["other routing", webA, webAweighted, true],
    ["alias against values", { ...webA, alias: true }, webA, true],
    ["values against alias", webA, { ...webA, alias: true }, true],
  ])("changes the routing policy: %s → %s", (_what, from, to, changes) => {
    expect(changesRoutingPolicy(from, to)).toBe(changes);
  });
});

describe("planner: one TTL per name and type", () => {
  const key = "web.z. A";
  const mine = (ttl: number, slot = "fqdn-local") => aRecord("web.z.", `ecsdns/i-0abc/${slot}`, "10.0.1.5", ttl);
  const theirs = (ttl: number, id = "team-b/i-9/web") => aRecord("web.z.", id, "192.0.2.9", ttl);
  const peer = (ttl: number) => aRecord("web.z.", "ecsdns/i-0def/fqdn-local", "10.0.1.6", ttl);

  test.each([
    ["first", [5, 60, 30]],
    ["in the middle", [60, 5, 30]],
    ["last", [60, 30, 5]],
  ])("our records of one name and type get the smallest TTL we want, fed %s", (_where, ttls) => {
    const desired = ttls.map((ttl, i) => mine(ttl, `aaaaaaaaaaa${i}-80`));
    expect(nameTtls(desired, [], scope).get(key)).toEqual({ ttlSeconds: 5, isDrift: true });
    expect(planChanges(desired, [], scope).changes.create.map((r) => r.ttlSeconds)).toEqual([5, 5, 5]);
  });

  test.each([
    ["first", [5, 60, 30]],
    ["in the middle", [60, 5, 30]],
    ["last", [60, 30, 5]],
  ])("another owner's records set the TTL, the smallest of theirs, fed %s", (_where, ttls) => {
    const current = ttls.map((ttl, i) => theirs(ttl, `team-b/i-${i}/web`));
    expect(nameTtls([mine(300)], current, scope).get(key)).toEqual({ ttlSeconds: 5, isDrift: true });
  });

  test("another owner's TTL wins even when ours is smaller", () => {
    expect(nameTtls([mine(1)], [theirs(300)], scope).get(key)).toEqual({ ttlSeconds: 300, isDrift: true });
  });

  test("next to other hosts of our owner only, ours is written and another TTL is no drift", () => {
    expect(nameTtls([mine(60)], [peer(5), mine(5)], scope).get(key)).toEqual({ ttlSeconds: 60, isDrift: false });
    // So a record of ours that another host's write re-timed is left alone.
    expect(planChanges([mine(60)], [peer(5), mine(5)], scope).changes).toEqual({ create: [], update: [], delete: [] });
  });

  test("our own current record is no peer: another TTL on it is drift", () => {
    expect(nameTtls([mine(60)], [mine(5)], scope).get(key)).toEqual({ ttlSeconds: 60, isDrift: true });
    expect(planChanges([mine(60)], [mine(5)], scope).changes.update).toEqual([{ from: mine(5), to: mine(60) }]);
  });

  test("foreign records that are not multivalue, or aliases, or of another name or type, do not set the TTL", () => {
    const current = [
      { ...theirs(1), routing: "simple" as const },
      { ...theirs(2), alias: true },
      { ...theirs(3), name: "other.z." },
      { ...theirs(4), type: "TXT" },
      { ...peer(5), routing: "other" as const },
    ];
    expect(nameTtls([mine(60)], current, scope).get(key)).toEqual({ ttlSeconds: 60, isDrift: true });
  });

  test("a record without a set identifier is another owner's", () => {
    const unnamed: DnsRecord = { ...theirs(7), setIdentifier: undefined };
    expect(nameTtls([mine(60)], [unnamed], scope).get(key)).toEqual({ ttlSeconds: 7, isDrift: true });
  });

  test("names are compared normalized", () => {
    expect(nameTtls([mine(60)], [{ ...theirs(7), name: "WEB.Z" }], scope).get(key)).toEqual({ ttlSeconds: 7, isDrift: true });
  });

  test("each name and type has its own TTL", () => {
    const ttls = nameTtls([mine(60), { ...mine(30), type: "SRV", values: ["1 1 80 h.z"] }, aRecord("api.z.", "ecsdns/i-0abc/fqdn-local", "10.0.1.5", 20)], [theirs(7)], scope);
    expect([...ttls.entries()]).toEqual([
      ["web.z. A", { ttlSeconds: 7, isDrift: true }],
      ["web.z. SRV", { ttlSeconds: 30, isDrift: true }],
      ["api.z. A", { ttlSeconds: 20, isDrift: true }],
    ]);
  });
});
