import { TerraformOutput } from "cdktf";
import { Construct } from "constructs";
import { ApplicationLoadBalancer, type ApplicationLoadBalancerProps } from "../modules/application-load-balancer";
import { DnsAgentInstall, type DnsAgentInstallProps } from "../modules/dns-agent-install";
import { DYNAMIC_PORT_RANGE, EcsEc2Cluster, type EcsEc2ClusterProps } from "../modules/ecs-ec2-cluster";
import { EncryptedFileSystem } from "../modules/encrypted-file-system";
import type { NetworkRefs } from "./network-stack";
import { PlatformStack, type PlatformStackProps } from "./platform-stack";

/** Properties of {@link ClusterStack}. */
export interface ClusterStackProps extends PlatformStackProps {
  readonly namePrefix: string;
  readonly network: NetworkRefs;
  readonly loadBalancer: Omit<ApplicationLoadBalancerProps, "namePrefix" | "vpcId" | "subnetIds" | "accessLogs"> & {
    /** Access logs, in the stack's partition and account. @default - none */
    readonly accessLogs?: { readonly region: string; readonly expireAfterDays: number };
  };
  readonly instances: Omit<
    EcsEc2ClusterProps,
    "namePrefix" | "partition" | "vpcId" | "privateSubnetIds" | "loadBalancerSecurityGroupId" | "extraUserData" | "extraIngressSecurityGroupIds"
  >;
  /** The DNS agent on every instance. */
  readonly dnsAgent: Omit<DnsAgentInstallProps, "namePrefix" | "partition">;
  /** The DNS janitor's security group when it health-checks the instances. @default - none */
  readonly janitorSecurityGroupId?: string;
}

/** `<env>-cluster`: the ECS cluster on EC2, the ALB, and the encrypted EFS. */
export class ClusterStack extends PlatformStack {
  readonly cluster: EcsEc2Cluster;
  readonly loadBalancer: ApplicationLoadBalancer;
  readonly fileSystem: EncryptedFileSystem;

  constructor(scope: Construct, id: string, props: ClusterStackProps) {
    super(scope, id, props);
    const { namePrefix, network } = props;
    // An internal ALB needs no internet route, so it sits with the instances.
    const albSubnets = props.loadBalancer.internal ? network.privateSubnetIds : network.publicSubnetIds;
    this.loadBalancer = new ApplicationLoadBalancer(this, "alb", {
      ...props.loadBalancer,
      namePrefix,
      vpcId: network.vpcId,
      subnetIds: albSubnets,
      accessLogs: props.loadBalancer.accessLogs && { ...props.loadBalancer.accessLogs, partition: this.partition, accountId: this.accountId },
    });
    const agent = new DnsAgentInstall(this, "dns-agent", {
      ...props.dnsAgent,
      namePrefix,
      partition: this.partition,
    });
    this.cluster = new EcsEc2Cluster(this, "ecs", {
      ...props.instances,
      namePrefix,
      partition: this.partition,
      vpcId: network.vpcId,
      privateSubnetIds: network.privateSubnetIds,
      loadBalancerSecurityGroupId: this.loadBalancer.securityGroupId,
      extraUserData: agent.userData,
      extraIngressSecurityGroupIds: props.janitorSecurityGroupId ? [props.janitorSecurityGroupId] : [],
    });
    agent.grantTo(this.cluster.instanceRoleName, this.cluster.autoScalingGroupArn);
    this.loadBalancer.allowEgressTo(
      "egress-to-instances",
      this.cluster.instanceSecurityGroupId,
      DYNAMIC_PORT_RANGE.from,
      DYNAMIC_PORT_RANGE.to,
    );
    this.fileSystem = new EncryptedFileSystem(this, "efs", {
      namePrefix,
      vpcId: network.vpcId,
      subnetIds: network.privateSubnetIds,
      clientSecurityGroupId: this.cluster.instanceSecurityGroupId,
    });

    new TerraformOutput(this, "cluster_name", { value: this.cluster.clusterName });
    new TerraformOutput(this, "alb_dns_name", { value: this.loadBalancer.dnsName });
    new TerraformOutput(this, "file_system_id", { value: this.fileSystem.fileSystemId });
    new TerraformOutput(this, "agent_bundle_key", { value: agent.bundleKey });
    new TerraformOutput(this, "autoscaling_group_name", { value: this.cluster.autoScalingGroupName });
  }
}
