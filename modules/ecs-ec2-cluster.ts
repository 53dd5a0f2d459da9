import { posix } from "node:path";
import { Fn } from "cdktf";
import { Construct } from "constructs";
import { AutoscalingGroup, type AutoscalingGroupConfig } from "@cdktf/provider-aws/lib/autoscaling-group";
import { DataAwsSsmParameter } from "@cdktf/provider-aws/lib/data-aws-ssm-parameter";
import { EcsCapacityProvider } from "@cdktf/provider-aws/lib/ecs-capacity-provider";
import { EcsCluster } from "@cdktf/provider-aws/lib/ecs-cluster";
import { EcsClusterCapacityProviders } from "@cdktf/provider-aws/lib/ecs-cluster-capacity-providers";
import { IamInstanceProfile } from "@cdktf/provider-aws/lib/iam-instance-profile";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { LaunchTemplate } from "@cdktf/provider-aws/lib/launch-template";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { assumeRolePolicy, managedPolicyArn } from "./iam-documents";
import { boundedName } from "./naming";
import { terraformLines } from "./terraform-text";

/** The ports ECS picks dynamic host ports from (bridge mode, host port 0). */
export const DYNAMIC_PORT_RANGE = { from: 32768, to: 65535 } as const;

/** Properties of {@link EcsEc2Cluster}. */
export interface EcsEc2ClusterProps {
  /** Prefix of every name, e.g. `ecs-platform-dev`. */
  readonly namePrefix: string;
  /** The partition deployed into (`aws`, `aws-cn`, ...), for the managed policies' ARNs. */
  readonly partition: string;
  readonly vpcId: string;
  /** Instances are launched here, without public IPs. */
  readonly privateSubnetIds: readonly string[];
  /** Only this security group (the ALB's) may reach the instances, on {@link DYNAMIC_PORT_RANGE}. */
  readonly loadBalancerSecurityGroupId: string;
  /** @default "t3.small" */
  readonly instanceType?: string;
  /** @default 2 */
  readonly minSize?: number;
  /** @default 5 */
  readonly maxSize?: number;
  /** Instances at creation; ECS managed scaling adjusts it afterwards. @default 2 */
  readonly desiredCapacity?: number;
  /**
   * EC2 key pair for SSH. SSH is opened only when both this and `sshIngressCidr` are set.
   * @default - no key pair; use SSM Session Manager
   */
  readonly keyName?: string;
  /** @default - no SSH ingress */
  readonly sshIngressCidr?: string;
  /**
   * SSM parameter holding the AMI id.
   * @default "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id"
   */
  readonly amiParameter?: string;
  /**
   * Replace instances (instance refresh) when AWS publishes a newer AMI. When
   * false, a newer AMI changes nothing until asked.
   * @default false
   */
  readonly amiAutoUpdate?: boolean;
  /**
   * Memory ECS keeps from tasks on every instance (`ECS_RESERVED_MEMORY`),
   * for what runs beside them: the DNS agent, the system's daemons.
   * @default 0
   */
  readonly reservedMemoryMiB?: number;
  /**
   * Shell appended to the instance user data (runs as root at first boot);
   * may hold tokens when built with terraformText.
   * @default - none
   */
  readonly extraUserData?: string;
  /**
   * Security groups (besides the ALB's) that may reach the dynamic host
   * ports, e.g. the DNS janitor's health checks.
   * @default []
   */
  readonly extraIngressSecurityGroupIds?: readonly string[];
  /**
   * Spot capacity: a mixed-instances policy that runs `onDemandBaseCapacity`
   * instances on demand and every one above on Spot (price-capacity-optimized
   * over `instanceTypes`), with capacity rebalancing and the ECS agent's Spot
   * draining, so tasks move before an interruption.
   * @default - on demand only
   */
  readonly spot?: {
    readonly onDemandBaseCapacity: number;
    /** @default - `instanceType` only */
    readonly instanceTypes?: readonly string[];
  };
}

/**
 * An ECS cluster on EC2 instances in private subnets: an auto scaling group
 * behind an ECS capacity provider, instances with IMDSv2 only (hop limit 1,
 * so bridge-mode containers cannot reach the instance role), no public IPs.
 */
export class EcsEc2Cluster extends Construct {
  readonly clusterName: string;
  readonly clusterArn: string;
  readonly capacityProviderName: string;
  readonly instanceSecurityGroupId: string;
  /** The instances' role, for callers that grant the host more (e.g. the DNS agent). */
  readonly instanceRoleName: string;
  readonly autoScalingGroupName: string;
  /** For permissions on the group, e.g. marking one of its instances unhealthy. */
  readonly autoScalingGroupArn: string;

  constructor(scope: Construct, id: string, props: EcsEc2ClusterProps) {
    super(scope, id);
    const minSize = props.minSize ?? 2;
    const maxSize = props.maxSize ?? 5;
    const desiredCapacity = props.desiredCapacity ?? 2;
    if (minSize > maxSize || desiredCapacity < minSize || desiredCapacity > maxSize) {
      throw new Error(
        `EcsEc2Cluster: need minSize <= desiredCapacity <= maxSize, got ${minSize} <= ${desiredCapacity} <= ${maxSize}`,
      );
    }
    const ssh = props.keyName && props.sshIngressCidr ? { keyName: props.keyName, cidr: props.sshIngressCidr } : undefined;
    const { partition } = props;

    const cluster = new EcsCluster(this, "cluster", {
      name: props.namePrefix,
      setting: [{ name: "containerInsights", value: "enabled" }],
    });
    this.clusterName = cluster.name;
    this.clusterArn = cluster.arn;

    const role = new IamRole(this, "instance-role", {
      name: boundedName([props.namePrefix, "ecs-instance"], 64),
      assumeRolePolicy: assumeRolePolicy("ec2.amazonaws.com"),
    });
    this.instanceRoleName = role.name;
    for (const [id, policy] of [
      ["ecs-agent-policy", "service-role/AmazonEC2ContainerServiceforEC2Role"],
      ["session-manager-policy", "AmazonSSMManagedInstanceCore"],
    ]) {
      new IamRolePolicyAttachment(this, id, { role: role.name, policyArn: managedPolicyArn(partition, policy) });
    }
    const profile = new IamInstanceProfile(this, "instance-profile", { name: role.name, role: role.name });

    const securityGroup = new SecurityGroup(this, "instance-security-group", {
      name: boundedName([props.namePrefix, "ecs-instances"], 255),
      description: "ECS instances: dynamic host ports from the load balancer only",
      vpcId: props.vpcId,
      tags: { Name: `${props.namePrefix}-ecs-instances` },
    });
    this.instanceSecurityGroupId = securityGroup.id;
    new VpcSecurityGroupIngressRule(this, "ingress-from-load-balancer", {
      securityGroupId: securityGroup.id,
      description: "ECS dynamic host ports, from the load balancer",
      ipProtocol: "tcp",
      fromPort: DYNAMIC_PORT_RANGE.from,
      toPort: DYNAMIC_PORT_RANGE.to,
      referencedSecurityGroupId: props.loadBalancerSecurityGroupId,
    });
    (props.extraIngressSecurityGroupIds ?? []).forEach((groupId, i) => {
      new VpcSecurityGroupIngressRule(this, `ingress-dynamic-ports-${i}`, {
        securityGroupId: securityGroup.id,
        description: "ECS dynamic host ports, from a health checker",
        ipProtocol: "tcp",
        fromPort: DYNAMIC_PORT_RANGE.from,
        toPort: DYNAMIC_PORT_RANGE.to,
        referencedSecurityGroupId: groupId,
      });
    });
    if (ssh) {
      new VpcSecurityGroupIngressRule(this, "ingress-ssh", {
        securityGroupId: securityGroup.id,
        description: "SSH from the administrators' network",
        ipProtocol: "tcp",
        fromPort: 22,
        toPort: 22,
        cidrIpv4: ssh.cidr,
      });
    }
    new VpcSecurityGroupEgressRule(this, "egress-all", {
      securityGroupId: securityGroup.id,
      description: "Image pulls, AWS APIs and EFS, through NAT",
      ipProtocol: "-1",
      cidrIpv4: "0.0.0.0/0",
    });

    const ami = new DataAwsSsmParameter(this, "ami", {
      name: props.amiParameter ?? "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id",
    });
    const launchTemplate = new LaunchTemplate(this, "launch-template", {
      name: boundedName([props.namePrefix, "ecs"], 128),
      // insecure_value: the AMI id is not a secret, and `value` would hide it in the plan.
      imageId: ami.insecureValue,
      instanceType: props.instanceType ?? "t3.small",
      keyName: ssh?.keyName,
      iamInstanceProfile: { arn: profile.arn },
      networkInterfaces: [
        { associatePublicIpAddress: "false", deleteOnTermination: "true", securityGroups: [securityGroup.id] },
      ],
      metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 },
      blockDeviceMappings: [
        { deviceName: "/dev/xvda", ebs: { volumeSize: 30, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" } },
      ],
      monitoring: { enabled: true },
      userData: Fn.base64encode(
        instanceUserData(props.namePrefix, props.extraUserData, { reservedMemoryMiB: props.reservedMemoryMiB, spotDraining: props.spot !== undefined }),
      ),
      updateDefaultVersion: true,
      tagSpecifications: [{ resourceType: "instance", tags: { Name: `${props.namePrefix}-ecs` } }],
      lifecycle: props.amiAutoUpdate ? undefined : { ignoreChanges: ["image_id"] },
    });

    const group = new AutoscalingGroup(this, "instances", {
      name: boundedName([props.namePrefix, "ecs"], 255),
      vpcZoneIdentifier: [...props.privateSubnetIds],
      minSize,
      maxSize,
      desiredCapacity,
      ...instancesOf(launchTemplate, props.instanceType ?? "t3.small", props.spot),
      healthCheckType: "EC2",
      instanceRefresh: { strategy: "Rolling", preferences: { minHealthyPercentage: 50 } },
      tag: [
        { key: "Name", value: `${props.namePrefix}-ecs`, propagateAtLaunch: true },
        { key: "AmazonECSManaged", value: "true", propagateAtLaunch: true },
      ],
      // ECS managed scaling owns the desired capacity once the group exists.
      lifecycle: { ignoreChanges: ["desired_capacity"] },
    });
    this.autoScalingGroupName = group.name;
    this.autoScalingGroupArn = group.arn;

    // Capacity provider names must not start with "aws", "ecs" or "fargate".
    const capacityProvider = new EcsCapacityProvider(this, "capacity-provider", {
      name: boundedName(["capacity", props.namePrefix], 255),
      autoScalingGroupProvider: {
        autoScalingGroupArn: group.arn,
        managedTerminationProtection: "DISABLED",
        managedDraining: "ENABLED",
        managedScaling: { status: "ENABLED", targetCapacity: 100 },
      },
    });
    this.capacityProviderName = capacityProvider.name;
    new EcsClusterCapacityProviders(this, "cluster-capacity-providers", {
      clusterName: cluster.name,
      capacityProviders: [capacityProvider.name],
      defaultCapacityProviderStrategy: [{ capacityProvider: capacityProvider.name, weight: 1, base: 0 }],
    });
  }
}

/** The group's launch template, or with `spot` a mixed-instances policy around it. */
function instancesOf(
  launchTemplate: LaunchTemplate,
  instanceType: string,
  spot: EcsEc2ClusterProps["spot"],
): Pick<AutoscalingGroupConfig, "launchTemplate" | "mixedInstancesPolicy" | "capacityRebalance"> {
  const specification = { launchTemplateId: launchTemplate.id, version: Fn.tostring(launchTemplate.latestVersion) };
  if (!spot) return { launchTemplate: { id: specification.launchTemplateId, version: specification.version } };
  if (!Number.isInteger(spot.onDemandBaseCapacity) || spot.onDemandBaseCapacity < 0) {
    throw new Error(`EcsEc2Cluster: spot.onDemandBaseCapacity must be a whole number of at least 0, got ${spot.onDemandBaseCapacity}`);
  }
  const types = [...new Set(spot.instanceTypes && spot.instanceTypes.length > 0 ? spot.instanceTypes : [instanceType])];
  return {
    capacityRebalance: true,
    mixedInstancesPolicy: {
      instancesDistribution: {
        onDemandBaseCapacity: spot.onDemandBaseCapacity,
        onDemandPercentageAboveBaseCapacity: 0,
        spotAllocationStrategy: "price-capacity-optimized",
      },
      launchTemplate: {
        launchTemplateSpecification: specification,
        override: types.map((type) => ({ instanceType: type })),
      },
    },
  };
}

/** The script that keeps bridge-mode containers from instance metadata; run by the user data and after every start of Docker. */
export const BLOCK_IMDS_SCRIPT_PATH = "/usr/local/sbin/ecs-block-container-imds";
/** The drop-in that runs {@link BLOCK_IMDS_SCRIPT_PATH} after Docker starts. */
export const BLOCK_IMDS_DOCKER_DROP_IN = "/etc/systemd/system/docker.service.d/ecs-block-container-imds.conf";

/**
 * Drops what containers on Docker's bridges send to instance metadata, as
 * ECS's documentation recommends for bridge-mode tasks (a second layer under
 * IMDSv2's hop limit of 1). `DOCKER-USER` sits in the FORWARD chain, which
 * only routed (container) traffic crosses: the host's own processes, the ECS
 * agent (host network) and the DNS agent among them, still reach metadata,
 * and task roles' credentials (169.254.170.2, which the ECS agent serves on
 * the host) are another address. Docker creates the chain when missing and
 * never flushes it; the script creates it if Docker has not started yet, and
 * adds the rule only once, so it can run again after every Docker start.
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html
 */
export const BLOCK_IMDS_SCRIPT = `#!/bin/bash
set -euo pipefail
rule=(--in-interface 'docker+' --destination 169.254.169.254/32 --jump DROP)
iptables --wait --numeric --list DOCKER-USER >/dev/null 2>&1 || iptables --wait --new-chain DOCKER-USER
iptables --wait --check DOCKER-USER "\${rule[@]}" 2>/dev/null || iptables --wait --insert DOCKER-USER 1 "\${rule[@]}"
`;

/**
 * First-boot script: keep containers from instance metadata
 * ({@link BLOCK_IMDS_SCRIPT}, now and after every start of Docker), `extra`
 * (which may hold tokens, see {@link terraformText}),
 * then join the cluster with task IAM roles and awslogs on. The ECS agent
 * starts after cloud-init whatever the script did, so joining comes last,
 * and a step that fails before it keeps the instance out: ECS is masked and
 * the instance stops, which the Auto Scaling group's health check sees and
 * replaces it. An instance never serves tasks without what `extra` installs
 * (the DNS agent), nor without the metadata rule.
 */
export function instanceUserData(
  clusterName: string,
  extra?: string,
  options: { readonly reservedMemoryMiB?: number; readonly spotDraining?: boolean } = {},
): string {
  return terraformLines([
    "#!/bin/bash",
    "set -euo pipefail",
    `trap 'echo "user data failed (line $LINENO): not joining ${clusterName}; stopping so that the Auto Scaling group replaces this instance" >&2; systemctl mask --now ecs.service || true; shutdown -h +1 || true' ERR`,
    "# --- containers on Docker's bridges never reach instance metadata ---",
    `cat > ${BLOCK_IMDS_SCRIPT_PATH} <<'SCRIPT'`,
    `${BLOCK_IMDS_SCRIPT}SCRIPT`,
    `chmod 0755 ${BLOCK_IMDS_SCRIPT_PATH}`,
    `mkdir -p ${posix.dirname(BLOCK_IMDS_DOCKER_DROP_IN)}`,
    `cat > ${BLOCK_IMDS_DOCKER_DROP_IN} <<'UNIT'`,
    "[Service]",
    `ExecStartPost=${BLOCK_IMDS_SCRIPT_PATH}`,
    "UNIT",
    "systemctl daemon-reload",
    BLOCK_IMDS_SCRIPT_PATH,
    ...(extra ? [extra] : []),
    "cat >> /etc/ecs/ecs.config <<'EOF'",
    `ECS_CLUSTER=${clusterName}`,
    "ECS_ENABLE_TASK_IAM_ROLE=true",
    "ECS_ENABLE_CONTAINER_METADATA=true",
    'ECS_AVAILABLE_LOGGING_DRIVERS=["json-file","awslogs"]',
    ...(options.reservedMemoryMiB ? [`ECS_RESERVED_MEMORY=${options.reservedMemoryMiB}`] : []),
    // Spot: on an interruption notice the agent drains the instance, so ECS starts its tasks elsewhere.
    ...(options.spotDraining ? ["ECS_ENABLE_SPOT_INSTANCE_DRAINING=true"] : []),
    "EOF",
  ]);
}
