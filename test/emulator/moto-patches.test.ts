/**
 * The emulator answers like AWS where the local target depends on it: one
 * test per patch in scripts/emulator/patches/ (through the AWS SDK, so
 * the answers are parsed the way the Terraform provider's SDK parses them), and
 * the unpatched moto behaviours the local target relies on.
 *
 * MOTO_URL is the moto that `npm test` started through scripts/emulator/moto_server.py.
 * The server is shared with other test files: every name here is unique.
 */
import {
  ApplicationAutoScalingClient,
  DeregisterScalableTargetCommand,
  ListTagsForResourceCommand as ListScalableTargetTagsCommand,
  RegisterScalableTargetCommand,
  TagResourceCommand as TagScalableTargetCommand,
  UntagResourceCommand as UntagScalableTargetCommand,
} from "@aws-sdk/client-application-auto-scaling";
import {
  CreateCapacityProviderCommand,
  CreateClusterCommand,
  CreateServiceCommand,
  DeleteCapacityProviderCommand,
  DeleteClusterCommand,
  DeleteServiceCommand,
  DeregisterTaskDefinitionCommand,
  DescribeCapacityProvidersCommand,
  DescribeServicesCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
  type Service,
} from "@aws-sdk/client-ecs";
import {
  CreateLaunchTemplateCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DeleteLaunchTemplateCommand,
  DeleteSecurityGroupCommand,
  DeleteSubnetCommand,
  DeleteVpcCommand,
  DescribeLaunchTemplatesCommand,
  DescribeLaunchTemplateVersionsCommand,
  DescribeSecurityGroupRulesCommand,
  AuthorizeSecurityGroupIngressCommand,
  EC2Client,
} from "@aws-sdk/client-ec2";
import {
  CreateHostedZoneCommand,
  DeleteHostedZoneCommand,
  GetHostedZoneCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
  type Change,
  type ResourceRecordSet,
} from "@aws-sdk/client-route-53";
import {
  AttachRolePolicyCommand,
  CreateRoleCommand,
  DeleteRoleCommand,
  DetachRolePolicyCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
} from "@aws-sdk/client-iam";
import {
  CreateFileSystemCommand,
  DeleteFileSystemCommand,
  DeleteFileSystemPolicyCommand,
  DescribeFileSystemPolicyCommand,
  EFSClient,
  PutFileSystemPolicyCommand,
} from "@aws-sdk/client-efs";
import {
  CreateTargetGroupCommand,
  DeleteTargetGroupCommand,
  DeregisterTargetsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { EmulatorZone, changeRecordSets, listRecordSets, recordSetKey } from "../helpers/zones";

const motoUrl = process.env.MOTO_URL;
if (!motoUrl) throw new Error("MOTO_URL is not set: run these tests with `npm test -- test/emulator`");
// The SDK warns on every client under Node 20; the tests know.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

const clientConfig = {
  region: "us-east-1",
  endpoint: motoUrl,
  credentials: { accessKeyId: "test", secretAccessKey: "test" },
};
const ecs = new ECSClient(clientConfig);
const ec2 = new EC2Client(clientConfig);
const route53 = new Route53Client(clientConfig);
const iam = new IAMClient(clientConfig);
const s3 = new S3Client({ ...clientConfig, forcePathStyle: true });
const efs = new EFSClient(clientConfig);
const elbv2 = new ElasticLoadBalancingV2Client(clientConfig);
const appAutoScaling = new ApplicationAutoScalingClient(clientConfig);

const suffix = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
const unique = (name: string): string => `${name}-${suffix}`;

/** Cleanups run last-in first-out after all tests, even when one fails. */
const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  for (const client of [ecs, ec2, route53, iam, s3, efs, elbv2, appAutoScaling]) client.destroy();
});

async function createVpc(): Promise<{ vpcId: string; subnetId: string; securityGroupId: string }> {
  const vpc = await ec2.send(new CreateVpcCommand({ CidrBlock: "10.10.0.0/16" }));
  const vpcId = vpc.Vpc!.VpcId!;
  cleanups.push(() => ec2.send(new DeleteVpcCommand({ VpcId: vpcId })));
  const subnet = await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: "10.10.1.0/24", AvailabilityZone: "us-east-1a" }));
  const subnetId = subnet.Subnet!.SubnetId!;
  cleanups.push(() => ec2.send(new DeleteSubnetCommand({ SubnetId: subnetId })));
  const group = await ec2.send(new CreateSecurityGroupCommand({ VpcId: vpcId, GroupName: unique("tasks"), Description: "tasks" }));
  const securityGroupId = group.GroupId!;
  cleanups.push(() => ec2.send(new DeleteSecurityGroupCommand({ GroupId: securityGroupId })));
  return { vpcId, subnetId, securityGroupId };
}

/** A cluster and a task definition in the given network mode, ready for CreateService. */
async function createClusterAndTask(networkMode: "bridge" | "awsvpc"): Promise<{ cluster: string; taskDefinition: string }> {
  const cluster = unique(`patches-${networkMode}`);
  await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  cleanups.push(() => ecs.send(new DeleteClusterCommand({ cluster })));
  const registered = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: unique(`web-${networkMode}`),
      networkMode,
      requiresCompatibilities: ["EC2"],
      containerDefinitions: [
        {
          name: "web",
          image: "registry.example.com/web:1",
          memory: 128,
          portMappings: [{ containerPort: 8080, hostPort: networkMode === "bridge" ? 0 : 8080 }],
        },
      ],
    }),
  );
  const taskDefinition = registered.taskDefinition!.taskDefinitionArn!;
  cleanups.push(() => ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition })));
  return { cluster, taskDefinition };
}

async function describeService(cluster: string, service: string): Promise<Service> {
  const described = await ecs.send(new DescribeServicesCommand({ cluster, services: [service] }));
  expect(described.services).toHaveLength(1);
  return described.services![0];
}

function deleteServiceLater(cluster: string, service: string): void {
  cleanups.push(() => ecs.send(new DeleteServiceCommand({ cluster, service, force: true })));
}

describe("IAM", () => {
  test("an AWS managed policy can be attached to a role without creating it first", async () => {
    const roleName = unique("execution");
    const policyArn = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy";
    await iam.send(
      new CreateRoleCommand({
        RoleName: roleName,
        AssumeRolePolicyDocument: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole" }],
        }),
      }),
    );
    cleanups.push(() => iam.send(new DeleteRoleCommand({ RoleName: roleName })));

    await iam.send(new AttachRolePolicyCommand({ RoleName: roleName, PolicyArn: policyArn }));
    cleanups.push(() => iam.send(new DetachRolePolicyCommand({ RoleName: roleName, PolicyArn: policyArn })));

    const attached = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: roleName }));
    expect(attached.AttachedPolicies).toEqual([{ PolicyName: "AmazonECSTaskExecutionRolePolicy", PolicyArn: policyArn }]);
  });
});

describe("ECS services", () => {
  test("a bridge-mode service is described without a networkConfiguration", async () => {
    const { cluster, taskDefinition } = await createClusterAndTask("bridge");
    await ecs.send(new CreateServiceCommand({ cluster, serviceName: "web", taskDefinition, desiredCount: 1 }));
    deleteServiceLater(cluster, "web");

    const service = await describeService(cluster, "web");
    expect(service.networkConfiguration).toBeUndefined();
  });

  test("an awsvpc service is still described with the networkConfiguration it was created with", async () => {
    const { subnetId, securityGroupId } = await createVpc();
    const { cluster, taskDefinition } = await createClusterAndTask("awsvpc");
    const networkConfiguration = {
      awsvpcConfiguration: { subnets: [subnetId], securityGroups: [securityGroupId], assignPublicIp: "DISABLED" as const },
    };
    await ecs.send(new CreateServiceCommand({ cluster, serviceName: "web", taskDefinition, desiredCount: 1, networkConfiguration }));
    deleteServiceLater(cluster, "web");

    const service = await describeService(cluster, "web");
    expect(service.networkConfiguration).toEqual(networkConfiguration);
  });

  test("a service is described with the capacity provider strategy, deployment and placement settings and AZ rebalancing it was created with", async () => {
    const { cluster, taskDefinition } = await createClusterAndTask("bridge");
    const settings = {
      capacityProviderStrategy: [{ capacityProvider: "asg", weight: 1, base: 0 }],
      deploymentConfiguration: {
        maximumPercent: 200,
        minimumHealthyPercent: 50,
        deploymentCircuitBreaker: { enable: true, rollback: true },
      },
      placementStrategy: [{ type: "spread" as const, field: "attribute:ecs.availability-zone" }],
      placementConstraints: [{ type: "distinctInstance" as const }],
      availabilityZoneRebalancing: "DISABLED" as const,
      healthCheckGracePeriodSeconds: 30,
      enableECSManagedTags: true,
      enableExecuteCommand: false,
    };
    await ecs.send(new CreateServiceCommand({ cluster, serviceName: "web", taskDefinition, desiredCount: 1, ...settings }));
    deleteServiceLater(cluster, "web");

    const service = await describeService(cluster, "web");
    expect(service).toMatchObject(settings);
  });

  test("settings changed by UpdateService are described back", async () => {
    const { cluster, taskDefinition } = await createClusterAndTask("bridge");
    await ecs.send(
      new CreateServiceCommand({
        cluster,
        serviceName: "web",
        taskDefinition,
        desiredCount: 1,
        availabilityZoneRebalancing: "DISABLED",
        deploymentConfiguration: { maximumPercent: 200, minimumHealthyPercent: 100 },
      }),
    );
    deleteServiceLater(cluster, "web");

    await ecs.send(
      new UpdateServiceCommand({
        cluster,
        service: "web",
        availabilityZoneRebalancing: "ENABLED",
        deploymentConfiguration: { maximumPercent: 200, minimumHealthyPercent: 50 },
      }),
    );

    const service = await describeService(cluster, "web");
    expect(service.availabilityZoneRebalancing).toBe("ENABLED");
    expect(service.deploymentConfiguration).toMatchObject({ maximumPercent: 200, minimumHealthyPercent: 50 });
  });
});

describe("ECS capacity providers", () => {
  test("DescribeCapacityProviders without names lists every capacity provider", async () => {
    const name = unique("asg");
    await ecs.send(
      new CreateCapacityProviderCommand({
        name,
        autoScalingGroupProvider: {
          autoScalingGroupArn: `arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:${suffix}:autoScalingGroupName/${name}`,
          managedTerminationProtection: "DISABLED",
        },
      }),
    );
    cleanups.push(() => ecs.send(new DeleteCapacityProviderCommand({ capacityProvider: name })));

    const described = await ecs.send(new DescribeCapacityProvidersCommand({}));
    expect(described.capacityProviders?.map((p) => p.name)).toContain(name);
  });
});

describe("Route53", () => {
  test("a hosted zone created with a VPC is private and associated with that VPC", async () => {
    const { vpcId } = await createVpc();
    const created = await route53.send(
      new CreateHostedZoneCommand({
        Name: `${unique("discovery")}.internal`,
        CallerReference: unique("private-zone"),
        VPC: { VPCId: vpcId, VPCRegion: "us-east-1" },
        HostedZoneConfig: { Comment: "service discovery" },
      }),
    );
    const zoneId = created.HostedZone!.Id!;
    cleanups.push(() => route53.send(new DeleteHostedZoneCommand({ Id: zoneId })));
    expect(created.HostedZone!.Config?.PrivateZone).toBe(true);

    const zone = await route53.send(new GetHostedZoneCommand({ Id: zoneId }));
    expect(zone.HostedZone!.Config?.PrivateZone).toBe(true);
    expect(zone.VPCs).toEqual([{ VPCId: vpcId, VPCRegion: "us-east-1" }]);
    expect(zone.DelegationSet).toBeUndefined();
  });

  test("a hosted zone created without a VPC stays public", async () => {
    const created = await route53.send(
      new CreateHostedZoneCommand({ Name: `${unique("public")}.example.test`, CallerReference: unique("public-zone") }),
    );
    const zoneId = created.HostedZone!.Id!;
    cleanups.push(() => route53.send(new DeleteHostedZoneCommand({ Id: zoneId })));

    const zone = await route53.send(new GetHostedZoneCommand({ Id: zoneId }));
    expect(zone.HostedZone!.Config?.PrivateZone).toBe(false);
    expect(zone.VPCs ?? []).toEqual([]);
  });
});

describe("Route53 record sets", () => {
  /** A fresh zone per test (test/helpers/zones.ts); its record sets are emptied and the zone deleted after all tests. */
  async function createZone(prefix: string): Promise<EmulatorZone> {
    const zone = await EmulatorZone.create(route53, `${unique(prefix)}.test`);
    cleanups.push(() => zone.destroy());
    return zone;
  }

  const change = (zoneId: string, ...changes: Change[]) => changeRecordSets(route53, zoneId, changes);
  /** Every record set, following NextRecordName/Type/Identifier; bounded, so a paging bug cannot loop forever. */
  const listAll = (zoneId: string, maxItems = 300) => listRecordSets(route53, zoneId, { pageSize: maxItems, maxPages: 50 });

  const multivalue = (name: string, setIdentifier: string, value: string, ttl = 60): ResourceRecordSet => ({
    Name: name,
    Type: "A",
    SetIdentifier: setIdentifier,
    MultiValueAnswer: true,
    TTL: ttl,
    ResourceRecords: [{ Value: value }],
  });
  const key = recordSetKey;

  test("a DELETE removes only the record set with its name, type and set identifier, and only with its exact values", async () => {
    const zone = await createZone("delete-exact");
    // The agent's `fqdn-local` slot under two names: one set identifier, two record sets.
    const web = multivalue(`web.${zone.name}`, "ecsdns/h-1/fqdn-local", "10.0.0.1");
    const api = multivalue(`api.${zone.name}`, "ecsdns/h-1/fqdn-local", "10.0.0.1");
    const otherHost = multivalue(`web.${zone.name}`, "ecsdns/h-2/fqdn-local", "10.0.0.2");
    await change(zone.id, ...[web, api, otherHost].map((r): Change => ({ Action: "CREATE", ResourceRecordSet: r })));

    await expect(change(zone.id, { Action: "DELETE", ResourceRecordSet: { ...web, TTL: 30 } })).rejects.toMatchObject({
      name: "InvalidChangeBatch",
      messages: [`Tried to delete resource record set [name='${web.Name}', type='A', set-identifier='ecsdns/h-1/fqdn-local'] but the values provided do not match the current values`],
    });
    await expect(change(zone.id, { Action: "DELETE", ResourceRecordSet: { ...web, ResourceRecords: [{ Value: "10.0.0.9" }] } })).rejects.toMatchObject({ name: "InvalidChangeBatch" });
    await expect(change(zone.id, { Action: "DELETE", ResourceRecordSet: { ...web, SetIdentifier: "ecsdns/h-3/fqdn-local" } })).rejects.toMatchObject({
      name: "InvalidChangeBatch",
      messages: [`Tried to delete resource record set [name='${web.Name}', type='A', set-identifier='ecsdns/h-3/fqdn-local'] but it was not found`],
    });
    expect((await listAll(zone.id)).filter((r) => r.SetIdentifier).map(key).sort()).toEqual([api, web, otherHost].map(key).sort());

    await change(zone.id, { Action: "DELETE", ResourceRecordSet: web });

    expect((await listAll(zone.id)).filter((r) => r.SetIdentifier)).toEqual(expect.arrayContaining([api, otherHost].map((r) => expect.objectContaining(r))));
    expect((await listAll(zone.id)).filter((r) => r.SetIdentifier)).toHaveLength(2);
  });

  test("a CREATE of a record set that exists fails, whatever its TTL and values", async () => {
    const zone = await createZone("create-exists");
    const record = multivalue(`web.${zone.name}`, "ecsdns/h-1/fqdn-local", "10.0.0.1");
    await change(zone.id, { Action: "CREATE", ResourceRecordSet: record });

    await expect(change(zone.id, { Action: "CREATE", ResourceRecordSet: { ...record, TTL: 30, ResourceRecords: [{ Value: "10.0.0.2" }] } })).rejects.toMatchObject({
      name: "InvalidChangeBatch",
      messages: [`Tried to create resource record set [name='${record.Name}', type='A', set-identifier='ecsdns/h-1/fqdn-local'] but it already exists`],
    });
    expect((await listAll(zone.id)).filter((r) => r.SetIdentifier)).toEqual([record]);

    // DELETE then CREATE in one batch is how a record set is replaced; a deleted record set can be created again.
    await change(zone.id, { Action: "DELETE", ResourceRecordSet: record }, { Action: "CREATE", ResourceRecordSet: { ...record, TTL: 5 } });
    await change(zone.id, { Action: "DELETE", ResourceRecordSet: { ...record, TTL: 5 } });
    await change(zone.id, { Action: "CREATE", ResourceRecordSet: record });
    expect((await listAll(zone.id)).filter((r) => r.SetIdentifier)).toEqual([record]);
  });

  test("a change batch with one bad change applies none of its changes", async () => {
    const zone = await createZone("atomic");
    const good = multivalue(`good.${zone.name}`, "ecsdns/h-1/fqdn-local", "10.0.0.1");
    const outside = multivalue("outside.example.com.", "ecsdns/h-1/fqdn-local", "10.0.0.1");

    await expect(change(zone.id, { Action: "UPSERT", ResourceRecordSet: good }, { Action: "UPSERT", ResourceRecordSet: outside })).rejects.toMatchObject({ name: "InvalidChangeBatch" });

    expect((await listAll(zone.id)).map((r) => r.Type).sort()).toEqual(["NS", "SOA"]);
  });

  test("a name keeps one routing policy per type, and a CNAME alone: a multivalue record set next to a simple one or a CNAME is refused", async () => {
    const zone = await createZone("one-policy");
    const simple: ResourceRecordSet = { Name: `taken.${zone.name}`, Type: "A", TTL: 300, ResourceRecords: [{ Value: "192.0.2.10" }] };
    const cname: ResourceRecordSet = { Name: `alias.${zone.name}`, Type: "CNAME", TTL: 300, ResourceRecords: [{ Value: "elsewhere.example.com" }] };
    await change(zone.id, { Action: "CREATE", ResourceRecordSet: simple }, { Action: "CREATE", ResourceRecordSet: cname });
    const good = multivalue(`free.${zone.name}`, "ecsdns/h-1/fqdn-local", "10.0.0.1");

    await expect(change(zone.id, { Action: "UPSERT", ResourceRecordSet: good }, { Action: "UPSERT", ResourceRecordSet: multivalue(simple.Name!, "ecsdns/h-1/fqdn-public", "10.0.0.1") })).rejects.toMatchObject({
      name: "InvalidChangeBatch",
      messages: [`RRSet with DNS name ${simple.Name}, type A cannot be created as other RRSets exist with the same name and type.`],
    });
    await expect(change(zone.id, { Action: "UPSERT", ResourceRecordSet: multivalue(cname.Name!, "ecsdns/h-1/fqdn-public", "10.0.0.1") })).rejects.toMatchObject({
      name: "InvalidChangeBatch",
      messages: [`RRSet of type A with DNS name ${cname.Name} is not permitted because a conflicting RRSet of type CNAME with the same DNS name already exists in zone ${zone.name.replace(/\.$/, "")}.`],
    });
    // The batch was refused whole; record sets of one policy side by side are fine.
    expect((await listAll(zone.id)).filter((r) => r.SetIdentifier)).toEqual([]);
    await change(zone.id, { Action: "UPSERT", ResourceRecordSet: good }, { Action: "UPSERT", ResourceRecordSet: multivalue(good.Name!, "ecsdns/h-2/fqdn-local", "10.0.0.2") });
    expect((await listAll(zone.id)).filter((r) => r.SetIdentifier)).toHaveLength(2);
  });

  test("names are case-insensitive and listed in lower case", async () => {
    const zone = await createZone("case");
    const mixed = multivalue(`MiXeD.${zone.name.toUpperCase()}`, "ecsdns/h-1/fqdn-local", "10.0.0.1");
    await change(zone.id, { Action: "CREATE", ResourceRecordSet: mixed });

    const listed = (await listAll(zone.id)).filter((r) => r.SetIdentifier);
    expect(listed.map((r) => r.Name)).toEqual([`mixed.${zone.name}`]);
    // Another spelling is the same record set.
    await expect(change(zone.id, { Action: "CREATE", ResourceRecordSet: { ...mixed, Name: `mixed.${zone.name}` } })).rejects.toMatchObject({ name: "InvalidChangeBatch" });
    await change(zone.id, { Action: "DELETE", ResourceRecordSet: { ...mixed, Name: `MIXED.${zone.name}` } });
    expect((await listAll(zone.id)).filter((r) => r.SetIdentifier)).toEqual([]);
  });

  test("ListResourceRecordSets pages through record sets of one name and type with NextRecordIdentifier", async () => {
    const zone = await createZone("paging");
    const sets = Array.from({ length: 9 }, (_, i) => multivalue(`_web._tcp.${zone.name}`, `ecsdns/h-${i}/host`, `10.0.0.${i + 1}`));
    const others = [multivalue(`a.${zone.name}`, "ecsdns/h-1/fqdn-local", "10.0.1.1"), multivalue(`z.${zone.name}`, "ecsdns/h-1/fqdn-local", "10.0.1.2")];
    await change(zone.id, ...[...sets, ...others].map((r): Change => ({ Action: "CREATE", ResourceRecordSet: r })));

    const first = await route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zone.id, MaxItems: 4 }));
    expect(first).toMatchObject({ IsTruncated: true, NextRecordName: sets[1].Name, NextRecordType: "A", NextRecordIdentifier: expect.any(String) });
    const paged = await listAll(zone.id, 4);
    expect(paged.map(key)).toEqual([...new Set(paged.map(key))]);
    expect(paged.map(key).sort()).toEqual([...(await listAll(zone.id)).map(key)].sort());
    expect(paged).toHaveLength(2 + sets.length + others.length);
  });

  test("ListResourceRecordSets returns at most 300 record sets per page", async () => {
    const zone = await createZone("max-items");
    const many = Array.from({ length: 301 }, (_, i) => multivalue(`n${i}.${zone.name}`, "ecsdns/h-1/fqdn-local", "10.0.0.1"));
    await change(zone.id, ...many.map((r): Change => ({ Action: "CREATE", ResourceRecordSet: r })));

    const page = await route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zone.id, MaxItems: 1000 }));

    expect(page.ResourceRecordSets).toHaveLength(300);
    expect(page.IsTruncated).toBe(true);
    expect(await listAll(zone.id)).toHaveLength(303);
  });
});

describe("EC2 launch templates", () => {
  test("the launch template's own tags stay off its data; the data keeps only the tag specifications it was given", async () => {
    const name = unique("ecs");
    const created = await ec2.send(
      new CreateLaunchTemplateCommand({
        LaunchTemplateName: name,
        TagSpecifications: [{ ResourceType: "launch-template", Tags: [{ Key: "Project", Value: "ecs-dns-platform" }] }],
        LaunchTemplateData: {
          ImageId: "ami-12c6146b",
          InstanceType: "t3.small",
          TagSpecifications: [{ ResourceType: "instance", Tags: [{ Key: "Role", Value: "ecs" }] }],
        },
      }),
    );
    const templateId = created.LaunchTemplate!.LaunchTemplateId!;
    cleanups.push(() => ec2.send(new DeleteLaunchTemplateCommand({ LaunchTemplateId: templateId })));

    const versions = await ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: templateId }));
    expect(versions.LaunchTemplateVersions![0].LaunchTemplateData!.TagSpecifications).toEqual([
      { ResourceType: "instance", Tags: [{ Key: "Role", Value: "ecs" }] },
    ]);
    const templates = await ec2.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateIds: [templateId] }));
    expect(templates.LaunchTemplates![0].Tags).toEqual([{ Key: "Project", Value: "ecs-dns-platform" }]);
  });

  test("a launch template created with tags only for itself has no tag specifications in its data", async () => {
    const name = unique("ecs-plain");
    const created = await ec2.send(
      new CreateLaunchTemplateCommand({
        LaunchTemplateName: name,
        TagSpecifications: [{ ResourceType: "launch-template", Tags: [{ Key: "Project", Value: "ecs-dns-platform" }] }],
        LaunchTemplateData: { ImageId: "ami-12c6146b", InstanceType: "t3.small" },
      }),
    );
    const templateId = created.LaunchTemplate!.LaunchTemplateId!;
    cleanups.push(() => ec2.send(new DeleteLaunchTemplateCommand({ LaunchTemplateId: templateId })));

    const versions = await ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: templateId }));
    expect(versions.LaunchTemplateVersions![0].LaunchTemplateData!.TagSpecifications).toBeUndefined();
  });
});

describe("EC2 security group rules", () => {
  test("a rule that references another security group is described with its description", async () => {
    const { vpcId, securityGroupId } = await createVpc();
    const source = await ec2.send(new CreateSecurityGroupCommand({ VpcId: vpcId, GroupName: unique("alb"), Description: "alb" }));
    cleanups.push(() => ec2.send(new DeleteSecurityGroupCommand({ GroupId: source.GroupId! })));
    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: securityGroupId,
        IpPermissions: [
          { IpProtocol: "tcp", FromPort: 32768, ToPort: 65535, UserIdGroupPairs: [{ GroupId: source.GroupId!, Description: "from the ALB" }] },
        ],
      }),
    );
    const rules = await ec2.send(new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: "group-id", Values: [securityGroupId] }] }));
    const ingress = rules.SecurityGroupRules!.filter((r) => !r.IsEgress);
    expect(ingress).toEqual([expect.objectContaining({ ReferencedGroupInfo: expect.objectContaining({ GroupId: source.GroupId }), Description: "from the ALB" })]);
  });
});

describe("Application Auto Scaling", () => {
  test("a scalable target keeps the tags it was registered with, which TagResource and UntagResource change; an unknown ARN is not found", async () => {
    // GIVEN an ECS service (moto registers a target only for a service that exists)
    const { cluster, taskDefinition } = await createClusterAndTask("bridge");
    await ecs.send(new CreateServiceCommand({ cluster, serviceName: "web", taskDefinition, desiredCount: 1 }));
    deleteServiceLater(cluster, "web");
    const target = { ServiceNamespace: "ecs" as const, ResourceId: `service/${cluster}/web`, ScalableDimension: "ecs:service:DesiredCount" as const };
    // WHEN
    const { ScalableTargetARN } = await appAutoScaling.send(new RegisterScalableTargetCommand({ ...target, MinCapacity: 1, MaxCapacity: 2, Tags: { Environment: "patches", Project: "p" } }));
    cleanups.push(() => appAutoScaling.send(new DeregisterScalableTargetCommand(target)));
    const tagsOf = async () => (await appAutoScaling.send(new ListScalableTargetTagsCommand({ ResourceARN: ScalableTargetARN }))).Tags;
    // THEN
    expect(await tagsOf()).toEqual({ Environment: "patches", Project: "p" });
    // AND registering it again (an update) keeps them
    await appAutoScaling.send(new RegisterScalableTargetCommand({ ...target, MaxCapacity: 3 }));
    expect(await tagsOf()).toEqual({ Environment: "patches", Project: "p" });
    // AND tags change by TagResource and UntagResource
    await appAutoScaling.send(new TagScalableTargetCommand({ ResourceARN: ScalableTargetARN, Tags: { Owner: "team" } }));
    await appAutoScaling.send(new UntagScalableTargetCommand({ ResourceARN: ScalableTargetARN, TagKeys: ["Project"] }));
    expect(await tagsOf()).toEqual({ Environment: "patches", Owner: "team" });
    // AND an ARN of no target is not found
    await expect(appAutoScaling.send(new ListScalableTargetTagsCommand({ ResourceARN: `${ScalableTargetARN}x` }))).rejects.toMatchObject({ name: "ResourceNotFoundException" });
  });
});

describe("EFS", () => {
  test("a file system policy can be deleted, after which it is not found", async () => {
    const fileSystem = await efs.send(new CreateFileSystemCommand({ CreationToken: unique("efs"), Encrypted: true }));
    const fileSystemId = fileSystem.FileSystemId!;
    cleanups.push(() => efs.send(new DeleteFileSystemCommand({ FileSystemId: fileSystemId })));
    const policy = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Deny", Principal: { AWS: "*" }, Action: "*", Resource: "*", Condition: { Bool: { "aws:SecureTransport": "false" } } }] });
    await efs.send(new PutFileSystemPolicyCommand({ FileSystemId: fileSystemId, Policy: policy }));

    await efs.send(new DeleteFileSystemPolicyCommand({ FileSystemId: fileSystemId }));

    await expect(efs.send(new DescribeFileSystemPolicyCommand({ FileSystemId: fileSystemId }))).rejects.toMatchObject({ name: "PolicyNotFound" });
  });
});

describe("S3 versions", () => {
  test("the versions and delete marker of a key written before versioning are deleted one by one, and then the bucket", async () => {
    // GIVEN a key written before versioning was enabled (version "null", as the DNS agent's bundle
    // was), then deleted (a delete marker), and versioning suspended: what force_destroy meets
    const bucket = unique("artifacts");
    const key = "agent/0123/agent.js";
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: "console.log(1)" }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: "Enabled" } }));
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: "Suspended" } }));
    const listed = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket }));
    const versionIds = [...(listed.Versions ?? []), ...(listed.DeleteMarkers ?? [])].map((v) => v.VersionId!);
    expect(versionIds).toHaveLength(2);

    // WHEN every version is deleted (moto 5.2.1 answered 500 here), THEN the bucket can go
    for (const VersionId of versionIds) await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key, VersionId }));
    expect((await s3.send(new ListObjectVersionsCommand({ Bucket: bucket }))).Versions ?? []).toEqual([]);
    await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
  });
});

describe("ELBv2 target groups", () => {
  test("hold one target per instance id and port: two tasks on one instance are two targets, and deregistering one leaves the other", async () => {
    // GIVEN a target group of instances
    const { vpcId } = await createVpc();
    const created = await elbv2.send(new CreateTargetGroupCommand({ Name: unique("tasks").slice(0, 32), Protocol: "HTTP", Port: 80, VpcId: vpcId, TargetType: "instance" }));
    const TargetGroupArn = created.TargetGroups![0].TargetGroupArn!;
    cleanups.push(() => elbv2.send(new DeleteTargetGroupCommand({ TargetGroupArn })));
    const targets = async () =>
      ((await elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn }))).TargetHealthDescriptions ?? []).map((d) => `${d.Target!.Id}:${d.Target!.Port}`).sort();
    // WHEN ECS registers two tasks of one instance, each on its dynamic host port
    const instance = "i-0123456789abcdef0";
    await elbv2.send(new RegisterTargetsCommand({ TargetGroupArn, Targets: [{ Id: instance, Port: 32768 }] }));
    await elbv2.send(new RegisterTargetsCommand({ TargetGroupArn, Targets: [{ Id: instance, Port: 32769 }] }));
    // THEN both are targets
    expect(await targets()).toEqual([`${instance}:32768`, `${instance}:32769`]);
    // AND deregistering one (id and port) leaves the other
    await elbv2.send(new DeregisterTargetsCommand({ TargetGroupArn, Targets: [{ Id: instance, Port: 32768 }] }));
    expect(await targets()).toEqual([`${instance}:32769`]);
  });
});

describe("unpatched behaviours the local target relies on", () => {
  test("the public SSM parameter for the ECS-optimized Amazon Linux 2023 AMI exists", async () => {
    // No SSM client is installed: the JSON protocol is small enough to speak directly.
    const response = await fetch(motoUrl, {
      method: "POST",
      headers: {
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": "AmazonSSM.GetParameter",
        Authorization: "AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/ssm/aws4_request, SignedHeaders=host, Signature=0",
      },
      body: JSON.stringify({ Name: "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id" }),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { Parameter: { Value: string } };
    expect(body.Parameter.Value).toMatch(/^ami-[0-9a-f]+$/);
  });

  test("S3 refuses a conditional PutObject (If-None-Match: *) of an existing key, as Terraform's S3 lock file needs", async () => {
    const bucket = unique("tfstate");
    const key = "dev/network.tfstate.tflock";
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    cleanups.push(() => s3.send(new DeleteBucketCommand({ Bucket: bucket })));
    cleanups.push(() => s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })));

    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: '{"ID":"first"}', IfNoneMatch: "*" }));
    await expect(
      s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: '{"ID":"second"}', IfNoneMatch: "*" })),
    ).rejects.toMatchObject({ name: "PreconditionFailed", $metadata: { httpStatusCode: 412 } });
  });
});
