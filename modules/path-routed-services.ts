import { Construct } from "constructs";
import { AlbListeners } from "./alb-listeners";
import { EcsWebService, type EcsWebServiceProps } from "./ecs-web-service";
import { managedPolicyArn } from "./iam-documents";
import { routeContainers } from "./path-routes";
import { TaskExecutionRole } from "./task-execution-role";

/** One container of the list, resolved: image built, defaults filled in. */
export interface ServiceSpec {
  readonly name: string;
  readonly image: string;
  readonly port: number;
  readonly cpu: number;
  readonly memoryMiB: number;
  readonly desiredCount: number;
  readonly healthCheckPath: string;
  readonly environment: Readonly<Record<string, string>>;
  /** Managed policy names (`AmazonDynamoDBReadOnlyAccess`) or ARNs. */
  readonly managedPolicies: readonly string[];
  /** Listener rule priority. @default - derived from the name */
  readonly priority?: number;
  /** The service name of its SRV record `_<name>._tcp`. @default - not published by DNS */
  readonly discoveryName?: string;
  /** With `discoveryName`: the janitor's health checks probe each task at `healthCheckPath`. @default false */
  readonly discoveryHttpCheck?: boolean;
  /** Target tracking on CPU. @default - a fixed desiredCount */
  readonly autoScaling?: EcsWebServiceProps["autoScaling"];
  /** Environment variables from Secrets Manager or SSM: name → ARN. @default {} */
  readonly secrets?: Readonly<Record<string, string>>;
  /** The container health check's command. @default - none */
  readonly healthCheckCommand?: readonly string[];
}

/** Properties of {@link PathRoutedServices}. */
export interface PathRoutedServicesProps {
  /** Prefix of every name, e.g. `ecs-platform-dev`. */
  readonly namePrefix: string;
  readonly region: string;
  /** The partition deployed into (`aws`, `aws-cn`, ...), for ARNs. */
  readonly partition: string;
  /** The account deployed into: only ECS acting for it may assume the roles. */
  readonly accountId: string;
  readonly vpcId: string;
  readonly clusterArn: string;
  readonly capacityProviderName: string;
  readonly loadBalancerArn: string;
  /** In the service URLs, and given to every container as `ENDPOINT`. */
  readonly loadBalancerDnsName: string;
  readonly fileSystemId: string;
  readonly fileSystemArn: string;
  /** Given to every container as `DISCOVERY_ZONE`. */
  readonly discoveryZoneName: string;
  /** In list order: the first is served at `/`, each other at `/<name>`. At least one. */
  readonly services: readonly ServiceSpec[];
  /**
   * ACM certificate: HTTPS on 443, and HTTP only redirects to it.
   * @default - HTTP only
   */
  readonly certificateArn?: string;
  /** TLS policy of the HTTPS listener. @default "ELBSecurityPolicy-TLS13-1-2-2021-06" */
  readonly sslPolicy?: string;
  readonly logRetentionDays: number;
  readonly deregistrationDelaySeconds: number;
  /** Deploys wait for every created or changed service's steady state ({@link EcsWebServiceProps.waitForSteadyState}). @default true */
  readonly waitForSteadyState?: boolean;
  /** ECS Exec into every service's tasks. @default false */
  readonly ecsExec?: boolean;
}

/**
 * Containers behind the load balancer, one path each: the listeners (the
 * first container is their default, at `/`), one ECS service per container
 * with its listener rule for `/<name>` and `/<name>/*`, and the task
 * execution role they share. Construct ids are `listeners`,
 * `task-execution-role` and `service-<name>`.
 */
export class PathRoutedServices extends Construct {
  /** Each container's URL on the load balancer, by name: `/` for the first, `/<name>` for the others. */
  readonly serviceUrls: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: PathRoutedServicesProps) {
    super(scope, id);
    if (props.services.length === 0) {
      throw new Error("PathRoutedServices: services must hold at least one container (the one served at /), got []");
    }
    const { namePrefix, region, partition, accountId } = props;
    // Only ECS acting for this account's tasks may assume the roles (confused deputy).
    const trustConditions = {
      StringEquals: { "aws:SourceAccount": accountId },
      ArnLike: { "aws:SourceArn": `arn:${partition}:ecs:${region}:${accountId}:*` },
    };
    const executionRole = new TaskExecutionRole(this, "task-execution-role", {
      namePrefix,
      logGroupArnPrefix: `arn:${partition}:logs:${region}:${accountId}:log-group:/ecs/${namePrefix}/`,
      trustConditions,
      secretArns: props.services.flatMap((spec) => Object.values(spec.secrets ?? {})),
    });

    const serviceProps = (spec: ServiceSpec): EcsWebServiceProps => ({
      name: spec.name,
      namePrefix,
      image: spec.image,
      containerPort: spec.port,
      cpu: spec.cpu,
      memoryMiB: spec.memoryMiB,
      desiredCount: spec.desiredCount,
      healthCheckPath: spec.healthCheckPath,
      environment: { ...spec.environment, ENDPOINT: props.loadBalancerDnsName, DISCOVERY_ZONE: props.discoveryZoneName },
      managedPolicyArns: spec.managedPolicies.map((p) => managedPolicyArn(partition, p)),
      vpcId: props.vpcId,
      clusterArn: props.clusterArn,
      capacityProviderName: props.capacityProviderName,
      executionRoleArn: executionRole.arn,
      taskRoleTrustConditions: trustConditions,
      region,
      fileSystemId: props.fileSystemId,
      fileSystemArn: props.fileSystemArn,
      logRetentionDays: props.logRetentionDays,
      deregistrationDelaySeconds: props.deregistrationDelaySeconds,
      waitForSteadyState: props.waitForSteadyState,
      discovery: spec.discoveryName
        ? { serviceName: spec.discoveryName, ...(spec.discoveryHttpCheck ? { httpCheckPath: spec.healthCheckPath } : {}) }
        : undefined,
      autoScaling: spec.autoScaling,
      secrets: spec.secrets,
      healthCheckCommand: spec.healthCheckCommand,
      ecsExec: props.ecsExec,
    });

    const { root, paths } = routeContainers(props.services);
    const rootService = new EcsWebService(this, `service-${root.container.name}`, serviceProps(root.container));
    const listeners = new AlbListeners(this, "listeners", {
      loadBalancerArn: props.loadBalancerArn,
      defaultTargetGroupArn: rootService.targetGroupArn,
      certificateArn: props.certificateArn,
      sslPolicy: props.sslPolicy,
    });
    // ECS refuses a target group that no listener uses yet.
    rootService.startAfter(...listeners.listeners);
    for (const { container, route } of paths) {
      new EcsWebService(this, `service-${container.name}`, {
        ...serviceProps(container),
        route: { listenerArn: listeners.routingListenerArn, pathPatterns: route.pathPatterns, priority: route.priority },
      });
    }

    const base = `${props.certificateArn ? "https" : "http"}://${props.loadBalancerDnsName}`;
    this.serviceUrls = Object.fromEntries([
      [root.route.name, `${base}/`],
      ...paths.map(({ route }) => [route.name, `${base}/${route.name}`]),
    ]);
  }
}
