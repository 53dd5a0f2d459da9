import { configFrom, jsonDocumentOf, resources, resourceTypes, soleResource, synthPlatform } from "../helpers/synth";

/** The production features wired through the stacks: each where it belongs, and none by default. */

const webAclArn = "arn:aws:wafv2:us-west-2:123456789012:regional/webacl/prod-acl/a1b2c3d4-5678-90ab-cdef-111122223333";
const secrets = {
  DB_PASSWORD: "arn:aws:secretsmanager:us-west-2:123456789012:secret:prod/db-AbCdEf:password::",
  API_KEY: "arn:aws:ssm:us-west-2:123456789012:parameter/prod/api-key",
};
const FEATURE_TYPES = [
  "aws_vpc_endpoint",
  "aws_appautoscaling_target",
  "aws_appautoscaling_policy",
  "aws_wafv2_web_acl_association",
];
/** Resources of `type` in `stack` that belong to the ALB's access-log bucket (the DNS agent's artifacts bucket has its own policy and lifecycle). */
const accessLogs = (stack: Parameters<typeof resources>[0], type: string) => resources(stack, type).filter((r) => r.name.startsWith("alb_access-logs"));

describe("production features across the stacks", () => {
  test("none by default: no endpoint, scaler, WAF association or log bucket; no Spot, exec, secrets or health check", () => {
    // GIVEN / WHEN
    const { stacks } = synthPlatform(configFrom({ TF_VAR_container_name: "web,api" }));
    // THEN
    for (const stack of Object.values(stacks)) {
      expect(resourceTypes(stack).filter((t) => FEATURE_TYPES.includes(t))).toEqual([]);
      for (const type of ["aws_s3_bucket", "aws_s3_bucket_policy", "aws_s3_bucket_lifecycle_configuration"]) expect(accessLogs(stack, type)).toEqual([]);
    }
    expect(soleResource(stacks["dev-cluster"], "aws_autoscaling_group")).not.toHaveProperty("mixed_instances_policy");
    for (const service of resources(stacks["dev-services"], "aws_ecs_service")) expect(service.values).not.toHaveProperty("enable_execute_command");
    for (const task of resources(stacks["dev-services"], "aws_ecs_task_definition")) {
      const [container] = jsonDocumentOf(task.values.container_definitions);
      expect(container).not.toHaveProperty("secrets");
      expect(container).not.toHaveProperty("healthCheck");
    }
  });

  describe("all on", () => {
    // GIVEN
    const config = configFrom({}, {
      ecs_exec: true,
      alb_access_logs: true,
      waf_web_acl_arn: webAclArn,
      spot: true,
      spot_instance_types: ["t3.small", "t3a.small"],
      vpc_endpoints: true,
      containers: [
        { name: "web", autoscaling: { min: 2, max: 6, cpu_percent: 60 }, health_check_command: ["CMD-SHELL", "curl -f http://localhost/ || exit 1"], secrets },
        { name: "api" },
      ],
    });
    // WHEN
    const { stacks } = synthPlatform(config);
    const network = stacks["dev-network"];
    const cluster = stacks["dev-cluster"];
    const services = stacks["dev-services"];

    test("the network stack has the S3 gateway and four interface endpoints", () => {
      expect(resources(network, "aws_vpc_endpoint")).toHaveLength(5);
    });

    test("the cluster stack has the access-log bucket on the ALB, the WAF association and the Spot mix", () => {
      expect(soleResource(cluster, "aws_lb").access_logs).toMatchObject({ enabled: true });
      expect(accessLogs(cluster, "aws_s3_bucket_policy")).toHaveLength(1);
      expect(soleResource(cluster, "aws_wafv2_web_acl_association").web_acl_arn).toBe(webAclArn);
      expect(soleResource(cluster, "aws_autoscaling_group").mixed_instances_policy.instances_distribution.on_demand_base_capacity).toBe(1);
    });

    test("the access logs expire after log_retention_days", () => {
      const [lifecycle] = accessLogs(cluster, "aws_s3_bucket_lifecycle_configuration");
      expect(lifecycle.values.rule[0].expiration).toEqual([{ days: config.log_retention_days }]);
    });

    test("the services stack scales only the container that asks, and lets every service run ECS Exec", () => {
      expect(resources(services, "aws_appautoscaling_target").map((t) => t.values.min_capacity)).toEqual([2]);
      expect(resources(services, "aws_ecs_service").map((s) => s.values.enable_execute_command)).toEqual([true, true]);
    });

    test("the shared execution role may read exactly the configured secrets", () => {
      const policy = resources(services, "aws_iam_role_policy").find((p) => p.values.name === "read-container-secrets")!;
      expect(jsonDocumentOf(policy.values.policy).Statement.flatMap((s: { Resource: string[] }) => s.Resource)).toEqual([
        "arn:aws:secretsmanager:us-west-2:123456789012:secret:prod/db-AbCdEf",
        "arn:aws:ssm:us-west-2:123456789012:parameter/prod/api-key",
      ]);
    });
  });
});
