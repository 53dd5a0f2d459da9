import { ROUTE53_LIMITS, changeWeight, planBatches, toActions, type ActionChange } from "../../dns/route53/batching";
import type { DnsRecord } from "../../dns/records";
import { aRecord } from "../agent/helpers/fixtures";

const upsert = (record: DnsRecord): ActionChange => ({ action: "UPSERT", record, origin: "create" });
const del = (record: DnsRecord): ActionChange => ({ action: "DELETE", record, origin: "delete" });
const a = (i: number, values = ["10.0.0.1"]): DnsRecord => ({ ...aRecord(`n${String(i).padStart(5, "0")}.z.`, "ecsdns/h/x", values[0]), values });

describe("Route53 actions", () => {
  test("create and update become UPSERT, delete becomes DELETE, and deletes go first", () => {
    // A write sets the TTL of its name and type's other record sets; a DELETE after it would carry a stale TTL.
    const from = a(1);
    const to = { ...from, ttlSeconds: 60 };
    expect(toActions({ create: [a(2)], update: [{ from, to }], delete: [a(3)] }).map((c) => [c.action, c.record.name])).toEqual([
      ["DELETE", "n00003.z."],
      ["UPSERT", "n00002.z."],
      ["UPSERT", "n00001.z."],
    ]);
  });

  test("an update across routing policies becomes DELETE of the old and CREATE of the new", () => {
    const from: DnsRecord = { ...a(1), routing: "other", providerSpecific: { Weight: 5 } };
    const to = a(1);
    expect(toActions({ create: [], update: [{ from, to }], delete: [] }).map((c) => [c.action, c.record])).toEqual([
      ["DELETE", from],
      ["CREATE", to],
    ]);
  });
});

describe("batching within Route53's limits", () => {
  test("an UPSERT counts twice for records and characters, a DELETE once", () => {
    expect(changeWeight(upsert(a(1, ["10.0.0.1"])))).toEqual({ records: 2, chars: 16 });
    expect(changeWeight(del(a(1, ["10.0.0.1"])))).toEqual({ records: 1, chars: 8 });
  });

  test("500 UPSERTs fill one request (1,000 records counted twice)", () => {
    const plan = planBatches(Array.from({ length: 500 }, (_, i) => upsert(a(i))));
    expect(plan.batches.map((b) => b.length)).toEqual([500]);
  });

  test("501 UPSERTs need two requests", () => {
    const plan = planBatches(Array.from({ length: 501 }, (_, i) => upsert(a(i))));
    expect(plan.batches.map((b) => b.length)).toEqual([500, 1]);
  });

  test("1,000 DELETEs fit one request, 1,001 do not", () => {
    expect(planBatches(Array.from({ length: 1000 }, (_, i) => del(a(i)))).batches).toHaveLength(1);
    expect(planBatches(Array.from({ length: 1001 }, (_, i) => del(a(i)))).batches.map((b) => b.length)).toEqual([1000, 1]);
  });

  test("the 32,000-character rule splits long values before the record count does", () => {
    // 100-character values: an UPSERT costs 200 characters → 160 per request.
    const long = "x".repeat(100);
    const plan = planBatches(Array.from({ length: 200 }, (_, i) => upsert({ ...a(i), type: "TXT", values: [long] })));
    expect(plan.batches.map((b) => b.length)).toEqual([160, 40]);
    for (const batch of plan.batches) {
      expect(batch.reduce((sum, c) => sum + changeWeight(c).chars, 0)).toBeLessThanOrEqual(ROUTE53_LIMITS.maxValueChars);
    }
  });

  test("changes of one name stay together, DELETE before CREATE", () => {
    const from = { ...a(2), routing: "other" as const };
    const actions = [...toActions({ create: [a(1)], update: [{ from, to: a(2) }], delete: [] })];
    const plan = planBatches(actions, { maxChanges: 2, maxRecords: 1000, maxValueChars: 32000 });
    expect(plan.batches.map((b) => b.map((c) => `${c.action} ${c.record.name}`))).toEqual([
      ["UPSERT n00001.z."],
      ["DELETE n00002.z.", "CREATE n00002.z."],
    ]);
  });

  test("a name group larger than one request is reported, not sent", () => {
    const many = Array.from({ length: 3 }, (_, i) => upsert({ ...a(1), setIdentifier: `ecsdns/h/${i}` }));
    const plan = planBatches(many, { maxChanges: 2, maxRecords: 1000, maxValueChars: 32000 });
    expect(plan.batches).toEqual([]);
    expect(plan.oversized).toEqual([many]);
  });

  test("names that failed last pass go alone, after the others", () => {
    const plan = planBatches([upsert(a(1)), upsert(a(2)), upsert(a(3))], ROUTE53_LIMITS, new Set(["n00001.z."]));
    expect(plan.batches.map((b) => b.map((c) => c.record.name))).toEqual([["n00002.z.", "n00003.z."], ["n00001.z."]]);
  });

  test("no changes, no batches", () => {
    expect(planBatches([])).toEqual({ batches: [], oversized: [] });
  });
});
