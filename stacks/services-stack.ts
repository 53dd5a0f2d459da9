import { TerraformOutput } from "cdktf";
import { Construct } from "constructs";
import { AlbListeners } from "../modules/alb-listeners";
import { EcsWebService } from "../modules/ecs-web-service";
import { managedPolicyArn } from "../modules/iam-documents";
import { assignPathRoutes } from "../modules/path-routes";
import { TaskExecutionRole } from "../modules/task-execution-role";
import { PlatformStack, type PlatformStackProps } from "./platform-stack";

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
  /** @default - derived from the name */
  readonly priority?: number;
  /** The service name of its SRV record `_<name>._tcp`. @default - not published by DNS */
  readonly discoveryName?: string;
}

/** Properties of {@link ServicesStack}. */
export interface ServicesStackProps extends PlatformStackProps {
  readonly namePrefix: string;
  readonly region: string;
  readonly vpcId: string;
  readonly clusterArn: string;
  readonly capacityProviderName: string;
  readonly loadBalancerArn: string;
  readonly loadBalancerDnsName: string;
  readonly fileSystemId: string;
  readonly fileSystemArn: string;
  /** Given to every container as `DISCOVERY_ZONE`. */
  readonly discoveryZoneName: string;
  /** In list order: the first is served at `/`. */
  readonly services: readonly ServiceSpec[];
  /** @default - HTTP only */
  readonly certificateArn?: string;
  readonly sslPolicy?: string;
  readonly logRetentionDays: number;
  readonly deregistrationDelaySeconds: number;
}

/** `<env>-services`: listeners, path routing and one ECS service per container. */
export class ServicesStack extends PlatformStack {
  constructor(scope: Construct, id: string, props: ServicesStackProps) {
    super(scope, id, props);
    const { namePrefix, region } = props;
    const { partition, accountId } = this;
    // Only ECS acting for this account's tasks may assume the roles (confused deputy).
    const trustConditions = {
      StringEquals: { "aws:SourceAccount": accountId },
      ArnLike: { "aws:SourceArn": `arn:${partition}:ecs:${region}:${accountId}:*` },
    };
    const executionRole = new TaskExecutionRole(this, "task-execution-role", {
      namePrefix,
      logGroupArnPrefix: `arn:${partition}:logs:${region}:${accountId}:log-group:/ecs/${namePrefix}/`,
      trustConditions,
    });

    const routes = assignPathRoutes(props.services);
    const serviceProps = (spec: ServiceSpec) => ({
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
      discovery: spec.discoveryName ? { serviceName: spec.discoveryName } : undefined,
    });

    const [rootSpec, ...pathSpecs] = props.services;
    const root = new EcsWebService(this, `service-${rootSpec.name}`, serviceProps(rootSpec));
    const listeners = new AlbListeners(this, "listeners", {
      loadBalancerArn: props.loadBalancerArn,
      defaultTargetGroupArn: root.targetGroupArn,
      certificateArn: props.certificateArn,
      sslPolicy: props.sslPolicy,
    });
    // ECS refuses a target group that no listener uses yet.
    root.startAfter(...listeners.listeners);
    pathSpecs.forEach((spec, i) => {
      const route = routes[i + 1];
      new EcsWebService(this, `service-${spec.name}`, {
        ...serviceProps(spec),
        route: { listenerArn: listeners.routingListenerArn, pathPatterns: route.pathPatterns, priority: route.priority! },
      });
    });

    const scheme = props.certificateArn ? "https" : "http";
    new TerraformOutput(this, "service_urls", {
      value: Object.fromEntries(
        routes.map((r) => [r.name, `${scheme}://${props.loadBalancerDnsName}${r.isDefault ? "/" : `/${r.name}`}`]),
      ),
    });
  }
}
