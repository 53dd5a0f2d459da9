import { Fn } from "cdktf";
import { Construct } from "constructs";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DefaultSecurityGroup } from "@cdktf/provider-aws/lib/default-security-group";
import { DataAwsAvailabilityZones } from "@cdktf/provider-aws/lib/data-aws-availability-zones";
import { Eip } from "@cdktf/provider-aws/lib/eip";
import { FlowLog } from "@cdktf/provider-aws/lib/flow-log";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { InternetGateway } from "@cdktf/provider-aws/lib/internet-gateway";
import { NatGateway } from "@cdktf/provider-aws/lib/nat-gateway";
import { Route } from "@cdktf/provider-aws/lib/route";
import { RouteTable } from "@cdktf/provider-aws/lib/route-table";
import { RouteTableAssociation } from "@cdktf/provider-aws/lib/route-table-association";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { subnetCidr24 } from "./cidr";
import { assumeRolePolicy, policyDocument } from "./iam-documents";

/** Properties of {@link PrivateVpc}. */
export interface PrivateVpcProps {
  /** Prefix of every Name tag, e.g. `ecs-platform-dev`. */
  readonly namePrefix: string;
  /**
   * The VPC's IPv4 range; subnets are the /24s inside it, public first.
   * @default "10.10.0.0/16"
   */
  readonly cidrBlock?: string;
  /**
   * Availability zones used, each with one public and one private subnet.
   * @default 2
   */
  readonly azCount?: number;
  /**
   * `single`: one NAT gateway in the first public subnet (cheaper);
   * `per_az`: one per zone, so a zone outage does not cut the others' egress.
   * @default "single"
   */
  readonly natGatewayMode?: "single" | "per_az";
  /**
   * Retention of VPC flow logs (all traffic, to CloudWatch Logs).
   * @default - no flow logs
   */
  readonly flowLogRetentionDays?: number;
  /**
   * The account deployed into: the flow logs' role trusts only the flow-log
   * service acting for it. Needed with `flowLogRetentionDays`.
   * @default - none (only allowed without flow logs)
   */
  readonly accountId?: string;
}

/**
 * A VPC whose private subnets reach the internet only through NAT: the ALB and
 * NAT gateways live in the public subnets, instances in the private ones.
 */
export class PrivateVpc extends Construct {
  /** The VPC's id. */
  readonly vpcId: string;
  /** The VPC's IPv4 range. */
  readonly cidrBlock: string;
  /** One public subnet per zone, in zone order. */
  readonly publicSubnetIds: string[];
  /** One private subnet per zone, in zone order. */
  readonly privateSubnetIds: string[];
  /** Private route tables (one per zone), for checks and endpoints. */
  readonly privateRouteTableIds: string[];

  constructor(scope: Construct, id: string, props: PrivateVpcProps) {
    super(scope, id);
    const cidrBlock = props.cidrBlock ?? "10.10.0.0/16";
    const azCount = props.azCount ?? 2;
    const natGatewayMode = props.natGatewayMode ?? "single";
    if (!Number.isInteger(azCount) || azCount < 2) {
      throw new Error(`PrivateVpc: azCount must be a whole number of at least 2 (an ALB needs two zones), got ${azCount}`);
    }
    const name = (suffix: string) => ({ Name: `${props.namePrefix}-${suffix}` });

    const zones = new DataAwsAvailabilityZones(this, "zones", { state: "available" });
    const vpc = new Vpc(this, "vpc", {
      cidrBlock,
      enableDnsSupport: true,
      enableDnsHostnames: true,
      tags: name("vpc"),
    });
    this.vpcId = vpc.id;
    this.cidrBlock = cidrBlock;
    // Adopting the VPC's default security group removes all its rules (AWS's default lets its
    // members reach each other and anything outside): nothing uses it, and anything put in it
    // by mistake reaches nothing.
    new DefaultSecurityGroup(this, "default-security-group", { vpcId: vpc.id, tags: name("default-no-rules") });

    const internetGateway = new InternetGateway(this, "internet-gateway", { vpcId: vpc.id, tags: name("igw") });
    const publicRoutes = new RouteTable(this, "public-routes", { vpcId: vpc.id, tags: name("public") });
    // One route resource, never an inline route as well: the seed had both, which conflict.
    new Route(this, "public-default-route", {
      routeTableId: publicRoutes.id,
      destinationCidrBlock: "0.0.0.0/0",
      gatewayId: internetGateway.id,
    });

    const natCount = natGatewayMode === "per_az" ? azCount : 1;
    const publicSubnets: Subnet[] = [];
    const natGateways: NatGateway[] = [];
    this.privateSubnetIds = [];
    this.privateRouteTableIds = [];
    for (let i = 0; i < azCount; i++) {
      const zone = Fn.element(zones.names, i);
      const publicSubnet = new Subnet(this, `public-subnet-${i}`, {
        vpcId: vpc.id,
        cidrBlock: subnetCidr24(cidrBlock, i),
        availabilityZone: zone,
        mapPublicIpOnLaunch: false,
        tags: { ...name(`public-${i}`), Tier: "public" },
      });
      publicSubnets.push(publicSubnet);
      new RouteTableAssociation(this, `public-subnet-${i}-routes`, { subnetId: publicSubnet.id, routeTableId: publicRoutes.id });
      if (i < natCount) {
        const address = new Eip(this, `nat-address-${i}`, { domain: "vpc", tags: name(`nat-${i}`) });
        natGateways.push(
          new NatGateway(this, `nat-gateway-${i}`, {
            allocationId: address.allocationId,
            subnetId: publicSubnet.id,
            tags: name(`nat-${i}`),
            dependsOn: [internetGateway],
          }),
        );
      }
    }
    this.publicSubnetIds = publicSubnets.map((s) => s.id);

    for (let i = 0; i < azCount; i++) {
      const privateSubnet = new Subnet(this, `private-subnet-${i}`, {
        vpcId: vpc.id,
        cidrBlock: subnetCidr24(cidrBlock, azCount + i),
        availabilityZone: Fn.element(zones.names, i),
        tags: { ...name(`private-${i}`), Tier: "private" },
      });
      const routes = new RouteTable(this, `private-routes-${i}`, { vpcId: vpc.id, tags: name(`private-${i}`) });
      new Route(this, `private-default-route-${i}`, {
        routeTableId: routes.id,
        destinationCidrBlock: "0.0.0.0/0",
        natGatewayId: natGateways[natGatewayMode === "per_az" ? i : 0].id,
      });
      new RouteTableAssociation(this, `private-subnet-${i}-routes`, { subnetId: privateSubnet.id, routeTableId: routes.id });
      this.privateSubnetIds.push(privateSubnet.id);
      this.privateRouteTableIds.push(routes.id);
    }

    if (props.flowLogRetentionDays !== undefined) {
      if (props.accountId === undefined) {
        throw new Error(`PrivateVpc: flowLogRetentionDays (${props.flowLogRetentionDays}) needs accountId, the account whose flow-log service may assume the role; pass it, or leave out flowLogRetentionDays`);
      }
      this.addFlowLogs(vpc, props.namePrefix, props.flowLogRetentionDays, props.accountId);
    }
  }

  private addFlowLogs(vpc: Vpc, namePrefix: string, retentionInDays: number, accountId: string): void {
    const logGroup = new CloudwatchLogGroup(this, "flow-log-group", {
      name: `/aws/vpc-flow-log/${namePrefix}`,
      retentionInDays,
    });
    const role = new IamRole(this, "flow-log-role", {
      namePrefix: `${namePrefix.slice(0, 20)}-flow-logs-`,
      // Only the flow-log service acting for this account (confused deputy).
      assumeRolePolicy: assumeRolePolicy("vpc-flow-logs.amazonaws.com", { StringEquals: { "aws:SourceAccount": accountId } }),
    });
    new IamRolePolicy(this, "flow-log-delivery", {
      role: role.id,
      name: "deliver-to-log-group",
      policy: policyDocument([
        {
          actions: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogGroups", "logs:DescribeLogStreams"],
          resources: [logGroup.arn, `${logGroup.arn}:*`],
        },
      ]),
    });
    new FlowLog(this, "flow-log", {
      vpcId: vpc.id,
      trafficType: "ALL",
      logDestinationType: "cloud-watch-logs",
      logDestination: logGroup.arn,
      iamRoleArn: role.arn,
      maxAggregationInterval: 600,
    });
  }
}
