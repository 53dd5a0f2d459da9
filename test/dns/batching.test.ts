import { ROUTE53_LIMITS, changeWeight, groupByName, planBatches, toActions, type ActionChange, type BatchLimits } from "../../dns/route53/batching";
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

describe("each of Route53's three limits splits on its own", () => {
  const roomy: BatchLimits = { maxChanges: 1000, maxRecords: 1000, maxValueChars: 32_000 };
  const names = (plan: ReturnType<typeof planBatches>) => plan.batches.map((b) => b.map((c) => c.record.name));

  test("Route53's documented limits: 1,000 changes, 1,000 records, 32,000 characters", () => {
    expect(ROUTE53_LIMITS).toEqual({ maxChanges: 1000, maxRecords: 1000, maxValueChars: 32_000 });
  });

  test("the record count: values of multi-value record sets add up, and a request holds exactly the limit", () => {
    // Each DELETE carries 4 values: 4 records; 250 fit 1,000 exactly, the 251st starts a new request.
    const four = ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4"];
    const plan = planBatches(Array.from({ length: 251 }, (_, i) => del(a(i, four))));
    expect(plan.batches.map((b) => b.length)).toEqual([250, 1]);
  });

  test("the record count alone splits when changes and characters have room", () => {
    const plan = planBatches([del(a(1, ["1", "2"])), del(a(2, ["3", "4"])), del(a(3, ["5"]))], { ...roomy, maxRecords: 4 });
    expect(names(plan)).toEqual([["n00001.z.", "n00002.z."], ["n00003.z."]]);
  });

  test("the character count alone splits when changes and records have room, and a request holds exactly the limit", () => {
    // DELETEs of 8-character values: 8 characters each; 3 fit 24 exactly.
    const plan = planBatches([1, 2, 3, 4].map((i) => del(a(i))), { ...roomy, maxValueChars: 24 });
    expect(names(plan)).toEqual([["n00001.z.", "n00002.z.", "n00003.z."], ["n00004.z."]]);
  });

  test("the change count alone splits when records and characters have room, and a request holds exactly the limit", () => {
    const plan = planBatches([1, 2, 3].map((i) => del(a(i))), { ...roomy, maxChanges: 2 });
    expect(names(plan)).toEqual([["n00001.z.", "n00002.z."], ["n00003.z."]]);
  });

  test("32,000 characters of values fit one request, one more does not", () => {
    // 32 DELETEs of 1,000-character values = 32,000 characters.
    const long = (i: number, length: number) => del({ ...a(i), type: "TXT", values: ["x".repeat(length)] });
    expect(planBatches(Array.from({ length: 32 }, (_, i) => long(i, 1000))).batches).toHaveLength(1);
    expect(planBatches([...Array.from({ length: 31 }, (_, i) => long(i, 1000)), long(31, 1001)]).batches.map((b) => b.length)).toEqual([31, 1]);
  });

  test.each<[string, BatchLimits]>([
    ["changes", { ...roomy, maxChanges: 1 }],
    ["records", { ...roomy, maxRecords: 1 }],
    ["characters", { ...roomy, maxValueChars: 8 }],
  ])("a name group over the limit on %s is reported, not sent, and the others still go", (_limit, limits) => {
    const group = [del(a(1)), upsert({ ...a(1), setIdentifier: "ecsdns/h/y" })];
    const plan = planBatches([...group, del(a(2))], limits);
    expect(plan.oversized).toEqual([group]);
    expect(names(plan)).toEqual([["n00002.z."]]);
  });

  test("a group exactly at every limit is sent", () => {
    const plan = planBatches([del(a(1))], { maxChanges: 1, maxRecords: 1, maxValueChars: 8 });
    expect(plan).toEqual({ batches: [[del(a(1))]], oversized: [] });
  });

  test("an alias record counts as one record and no characters", () => {
    const alias: DnsRecord = { ...a(1), values: [], alias: true };
    expect(changeWeight(del(alias))).toEqual({ records: 1, chars: 0 });
    expect(changeWeight(upsert(alias))).toEqual({ records: 2, chars: 0 });
  });

  test("a CREATE counts once, like a DELETE", () => {
    expect(changeWeight({ action: "CREATE", record: a(1, ["10.0.0.1", "10.0.0.22"]), origin: "update" })).toEqual({ records: 2, chars: 17 });
  });

  test("an isolated name goes alone even when it would fit with others, each in a request of its own", () => {
    const plan = planBatches([upsert(a(1)), upsert(a(2)), upsert(a(3)), upsert(a(4))], ROUTE53_LIMITS, new Set(["n00001.z.", "n00003.z."]));
    expect(names(plan)).toEqual([["n00002.z.", "n00004.z."], ["n00001.z."], ["n00003.z."]]);
  });

  test("only isolated names: no empty request before them", () => {
    expect(names(planBatches([upsert(a(1))], ROUTE53_LIMITS, new Set(["n00001.z."])))).toEqual([["n00001.z."]]);
  });

  test("an oversized isolated name is reported as oversized", () => {
    const group = [del(a(1)), del({ ...a(1), setIdentifier: "ecsdns/h/y" })];
    const plan = planBatches(group, { ...roomy, maxChanges: 1 }, new Set(["n00001.z."]));
    expect(plan).toEqual({ batches: [], oversized: [group] });
  });
});

describe("grouping by name", () => {
  test("names sort, and within a name DELETEs come before CREATEs and UPSERTs, in their order otherwise", () => {
    const up1 = upsert({ ...a(2), setIdentifier: "ecsdns/h/1" });
    const up2 = upsert({ ...a(2), setIdentifier: "ecsdns/h/2" });
    const d = del({ ...a(2), setIdentifier: "ecsdns/h/3" });
    const create: ActionChange = { action: "CREATE", record: { ...a(2), setIdentifier: "ecsdns/h/4" }, origin: "update" };
    const other = upsert(a(1));
    expect(groupByName([up1, create, d, other, up2])).toEqual([[other], [d, up1, create, up2]]);
  });

  test("a group keeps every change of its name", () => {
    const changes = [upsert(a(1)), upsert({ ...a(1), setIdentifier: "ecsdns/h/y" }), upsert({ ...a(1), setIdentifier: "ecsdns/h/z" })];
    expect(groupByName(changes)).toEqual([changes]);
  });
});

describe("actions of updates", () => {
  test("an update that turns an alias into values (same routing) is DELETE + CREATE, remembering the record it replaces", () => {
    const from: DnsRecord = { ...a(1), values: [], alias: true };
    const to = a(1);
    expect(toActions({ create: [], update: [{ from, to }], delete: [] })).toEqual([
      { action: "DELETE", record: from, origin: "update", previous: from },
      { action: "CREATE", record: to, origin: "update", previous: from },
    ]);
  });

  test("an update of values is one UPSERT that remembers the record it replaces", () => {
    const from = a(1);
    const to = a(1, ["10.0.0.2"]);
    expect(toActions({ create: [], update: [{ from, to }], delete: [] })).toEqual([{ action: "UPSERT", record: to, origin: "update", previous: from }]);
  });

  test("creates and deletes carry their origin", () => {
    expect(toActions({ create: [a(1)], update: [], delete: [a(2)] })).toEqual([
      { action: "DELETE", record: a(2), origin: "delete" },
      { action: "UPSERT", record: a(1), origin: "create" },
    ]);
  });
});
