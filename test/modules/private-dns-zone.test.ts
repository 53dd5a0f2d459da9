import { TerraformOutput } from "cdktf";
import { PrivateDnsZone, type PrivateDnsZoneProps } from "../../modules/private-dns-zone";
import { dataSources, ref, resources, soleResource, synthConstruct, type StackJson } from "../helpers/synth";

const synthZone = (props: Partial<PrivateDnsZoneProps> = {}): StackJson =>
  synthConstruct((scope) => {
    const zone = new PrivateDnsZone(scope, "zone", { vpcId: "vpc-0123456789abcdef0", zoneName: "servicediscovery.internal", ...props });
    new TerraformOutput(scope, "zone_id", { value: zone.zoneId });
    new TerraformOutput(scope, "zone_name", { value: zone.zoneName });
  });

describe("PrivateDnsZone", () => {
  test("creates a private zone of the given name, associated with the VPC", () => {
    // GIVEN / WHEN
    const stack = synthZone();
    // THEN
    expect(soleResource(stack, "aws_route53_zone")).toMatchObject({
      name: "servicediscovery.internal",
      vpc: [{ vpc_id: "vpc-0123456789abcdef0" }],
    });
    expect(resources(stack, "aws_route53_zone_association")).toHaveLength(0);
    expect(dataSources(stack, "aws_route53_zone")).toHaveLength(0);
  });

  test("sets the new zone's negative-caching TTL: the SOA's last field and its own TTL (resolvers take the smaller)", () => {
    // GIVEN / WHEN
    const stack = synthZone({ negativeTtlSeconds: 10 });
    // THEN Route53's SOA (900 s) is taken over with an UPSERT, keeping its primary name server
    const soa = soleResource(stack, "aws_route53_record");
    const zone = resources(stack, "aws_route53_zone")[0];
    expect(soa).toMatchObject({ type: "SOA", ttl: 10, allow_overwrite: true, zone_id: ref("aws_route53_zone", zone, "zone_id"), name: ref("aws_route53_zone", zone, "name") });
    expect(soa.records).toHaveLength(1);
    expect(soa.records[0]).toMatch(/^\$\{trimsuffix\(aws_route53_zone\.[\w-]+\.primary_name_server, "\."\)\}\. awsdns-hostmaster\.amazon\.com\. 1 7200 900 1209600 10$/);
  });

  test("leaves an existing zone's SOA alone (it is not ours), and Route53's SOA when no negative TTL is given", () => {
    expect(resources(synthZone({ existingZoneId: "Z0123456789ABCDEFGHIJ", negativeTtlSeconds: 10 }), "aws_route53_record")).toHaveLength(0);
    expect(resources(synthZone(), "aws_route53_record")).toHaveLength(0);
  });

  test("never force-destroys the zone (the agents own its records)", () => {
    // GIVEN / WHEN
    const stack = synthZone();
    // THEN
    expect(soleResource(stack, "aws_route53_zone").force_destroy).toBe(false);
  });

  test("exposes the new zone's id and name", () => {
    // GIVEN / WHEN
    const stack = synthZone();
    // THEN
    const zone = resources(stack, "aws_route53_zone")[0];
    expect(stack.output?.zone_id.value).toBe(ref("aws_route53_zone", zone, "zone_id"));
    expect(stack.output?.zone_name.value).toBe(ref("aws_route53_zone", zone, "name"));
  });

  test("with existingZoneId, reads that private zone and associates it with the VPC, creating no zone", () => {
    // GIVEN / WHEN
    const stack = synthZone({ existingZoneId: "Z0123456789ABCDEFGHIJ" });
    // THEN
    expect(resources(stack, "aws_route53_zone")).toHaveLength(0);
    const [zone] = dataSources(stack, "aws_route53_zone");
    expect(zone.values).toMatchObject({ zone_id: "Z0123456789ABCDEFGHIJ", private_zone: true });
    expect(soleResource(stack, "aws_route53_zone_association")).toMatchObject({
      zone_id: `\${data.aws_route53_zone.${zone.name}.zone_id}`,
      vpc_id: "vpc-0123456789abcdef0",
    });
    expect(stack.output?.zone_id.value).toBe(`\${data.aws_route53_zone.${zone.name}.zone_id}`);
    expect(stack.output?.zone_name.value).toBe(`\${data.aws_route53_zone.${zone.name}.name}`);
  });
});
