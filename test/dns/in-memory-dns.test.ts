import { InMemoryRoute53 } from "../../dns/memory/in-memory-dns";
import type { WireChange, WireRecordSet } from "../../dns/route53/route53-api";

const mv = (name: string, setId: string, value: string, type = "A", ttl = 10): WireRecordSet => ({
  Name: name,
  Type: type,
  SetIdentifier: setId,
  MultiValueAnswer: true,
  TTL: ttl,
  ResourceRecords: [{ Value: value }],
});
const change = (Action: WireChange["Action"], ResourceRecordSet: WireRecordSet): WireChange => ({ Action, ResourceRecordSet });

describe("in-memory Route53 (at least as strict as Route53)", () => {
  let r53: InMemoryRoute53;
  let zone: string;
  beforeEach(() => {
    r53 = new InMemoryRoute53();
    zone = r53.createZone("svc.internal");
  });

  const names = () => r53.snapshot(zone).map((r) => `${r.Name} ${r.Type} ${r.SetIdentifier ?? ""}`.trim());
  const rejected = async (changes: WireChange[]) => {
    const before = r53.snapshot(zone);
    const error = await r53.changeRecordSets(zone, changes).then(() => undefined, (e: unknown) => e as { name: string; messages?: string[] });
    expect(r53.snapshot(zone)).toEqual(before); // atomic: nothing applied
    return error;
  };

  test("a new zone holds its NS and SOA records", () => {
    expect(names()).toEqual(["svc.internal. NS", "svc.internal. SOA"]);
  });

  test("CREATE of an existing record set fails", async () => {
    await r53.changeRecordSets(zone, [change("CREATE", mv("a.svc.internal", "o/h/x", "10.0.0.1"))]);
    const error = await rejected([change("CREATE", mv("a.svc.internal", "o/h/x", "10.0.0.1"))]);
    expect(error).toMatchObject({ name: "InvalidChangeBatch", messages: [expect.stringMatching(/but it already exists/)] });
  });

  test("UPSERT creates or replaces", async () => {
    await r53.changeRecordSets(zone, [change("UPSERT", mv("a.svc.internal", "o/h/x", "10.0.0.1"))]);
    await r53.changeRecordSets(zone, [change("UPSERT", mv("a.svc.internal", "o/h/x", "10.0.0.2"))]);
    expect(r53.snapshot(zone).find((r) => r.Type === "A")?.ResourceRecords).toEqual([{ Value: "10.0.0.2" }]);
  });

  test("DELETE of a missing record set fails with 'not found'", async () => {
    const error = await rejected([change("DELETE", mv("gone.svc.internal", "o/h/x", "10.0.0.1"))]);
    expect(error?.messages).toEqual([expect.stringMatching(/but it was not found/)]);
  });

  test.each([
    ["values", mv("a.svc.internal", "o/h/x", "10.0.0.9")],
    ["TTL", mv("a.svc.internal", "o/h/x", "10.0.0.1", "A", 60)],
  ])("DELETE with other %s fails", async (_what, wrong) => {
    await r53.changeRecordSets(zone, [change("CREATE", mv("a.svc.internal", "o/h/x", "10.0.0.1"))]);
    const error = await rejected([change("DELETE", wrong)]);
    expect(error?.messages).toEqual([expect.stringMatching(/do not match the current values/)]);
  });

  test("a batch is all or nothing", async () => {
    const error = await rejected([change("UPSERT", mv("ok.svc.internal", "o/h/x", "10.0.0.1")), change("DELETE", mv("gone.svc.internal", "o/h/x", "10.0.0.1"))]);
    expect(error?.name).toBe("InvalidChangeBatch");
    expect(names()).not.toContain("ok.svc.internal. A o/h/x");
  });

  test("an unknown zone fails", async () => {
    await expect(r53.changeRecordSets("ZNOPE", [change("UPSERT", mv("a.svc.internal", "o/h/x", "10.0.0.1"))])).rejects.toMatchObject({ name: "NoSuchHostedZone" });
    await expect(r53.listRecordSets({ zoneId: "ZNOPE", maxItems: 10 })).rejects.toMatchObject({ name: "NoSuchHostedZone" });
  });

  test.each([
    ["a name outside the zone", mv("a.other.internal", "o/h/x", "10.0.0.1"), /not permitted in zone/],
    ["a name that only ends with the zone's text", mv("asvc.internal", "o/h/x", "10.0.0.1"), /not permitted in zone/],
    ["an A value that is not IPv4", mv("a.svc.internal", "o/h/x", "not-an-ip"), /IPv4/],
    ["an SRV value that is not 'priority weight port target'", mv("_s._tcp.svc.internal", "o/h/x", "garbage", "SRV"), /SRV value/],
    ["an SRV port out of range", mv("_s._tcp.svc.internal", "o/h/x", "1 1 70000 h.svc.internal", "SRV"), /SRV value/],
    ["a set identifier longer than 128", mv("a.svc.internal", "x".repeat(129), "10.0.0.1"), /1 to 128/],
    ["a multivalue record without a set identifier", { ...mv("a.svc.internal", "o/h/x", "10.0.0.1"), SetIdentifier: undefined }, /set identifier/],
    ["a negative TTL", mv("a.svc.internal", "o/h/x", "10.0.0.1", "A", -1), /TTL/],
    ["a multivalue record with two values", { ...mv("a.svc.internal", "o/h/x", "10.0.0.1"), ResourceRecords: [{ Value: "10.0.0.1" }, { Value: "10.0.0.2" }] }, /one value/],
  ])("rejects %s", async (_what, rrset, message) => {
    const error = await rejected([change("UPSERT", rrset)]);
    expect(error?.messages?.join()).toMatch(message);
  });

  test("rejects a simple and a multivalue record set with the same name and type", async () => {
    await r53.changeRecordSets(zone, [change("CREATE", { Name: "a.svc.internal", Type: "A", TTL: 60, ResourceRecords: [{ Value: "192.0.2.1" }] })]);
    const error = await rejected([change("UPSERT", mv("a.svc.internal", "o/h/x", "10.0.0.1"))]);
    expect(error?.messages?.join()).toMatch(/cannot be created as other RRSets exist/);
  });

  test("rejects any record next to a CNAME", async () => {
    await r53.changeRecordSets(zone, [change("CREATE", { Name: "c.svc.internal", Type: "CNAME", TTL: 60, ResourceRecords: [{ Value: "x.example.com" }] })]);
    const error = await rejected([change("UPSERT", mv("c.svc.internal", "o/h/x", "10.0.0.1"))]);
    expect(error?.messages?.join()).toMatch(/conflicting RRSet of type CNAME/);
  });

  test("allows multivalue record sets of several hosts at one name", async () => {
    await r53.changeRecordSets(zone, [change("UPSERT", mv("a.svc.internal", "o/h1/x", "10.0.0.1")), change("UPSERT", mv("a.svc.internal", "o/h2/x", "10.0.0.2"))]);
    expect(names()).toEqual(expect.arrayContaining(["a.svc.internal. A o/h1/x", "a.svc.internal. A o/h2/x"]));
  });

  test("rejects the same record set twice in one batch, but allows DELETE then CREATE", async () => {
    const rr = mv("a.svc.internal", "o/h/x", "10.0.0.1");
    expect((await rejected([change("UPSERT", rr), change("UPSERT", rr)]))?.messages?.join()).toMatch(/invalid set of changes/);
    await r53.changeRecordSets(zone, [change("CREATE", rr)]);
    await r53.changeRecordSets(zone, [change("DELETE", rr), change("CREATE", { ...rr, TTL: 60 })]);
    expect(r53.snapshot(zone).find((r) => r.Type === "A")?.TTL).toBe(60);
  });

  test("enforces 1,000 records per request with UPSERT counting twice", async () => {
    const batch = Array.from({ length: 501 }, (_, i) => change("UPSERT", mv(`n${i}.svc.internal`, "o/h/x", "10.0.0.1")));
    expect(await rejected(batch)).toMatchObject({ messages: ["Number of records limit of 1000 exceeded."] });
    await r53.changeRecordSets(zone, batch.slice(0, 500));
  });

  test("enforces 32,000 value characters per request with UPSERT counting twice", async () => {
    // 15 character strings of 250 (Route53 takes at most 255 each): 3,794 characters a value
    const value = Array.from({ length: 15 }, () => `"${"x".repeat(250)}"`).join(" ");
    const txt = (i: number): WireRecordSet => ({ Name: `t${i}.svc.internal`, Type: "TXT", TTL: 60, ResourceRecords: [{ Value: value }] });
    const batch = Array.from({ length: 5 }, (_, i) => change("UPSERT", txt(i)));
    expect(await rejected(batch)).toMatchObject({ messages: ["Number of characters limit of 32000 exceeded."] });
    await r53.changeRecordSets(zone, batch.slice(0, 4));
  });

  test("rejects an empty batch", async () => {
    await expect(r53.changeRecordSets(zone, [])).rejects.toMatchObject({ name: "InvalidInput" });
  });

  test("lists in Route53 order, at most 300 per page, with the next name, type and identifier", async () => {
    await r53.changeRecordSets(zone, Array.from({ length: 400 }, (_, i) => change("CREATE", mv("multi.svc.internal", `o/h${String(i).padStart(3, "0")}/x`, "10.0.0.1"))).slice(0, 100));
    await r53.changeRecordSets(zone, Array.from({ length: 400 }, (_, i) => change("CREATE", mv(`n${String(i).padStart(3, "0")}.svc.internal`, "o/h/x", "10.0.0.1"))));
    const first = await r53.listRecordSets({ zoneId: zone, maxItems: 1000 });
    expect(first.recordSets).toHaveLength(300);
    expect(first.isTruncated).toBe(true);
    const second = await r53.listRecordSets({ zoneId: zone, startName: first.nextName, startType: first.nextType, startIdentifier: first.nextIdentifier, maxItems: 300 });
    const all = [...first.recordSets, ...second.recordSets];
    expect(second.isTruncated).toBe(false);
    expect(new Set(all.map((r) => `${r.Name} ${r.Type} ${r.SetIdentifier}`)).size).toBe(502);
  });

  test("lets a hook fail a call, e.g. with Throttling", async () => {
    r53.hooks.beforeChange = () => {
      throw Object.assign(new Error("Rate exceeded"), { name: "Throttling" });
    };
    await expect(r53.changeRecordSets(zone, [change("UPSERT", mv("a.svc.internal", "o/h/x", "10.0.0.1"))])).rejects.toMatchObject({ name: "Throttling" });
  });
});

describe("one TTL per name and type, as Route53 keeps it", () => {
  const mv = (setIdentifier: string, ttl: number, value: string): WireRecordSet => ({ Name: "web.svc.internal.", Type: "A", SetIdentifier: setIdentifier, MultiValueAnswer: true, TTL: ttl, ResourceRecords: [{ Value: value }] });

  test("a multivalue record set written with another TTL sets the TTL of every record set of its name and type", async () => {
    const route53 = new InMemoryRoute53();
    const zoneId = route53.createZone("svc.internal");
    await route53.changeRecordSets(zoneId, [{ Action: "CREATE", ResourceRecordSet: mv("a", 10, "10.0.0.1") }]);
    await route53.changeRecordSets(zoneId, [{ Action: "CREATE", ResourceRecordSet: mv("b", 60, "10.0.0.2") }]);
    expect(route53.snapshot(zoneId).filter((r) => r.Type === "A").map((r) => [r.SetIdentifier, r.TTL])).toEqual([["a", 60], ["b", 60]]);
  });

  test("within a batch the rule applies in order: a DELETE after a write must carry the new TTL", async () => {
    const route53 = new InMemoryRoute53();
    const zoneId = route53.createZone("svc.internal");
    await route53.changeRecordSets(zoneId, [{ Action: "CREATE", ResourceRecordSet: mv("a", 10, "10.0.0.1") }]);
    await expect(
      route53.changeRecordSets(zoneId, [{ Action: "UPSERT", ResourceRecordSet: mv("b", 60, "10.0.0.2") }, { Action: "DELETE", ResourceRecordSet: mv("a", 10, "10.0.0.1") }]),
    ).rejects.toMatchObject({ name: "InvalidChangeBatch" });
    await route53.changeRecordSets(zoneId, [{ Action: "DELETE", ResourceRecordSet: mv("a", 10, "10.0.0.1") }, { Action: "UPSERT", ResourceRecordSet: mv("b", 60, "10.0.0.2") }]);
    expect(route53.snapshot(zoneId).filter((r) => r.Type === "A").map((r) => [r.SetIdentifier, r.TTL])).toEqual([["b", 60]]);
  });
});
