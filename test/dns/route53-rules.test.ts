/**
 * The in-memory Route53 refuses what Route53 refuses: one test per rule of
 * dns/memory/route53-rules.ts, each citing the Route53 documentation it
 * follows, each showing the refusal and (where one exists) the nearest
 * change Route53 accepts, so that a rule cannot pass by refusing everything.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { InMemoryRoute53 } from "../../dns/memory/in-memory-dns";
import type { WireChange, WireRecordSet } from "../../dns/route53/route53-api";

const ZONE = "svc.internal";
const change = (Action: WireChange["Action"], ResourceRecordSet: WireRecordSet): WireChange => ({ Action, ResourceRecordSet });
const simple = (name: string, type: string, ...values: string[]): WireRecordSet => ({ Name: name, Type: type, TTL: 60, ResourceRecords: values.map((Value) => ({ Value })) });
const multivalue = (name: string, type: string, setIdentifier: string, value: string): WireRecordSet => ({ ...simple(name, type, value), SetIdentifier: setIdentifier, MultiValueAnswer: true });
const weighted = (name: string, type: string, setIdentifier: string, value: string, weight = 1): WireRecordSet => ({ ...simple(name, type, value), SetIdentifier: setIdentifier, Weight: weight });

let r53: InMemoryRoute53;
let zone: string;
beforeEach(() => {
  r53 = new InMemoryRoute53();
  zone = r53.createZone(ZONE);
});

/** Sends the batch, expecting InvalidChangeBatch and the zone untouched; returns the messages. */
async function refused(changes: WireChange[]): Promise<string> {
  const before = r53.snapshot(zone);
  const error = await r53.changeRecordSets(zone, changes).then(
    () => undefined,
    (e: unknown) => e as { name: string; messages?: string[] },
  );
  expect(error?.name).toBe("InvalidChangeBatch");
  expect(r53.snapshot(zone)).toEqual(before);
  return (error?.messages ?? []).join("\n");
}

const accepted = (changes: WireChange[]) => r53.changeRecordSets(zone, changes);

describe("record sets Route53 refuses whatever the zone holds", () => {
  // API_ResourceRecordSet.html, Type: "Valid values for multivalue answer resource record sets: A | AAAA | MX | NAPTR | PTR | SPF | SRV | TXT"
  // (resource-record-sets-values-multivalue.html: "Select any value except NS or CNAME").
  test("a multivalue CNAME, though a weighted one is fine", async () => {
    expect(await refused([change("CREATE", multivalue("c.svc.internal", "CNAME", "o/h/x", "target.example.com"))])).toMatch(/multivalue answer record set cannot be of type CNAME/);
    await accepted([change("CREATE", weighted("c.svc.internal", "CNAME", "o/h/x", "target.example.com"))]);
  });

  // API_ResourceRecord.html, Value: "You can specify more than one value for all record types except CNAME and SOA."
  test("a CNAME with two values, though an A record set may have two", async () => {
    expect(await refused([change("CREATE", simple("c.svc.internal", "CNAME", "a.example.com", "b.example.com"))])).toMatch(/CNAME record set holds exactly one value/);
    await accepted([change("CREATE", simple("a.svc.internal", "A", "10.0.0.1", "10.0.0.2"))]);
  });

  // ResourceRecordTypes.html, CNAME: "You cannot create a CNAME record for example.com" (the zone apex).
  test("a CNAME at the zone apex", async () => {
    expect(await refused([change("CREATE", simple("svc.internal", "CNAME", "a.example.com"))])).toMatch(/not permitted at apex/);
  });

  // A TXT character string holds at most 255 characters (RFC 1035 §3.3; AWS knowledge center: "How can I configure SPF or
  // TXT records that are longer than 255 characters in Route 53?": split it into several strings of one value).
  test("a TXT string over 255 characters, though 255 and several strings of 255 are fine", async () => {
    expect(await refused([change("CREATE", simple("t.svc.internal", "TXT", `"${"x".repeat(256)}"`))])).toMatch(/CharacterStringTooLong/);
    expect(await refused([change("CREATE", simple("t.svc.internal", "TXT", "y".repeat(256)))])).toMatch(/CharacterStringTooLong/);
    await accepted([change("CREATE", simple("t.svc.internal", "TXT", `"${"x".repeat(255)}" "${"y".repeat(255)}"`))]);
  });

  // Route53 answers a value given twice in one set with "InvalidChangeBatch: [Duplicate Resource Record: '10.160.0.188']"
  // (kubernetes-sigs/external-dns#1929).
  test("the same value twice in one record set", async () => {
    expect(await refused([change("UPSERT", simple("a.svc.internal", "A", "10.0.0.1", "10.0.0.1"))])).toBe("Duplicate Resource Record: '10.0.0.1'");
  });

  // resource-record-sets-values-multivalue.html: "Creating multivalue answer alias records is not supported."
  test("a multivalue alias", async () => {
    const alias: WireRecordSet = { Name: "al.svc.internal", Type: "A", SetIdentifier: "o/h/x", MultiValueAnswer: true, AliasTarget: { HostedZoneId: "Z1", DNSName: "lb.example.com", EvaluateTargetHealth: false } };
    expect(await refused([change("CREATE", alias)])).toMatch(/multivalue answer alias record sets are not supported/);
  });

  // ResourceRecordTypes.html, A: "an IPv4 address in dotted decimal notation", checked by the fake's own code.
  test.each(["10.0.0.1junk", "10.0.0", "10.0.0.256", "010.0.0.1", " 10.0.0.1"])("an A value %j that is not dotted decimal IPv4", async (value) => {
    expect(await refused([change("CREATE", simple("a.svc.internal", "A", value))])).toMatch(/ARRDATAIllegalIPv4Address/);
  });

  // API_ResourceRecordSet.html, Name: "The * must replace the entire label. For example, you can't specify *prod.example.com";
  // DomainNameFormat.html: "Each label can be up to 63 bytes long."
  test.each([["*prod.svc.internal"], [`${"l".repeat(64)}.svc.internal`], ["a..svc.internal"]])("the name %s", async (name) => {
    expect(await refused([change("CREATE", simple(name, "A", "10.0.0.1"))])).toMatch(/is not permitted in zone/);
  });

  test("while a wildcard label of its own, and a 63-character label, are fine", async () => {
    await accepted([change("CREATE", simple("*.svc.internal", "A", "10.0.0.1")), change("CREATE", simple(`${"l".repeat(63)}.svc.internal`, "A", "10.0.0.1"))]);
  });
});

describe("changes Route53 refuses because of what the zone holds", () => {
  // resource-record-sets-deleting.html: "You can't delete the records that have a value of NS or SOA for Type."
  test.each(["SOA", "NS"])("deleting the apex's %s record set, even repeated exactly", async (type) => {
    const apex = r53.snapshot(zone).find((r) => r.Type === type)!;
    expect(await refused([change("DELETE", apex)])).toMatch(new RegExp(`must contain at least one ${type} record`));
  });

  // Route53 refuses to UPSERT across routing policies: a set's policy changes by DELETE then CREATE (dns/route53/batching.ts).
  test("an UPSERT that changes a record set's routing policy, though DELETE then CREATE does it", async () => {
    const before = multivalue("a.svc.internal", "A", "o/h/x", "10.0.0.1");
    await accepted([change("CREATE", before)]);
    const after = weighted("a.svc.internal", "A", "o/h/x", "10.0.0.1");
    expect(await refused([change("UPSERT", after)])).toMatch(/with routing policy weighted, but it exists with routing policy multivalue/);
    await accepted([change("DELETE", before), change("CREATE", after)]);
  });

  // API_ChangeResourceRecordSets.html: "To delete a resource record set, you must specify all the same values that you specified when you created it."
  test.each([
    ["Region", { Region: "eu-west-1" }, { Region: "us-east-1" }],
    ["Failover", { Failover: "PRIMARY" }, { Failover: "SECONDARY" }],
    ["Weight", { Weight: 10 }, { Weight: 20 }],
    ["HealthCheckId", { Weight: 10, HealthCheckId: "hc-1" }, { Weight: 10 }],
  ] as [string, Partial<WireRecordSet>, Partial<WireRecordSet>][])("a DELETE whose %s differs from the record set's", async (_field, created, deleted) => {
    const base = { ...simple("r.svc.internal", "A", "10.0.0.1"), SetIdentifier: "r1" };
    await accepted([change("CREATE", { ...base, ...created })]);
    expect(await refused([change("DELETE", { ...base, ...deleted })])).toMatch(/do not match the current values/);
    await accepted([change("DELETE", { ...base, ...created })]);
  });

  // ResourceRecordTypes.html, CNAME: "if you create a CNAME record for a subdomain, you cannot create any other resource record
  // sets for that subdomain"; the batch is checked in order (API_ChangeResourceRecordSets.html: "it deletes the CNAME resource
  // record set for www.example.com and creates an alias resource record set for www.example.com").
  test("an A record created before the CNAME at its name is deleted, though after it is fine", async () => {
    const cname = simple("www.svc.internal", "CNAME", "target.example.com");
    await accepted([change("CREATE", cname)]);
    const a = simple("www.svc.internal", "A", "10.0.0.1");
    expect(await refused([change("CREATE", a), change("DELETE", cname)])).toMatch(/conflicting RRSet of type CNAME/);
    await accepted([change("DELETE", cname), change("CREATE", a)]);
  });

  // API_ResourceRecordSet.html, Weight: "You can't create non-weighted records that have the same values for the Name and
  // Type elements as weighted records." Checked after each change, not on the batch's end state.
  test("a multivalue record set written before the simple one of its name and type is deleted, though after it is fine", async () => {
    const plain = simple("m.svc.internal", "A", "10.0.0.1");
    await accepted([change("CREATE", plain)]);
    const mv = multivalue("m.svc.internal", "A", "o/h/x", "10.0.0.2");
    expect(await refused([change("UPSERT", mv), change("DELETE", plain)])).toMatch(/cannot be created as other RRSets exist/);
    await accepted([change("DELETE", plain), change("UPSERT", mv)]);
  });

  test("weighted and multivalue record sets at one name and type", async () => {
    await accepted([change("CREATE", weighted("w.svc.internal", "A", "w1", "10.0.0.1"))]);
    expect(await refused([change("CREATE", multivalue("w.svc.internal", "A", "m1", "10.0.0.2"))])).toMatch(/cannot be created as other RRSets exist/);
  });
});

test("the fake's rules are its own code: they import nothing from the code the fake checks", () => {
  const source = readFileSync(join(__dirname, "../../dns/memory/route53-rules.ts"), "utf8");
  const imports = [...source.matchAll(/from "([^"]+)"/g)].map((m) => m[1]);
  expect(imports).toEqual(["../route53/route53-api"]);
});
