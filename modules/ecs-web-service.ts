import { dependable, type ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { EcsService } from "@cdktf/provider-aws/lib/ecs-service";
import { EcsTaskDefinition } from "@cdktf/provider-aws/lib/ecs-task-definition";
import { EfsAccessPoint } from "@cdktf/provider-aws/lib/efs-access-point";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { LbListenerRule } from "@cdktf/provider-aws/lib/lb-listener-rule";
import { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group";
import { httpCheckPathProblem } from "../dns/set-identifier";
import { HEALTH_CHECK_DEFAULTS } from "../config/feature-schema";
import { assumeRolePolicy, policyDocument } from "./iam-documents";
import { jsonDocument } from "./json-document";
import { boundedName, hashedName, shortHash } from "./naming";
import { suppressPolicyRule } from "./policy-checks";
import { ServiceAutoScaling } from "./service-auto-scaling";

/** Where the EFS access point of a service is mounted in its container. */
export const EFS_CONTAINER_PATH = "/mnt";

/** Properties of {@link EcsWebService}. */
export interface EcsWebServiceProps {
  /** The container's name: names its service, log group, role, path and EFS directory. */
  readonly name: string;
  /** Prefix of every name, e.g. `ecs-platform-dev`. */
  readonly namePrefix: string;
  readonly image: string;
  /** The port the application listens on inside the container; the host port is dynamic. */
  readonly containerPort: number;
  /** @default 256 */
  readonly cpu?: number;
  /** Hard memory limit. @default 512 */
  readonly memoryMiB?: number;
  /** @default 2 */
  readonly desiredCount?: number;
  /** @default "/" */
  readonly healthCheckPath?: string;
  /** Environment of the container, besides what the platform sets. @default {} */
  readonly environment?: Readonly<Record<string, string>>;
  /** Full ARNs of managed policies for the task role. @default [] */
  readonly managedPolicyArns?: readonly string[];

  readonly vpcId: string;
  readonly clusterArn: string;
  readonly capacityProviderName: string;
  readonly executionRoleArn: string;
  /** Trust conditions of the task role (source account and ARN). */
  readonly taskRoleTrustConditions: NonNullable<Parameters<typeof assumeRolePolicy>[1]>;
  readonly region: string;
  readonly fileSystemId: string;
  readonly fileSystemArn: string;

  /**
   * A listener rule forwarding these paths to the service. Omitted for the
   * listener's default service (see {@link EcsWebService.startAfter}).
   * @default - no listener rule
   */
  readonly route?: {
    readonly listenerArn: string;
    readonly pathPatterns: readonly string[];
    readonly priority: number;
  };
  /** @default 30 */
  readonly logRetentionDays?: number;
  /** @default 30 */
  readonly deregistrationDelaySeconds?: number;
  /**
   * Creating or changing the service waits until it runs its desired count
   * and has no other deployment (Terraform's `wait_for_steady_state`), so a
   * deployment that the circuit breaker rolls back fails the deploy.
   * @default true
   */
  readonly waitForSteadyState?: boolean;
  /**
   * Publish the container's port by DNS: a Docker label
   * `SERVICE_<containerPort>_NAME=_<serviceName>._tcp` in the task
   * definition, from which the DNS agent on each host keeps an SRV record
   * `_<serviceName>._tcp.<zone>` per task (agent/README.md). A label, not an
   * environment variable, so the container's environment stays its own; when
   * that environment sets `SERVICE_<containerPort>_NAME` itself, its value is
   * used and no label is added (labels would win over it).
   *
   * With `httpCheckPath`, also a label `SERVICE_<containerPort>_CHECK_HTTP=<path>`:
   * the janitor's health checks probe each task at that path (registrator's
   * convention; the agent carries the path in the SRV record's set
   * identifier, so it must fit there: `httpCheckPathProblem` in
   * dns/set-identifier.ts). Not added when the environment sets
   * `SERVICE_CHECK_HTTP` or `SERVICE_<containerPort>_CHECK_HTTP` itself, nor
   * for a path that does not fit.
   * @default - not published
   */
  readonly discovery?: { readonly serviceName: string; readonly httpCheckPath?: string };

  /**
   * Target tracking on the service's average CPU; `desiredCount` is then only
   * the count at creation (Terraform leaves the live count to the scaler).
   * @default - a fixed desiredCount
   */
  readonly autoScaling?: { readonly minCount: number; readonly maxCount: number; readonly cpuPercent: number };
  /**
   * Environment variables ECS reads at task start (container definition
   * `secrets`): name → ARN of a Secrets Manager secret or SSM parameter. The
   * execution role must be allowed to read them (TaskExecutionRole `secretArns`).
   * @default {}
   */
  readonly secrets?: Readonly<Record<string, string>>;
  /**
   * The container health check's command, `["CMD", ...]` or `["CMD-SHELL", "..."]`,
   * with {@link HEALTH_CHECK_DEFAULTS} for its timing.
   * @default - no container health check
   */
  readonly healthCheckCommand?: readonly string[];
  /**
   * ECS Exec: the service allows `execute-command` and the task role may open
   * the SSM Session Manager channels it runs over.
   * @default false
   */
  readonly ecsExec?: boolean;
}

/**
 * One container as an ECS service behind the load balancer: its target group
 * and path rule, task definition (bridge mode, dynamic host port), log group,
 * task role, and an EFS access point rooted at `/<name>` mounted at `/mnt`.
 */
export class EcsWebService extends Construct {
  readonly targetGroupArn: string;
  readonly taskRoleArn: string;
  readonly logGroupName: string;
  readonly serviceName: string;
  readonly accessPointId: string;
  private readonly service: EcsService;

  constructor(scope: Construct, id: string, props: EcsWebServiceProps) {
    super(scope, id);
    const { name, namePrefix } = props;
    const healthCheckPath = props.healthCheckPath ?? "/";

    const targetGroup = new LbTargetGroup(this, "target-group", {
      // The hash covers the port, which forces a new target group: the new name
      // lets create_before_destroy run old and new side by side.
      name: hashedName([namePrefix, name], [namePrefix, name, props.containerPort], 32),
      port: props.containerPort,
      protocol: "HTTP",
      targetType: "instance",
      vpcId: props.vpcId,
      deregistrationDelay: String(props.deregistrationDelaySeconds ?? 30),
      healthCheck: {
        path: healthCheckPath,
        matcher: "200-399",
        interval: 30,
        timeout: 5,
        healthyThreshold: 3,
        unhealthyThreshold: 3,
      },
      tags: { Name: `${namePrefix}-${name}` },
      lifecycle: { createBeforeDestroy: true },
    });
    this.targetGroupArn = targetGroup.arn;

    const dependsOn: ITerraformDependable[] = [];
    if (props.route) {
      dependsOn.push(
        new LbListenerRule(this, "listener-rule", {
          listenerArn: props.route.listenerArn,
          priority: props.route.priority,
          action: [{ type: "forward", targetGroupArn: targetGroup.arn }],
          condition: [{ pathPattern: { values: [...props.route.pathPatterns] } }],
          tags: { Name: `${namePrefix}-${name}` },
        }),
      );
    }

    const logGroup = new CloudwatchLogGroup(this, "log-group", {
      name: `/ecs/${namePrefix}/${name}`,
      retentionInDays: props.logRetentionDays ?? 30,
    });
    this.logGroupName = logGroup.name;

    const posixId = 10000 + (parseInt(shortHash(name), 16) % 50000);
    const accessPoint = new EfsAccessPoint(this, "access-point", {
      fileSystemId: props.fileSystemId,
      rootDirectory: {
        path: `/${name}`,
        creationInfo: { ownerUid: posixId, ownerGid: posixId, permissions: "0755" },
      },
      posixUser: { uid: posixId, gid: posixId },
      tags: { Name: `${namePrefix}-${name}` },
    });
    this.accessPointId = accessPoint.id;

    const taskRole = new IamRole(this, "task-role", {
      name: boundedName([namePrefix, name, "task"], 64),
      assumeRolePolicy: assumeRolePolicy("ecs-tasks.amazonaws.com", props.taskRoleTrustConditions),
    });
    this.taskRoleArn = taskRole.arn;
    new IamRolePolicy(this, "own-access-point", {
      role: taskRole.id,
      name: "efs-own-access-point",
      policy: policyDocument([
        {
          actions: ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
          resources: [props.fileSystemArn],
          conditions: { StringEquals: { "elasticfilesystem:AccessPointArn": accessPoint.arn } },
        },
      ]),
    });
    if (props.ecsExec) {
      const ecsExec = new IamRolePolicy(this, "ecs-exec", {
        role: taskRole.id,
        name: "ecs-exec-channels",
        policy: policyDocument([
          {
            actions: ["ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel", "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"],
            resources: ["*"],
          },
        ]),
      });
      suppressPolicyRule(ecsExec, "iam-wildcard", "the ssmmessages channel actions ECS Exec needs have no resource type: IAM accepts only * for them");
    }
    // Keyed by the policy, not its position: removing one never detaches the others.
    for (const policyArn of new Set(props.managedPolicyArns ?? [])) {
      new IamRolePolicyAttachment(this, `managed-policy-${policyId(policyArn)}`, { role: taskRole.name, policyArn });
    }

    const taskDefinition = new EcsTaskDefinition(this, "task-definition", {
      family: boundedName([namePrefix, name], 255),
      networkMode: "bridge",
      requiresCompatibilities: ["EC2"],
      executionRoleArn: props.executionRoleArn,
      taskRoleArn: taskRole.arn,
      containerDefinitions: jsonDocument([
        {
          name,
          image: props.image,
          essential: true,
          cpu: props.cpu ?? 256,
          memory: props.memoryMiB ?? 512,
          portMappings: [{ containerPort: props.containerPort, hostPort: 0, protocol: "tcp" }],
          environment: Object.entries(props.environment ?? {})
            .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) // code points: the same on every machine
            .map(([key, value]) => ({ name: key, value })),
          ...secretsOf(props.secrets ?? {}),
          ...healthCheckOf(props.healthCheckCommand),
          ...discoveryLabels(props.containerPort, props.discovery, props.environment ?? {}),
          mountPoints: [{ sourceVolume: "efs", containerPath: EFS_CONTAINER_PATH, readOnly: false }],
          logConfiguration: {
            logDriver: "awslogs",
            options: { "awslogs-group": logGroup.name, "awslogs-region": props.region, "awslogs-stream-prefix": "ecs" },
          },
        },
      ]),
      volume: [
        {
          name: "efs",
          efsVolumeConfiguration: {
            fileSystemId: props.fileSystemId,
            rootDirectory: "/",
            transitEncryption: "ENABLED",
            authorizationConfig: { accessPointId: accessPoint.id, iam: "ENABLED" },
          },
        },
      ],
    });

    this.service = new EcsService(this, "service", {
      name,
      cluster: props.clusterArn,
      taskDefinition: taskDefinition.arn,
      desiredCount: props.desiredCount ?? 2,
      deploymentMinimumHealthyPercent: 50,
      deploymentMaximumPercent: 200,
      deploymentCircuitBreaker: { enable: true, rollback: true },
      capacityProviderStrategy: [{ capacityProvider: props.capacityProviderName, weight: 1, base: 0 }],
      orderedPlacementStrategy: [
        { type: "spread", field: "attribute:ecs.availability-zone" },
        { type: "spread", field: "instanceId" },
      ],
      loadBalancer: [{ targetGroupArn: targetGroup.arn, containerName: name, containerPort: props.containerPort }],
      healthCheckGracePeriodSeconds: 60,
      waitForSteadyState: props.waitForSteadyState ?? true,
      propagateTags: "SERVICE",
      enableEcsManagedTags: true,
      enableExecuteCommand: props.ecsExec ? true : undefined,
      dependsOn,
      // With auto scaling the scaler owns the live count; desiredCount is the count at creation.
      lifecycle: props.autoScaling ? { ignoreChanges: ["desired_count"] } : undefined,
    });
    this.serviceName = this.service.name;
    if (props.autoScaling) {
      new ServiceAutoScaling(this, "auto-scaling", { clusterArn: props.clusterArn, serviceName: this.service.name, ...props.autoScaling });
    }
  }

  /**
   * Create the ECS service only after `resources`: the listener whose default
   * action uses this target group (ECS rejects a target group no listener uses).
   */
  startAfter(...resources: ITerraformDependable[]): void {
    this.service.dependsOn = [...(this.service.dependsOn ?? []), ...resources.map(dependable)];
  }
}

/**
 * `dockerLabels` with the agent's labels for the port: its SRV record and its
 * HTTP check, each unless off or the environment already says it.
 */
function discoveryLabels(
  containerPort: number,
  discovery: EcsWebServiceProps["discovery"],
  environment: Readonly<Record<string, string>>,
): { dockerLabels?: Record<string, string> } {
  if (!discovery) return {};
  const labels: Record<string, string> = {};
  const nameKey = `SERVICE_${containerPort}_NAME`;
  if (!(nameKey in environment)) labels[nameKey] = `_${discovery.serviceName}._tcp`;
  const checkKey = `SERVICE_${containerPort}_CHECK_HTTP`;
  const path = discovery.httpCheckPath;
  if (path !== undefined && !httpCheckPathProblem(path) && !(checkKey in environment) && !("SERVICE_CHECK_HTTP" in environment)) labels[checkKey] = path;
  return Object.keys(labels).length > 0 ? { dockerLabels: labels } : {};
}

/** Container definition `secrets`, sorted by name (the same on every machine). */
function secretsOf(secrets: Readonly<Record<string, string>>): { secrets?: { name: string; valueFrom: string }[] } {
  const entries = Object.entries(secrets).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return entries.length > 0 ? { secrets: entries.map(([name, valueFrom]) => ({ name, valueFrom })) } : {};
}

/** Container definition `healthCheck` with the platform's timing. */
function healthCheckOf(command: readonly string[] | undefined): { healthCheck?: Record<string, unknown> } {
  if (!command) return {};
  const d = HEALTH_CHECK_DEFAULTS;
  return { healthCheck: { command: [...command], interval: d.intervalSeconds, timeout: d.timeoutSeconds, retries: d.retries, startPeriod: d.startPeriodSeconds } };
}

/** A construct id for a managed policy: its path and name after `policy/` (else a hash). */
function policyId(policyArn: string): string {
  const at = policyArn.indexOf(":policy/");
  const name = at >= 0 ? policyArn.slice(at + ":policy/".length).replace(/\//g, "-") : "";
  return /^[A-Za-z0-9_+=,.@-]+$/.test(name) ? name : shortHash(policyArn);
}
