import { ApplicationLoadBalancer, type ApplicationLoadBalancerProps } from "../../modules/application-load-balancer";
import { ref, resources, soleResource, synthConstruct, type StackJson } from "../helpers/synth";

const baseProps: ApplicationLoadBalancerProps = {
  namePrefix: "shop-dev",
  vpcId: "vpc-0123456789abcdef0",
  subnetIds: ["subnet-0aaa1111", "subnet-0bbb2222"],
};

const synthAlb = (props: Partial<ApplicationLoadBalancerProps> = {}, then?: (alb: ApplicationLoadBalancer) => void): StackJson =>
  synthConstruct((scope) => {
    const alb = new ApplicationLoadBalancer(scope, "alb", { ...baseProps, ...props });
    then?.(alb);
  });

const albSecurityGroupRef = (stack: StackJson) => ref("aws_security_group", resources(stack, "aws_security_group")[0], "id");

describe("ApplicationLoadBalancer", () => {
  test("is an internet-facing application load balancer in the given subnets, behind its own security group", () => {
    // GIVEN / WHEN
    const stack = synthAlb();
    // THEN
    expect(soleResource(stack, "aws_lb")).toMatchObject({
      name: "shop-dev",
      load_balancer_type: "application",
      internal: false,
      subnets: ["subnet-0aaa1111", "subnet-0bbb2222"],
      security_groups: [albSecurityGroupRef(stack)],
      enable_deletion_protection: false,
    });
    expect(soleResource(stack, "aws_security_group").vpc_id).toBe("vpc-0123456789abcdef0");
  });

  test("drops HTTP headers with invalid fields (request smuggling)", () => {
    // GIVEN / WHEN
    const stack = synthAlb();
    // THEN
    expect(soleResource(stack, "aws_lb").drop_invalid_header_fields).toBe(true);
  });

  test("is internal when internal is set", () => {
    // GIVEN / WHEN
    const stack = synthAlb({ internal: true });
    // THEN
    expect(soleResource(stack, "aws_lb").internal).toBe(true);
  });

  test("has deletion protection when asked", () => {
    // GIVEN / WHEN
    const stack = synthAlb({ deletionProtection: true });
    // THEN
    expect(soleResource(stack, "aws_lb").enable_deletion_protection).toBe(true);
  });

  test("keeps its name within AWS's 32 characters, and distinct for distinct long prefixes", () => {
    // GIVEN / WHEN
    const first = soleResource(synthAlb({ namePrefix: "a-very-long-resource-tag-production-eu" }), "aws_lb").name;
    const second = soleResource(synthAlb({ namePrefix: "a-very-long-resource-tag-production-us" }), "aws_lb").name;
    // THEN
    expect(first.length).toBeLessThanOrEqual(32);
    expect(second.length).toBeLessThanOrEqual(32);
    expect(first).not.toBe(second);
    expect(first).toMatch(/^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/);
  });

  test("by default accepts port 80 from anywhere, and nothing else", () => {
    // GIVEN / WHEN
    const stack = synthAlb();
    // THEN
    const rules = resources(stack, "aws_vpc_security_group_ingress_rule").map((r) => r.values);
    expect(rules).toEqual([
      expect.objectContaining({
        security_group_id: albSecurityGroupRef(stack),
        ip_protocol: "tcp",
        from_port: 80,
        to_port: 80,
        cidr_ipv4: "0.0.0.0/0",
      }),
    ]);
    expect(soleResource(stack, "aws_security_group").ingress).toBeUndefined();
  });

  test("opens one ingress rule per listener port and CIDR", () => {
    // GIVEN / WHEN
    const stack = synthAlb({ listenerPorts: [80, 443], ingressCidrs: ["10.0.0.0/8", "192.0.2.0/24"] });
    // THEN
    const opened = resources(stack, "aws_vpc_security_group_ingress_rule")
      .map((r) => `${r.values.from_port}-${r.values.to_port} ${r.values.cidr_ipv4}`)
      .sort();
    expect(opened).toEqual(["443-443 10.0.0.0/8", "443-443 192.0.2.0/24", "80-80 10.0.0.0/8", "80-80 192.0.2.0/24"]);
  });

  test("keys ingress rules by CIDR, so reordering the CIDRs replaces no rule", () => {
    // GIVEN two orders of the same networks
    const names = (cidrs: string[]) =>
      resources(synthAlb({ ingressCidrs: cidrs }), "aws_vpc_security_group_ingress_rule")
        .map((r) => `${r.name}=${r.values.cidr_ipv4}`)
        .sort();
    // WHEN / THEN the same rules exist at the same addresses
    expect(names(["10.0.0.0/8", "192.168.0.0/16"])).toEqual(names(["192.168.0.0/16", "10.0.0.0/8"]));
  });

  test("has no egress at all until allowEgressTo is called (the seed allowed all egress)", () => {
    // GIVEN / WHEN
    const stack = synthAlb();
    // THEN
    expect(resources(stack, "aws_vpc_security_group_egress_rule")).toHaveLength(0);
    expect(soleResource(stack, "aws_security_group").egress).toBeUndefined();
  });

  test("allowEgressTo lets it reach only that security group on that port range", () => {
    // GIVEN / WHEN
    const stack = synthAlb({}, (alb) => alb.allowEgressTo("to-instances", "sg-0instances000000", 32768, 65535));
    // THEN
    expect(soleResource(stack, "aws_vpc_security_group_egress_rule")).toMatchObject({
      security_group_id: albSecurityGroupRef(stack),
      ip_protocol: "tcp",
      from_port: 32768,
      to_port: 65535,
      referenced_security_group_id: "sg-0instances000000",
    });
    expect(soleResource(stack, "aws_vpc_security_group_egress_rule").cidr_ipv4).toBeUndefined();
  });

  test.each([[[]], [["subnet-0aaa1111"]]])("fails with fewer than 2 subnets (%p), naming subnetIds and the count", (subnetIds) => {
    // GIVEN / WHEN / THEN
    expect(() => synthAlb({ subnetIds })).toThrow(
      `ApplicationLoadBalancer: subnetIds needs subnets in at least 2 availability zones, got ${subnetIds.length}`,
    );
  });
});
