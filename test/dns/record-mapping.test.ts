import type { DnsRecord } from "../../dns/records";
import { fromWire, toWire } from "../../dns/route53/record-mapping";
import type { WireRecordSet } from "../../dns/route53/route53-api";

describe("Route53 wire record sets ↔ records", () => {
  const alias = { HostedZoneId: "Z1", DNSName: "lb.example.com.", EvaluateTargetHealth: false };

  test("a multivalue record set of ours reads with a normalized name and its values as written", () => {
    const wire: WireRecordSet = { Name: "Web.Svc.Internal", Type: "A", SetIdentifier: "ecsdns/i-0abc/fqdn-local", MultiValueAnswer: true, TTL: 10, ResourceRecords: [{ Value: "10.0.0.1" }, { Value: " 10.0.0.2" }] };
    expect(fromWire(wire)).toEqual({ name: "web.svc.internal.", type: "A", setIdentifier: "ecsdns/i-0abc/fqdn-local", routing: "multivalue", ttlSeconds: 10, values: ["10.0.0.1", " 10.0.0.2"] });
  });

  test("a simple record set has no set identifier and simple routing", () => {
    const record = fromWire({ Name: "a.z.", Type: "TXT", TTL: 300, ResourceRecords: [{ Value: '"x"' }] });
    expect(record).toEqual({ name: "a.z.", type: "TXT", routing: "simple", ttlSeconds: 300, values: ['"x"'] });
    expect(record).not.toHaveProperty("setIdentifier");
    expect(record).not.toHaveProperty("alias");
    expect(record).not.toHaveProperty("providerSpecific");
  });

  test.each<[string, Partial<WireRecordSet>]>([
    ["Weight", { Weight: 0 }],
    ["Region", { Region: "eu-west-1" }],
    ["Failover", { Failover: "PRIMARY" }],
    ["GeoLocation", { GeoLocation: { CountryCode: "DE" } }],
    ["GeoProximityLocation", { GeoProximityLocation: { AWSRegion: "eu-west-1" } }],
    ["CidrRoutingConfig", { CidrRoutingConfig: { CollectionId: "c", LocationName: "l" } }],
  ])("%s makes the routing 'other' and is carried through for the DELETE", (field, extra) => {
    const record = fromWire({ Name: "a.z.", Type: "A", SetIdentifier: "blue", TTL: 60, ResourceRecords: [{ Value: "192.0.2.1" }], ...extra });
    expect(record.routing).toBe("other");
    expect(record.providerSpecific).toEqual(extra);
    expect(toWire(record)).toEqual({ Name: "a.z.", Type: "A", SetIdentifier: "blue", TTL: 60, ResourceRecords: [{ Value: "192.0.2.1" }], ...extra });
    expect(Object.keys(toWire(record))).toContain(field);
  });

  test("multivalue wins over routing fields (Route53 never sends both, but a multivalue record with a health check exists)", () => {
    const record = fromWire({ Name: "a.z.", Type: "A", SetIdentifier: "x", MultiValueAnswer: true, HealthCheckId: "hc-1", TTL: 60, ResourceRecords: [{ Value: "192.0.2.1" }] });
    expect(record.routing).toBe("multivalue");
    expect(record.providerSpecific).toEqual({ HealthCheckId: "hc-1" });
  });

  test("a health check or traffic policy alone keeps simple routing, and is carried through", () => {
    const record = fromWire({ Name: "a.z.", Type: "A", HealthCheckId: "hc-1", TrafficPolicyInstanceId: "tp-1", TTL: 60, ResourceRecords: [{ Value: "192.0.2.1" }] });
    expect(record.routing).toBe("simple");
    expect(record.providerSpecific).toEqual({ HealthCheckId: "hc-1", TrafficPolicyInstanceId: "tp-1" });
  });

  test("an alias record has no values and no TTL of its own, and writes back without them", () => {
    const record = fromWire({ Name: "a.z.", Type: "A", AliasTarget: alias });
    expect(record).toEqual({ name: "a.z.", type: "A", routing: "simple", ttlSeconds: 0, values: [], alias: true, providerSpecific: { AliasTarget: alias } });
    expect(toWire(record)).toEqual({ Name: "a.z.", Type: "A", AliasTarget: alias });
  });

  test("a record of ours writes as a multivalue record set with its TTL and values", () => {
    const record: DnsRecord = { name: "web.z.", type: "SRV", setIdentifier: "ecsdns/h/x", routing: "multivalue", ttlSeconds: 0, values: ["1 1 80 h.z", "1 1 81 h.z"] };
    expect(toWire(record)).toEqual({ Name: "web.z.", Type: "SRV", SetIdentifier: "ecsdns/h/x", MultiValueAnswer: true, TTL: 0, ResourceRecords: [{ Value: "1 1 80 h.z" }, { Value: "1 1 81 h.z" }] });
  });

  test("a simple record writes without set identifier or multivalue flag", () => {
    const wire = toWire({ name: "a.z.", type: "TXT", routing: "simple", ttlSeconds: 300, values: ['"x"'] });
    expect(wire).toEqual({ Name: "a.z.", Type: "TXT", TTL: 300, ResourceRecords: [{ Value: '"x"' }] });
    expect(wire).not.toHaveProperty("SetIdentifier");
    expect(wire).not.toHaveProperty("MultiValueAnswer");
  });

  test("read then written, a record set is what Route53 sent (so a DELETE matches it)", () => {
    const sets: WireRecordSet[] = [
      { Name: "a.z.", Type: "A", SetIdentifier: "blue", Weight: 5, HealthCheckId: "hc", TTL: 60, ResourceRecords: [{ Value: "192.0.2.1" }] },
      { Name: "b.z.", Type: "A", SetIdentifier: "o/h/x", MultiValueAnswer: true, TTL: 10, ResourceRecords: [{ Value: "10.0.0.1" }] },
      { Name: "c.z.", Type: "A", AliasTarget: alias },
    ];
    for (const wire of sets) expect(toWire(fromWire(wire))).toEqual(wire);
  });
});
