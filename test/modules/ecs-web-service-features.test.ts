import { HEALTH_CHECK_DEFAULTS } from "../../config/feature-schema";
import { EcsWebService, type EcsWebServiceProps } from "../../modules/ecs-web-service";
import { jsonDocumentOf, ref, resources, soleResource, synthConstruct, type StackJson } from "../helpers/synth";

/** The production features of one service: auto scaling, secrets, the container health check, ECS Exec. */

const baseProps: EcsWebServiceProps = {
  name: "orders",
  namePrefix: "shop-dev",
  image: "nginx:1.27",
  containerPort: 8080,
  vpcId: "vpc-0123456789abcdef0",
  clusterArn: "arn:aws:ecs:us-west-2:123456789012:cluster/shop-dev",
  capacityProviderName: "capacity-shop-dev",
  executionRoleArn: "arn:aws:iam::123456789012:role/shop-dev-task-execution",
  taskRoleTrustConditions: { StringEquals: { "aws:SourceAccount": "123456789012" } },
  region: "us-west-2",
  fileSystemId: "fs-0123456789abcdef0",
  fileSystemArn: "arn:aws:elasticfilesystem:us-west-2:123456789012:file-system/fs-0123456789abcdef0",
};

const synthService = (props: Partial<EcsWebServiceProps> = {}): StackJson =>
  synthConstruct((scope) => new EcsWebService(scope, "service-orders", { ...baseProps, ...props }));
const theContainer = (stack: StackJson) => jsonDocumentOf(soleResource(stack, "aws_ecs_task_definition").container_definitions)[0];

describe("EcsWebService features", () => {
  describe("without any (the defaults)", () => {
    // GIVEN / WHEN
    const stack = synthService();

    test("has no scaling target or policy, and the service keeps its desired count under Terraform", () => {
      expect(resources(stack, "aws_appautoscaling_target")).toEqual([]);
      expect(resources(stack, "aws_appautoscaling_policy")).toEqual([]);
      expect(soleResource(stack, "aws_ecs_service").lifecycle).toBeUndefined();
    });

    test("has no secrets, no container health check, and no ECS Exec", () => {
      expect(theContainer(stack)).not.toHaveProperty("secrets");
      expect(theContainer(stack)).not.toHaveProperty("healthCheck");
      expect(soleResource(stack, "aws_ecs_service")).not.toHaveProperty("enable_execute_command");
      expect(resources(stack, "aws_iam_role_policy").map((p) => p.values.name)).toEqual(["efs-own-access-point"]);
    });
  });

  describe("autoScaling", () => {
    // GIVEN / WHEN
    const stack = synthService({ desiredCount: 3, autoScaling: { minCount: 2, maxCount: 8, cpuPercent: 60 } });

    test("registers the service's desired count as a scalable target between min and max", () => {
      const service = resources(stack, "aws_ecs_service")[0];
      expect(soleResource(stack, "aws_appautoscaling_target")).toEqual(
        expect.objectContaining({
          service_namespace: "ecs",
          scalable_dimension: "ecs:service:DesiredCount",
          resource_id: `service/\${element(split("/", "arn:aws:ecs:us-west-2:123456789012:cluster/shop-dev"), 1)}/${ref("aws_ecs_service", service, "name")}`,
          min_capacity: 2,
          max_capacity: 8,
        }),
      );
    });

    test("tracks the average CPU of the service at the given percentage", () => {
      const target = resources(stack, "aws_appautoscaling_target")[0];
      expect(soleResource(stack, "aws_appautoscaling_policy")).toEqual(
        expect.objectContaining({
          policy_type: "TargetTrackingScaling",
          resource_id: ref("aws_appautoscaling_target", target, "resource_id"),
          target_tracking_scaling_policy_configuration: expect.objectContaining({
            target_value: 60,
            predefined_metric_specification: { predefined_metric_type: "ECSServiceAverageCPUUtilization" },
          }),
        }),
      );
    });

    test("leaves the live desired count to the scaler (desired_count is only the count at creation)", () => {
      const service = soleResource(stack, "aws_ecs_service");
      expect(service.desired_count).toBe(3);
      expect(service.lifecycle).toEqual({ ignore_changes: ["desired_count"] });
    });
  });

  test("secrets: the container reads each variable from its ARN (valueFrom), sorted by name, apart from its plain environment", () => {
    // GIVEN
    const secrets = {
      DB_PASSWORD: "arn:aws:secretsmanager:us-west-2:123456789012:secret:prod/db-AbCdEf:password::",
      API_KEY: "arn:aws:ssm:us-west-2:123456789012:parameter/prod/api-key",
    };
    // WHEN
    const container = theContainer(synthService({ secrets, environment: { LOG_LEVEL: "info" } }));
    // THEN
    expect(container.secrets).toEqual([
      { name: "API_KEY", valueFrom: secrets.API_KEY },
      { name: "DB_PASSWORD", valueFrom: secrets.DB_PASSWORD },
    ]);
    expect(container.environment).toEqual([{ name: "LOG_LEVEL", value: "info" }]);
  });

  test("healthCheckCommand: the container's health check runs it with the documented timing", () => {
    // GIVEN
    const command = ["CMD-SHELL", "curl -f http://localhost:8080/ || exit 1"];
    // WHEN
    const container = theContainer(synthService({ healthCheckCommand: command }));
    // THEN
    expect(container.healthCheck).toEqual({
      command,
      interval: HEALTH_CHECK_DEFAULTS.intervalSeconds,
      timeout: HEALTH_CHECK_DEFAULTS.timeoutSeconds,
      retries: HEALTH_CHECK_DEFAULTS.retries,
      startPeriod: HEALTH_CHECK_DEFAULTS.startPeriodSeconds,
    });
    // ECS's ranges: interval 5-300, timeout 2-60 and below the interval, retries 1-10, start period 0-300.
    expect(container.healthCheck.interval).toBeGreaterThanOrEqual(5);
    expect(container.healthCheck.timeout).toBeLessThan(container.healthCheck.interval);
    expect(container.healthCheck.startPeriod).toBeLessThanOrEqual(300);
  });

  describe("ecsExec", () => {
    // GIVEN / WHEN
    const stack = synthService({ ecsExec: true });

    test("lets the service run execute-command", () => {
      expect(soleResource(stack, "aws_ecs_service").enable_execute_command).toBe(true);
    });

    test("gives the task role exactly the four Session Manager channel actions (which take no resource but *)", () => {
      const role = resources(stack, "aws_iam_role").find((r) => r.name.includes("task-role"))!;
      const policy = resources(stack, "aws_iam_role_policy").find((p) => p.values.name === "ecs-exec-channels")!;
      expect(policy.values.role).toBe(ref("aws_iam_role", role, "id"));
      expect(jsonDocumentOf(policy.values.policy).Statement).toEqual([
        {
          Effect: "Allow",
          Action: ["ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel", "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"],
          Resource: ["*"],
        },
      ]);
    });
  });
});
