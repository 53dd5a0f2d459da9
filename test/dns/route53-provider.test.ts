import { InMemoryRoute53 } from "../../dns/memory/in-memory-dns";
import type { DnsRecord } from "../../dns/records";
import { Route53Provider } from "../../dns/route53/route53-provider";
import type { WireRecordSet } from "../../dns/route53/route53-api";
import { NO_SIGNAL, aRecord, srvRecord } from "../agent/helpers/fixtures";

const ZONE_NAME = "svc.internal.";
const empty = { create: [], update: [], delete: [] };

describe("Route53Provider against the strict fake", () => {
  let r53: InMemoryRoute53;
  let zoneId: string;
  let provider: Route53Provider;
  beforeEach(() => {
    r53 = new InMemoryRoute53();
    zoneId = r53.createZone(ZONE_NAME);
    provider = new Route53Provider({ api: r53, zoneId });
  });

  const web = aRecord("web.svc.internal.", "ecsdns/i-0abc/fqdn-local", "10.0.1.5");
  const srv = srvRecord("_web._tcp.svc.internal.", "ecsdns/i-0abc/0123456789ab-80", "1 1 32768 i-0abc.svc.internal");

  test("creates records with UPSERT and reads them back normalized", async () => {
    const result = await provider.applyChanges({ ...empty, create: [web, srv] }, NO_SIGNAL);
    expect(result).toEqual({ applied: { ...empty, create: [srv, web] }, failed: [], changeCalls: 1 });
    const listed = (await provider.listRecords(NO_SIGNAL)).filter((r) => r.setIdentifier);
    expect(listed).toEqual(expect.arrayContaining([web, srv]));
  });

  test("creating a record that already exists is no error (UPSERT)", async () => {
    await provider.applyChanges({ ...empty, create: [web] }, NO_SIGNAL);
    const result = await provider.applyChanges({ ...empty, create: [web] }, NO_SIGNAL);
    expect(result.failed).toEqual([]);
  });

  test("deletes with the exact current values", async () => {
    await provider.applyChanges({ ...empty, create: [web] }, NO_SIGNAL);
    const result = await provider.applyChanges({ ...empty, delete: [web] }, NO_SIGNAL);
    expect(result.applied.delete).toEqual([web]);
    expect((await provider.listRecords(NO_SIGNAL)).some((r) => r.name === web.name)).toBe(false);
  });

  test("a DELETE of a record already gone counts as done", async () => {
    const result = await provider.applyChanges({ ...empty, delete: [web] }, NO_SIGNAL);
    expect(result.applied.delete).toEqual([web]);
    expect(result.failed).toEqual([]);
  });

  test("a DELETE whose values went stale is repeated with the values Route53 holds", async () => {
    await provider.applyChanges({ ...empty, create: [{ ...web, values: ["10.0.1.99"] }] }, NO_SIGNAL);
    const result = await provider.applyChanges({ ...empty, delete: [web] }, NO_SIGNAL);
    expect(result.failed).toEqual([]);
    expect((await provider.listRecords(NO_SIGNAL)).some((r) => r.name === web.name)).toBe(false);
  });

  test("an update across routing policies is DELETE + CREATE in one batch", async () => {
    const weighted: WireRecordSet = { Name: web.name, Type: "A", SetIdentifier: web.setIdentifier, Weight: 10, TTL: 10, ResourceRecords: [{ Value: "10.0.1.5" }] };
    await r53.changeRecordSets(zoneId, [{ Action: "CREATE", ResourceRecordSet: weighted }]);
    const [from] = (await provider.listRecords(NO_SIGNAL)).filter((r) => r.setIdentifier === web.setIdentifier);
    expect(from.routing).toBe("other");
    const result = await provider.applyChanges({ ...empty, update: [{ from, to: web }] }, NO_SIGNAL);
    expect(result).toMatchObject({ failed: [], changeCalls: 1, applied: { update: [{ from, to: web }] } });
    expect((await provider.listRecords(NO_SIGNAL)).find((r) => r.setIdentifier === web.setIdentifier)).toEqual(web);
  });

  test("one bad change does not block the others: the batch is split by name", async () => {
    const records: DnsRecord[] = Array.from({ length: 16 }, (_, i) => aRecord(`n${String(i).padStart(2, "0")}.svc.internal.`, "ecsdns/i-0abc/fqdn-local", "10.0.1.5"));
    await r53.changeRecordSets(zoneId, [{ Action: "CREATE", ResourceRecordSet: { Name: "n07.svc.internal.", Type: "A", TTL: 60, ResourceRecords: [{ Value: "192.0.2.1" }] } }]);
    const result = await provider.applyChanges({ ...empty, create: records }, NO_SIGNAL);
    expect(result.failed.map((f) => f.record.name)).toEqual(["n07.svc.internal."]);
    expect(result.failed[0].reason).toMatch(/cannot be created as other RRSets exist/);
    expect(result.applied.create).toHaveLength(15);
    // Route53's message names n07: the 15 others go in one call, n07 alone in another.
    expect(result.changeCalls).toBe(3);
  });

  /** The fake behind an API whose InvalidChangeBatch messages are rewritten. */
  const rewritingRejections = (rewrite: (messages: readonly string[]) => string[]) => ({
    listRecordSets: r53.listRecordSets.bind(r53),
    getZoneName: r53.getZoneName.bind(r53),
    changeRecordSets: async (...args: Parameters<InMemoryRoute53["changeRecordSets"]>) => {
      try {
        return await r53.changeRecordSets(...args);
      } catch (error) {
        const e = error as Error & { messages?: string[] };
        if (e.name !== "InvalidChangeBatch") throw error;
        throw Object.assign(new Error("Invalid request"), { name: e.name, messages: rewrite(e.messages ?? [e.message]) });
      }
    },
  });

  test("a rejection that names none of the batch's names is split in halves by name", async () => {
    const records: DnsRecord[] = Array.from({ length: 16 }, (_, i) => aRecord(`n${String(i).padStart(2, "0")}.svc.internal.`, "ecsdns/i-0abc/fqdn-local", "10.0.1.5"));
    await r53.changeRecordSets(zoneId, [{ Action: "CREATE", ResourceRecordSet: { Name: "n07.svc.internal.", Type: "A", TTL: 60, ResourceRecords: [{ Value: "192.0.2.1" }] } }]);
    const sent: number[] = [];
    r53.hooks.beforeChange = (_zone, changes) => {
      sent.push(changes.length);
    };
    const api = rewritingRejections(() => ["Invalid request"]);
    const result = await new Route53Provider({ api, zoneId }).applyChanges({ ...empty, create: records }, NO_SIGNAL);
    expect(result.failed.map((f) => f.record.name)).toEqual(["n07.svc.internal."]);
    expect(result.applied.create).toHaveLength(15);
    // Halving, first half first: each bad half split again, each good half sent once: 1 + 2·log2(16) calls.
    expect(result.changeCalls).toBe(9);
    expect(sent).toEqual([16, 8, 4, 4, 2, 2, 1, 1, 8]);
  });

  test("a message that names a name which is not at fault only costs that name a call of its own", async () => {
    // The SRV's message names its target, the host record, which is fine: the host record goes alone and is applied.
    await r53.changeRecordSets(zoneId, [{ Action: "CREATE", ResourceRecordSet: { Name: "_web._tcp.svc.internal.", Type: "CNAME", TTL: 60, ResourceRecords: [{ Value: "elsewhere.example." }] } }]);
    const host = aRecord("i-0abc.svc.internal.", "ecsdns/i-0abc/host", "10.0.1.5");
    const api = rewritingRejections((messages) => messages.map((m) => `${m} (target i-0abc.svc.internal.)`));
    const sent: string[][] = [];
    r53.hooks.beforeChange = (_zone, changes) => {
      sent.push(changes.map((c) => c.ResourceRecordSet.Name).sort());
    };
    const result = await new Route53Provider({ api, zoneId }).applyChanges({ ...empty, create: [srv, host, web] }, NO_SIGNAL);
    expect(sent).toEqual([["_web._tcp.svc.internal.", "i-0abc.svc.internal.", "web.svc.internal."], ["web.svc.internal."], ["_web._tcp.svc.internal."], ["i-0abc.svc.internal."]]);
    expect(result.failed.map((f) => f.record.name)).toEqual(["_web._tcp.svc.internal."]);
    expect(result.applied.create.map((r) => r.name).sort()).toEqual(["i-0abc.svc.internal.", "web.svc.internal."]);
  });

  test("a name that failed is sent alone in the next pass", async () => {
    await r53.changeRecordSets(zoneId, [{ Action: "CREATE", ResourceRecordSet: { Name: "bad.svc.internal.", Type: "A", TTL: 60, ResourceRecords: [{ Value: "192.0.2.1" }] } }]);
    const bad = aRecord("bad.svc.internal.", "ecsdns/i-0abc/fqdn-local", "10.0.1.5");
    await provider.applyChanges({ ...empty, create: [bad, web] }, NO_SIGNAL);
    const seen: string[][] = [];
    r53.hooks.beforeChange = (_zone, changes) => {
      seen.push(changes.map((c) => c.ResourceRecordSet.Name));
    };
    await provider.applyChanges({ ...empty, create: [bad, web, srv] }, NO_SIGNAL);
    expect(seen).toEqual([["_web._tcp.svc.internal.", "web.svc.internal."], ["bad.svc.internal."]]);
  });

  test("splits 1,200 creates into three requests (UPSERT counts twice)", async () => {
    const records = Array.from({ length: 1200 }, (_, i) => aRecord(`n${i}.svc.internal.`, "ecsdns/i-0abc/fqdn-local", "10.0.1.5"));
    const result = await provider.applyChanges({ ...empty, create: records }, NO_SIGNAL);
    expect(result.changeCalls).toBe(3);
    expect(result.failed).toEqual([]);
  });

  test("reads a 10,000-record zone in 34 pages of 300", async () => {
    for (let start = 0; start < 9998; start += 1000) {
      const batch = Array.from({ length: Math.min(1000, 9998 - start) }, (_, i) => ({
        Action: "CREATE" as const,
        ResourceRecordSet: { Name: `r${start + i}.svc.internal.`, Type: "A", TTL: 60, ResourceRecords: [{ Value: "192.0.2.1" }] },
      }));
      await r53.changeRecordSets(zoneId, batch);
    }
    const records = await provider.listRecords(NO_SIGNAL);
    expect(records).toHaveLength(10_000);
    expect(provider.lastList).toEqual({ pages: 34, records: 10_000 });
  });

  test("throttling that outlasts the SDK's retries reaches the caller", async () => {
    r53.hooks.beforeChange = () => {
      throw Object.assign(new Error("Rate exceeded"), { name: "Throttling" });
    };
    await expect(provider.applyChanges({ ...empty, create: [web] }, NO_SIGNAL)).rejects.toMatchObject({ name: "Throttling" });
  });

  test("an empty change set makes no call", async () => {
    expect(await provider.applyChanges(empty, NO_SIGNAL)).toEqual({ applied: empty, failed: [], changeCalls: 0 });
  });

  test("a listing that makes no progress fails instead of looping", async () => {
    const stuck = new Route53Provider({
      zoneId,
      api: {
        ...r53,
        getZoneName: async () => ZONE_NAME,
        changeRecordSets: async () => undefined,
        listRecordSets: async () => ({ recordSets: [], isTruncated: true, nextName: "a.svc.internal.", nextType: "A" }),
      },
    });
    await expect(stuck.listRecords(NO_SIGNAL)).rejects.toThrow(/no progress/);
  });
});
