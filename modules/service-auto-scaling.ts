import { Fn } from "cdktf";
import { Construct } from "constructs";
import { AppautoscalingPolicy } from "@cdktf/provider-aws/lib/appautoscaling-policy";
import { AppautoscalingTarget } from "@cdktf/provider-aws/lib/appautoscaling-target";

/** Properties of {@link ServiceAutoScaling}. */
export interface ServiceAutoScalingProps {
  /** The cluster's ARN (`arn:...:cluster/<name>`); the scaling target names the cluster by name. */
  readonly clusterArn: string;
  readonly serviceName: string;
  readonly minCount: number;
  readonly maxCount: number;
  /** The average CPU utilization (percent of the tasks' reserved CPU) to keep. */
  readonly cpuPercent: number;
  /** @default 60 */
  readonly scaleInCooldownSeconds?: number;
  /** @default 60 */
  readonly scaleOutCooldownSeconds?: number;
}

/**
 * Target tracking auto scaling of one ECS service's desired count on its
 * average CPU (`ECSServiceAverageCPUUtilization`). Application Auto Scaling
 * uses its service-linked role, which it creates itself on first use.
 */
export class ServiceAutoScaling extends Construct {
  constructor(scope: Construct, id: string, props: ServiceAutoScalingProps) {
    super(scope, id);
    if (!(props.minCount <= props.maxCount)) {
      throw new Error(`ServiceAutoScaling: need minCount <= maxCount, got ${props.minCount} > ${props.maxCount}`);
    }
    const clusterName = Fn.element(Fn.split("/", props.clusterArn), 1);
    const target = new AppautoscalingTarget(this, "target", {
      serviceNamespace: "ecs",
      scalableDimension: "ecs:service:DesiredCount",
      resourceId: `service/${clusterName}/${props.serviceName}`,
      minCapacity: props.minCount,
      maxCapacity: props.maxCount,
    });
    new AppautoscalingPolicy(this, "cpu-target-tracking", {
      name: "cpu-target-tracking",
      policyType: "TargetTrackingScaling",
      serviceNamespace: target.serviceNamespace,
      scalableDimension: target.scalableDimension,
      resourceId: target.resourceId,
      targetTrackingScalingPolicyConfiguration: {
        targetValue: props.cpuPercent,
        predefinedMetricSpecification: { predefinedMetricType: "ECSServiceAverageCPUUtilization" },
        scaleInCooldown: props.scaleInCooldownSeconds ?? 60,
        scaleOutCooldown: props.scaleOutCooldownSeconds ?? 60,
      },
    });
  }
}
