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
