/**
 * What the platform deployed into the emulator, read back through the AWS SDK
 * the way a user's tools would see it, and what is left of it after a destroy.
 * Ours is recognised by the `Environment` tag (the provider's default tags) or
 * by the `<resource_tag>-<environment>` name prefix, so resources added to the
 * stacks later never break these readers.
 */
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from "@aws-sdk/client-cloudwatch-logs";
import {
  DescribeAddressesCommand,
  DescribeInternetGatewaysCommand,
  DescribeLaunchTemplatesCommand,
  DescribeNatGatewaysCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  EC2Client,
  type Tag,
} from "@aws-sdk/client-ec2";
import {
  DescribeCapacityProvidersCommand,
  DescribeClustersCommand,
  DescribeServicesCommand,
  ECSClient,
  ListClustersCommand,
  ListServicesCommand,
  ListTaskDefinitionsCommand,
} from "@aws-sdk/client-ecs";
import { DescribeAccessPointsCommand, DescribeFileSystemsCommand, EFSClient } from "@aws-sdk/client-efs";
import { EventBridgeClient, ListRulesCommand } from "@aws-sdk/client-eventbridge";
import {
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { IAMClient, ListInstanceProfilesCommand, ListPoliciesCommand, ListRolesCommand } from "@aws-sdk/client-iam";
import { LambdaClient, ListFunctionsCommand } from "@aws-sdk/client-lambda";
import { ListHostedZonesCommand, Route53Client } from "@aws-sdk/client-route-53";
import { ListBucketsCommand, S3Client } from "@aws-sdk/client-s3";
import { ListQueuesCommand, SQSClient } from "@aws-sdk/client-sqs";

/** SDK clients against one emulator. */
export interface Clients {
  readonly ec2: EC2Client;
  readonly ecs: ECSClient;
  readonly elbv2: ElasticLoadBalancingV2Client;
  readonly efs: EFSClient;
  readonly events: EventBridgeClient;
  readonly iam: IAMClient;
  readonly lambda: LambdaClient;
  readonly logs: CloudWatchLogsClient;
  readonly route53: Route53Client;
  readonly s3: S3Client;
  readonly sqs: SQSClient;
}

/** Clients for the emulator at `endpoint` (fake credentials, as the local target uses). */
export function emulatorClients(endpoint: string, region: string): Clients {
  // The SDK warns on every client under Node 20; the tests know.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
  const config = { region, endpoint, credentials: { accessKeyId: "test", secretAccessKey: "test" }, maxAttempts: 2 };
  return {
    ec2: new EC2Client(config),
    ecs: new ECSClient(config),
    elbv2: new ElasticLoadBalancingV2Client(config),
    efs: new EFSClient(config),
    events: new EventBridgeClient(config),
    iam: new IAMClient(config),
    lambda: new LambdaClient(config),
    logs: new CloudWatchLogsClient(config),
    route53: new Route53Client(config),
    s3: new S3Client({ ...config, forcePathStyle: true }),
    sqs: new SQSClient(config),
  };
}

/** Close every client's connections. */
export function destroyClients(clients: Clients): void {
  for (const client of Object.values(clients)) client.destroy();
}

/** How ours is recognised. */
export interface Ours {
  /** The `Environment` tag every taggable resource carries. */
  readonly environment: string;
  /** `<resource_tag>-<environment>`, the start of every name. */
  readonly namePrefix: string;
}

const tagged = (tags: Tag[] | undefined, ours: Ours) => (tags ?? []).some((t) => t.Key === "Environment" && t.Value === ours.environment);
const envFilter = (ours: Ours) => [{ Name: "tag:Environment", Values: [ours.environment] }];

/** The one VPC of the environment; fails unless there is exactly one. */
export async function ourVpcId(clients: Clients, ours: Ours): Promise<string> {
  const { Vpcs = [] } = await clients.ec2.send(new DescribeVpcsCommand({ Filters: envFilter(ours) }));
  if (Vpcs.length !== 1) throw new Error(`expected one VPC tagged Environment=${ours.environment}, found ${Vpcs.length}`);
  return Vpcs[0].VpcId!;
}

/** A subnet and where its default route (0.0.0.0/0) goes. */
export interface SubnetRoute {
  readonly subnetId: string;
  readonly tier: string;
  readonly gatewayId?: string;
  readonly natGatewayId?: string;
}

/** Every subnet of `vpcId` with its `Tier` tag and the target of its route table's 0.0.0.0/0 route. */
export async function subnetDefaultRoutes(clients: Clients, vpcId: string): Promise<SubnetRoute[]> {
  const vpcFilter = [{ Name: "vpc-id", Values: [vpcId] }];
  const { Subnets = [] } = await clients.ec2.send(new DescribeSubnetsCommand({ Filters: vpcFilter }));
  const { RouteTables = [] } = await clients.ec2.send(new DescribeRouteTablesCommand({ Filters: vpcFilter }));
  return Subnets.map((subnet) => {
    const table = RouteTables.find((t) => (t.Associations ?? []).some((a) => a.SubnetId === subnet.SubnetId));
    const route = table?.Routes?.find((r) => r.DestinationCidrBlock === "0.0.0.0/0");
    return {
      subnetId: subnet.SubnetId!,
      tier: subnet.Tags?.find((t) => t.Key === "Tier")?.Value ?? "(none)",
      gatewayId: route?.GatewayId,
      natGatewayId: route?.NatGatewayId,
    };
  });
}

/** NAT gateways by id: state, subnet and VPC. */
export async function natGateways(clients: Clients, ids: string[]): Promise<{ id: string; state: string; subnetId: string; vpcId: string }[]> {
  if (ids.length === 0) return [];
  const { NatGateways = [] } = await clients.ec2.send(new DescribeNatGatewaysCommand({ NatGatewayIds: ids }));
  return NatGateways.map((n) => ({ id: n.NatGatewayId!, state: n.State!, subnetId: n.SubnetId!, vpcId: n.VpcId! }));
}

/** The VPCs an internet gateway is attached to. */
export async function internetGatewayVpcs(clients: Clients, id: string): Promise<string[]> {
  const { InternetGateways = [] } = await clients.ec2.send(new DescribeInternetGatewaysCommand({ InternetGatewayIds: [id] }));
  return InternetGateways.flatMap((g) => (g.Attachments ?? []).map((a) => a.VpcId!));
}

/** The ECS services of a cluster, fully described. */
export async function clusterServices(clients: Clients, cluster: string) {
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await clients.ecs.send(new ListServicesCommand({ cluster, nextToken }));
    arns.push(...(page.serviceArns ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  const services = [];
  for (let i = 0; i < arns.length; i += 10) {
    const { services: described = [] } = await clients.ecs.send(new DescribeServicesCommand({ cluster, services: arns.slice(i, i + 10) }));
    services.push(...described);
  }
  return services;
}

/** Every log group whose name starts with `prefix`. */
export async function logGroupNames(clients: Clients, prefix?: string): Promise<string[]> {
  const names: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await clients.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: prefix, nextToken }));
    names.push(...(page.logGroups ?? []).map((g) => g.logGroupName!));
    nextToken = page.nextToken;
  } while (nextToken);
  return names;
}

/** Ignore one kind of lookup failing because its parent is already gone (e.g. access points of a deleted file system). */
async function orNone<T>(lookup: Promise<T[]>): Promise<T[]> {
  try {
    return await lookup;
  } catch (e) {
    if (/NotFound|does not exist/i.test(String((e as Error).name) + String((e as Error).message))) return [];
    throw e;
  }
}

/** What helps recognise ours where names and tags cannot. */
export interface LeftoverHints {
  /** The private zone's id (zone names are not per environment). */
  readonly zoneId?: string;
  readonly fileSystemId?: string;
  /** Only this platform ever used the emulator: every hosted zone and bucket in it is ours. */
  readonly exclusive?: boolean;
}

/**
 * Everything of ours that still exists, one line per resource. Kept out on
 * purpose, because AWS keeps them too: ECS clusters and task definitions that
 * are INACTIVE, NAT gateways that are `deleted`.
 */
export async function leftovers(clients: Clients, ours: Ours, known: LeftoverHints): Promise<string[]> {
  const found: string[] = [];
  const { ec2, ecs, elbv2, efs, events, iam, lambda, route53, s3, sqs } = clients;
  const named = (name: string | undefined) => (name ?? "").includes(ours.namePrefix);

  const { Vpcs = [] } = await ec2.send(new DescribeVpcsCommand({ Filters: envFilter(ours) }));
  found.push(...Vpcs.map((v) => `VPC ${v.VpcId}`));
  const { Subnets = [] } = await ec2.send(new DescribeSubnetsCommand({ Filters: envFilter(ours) }));
  found.push(...Subnets.map((s) => `subnet ${s.SubnetId}`));
  const { RouteTables = [] } = await ec2.send(new DescribeRouteTablesCommand({ Filters: envFilter(ours) }));
  found.push(...RouteTables.map((t) => `route table ${t.RouteTableId}`));
  const { InternetGateways = [] } = await ec2.send(new DescribeInternetGatewaysCommand({ Filters: envFilter(ours) }));
  found.push(...InternetGateways.map((g) => `internet gateway ${g.InternetGatewayId}`));
  const { NatGateways = [] } = await ec2.send(new DescribeNatGatewaysCommand({}));
  found.push(...NatGateways.filter((n) => tagged(n.Tags, ours) && n.State !== "deleted").map((n) => `NAT gateway ${n.NatGatewayId} (${n.State})`));
  const { Addresses = [] } = await ec2.send(new DescribeAddressesCommand({}));
  found.push(...Addresses.filter((a) => tagged(a.Tags, ours)).map((a) => `elastic IP ${a.AllocationId}`));
  const { SecurityGroups = [] } = await ec2.send(new DescribeSecurityGroupsCommand({}));
  found.push(...SecurityGroups.filter((g) => named(g.GroupName) || tagged(g.Tags, ours)).map((g) => `security group ${g.GroupName}`));
  const { LaunchTemplates = [] } = await ec2.send(new DescribeLaunchTemplatesCommand({}));
  found.push(...LaunchTemplates.filter((t) => named(t.LaunchTemplateName)).map((t) => `launch template ${t.LaunchTemplateName}`));

  const { LoadBalancers = [] } = await elbv2.send(new DescribeLoadBalancersCommand({}));
  found.push(...LoadBalancers.filter((lb) => named(lb.LoadBalancerName)).map((lb) => `load balancer ${lb.LoadBalancerName}`));
  const { TargetGroups = [] } = await elbv2.send(new DescribeTargetGroupsCommand({}));
  found.push(...TargetGroups.filter((tg) => named(tg.TargetGroupName)).map((tg) => `target group ${tg.TargetGroupName}`));

  const { clusterArns = [] } = await ecs.send(new ListClustersCommand({}));
  const { clusters = [] } = clusterArns.length > 0 ? await ecs.send(new DescribeClustersCommand({ clusters: clusterArns })) : { clusters: [] };
  for (const cluster of clusters.filter((c) => named(c.clusterName))) {
    if (cluster.status !== "INACTIVE") found.push(`ECS cluster ${cluster.clusterName} (${cluster.status})`);
    const services = await orNone(clusterServices(clients, cluster.clusterArn!));
    found.push(...services.filter((s) => s.status !== "INACTIVE").map((s) => `ECS service ${s.serviceName} (${s.status})`));
  }
  const { capacityProviders = [] } = await ecs.send(new DescribeCapacityProvidersCommand({}));
  found.push(...capacityProviders.filter((p) => named(p.name) && p.status !== "INACTIVE").map((p) => `capacity provider ${p.name}`));
  // familyPrefix is a whole family name (in AWS too), so list them all.
  const taskDefinitionArns: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await ecs.send(new ListTaskDefinitionsCommand({ status: "ACTIVE", nextToken }));
    taskDefinitionArns.push(...(page.taskDefinitionArns ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  found.push(...taskDefinitionArns.map((arn) => arn.split("/").pop()!).filter(named).map((family) => `task definition ${family}`));

  found.push(...(await logGroupNames(clients)).filter(named).map((name) => `log group ${name}`));

  const { Roles = [] } = await iam.send(new ListRolesCommand({ MaxItems: 1000 }));
  found.push(...Roles.filter((r) => named(r.RoleName)).map((r) => `IAM role ${r.RoleName}`));
  const { InstanceProfiles = [] } = await iam.send(new ListInstanceProfilesCommand({ MaxItems: 1000 }));
  found.push(...InstanceProfiles.filter((p) => named(p.InstanceProfileName)).map((p) => `instance profile ${p.InstanceProfileName}`));
  const { Policies = [] } = await iam.send(new ListPoliciesCommand({ Scope: "Local", MaxItems: 1000 }));
  found.push(...Policies.filter((p) => named(p.PolicyName)).map((p) => `IAM policy ${p.PolicyName}`));

  const { FileSystems = [] } = await efs.send(new DescribeFileSystemsCommand({}));
  found.push(
    ...FileSystems.filter((f) => named(f.CreationToken) || tagged(f.Tags, ours) || f.FileSystemId === known.fileSystemId).map(
      (f) => `EFS file system ${f.FileSystemId}`,
    ),
  );
  if (known.fileSystemId) {
    const points = await orNone(efs.send(new DescribeAccessPointsCommand({ FileSystemId: known.fileSystemId })).then((r) => r.AccessPoints ?? []));
    found.push(...points.map((p) => `EFS access point ${p.AccessPointId}`));
  }

  // The janitor: its function, its failure queue, its two EventBridge rules.
  const { Functions = [] } = await lambda.send(new ListFunctionsCommand({}));
  found.push(...Functions.filter((f) => named(f.FunctionName)).map((f) => `Lambda function ${f.FunctionName}`));
  const { QueueUrls = [] } = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: ours.namePrefix }));
  found.push(...QueueUrls.map((url) => `SQS queue ${url.split("/").pop()}`));
  const { Rules = [] } = await events.send(new ListRulesCommand({ NamePrefix: ours.namePrefix }));
  found.push(...Rules.map((r) => `EventBridge rule ${r.Name}`));

  const { HostedZones = [] } = await route53.send(new ListHostedZonesCommand({}));
  found.push(...HostedZones.filter((z) => known.exclusive || (known.zoneId && z.Id!.endsWith(known.zoneId))).map((z) => `hosted zone ${z.Name} (${z.Id})`));

  const { Buckets = [] } = await s3.send(new ListBucketsCommand({}));
  found.push(...Buckets.filter((b) => known.exclusive || named(b.Name) || (b.Name ?? "").includes(ours.environment)).map((b) => `S3 bucket ${b.Name}`));
  return found;
}
