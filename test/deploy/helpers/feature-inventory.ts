/**
 * What the production features (issue 16, item 4) deployed into the
 * emulator, read back through the AWS SDK: scaling targets and policies, a
 * role's inline policies, the auto scaling group's mixed-instances policy,
 * the VPC's endpoints, the load balancer's attributes and web ACL, a bucket's
 * policy. Each reader returns plain data for one `toEqual`.
 */
import {
  ApplicationAutoScalingClient,
  DescribeScalableTargetsCommand,
  DescribeScalingPoliciesCommand,
} from "@aws-sdk/client-application-auto-scaling";
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from "@aws-sdk/client-auto-scaling";
import { DescribeVpcEndpointsCommand, type EC2Client } from "@aws-sdk/client-ec2";
import { DescribeLoadBalancerAttributesCommand, type ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { GetRolePolicyCommand, ListAttachedRolePoliciesCommand, ListRolePoliciesCommand, type IAMClient } from "@aws-sdk/client-iam";
import { GetWebACLForResourceCommand, WAFV2Client } from "@aws-sdk/client-wafv2";

/** The SDK clients these readers need besides those of platform-inventory.ts. */
export interface FeatureClients {
  readonly appAutoScaling: ApplicationAutoScalingClient;
  readonly autoScaling: AutoScalingClient;
  readonly wafv2: WAFV2Client;
}

/** Clients for the emulator at `endpoint` (fake credentials). */
export function featureClients(endpoint: string, region: string): FeatureClients {
  const config = { region, endpoint, credentials: { accessKeyId: "test", secretAccessKey: "test" }, maxAttempts: 2 };
  return { appAutoScaling: new ApplicationAutoScalingClient(config), autoScaling: new AutoScalingClient(config), wafv2: new WAFV2Client(config) };
}

/** Close every client's connections. */
export function destroyFeatureClients(clients: FeatureClients): void {
  for (const client of Object.values(clients)) client.destroy();
}

/** The ECS service's scalable target (its desired count) and its scaling policies, or `undefined` when it has none. */
export async function serviceScaling(clients: FeatureClients, cluster: string, service: string) {
  const resourceId = `service/${cluster}/${service}`;
  const { ScalableTargets = [] } = await clients.appAutoScaling.send(new DescribeScalableTargetsCommand({ ServiceNamespace: "ecs", ResourceIds: [resourceId] }));
  if (ScalableTargets.length === 0) return undefined;
  const { ScalingPolicies = [] } = await clients.appAutoScaling.send(new DescribeScalingPoliciesCommand({ ServiceNamespace: "ecs", ResourceId: resourceId }));
  return {
    targets: ScalableTargets.map((t) => ({ dimension: t.ScalableDimension, min: t.MinCapacity, max: t.MaxCapacity })),
    policies: ScalingPolicies.map((p) => ({
      type: p.PolicyType,
      dimension: p.ScalableDimension,
      metric: p.TargetTrackingScalingPolicyConfiguration?.PredefinedMetricSpecification?.PredefinedMetricType,
      targetValue: p.TargetTrackingScalingPolicyConfiguration?.TargetValue,
    })),
  };
}

/** Every scalable target of ECS services in the emulator, as `service/<cluster>/<service>`. */
export async function ecsScalableTargets(clients: FeatureClients): Promise<string[]> {
  const { ScalableTargets = [] } = await clients.appAutoScaling.send(new DescribeScalableTargetsCommand({ ServiceNamespace: "ecs" }));
  return ScalableTargets.map((t) => t.ResourceId!);
}

/** One statement of an IAM policy, with `Action` and `Resource` as sorted lists. */
export interface Statement {
  readonly effect: string;
  readonly actions: string[];
  readonly resources: string[];
}

const asList = (value: unknown): string[] => (value === undefined ? [] : Array.isArray(value) ? [...value] : [String(value)]).sort();

/** A role's inline policies by name (their statements), and the ARNs of the managed policies attached to it. */
export async function rolePolicies(iam: IAMClient, roleName: string): Promise<{ inline: Record<string, Statement[]>; attached: string[] }> {
  const { PolicyNames = [] } = await iam.send(new ListRolePoliciesCommand({ RoleName: roleName }));
  const inline: Record<string, Statement[]> = {};
  for (const name of PolicyNames) {
    const { PolicyDocument = "" } = await iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: name }));
    const document = JSON.parse(decodeURIComponent(PolicyDocument)) as { Statement: Record<string, unknown>[] | Record<string, unknown> };
    const statements = Array.isArray(document.Statement) ? document.Statement : [document.Statement];
    inline[name] = statements.map((s) => ({ effect: String(s.Effect), actions: asList(s.Action), resources: asList(s.Resource) }));
  }
  const { AttachedPolicies = [] } = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: roleName }));
  return { inline, attached: AttachedPolicies.map((p) => p.PolicyArn!).sort() };
}

/** The auto scaling group's capacity settings: its mixed-instances policy (instances distribution, override types) and capacity rebalancing. */
export async function groupCapacity(clients: FeatureClients, groupName: string) {
  const { AutoScalingGroups = [] } = await clients.autoScaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [groupName] }));
  if (AutoScalingGroups.length !== 1) throw new Error(`expected one auto scaling group ${groupName}, found ${AutoScalingGroups.length}`);
  const [group] = AutoScalingGroups;
  const policy = group.MixedInstancesPolicy;
  return {
    capacityRebalance: group.CapacityRebalance,
    launchTemplateName: policy?.LaunchTemplate?.LaunchTemplateSpecification?.LaunchTemplateName ?? group.LaunchTemplate?.LaunchTemplateName,
    instanceTypes: (policy?.LaunchTemplate?.Overrides ?? []).map((o) => o.InstanceType),
    distribution: policy?.InstancesDistribution && {
      onDemandBaseCapacity: policy.InstancesDistribution.OnDemandBaseCapacity,
      onDemandPercentageAboveBaseCapacity: policy.InstancesDistribution.OnDemandPercentageAboveBaseCapacity,
      spotAllocationStrategy: policy.InstancesDistribution.SpotAllocationStrategy,
    },
  };
}

/** The VPC endpoints of `vpcId` (or, without it, those tagged with `environment`), by service name, sorted. */
export async function vpcEndpoints(ec2: EC2Client, filter: { vpcId: string } | { environment: string }) {
  const Filters = "vpcId" in filter ? [{ Name: "vpc-id", Values: [filter.vpcId] }] : [{ Name: "tag:Environment", Values: [filter.environment] }];
  const { VpcEndpoints = [] } = await ec2.send(new DescribeVpcEndpointsCommand({ Filters }));
  return VpcEndpoints.filter((e) => String(e.State).toLowerCase() !== "deleted")
    .map((e) => ({
      service: e.ServiceName!,
      type: e.VpcEndpointType,
      privateDns: e.PrivateDnsEnabled,
      subnetIds: [...(e.SubnetIds ?? [])].sort(),
      routeTableIds: [...(e.RouteTableIds ?? [])].sort(),
      securityGroups: (e.Groups ?? []).map((g) => g.GroupName).sort(),
    }))
    .sort((a, b) => a.service.localeCompare(b.service));
}

/** The load balancer's attributes as a plain object (`access_logs.s3.enabled` → `"true"`). */
export async function loadBalancerAttributes(elbv2: ElasticLoadBalancingV2Client, arn: string): Promise<Record<string, string>> {
  const { Attributes = [] } = await elbv2.send(new DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: arn }));
  return Object.fromEntries(Attributes.map((a) => [a.Key!, a.Value!]));
}

/** The ARN of the web ACL associated with a resource, or `undefined`. */
export async function webAclOf(clients: FeatureClients, resourceArn: string): Promise<string | undefined> {
  const { WebACL } = await clients.wafv2.send(new GetWebACLForResourceCommand({ ResourceArn: resourceArn }));
  return WebACL?.ARN;
}
