import { PrivateVpc, type PrivateVpcProps } from "../../modules/private-vpc";
import {
  dataSources,
  jsonDocumentOf,
  ref,
  resourceAt,
  resources,
  soleResource,
  synthConstruct,
  type StackJson,
} from "../helpers/synth";

const synthVpc = (props: Partial<PrivateVpcProps> = {}): StackJson =>
  synthConstruct((scope) => new PrivateVpc(scope, "vpc", { namePrefix: "shop-dev", ...props }));

/** The subnets in construct order: public-subnet-0.., then private-subnet-0... */
const subnet = (stack: StackJson, tier: "public" | "private", i: number) => resourceAt(stack, "aws_subnet", `${tier}-subnet-${i}`);

describe("PrivateVpc", () => {
  test("defaults to 10.10.0.0/16 with DNS support and DNS hostnames on", () => {
    // GIVEN / WHEN
    const stack = synthVpc();
    // THEN
    const vpc = soleResource(stack, "aws_vpc");
    expect(vpc.cidr_block).toBe("10.10.0.0/16");
    expect(vpc.enable_dns_support).toBe(true);
    expect(vpc.enable_dns_hostnames).toBe(true);
    expect(vpc.tags).toEqual({ Name: "shop-dev-vpc" });
  });

  test("makes one public and one private subnet per zone (2 zones by default), with literal /24 CIDRs, public first", () => {
    // GIVEN / WHEN
    const stack = synthVpc();
    // THEN
    expect(resources(stack, "aws_subnet")).toHaveLength(4);
    expect(subnet(stack, "public", 0).values.cidr_block).toBe("10.10.0.0/24");
    expect(subnet(stack, "public", 1).values.cidr_block).toBe("10.10.1.0/24");
    expect(subnet(stack, "private", 0).values.cidr_block).toBe("10.10.2.0/24");
    expect(subnet(stack, "private", 1).values.cidr_block).toBe("10.10.3.0/24");
  });

  test("with azCount 3 and another CIDR, lays out 3 public then 3 private /24s inside it", () => {
    // GIVEN / WHEN
    const stack = synthVpc({ cidrBlock: "172.20.0.0/16", azCount: 3 });
    // THEN
    const cidrs = [0, 1, 2].flatMap((i) => [subnet(stack, "public", i), subnet(stack, "private", i)].map((s) => s.values.cidr_block));
    expect(cidrs).toEqual(["172.20.0.0/24", "172.20.3.0/24", "172.20.1.0/24", "172.20.4.0/24", "172.20.2.0/24", "172.20.5.0/24"]);
    expect(resources(stack, "aws_subnet")).toHaveLength(6);
  });

  test("puts subnet i of each tier in available zone i, read from the zones data source", () => {
    // GIVEN / WHEN
    const stack = synthVpc({ azCount: 3 });
    // THEN
    const [zones] = dataSources(stack, "aws_availability_zones");
    expect(zones.values.state).toBe("available");
    for (const i of [0, 1, 2]) {
      const zone = `\${element(data.aws_availability_zones.${zones.name}.names, ${i})}`;
      expect(subnet(stack, "public", i).values.availability_zone).toBe(zone);
      expect(subnet(stack, "private", i).values.availability_zone).toBe(zone);
    }
  });

  test("never gives instances in any subnet a public IP on launch", () => {
    // GIVEN / WHEN
    const stack = synthVpc();
    // THEN
    for (const s of resources(stack, "aws_subnet")) expect(s.values.map_public_ip_on_launch ?? false).toBe(false);
    expect(subnet(stack, "public", 0).values.map_public_ip_on_launch).toBe(false);
  });

  test("routes the public subnets to the internet gateway by a separate aws_route only, never an inline route (the seed had both)", () => {
    // GIVEN / WHEN
    const stack = synthVpc();
    // THEN
    for (const table of resources(stack, "aws_route_table")) expect(table.values.route).toBeUndefined();
    const publicTable = resourceAt(stack, "aws_route_table", "public-routes");
    const igw = resources(stack, "aws_internet_gateway")[0];
    const publicRoutes = resources(stack, "aws_route").filter((r) => r.values.route_table_id === ref("aws_route_table", publicTable, "id"));
    expect(publicRoutes).toHaveLength(1);
    expect(publicRoutes[0].values).toMatchObject({ destination_cidr_block: "0.0.0.0/0", gateway_id: ref("aws_internet_gateway", igw, "id") });
    for (const i of [0, 1]) {
      expect(resourceAt(stack, "aws_route_table_association", `public-subnet-${i}-routes`).values).toMatchObject({
        subnet_id: ref("aws_subnet", subnet(stack, "public", i), "id"),
        route_table_id: ref("aws_route_table", publicTable, "id"),
      });
    }
  });

  test("by default has a single NAT gateway, in the first public subnet, that every private route table uses", () => {
    // GIVEN / WHEN
    const stack = synthVpc({ azCount: 3 });
    // THEN
    const nat = resources(stack, "aws_nat_gateway");
    expect(nat).toHaveLength(1);
    expect(resources(stack, "aws_eip")).toHaveLength(1);
    expect(nat[0].values.subnet_id).toBe(ref("aws_subnet", subnet(stack, "public", 0), "id"));
    expect(nat[0].values.allocation_id).toBe(ref("aws_eip", resources(stack, "aws_eip")[0], "allocation_id"));
    for (const i of [0, 1, 2]) {
      const table = resourceAt(stack, "aws_route_table", `private-routes-${i}`);
      expect(resourceAt(stack, "aws_route", `private-default-route-${i}`).values).toEqual(
        expect.objectContaining({
          route_table_id: ref("aws_route_table", table, "id"),
          destination_cidr_block: "0.0.0.0/0",
          nat_gateway_id: ref("aws_nat_gateway", nat[0], "id"),
        }),
      );
      expect(resourceAt(stack, "aws_route_table_association", `private-subnet-${i}-routes`).values).toMatchObject({
        subnet_id: ref("aws_subnet", subnet(stack, "private", i), "id"),
        route_table_id: ref("aws_route_table", table, "id"),
      });
    }
  });

  test("with natGatewayMode per_az has one NAT gateway per zone, and private route table i goes through zone i's NAT", () => {
    // GIVEN / WHEN
    const stack = synthVpc({ azCount: 3, natGatewayMode: "per_az" });
    // THEN
    expect(resources(stack, "aws_nat_gateway")).toHaveLength(3);
    expect(resources(stack, "aws_eip")).toHaveLength(3);
    for (const i of [0, 1, 2]) {
      const nat = resourceAt(stack, "aws_nat_gateway", `nat-gateway-${i}`);
      expect(nat.values.subnet_id).toBe(ref("aws_subnet", subnet(stack, "public", i), "id"));
      expect(resourceAt(stack, "aws_route", `private-default-route-${i}`).values.nat_gateway_id).toBe(ref("aws_nat_gateway", nat, "id"));
    }
  });

  test("creates the NAT gateway after the internet gateway, with a VPC elastic IP", () => {
    // GIVEN / WHEN
    const stack = synthVpc();
    // THEN
    const igw = resources(stack, "aws_internet_gateway")[0];
    expect(soleResource(stack, "aws_nat_gateway").depends_on).toEqual([`aws_internet_gateway.${igw.name}`]);
    expect(soleResource(stack, "aws_eip").domain).toBe("vpc");
  });

  test("has no flow logs when no retention is given", () => {
    // GIVEN / WHEN
    const stack = synthVpc();
    // THEN
    expect(resources(stack, "aws_flow_log")).toHaveLength(0);
    expect(resources(stack, "aws_cloudwatch_log_group")).toHaveLength(0);
    expect(resources(stack, "aws_iam_role")).toHaveLength(0);
  });

  test("with flowLogRetentionDays logs all traffic to its own log group with that retention", () => {
    // GIVEN / WHEN
    const stack = synthVpc({ flowLogRetentionDays: 14, accountId: "123456789012" });
    // THEN
    const group = resources(stack, "aws_cloudwatch_log_group")[0];
    expect(group.values).toMatchObject({ name: "/aws/vpc-flow-log/shop-dev", retention_in_days: 14 });
    const vpc = resources(stack, "aws_vpc")[0];
    const role = resources(stack, "aws_iam_role")[0];
    expect(soleResource(stack, "aws_flow_log")).toMatchObject({
      vpc_id: ref("aws_vpc", vpc, "id"),
      traffic_type: "ALL",
      log_destination_type: "cloud-watch-logs",
      log_destination: ref("aws_cloudwatch_log_group", group, "arn"),
      iam_role_arn: ref("aws_iam_role", role, "arn"),
    });
  });

  test("gives the flow logs a role that only VPC flow logs of this account can assume, allowed to write only to its log group", () => {
    // GIVEN / WHEN
    const stack = synthVpc({ flowLogRetentionDays: 30, accountId: "123456789012" });
    // THEN
    const role = soleResource(stack, "aws_iam_role");
    expect(jsonDocumentOf(role.assume_role_policy).Statement).toEqual([
      {
        Effect: "Allow",
        Principal: { Service: "vpc-flow-logs.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } },
      },
    ]);
    expect(role.name_prefix.length).toBeLessThanOrEqual(38);
    const group = resources(stack, "aws_cloudwatch_log_group")[0];
    const policy = soleResource(stack, "aws_iam_role_policy");
    const statements = jsonDocumentOf(policy.policy).Statement;
    expect(statements).toHaveLength(1);
    expect(statements[0].Effect).toBe("Allow");
    expect(statements[0].Action).toEqual(expect.arrayContaining(["logs:CreateLogStream", "logs:PutLogEvents"]));
    const groupArn = ref("aws_cloudwatch_log_group", group, "arn");
    expect(statements[0].Resource).toEqual([groupArn, `${groupArn}:*`]);
    expect(policy.role).toBe(ref("aws_iam_role", resources(stack, "aws_iam_role")[0], "id"));
  });

  test("takes over the VPC's default security group and leaves it without rules, so nothing put in it reaches or is reached", () => {
    // GIVEN / WHEN
    const stack = synthVpc();
    // THEN
    const group = soleResource(stack, "aws_default_security_group");
    expect(group.vpc_id).toBe(ref("aws_vpc", resources(stack, "aws_vpc")[0], "id"));
    // No ingress or egress block: the provider removes every rule the group has when it adopts it.
    expect(Object.keys(group).filter((k) => k !== "//").sort()).toEqual(["tags", "vpc_id"]);
    expect(resources(stack, "aws_security_group_rule")).toEqual([]);
  });

  test("names every network resource after the prefix", () => {
    // GIVEN / WHEN
    const stack = synthVpc();
    // THEN
    expect(soleResource(stack, "aws_internet_gateway").tags).toEqual({ Name: "shop-dev-igw" });
    expect(subnet(stack, "public", 1).values.tags).toEqual({ Name: "shop-dev-public-1", Tier: "public" });
    expect(subnet(stack, "private", 0).values.tags).toEqual({ Name: "shop-dev-private-0", Tier: "private" });
  });

  test("fails when flowLogRetentionDays comes without accountId, naming both", () => {
    // GIVEN / WHEN / THEN
    expect(() => synthVpc({ flowLogRetentionDays: 30 })).toThrow("PrivateVpc: flowLogRetentionDays (30) needs accountId");
  });

  test("reads no data source but the zones: the account comes as a prop", () => {
    // GIVEN / WHEN
    const stack = synthVpc({ flowLogRetentionDays: 30, accountId: "123456789012" });
    // THEN
    expect(Object.keys(stack.data ?? {})).toEqual(["aws_availability_zones"]);
  });

  test.each([1, 0, 2.5])("fails when azCount is %p, naming azCount and the value", (azCount) => {
    // GIVEN / WHEN / THEN
    expect(() => synthVpc({ azCount })).toThrow(new RegExp(`PrivateVpc: azCount must be .*at least 2.*got ${azCount}`));
  });

  test("fails when the CIDR cannot hold a /24 per subnet, showing the CIDR", () => {
    // GIVEN / WHEN / THEN: 2 zones need 4 /24s; a /23 holds 2
    expect(() => synthVpc({ cidrBlock: "10.10.0.0/23" })).toThrow(/10\.10\.0\.0\/23/);
  });
});
