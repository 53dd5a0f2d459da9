import type { App } from "cdktf";
import { containerImage } from "../config/container-image";
import { amiParameterFor } from "../config/deployability";
import { ECS_RESERVED_MEMORY_MIB } from "../config/instance-types";
import type { PlatformConfig } from "../config/schema";
import { ClusterStack } from "./cluster-stack";
import { DiscoveryStack } from "./discovery-stack";
import { NetworkStack, type NetworkRefs } from "./network-stack";
import type { PlatformStackProps } from "./platform-stack";
import { ServicesStack } from "./services-stack";

/** The stacks of one environment, in deployment order. */
export interface Platform {
  readonly network?: NetworkStack;
  readonly discovery: DiscoveryStack;
  readonly cluster: ClusterStack;
  readonly services: ServicesStack;
}

/** The stack names of an environment, in deployment order (destroy in reverse). */
export function stackNames(config: Pick<PlatformConfig, "environment" | "vpc_id">): string[] {
  const env = config.environment;
  return [...(config.vpc_id ? [] : [`${env}-network`]), `${env}-discovery`, `${env}-cluster`, `${env}-services`];
}

/** What `main.ts` knows about the machine (the stacks themselves read nothing). */
export interface BuildOptions {
  /** The programs the stacks publish, built before synth (scripts/build/bundles.js). */
  readonly bundles: {
    /** The DNS agent's single file (dist/agent.js). */
    readonly agent: string;
    /** The janitor Lambda's code, a zip holding index.js (dist/janitor.zip). */
    readonly janitorZip: string;
  };
  /** Absolute directory for the local target's state files. @default - cdktf's default */
  readonly localStateDirectory?: string;
}

/**
 * Add the platform's stacks for one environment to `app`. Each stack is its
 * own Terraform state named `<environment>-<layer>`, so several environments
 * can share an account; values cross stacks as object references.
 */
export function buildPlatform(app: App, config: PlatformConfig, options: BuildOptions): Platform {
  const env = config.environment;
  const namePrefix = `${config.resource_tag}-${env}`;
  const common: PlatformStackProps = {
    target: {
      kind: config.target,
      region: config.aws_region,
      profile: config.profile || undefined,
      localEndpoint: config.target === "local" ? config.local_endpoint : undefined,
    },
    state: {
      bucket: config.state_bucket || undefined,
      region: config.state_region || undefined,
      keyPrefix: `${config.state_key_prefix}/${env}`,
      localDirectory: config.target === "local" ? options.localStateDirectory : undefined,
    },
    tags: { Project: config.resource_tag, Environment: env, ManagedBy: "cdktf" },
  };

  let network: NetworkStack | undefined;
  let networkRefs: NetworkRefs;
  if (config.vpc_id) {
    networkRefs = {
      vpcId: config.vpc_id,
      publicSubnetIds: config.public_subnet_ids,
      privateSubnetIds: config.private_subnet_ids,
    };
  } else {
    network = new NetworkStack(app, `${env}-network`, {
      ...common,
      vpc: {
        namePrefix,
        cidrBlock: config.cidr_block,
        azCount: config.az_count,
        natGatewayMode: config.nat_gateway_mode,
        flowLogRetentionDays: config.flow_logs ? config.log_retention_days : undefined,
      },
      vpcEndpoints: config.vpc_endpoints,
    });
    networkRefs = network.network;
  }

  const discovery = new DiscoveryStack(app, `${env}-discovery`, {
    ...common,
    namePrefix,
    region: config.aws_region,
    network: networkRefs,
    zoneName: config.discovery_zone_name,
    existingZoneId: config.discovery_zone_id || undefined,
    existingZoneAssociated: config.discovery_zone_associated,
    negativeTtlSeconds: config.dns_negative_ttl_seconds,
    janitor: {
      codeZip: options.bundles.janitorZip,
      owner: config.dns_owner,
      scheduleMinutes: config.janitor_schedule_minutes,
      logRetentionDays: config.log_retention_days,
      alarmTopicArn: config.alarm_topic_arn || undefined,
      healthCheck: config.janitor_health_checks ? { timeoutMs: config.janitor_health_check_timeout_ms, tries: config.janitor_health_check_tries } : undefined,
    },
  });

  const cluster = new ClusterStack(app, `${env}-cluster`, {
    ...common,
    namePrefix,
    network: networkRefs,
    loadBalancer: {
      internal: config.internal_elb,
      ingressCidrs: config.alb_ingress_cidrs,
      listenerPorts: config.certificate_arn ? [80, 443] : [80],
      deletionProtection: config.alb_deletion_protection,
      accessLogs: config.alb_access_logs ? { region: config.aws_region, expireAfterDays: config.log_retention_days } : undefined,
      webAclArn: config.waf_web_acl_arn || undefined,
    },
    instances: {
      instanceType: config.instance_type,
      minSize: config.asg_min,
      maxSize: config.asg_max,
      desiredCapacity: config.asg_desired,
      keyName: config.key_name || undefined,
      sshIngressCidr: config.admin_cidr_ingress || undefined,
      amiParameter: amiParameterFor(config.instance_type, config.ami_parameter),
      reservedMemoryMiB: ECS_RESERVED_MEMORY_MIB,
      amiAutoUpdate: config.ami_auto_update,
      spot: config.spot ? { onDemandBaseCapacity: config.spot_on_demand_base, instanceTypes: config.spot_instance_types } : undefined,
    },
    dnsAgent: {
      bundlePath: options.bundles.agent,
      zoneId: discovery.zone.zoneId,
      zoneName: discovery.zone.zoneName,
      region: config.aws_region,
      owner: config.dns_owner,
      ttlSeconds: config.dns_ttl_seconds,
      resyncSeconds: config.dns_resync_seconds,
      // The local target's agents (run by local:up) call the emulator, like its stacks.
      awsEndpointUrl: config.target === "local" ? config.local_endpoint : undefined,
    },
    janitorSecurityGroupId: discovery.janitor.securityGroupId,
  });

  const services = new ServicesStack(app, `${env}-services`, {
    ...common,
    namePrefix,
    region: config.aws_region,
    vpcId: networkRefs.vpcId,
    clusterArn: cluster.cluster.clusterArn,
    capacityProviderName: cluster.cluster.capacityProviderName,
    loadBalancerArn: cluster.loadBalancer.arn,
    loadBalancerDnsName: cluster.loadBalancer.dnsName,
    fileSystemId: cluster.fileSystem.fileSystemId,
    fileSystemArn: cluster.fileSystem.fileSystemArn,
    discoveryZoneName: discovery.zone.zoneName,
    certificateArn: config.certificate_arn || undefined,
    sslPolicy: config.ssl_policy,
    logRetentionDays: config.log_retention_days,
    deregistrationDelaySeconds: config.deregistration_delay_seconds,
    waitForSteadyState: config.wait_for_steady_state ?? config.target === "aws",
    services: config.containers.map((c) => ({
      name: c.name,
      image: containerImage(config.registry_url, c),
      port: c.port,
      cpu: c.cpu,
      memoryMiB: c.memory,
      desiredCount: c.desired_count,
      healthCheckPath: c.health_check,
      environment: c.env,
      managedPolicies: c.aws_policies,
      priority: c.priority,
      discoveryName: c.discovery ? (c.discovery_name ?? c.name) : undefined,
      discoveryHttpCheck: config.janitor_health_checks,
      autoScaling: c.autoscaling && { minCount: c.autoscaling.min, maxCount: c.autoscaling.max, cpuPercent: c.autoscaling.cpu_percent },
      secrets: c.secrets,
      healthCheckCommand: c.health_check_command,
    })),
    ecsExec: config.ecs_exec,
  });

  return { network, discovery, cluster, services };
}
