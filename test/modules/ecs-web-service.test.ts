import { LbListener } from "@cdktf/provider-aws/lib/lb-listener";
import { EFS_CONTAINER_PATH, EcsWebService, type EcsWebServiceProps } from "../../modules/ecs-web-service";
import { jsonDocumentOf, ref, resources, soleResource, synthConstruct, type StackJson } from "../helpers/synth";

const fileSystemArn = "arn:aws:elasticfilesystem:us-west-2:123456789012:file-system/fs-0123456789abcdef0";
const listenerArn = "arn:aws:elasticloadbalancing:us-west-2:123456789012:listener/app/shop-dev/0123456789abcdef/0123456789abcdef";
const trustConditions = {
  StringEquals: { "aws:SourceAccount": "123456789012" },
  ArnLike: { "aws:SourceArn": "arn:aws:ecs:us-west-2:123456789012:*" },
};

const baseProps: EcsWebServiceProps = {
  name: "orders",
  namePrefix: "shop-dev",
  image: "048844758804.dkr.ecr.us-west-2.amazonaws.com/microservices/orders:1.2.3",
  containerPort: 8080,
  vpcId: "vpc-0123456789abcdef0",
  clusterArn: "arn:aws:ecs:us-west-2:123456789012:cluster/shop-dev",
  capacityProviderName: "capacity-shop-dev",
  executionRoleArn: "arn:aws:iam::123456789012:role/shop-dev-task-execution",
  taskRoleTrustConditions: trustConditions,
  region: "us-west-2",
  fileSystemId: "fs-0123456789abcdef0",
  fileSystemArn,
};
const route = { listenerArn, pathPatterns: ["/orders", "/orders/*"], priority: 1234 };

const synthService = (props: Partial<EcsWebServiceProps> = {}): StackJson =>
  synthConstruct((scope) => new EcsWebService(scope, "service-orders", { ...baseProps, ...props }));

const containerDefinitions = (stack: StackJson) => jsonDocumentOf(soleResource(stack, "aws_ecs_task_definition").container_definitions);
const theContainer = (stack: StackJson) => {
  const definitions = containerDefinitions(stack);
  expect(definitions).toHaveLength(1);
  return definitions[0];
};
const targetGroupName = (props: Partial<EcsWebServiceProps>) => soleResource(synthService(props), "aws_lb_target_group").name as string;

describe("EcsWebService", () => {
  describe("target group", () => {
    test("targets instances (dynamic host ports) on the container port, in the VPC, over HTTP", () => {
      // GIVEN / WHEN
      const stack = synthService();
      // THEN
      expect(soleResource(stack, "aws_lb_target_group")).toMatchObject({
        port: 8080,
        protocol: "HTTP",
        target_type: "instance",
        vpc_id: "vpc-0123456789abcdef0",
      });
    });

    test("has a name within AWS's 32 characters even for the longest prefix and container name", () => {
      // GIVEN / WHEN: a 41-character prefix (24-character resource_tag + 16-character environment) and a 32-character name
      const name = targetGroupName({ namePrefix: `${"r".repeat(24)}-${"e".repeat(16)}`, name: "n".repeat(32) });
      // THEN
      expect(name.length).toBeLessThanOrEqual(32);
      expect(name).toMatch(/^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/);
    });

    test("has a unique name per (prefix, name), even when the readable part is cut to the same text", () => {
      // GIVEN
      const longPrefix = "a-long-resource-tag-production";
      // WHEN
      const names = [
        targetGroupName({ namePrefix: "shop-dev", name: "orders" }),
        targetGroupName({ namePrefix: "shop-dev", name: "billing" }),
        targetGroupName({ namePrefix: "shop-prod", name: "orders" }),
        targetGroupName({ namePrefix: longPrefix, name: "orders" }),
        targetGroupName({ namePrefix: longPrefix, name: "billing" }),
      ];
      // THEN
      expect(new Set(names).size).toBe(names.length);
    });

    test("has a stable name: the same inputs give the same name", () => {
      // GIVEN / WHEN / THEN
      expect(targetGroupName({})).toBe(targetGroupName({}));
      expect(targetGroupName({})).toMatch(/^shop-dev-orders-[0-9a-f]{6}$/);
    });

    test("keeps its name when what can change in place changes (image, health check, environment)", () => {
      // GIVEN / WHEN / THEN
      expect(targetGroupName({ image: "orders:2.0.0", healthCheckPath: "/health", environment: { A: "1" } })).toBe(targetGroupName({}));
    });

    test("changes its name when the port changes, so create_before_destroy can run old and new side by side", () => {
      // GIVEN / WHEN / THEN
      expect(targetGroupName({ containerPort: 8081 })).not.toBe(targetGroupName({ containerPort: 8080 }));
      expect(soleResource(synthService(), "aws_lb_target_group").lifecycle).toEqual({ create_before_destroy: true });
    });

    test("checks health at / by default, with a 30-second deregistration delay", () => {
      // GIVEN / WHEN
      const group = soleResource(synthService(), "aws_lb_target_group");
      // THEN
      expect(group.health_check).toMatchObject({ path: "/", matcher: "200-399" });
      expect(group.deregistration_delay).toBe("30");
    });

    test("checks health at the given path, with the given deregistration delay", () => {
      // GIVEN / WHEN
      const group = soleResource(synthService({ healthCheckPath: "/orders/health", deregistrationDelaySeconds: 5 }), "aws_lb_target_group");
      // THEN
      expect(group.health_check.path).toBe("/orders/health");
      expect(group.deregistration_delay).toBe("5");
    });
  });

  describe("listener rule", () => {
    test("is absent without a route (the listener's default service)", () => {
      // GIVEN / WHEN
      const stack = synthService();
      // THEN
      expect(resources(stack, "aws_lb_listener_rule")).toHaveLength(0);
      expect(soleResource(stack, "aws_ecs_service").depends_on ?? []).toEqual([]);
    });

    test("with a route, forwards its path patterns at its priority on the listener to this service's target group", () => {
      // GIVEN / WHEN
      const stack = synthService({ route });
      // THEN
      const group = resources(stack, "aws_lb_target_group")[0];
      expect(soleResource(stack, "aws_lb_listener_rule")).toMatchObject({
        listener_arn: listenerArn,
        priority: 1234,
        action: [{ type: "forward", target_group_arn: ref("aws_lb_target_group", group, "arn") }],
        condition: [{ path_pattern: { values: ["/orders", "/orders/*"] } }],
      });
    });

    test("with a route, the service is created after its rule (ECS rejects a target group no listener uses)", () => {
      // GIVEN / WHEN
      const stack = synthService({ route });
      // THEN
      const rule = resources(stack, "aws_lb_listener_rule")[0];
      expect(soleResource(stack, "aws_ecs_service").depends_on).toEqual([`aws_lb_listener_rule.${rule.name}`]);
    });
  });

  describe("task definition", () => {
    test("uses bridge networking on EC2, with the execution role and the service's own task role", () => {
      // GIVEN / WHEN
      const stack = synthService();
      // THEN
      const taskRole = resources(stack, "aws_iam_role")[0];
      expect(soleResource(stack, "aws_ecs_task_definition")).toMatchObject({
        family: "shop-dev-orders",
        network_mode: "bridge",
        requires_compatibilities: ["EC2"],
        execution_role_arn: baseProps.executionRoleArn,
        task_role_arn: ref("aws_iam_role", taskRole, "arn"),
      });
    });

    test("maps the container port to host port 0, so ECS picks a dynamic host port", () => {
      // GIVEN / WHEN
      const container = theContainer(synthService());
      // THEN
      expect(container.portMappings).toEqual([{ containerPort: 8080, hostPort: 0, protocol: "tcp" }]);
    });

    test("runs the given image as the essential container named after the service", () => {
      // GIVEN / WHEN
      const container = theContainer(synthService());
      // THEN
      expect(container).toMatchObject({ name: "orders", image: baseProps.image, essential: true });
    });

    test("gives the container 256 CPU units and 512 MiB by default", () => {
      // GIVEN / WHEN
      const container = theContainer(synthService());
      // THEN
      expect(container).toMatchObject({ cpu: 256, memory: 512 });
    });

    test("gives the container the given CPU units and memory", () => {
      // GIVEN / WHEN
      const container = theContainer(synthService({ cpu: 1024, memoryMiB: 2048 }));
      // THEN
      expect(container).toMatchObject({ cpu: 1024, memory: 2048 });
    });

    test("sets the environment sorted by name (a stable plan whatever the input order)", () => {
      // GIVEN / WHEN
      const container = theContainer(synthService({ environment: { ZETA: "z", ALPHA: "a", MIDDLE: "m" } }));
      // THEN
      expect(container.environment).toEqual([
        { name: "ALPHA", value: "a" },
        { name: "MIDDLE", value: "m" },
        { name: "ZETA", value: "z" },
      ]);
    });

    test("sets an empty environment by default", () => {
      // GIVEN / WHEN
      const container = theContainer(synthService());
      // THEN
      expect(container.environment).toEqual([]);
    });

    test("asks the DNS agent for no record without discovery", () => {
      expect(theContainer(synthService())).not.toHaveProperty("dockerLabels");
    });

    test("with discovery, asks the DNS agent for an SRV record _<service>._tcp of the container port through a Docker label, leaving the environment alone", () => {
      // GIVEN / WHEN
      const container = theContainer(synthService({ discovery: { serviceName: "orders" }, environment: { LOG_LEVEL: "info" } }));
      // THEN
      expect(container.dockerLabels).toEqual({ SERVICE_8080_NAME: "_orders._tcp" });
      expect(container.environment).toEqual([{ name: "LOG_LEVEL", value: "info" }]);
    });

    test("with discovery, a container environment that names the port's SRV record itself keeps it (a label would win over it)", () => {
      // GIVEN / WHEN
      const container = theContainer(synthService({ discovery: { serviceName: "orders" }, environment: { SERVICE_8080_NAME: "_legacy-orders._tcp" } }));
      // THEN
      expect(container).not.toHaveProperty("dockerLabels");
      expect(container.environment).toEqual([{ name: "SERVICE_8080_NAME", value: "_legacy-orders._tcp" }]);
    });

    test("with discovery and an HTTP check path, asks the janitor to probe the task there (SERVICE_<port>_CHECK_HTTP label)", () => {
      // GIVEN / WHEN
      const container = theContainer(synthService({ discovery: { serviceName: "orders", httpCheckPath: "/orders/health" } }));
      // THEN
      expect(container.dockerLabels).toEqual({ SERVICE_8080_NAME: "_orders._tcp", SERVICE_8080_CHECK_HTTP: "/orders/health" });
    });

    test("a container environment that sets its own HTTP check keeps it, and a path the agent cannot carry adds no check label", () => {
      // GIVEN / WHEN
      const own = theContainer(synthService({ discovery: { serviceName: "orders", httpCheckPath: "/health" }, environment: { SERVICE_CHECK_HTTP: "" } }));
      const unfit = theContainer(synthService({ discovery: { serviceName: "orders", httpCheckPath: "/health?deep=1" } }));
      // THEN
      expect(own.dockerLabels).toEqual({ SERVICE_8080_NAME: "_orders._tcp" });
      expect(unfit.dockerLabels).toEqual({ SERVICE_8080_NAME: "_orders._tcp" });
    });

    test("logs with awslogs to its own log group, in the region, with a stream prefix", () => {
      // GIVEN / WHEN
      const stack = synthService();
      // THEN
      const group = resources(stack, "aws_cloudwatch_log_group")[0];
      expect(theContainer(stack).logConfiguration).toEqual({
        logDriver: "awslogs",
        options: {
          "awslogs-group": ref("aws_cloudwatch_log_group", group, "name"),
          "awslogs-region": "us-west-2",
          "awslogs-stream-prefix": "ecs",
        },
      });
    });

    test("creates its log group /ecs/<prefix>/<name> with 30 days retention by default (the seed kept logs forever)", () => {
      // GIVEN / WHEN
      const stack = synthService();
      // THEN
      expect(soleResource(stack, "aws_cloudwatch_log_group")).toMatchObject({ name: "/ecs/shop-dev/orders", retention_in_days: 30 });
    });

    test("keeps logs for the given retention", () => {
      // GIVEN / WHEN
      const stack = synthService({ logRetentionDays: 90 });
      // THEN
      expect(soleResource(stack, "aws_cloudwatch_log_group").retention_in_days).toBe(90);
    });

    test("mounts an EFS volume through its access point with transit encryption and IAM authorization", () => {
      // GIVEN / WHEN
      const stack = synthService();
      // THEN
      const accessPoint = resources(stack, "aws_efs_access_point")[0];
      expect(soleResource(stack, "aws_ecs_task_definition").volume).toEqual([
        {
          name: "efs",
          efs_volume_configuration: {
            file_system_id: "fs-0123456789abcdef0",
            root_directory: "/",
            transit_encryption: "ENABLED",
            authorization_config: { access_point_id: ref("aws_efs_access_point", accessPoint, "id"), iam: "ENABLED" },
          },
        },
      ]);
    });

    test("mounts that volume read-write at /mnt in the container", () => {
      // GIVEN / WHEN
      const container = theContainer(synthService());
      // THEN
      expect(EFS_CONTAINER_PATH).toBe("/mnt");
      expect(container.mountPoints).toEqual([{ sourceVolume: "efs", containerPath: "/mnt", readOnly: false }]);
    });
  });

  describe("EFS access point", () => {
    test("is rooted at /<name> on the file system, created for and entered as the service's own POSIX user", () => {
      // GIVEN / WHEN
      const accessPoint = soleResource(synthService(), "aws_efs_access_point");
      // THEN
      expect(accessPoint.file_system_id).toBe("fs-0123456789abcdef0");
      expect(accessPoint.root_directory.path).toBe("/orders");
      const uid = accessPoint.posix_user.uid;
      expect(accessPoint.posix_user).toEqual({ uid, gid: uid });
      expect(accessPoint.root_directory.creation_info).toEqual({ owner_uid: uid, owner_gid: uid, permissions: "0755" });
      expect(uid).toBeGreaterThanOrEqual(10000);
    });

    test("gives different services different POSIX users", () => {
      // GIVEN / WHEN
      const orders = soleResource(synthService({ name: "orders" }), "aws_efs_access_point");
      const billing = soleResource(synthService({ name: "billing" }), "aws_efs_access_point");
      // THEN
      expect(billing.root_directory.path).toBe("/billing");
      expect(billing.posix_user.uid).not.toBe(orders.posix_user.uid);
    });
  });

  describe("task role", () => {
    test("can be assumed only by ECS tasks, with the source-account and source-ARN conditions", () => {
      // GIVEN / WHEN
      const role = soleResource(synthService(), "aws_iam_role");
      // THEN
      expect(role.name).toBe("shop-dev-orders-task");
      expect(jsonDocumentOf(role.assume_role_policy).Statement).toEqual([
        { Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole", Condition: trustConditions },
      ]);
    });

    test("may mount and write the file system only through its own access point", () => {
      // GIVEN / WHEN
      const stack = synthService();
      // THEN
      const role = resources(stack, "aws_iam_role")[0];
      const accessPoint = resources(stack, "aws_efs_access_point")[0];
      const policy = soleResource(stack, "aws_iam_role_policy");
      expect(policy.role).toBe(ref("aws_iam_role", role, "id"));
      expect(jsonDocumentOf(policy.policy).Statement).toEqual([
        {
          Effect: "Allow",
          Action: ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
          Resource: [fileSystemArn],
          Condition: { StringEquals: { "elasticfilesystem:AccessPointArn": ref("aws_efs_access_point", accessPoint, "arn") } },
        },
      ]);
    });

    test("has no managed policy by default", () => {
      // GIVEN / WHEN
      const stack = synthService();
      // THEN
      expect(resources(stack, "aws_iam_role_policy_attachment")).toHaveLength(0);
    });

    test("gets each managed policy by a per-role attachment, never aws_iam_policy_attachment (exclusive account-wide)", () => {
      // GIVEN
      const managedPolicyArns = ["arn:aws:iam::aws:policy/AmazonDynamoDBReadOnlyAccess", "arn:aws:iam::123456789012:policy/orders-queue"];
      // WHEN
      const stack = synthService({ managedPolicyArns });
      // THEN
      const role = resources(stack, "aws_iam_role")[0];
      const attachments = resources(stack, "aws_iam_role_policy_attachment").map((a) => a.values);
      expect(attachments.map((a) => a.policy_arn).sort()).toEqual([...managedPolicyArns].sort());
      for (const a of attachments) expect(a.role).toBe(ref("aws_iam_role", role, "name"));
      expect(resources(stack, "aws_iam_policy_attachment")).toHaveLength(0);
    });
  });

  describe("ECS service", () => {
    test("runs 2 tasks by default in the cluster, from the task definition, named after the container", () => {
      // GIVEN / WHEN
      const stack = synthService();
      // THEN
      const taskDefinition = resources(stack, "aws_ecs_task_definition")[0];
      expect(soleResource(stack, "aws_ecs_service")).toMatchObject({
        name: "orders",
        cluster: baseProps.clusterArn,
        task_definition: ref("aws_ecs_task_definition", taskDefinition, "arn"),
        desired_count: 2,
      });
    });

    test("runs the given number of tasks", () => {
      // GIVEN / WHEN
      const stack = synthService({ desiredCount: 5 });
      // THEN
      expect(soleResource(stack, "aws_ecs_service").desired_count).toBe(5);
    });

    test("deploys with minimum 50 % healthy and maximum 200 %, and a circuit breaker that rolls back", () => {
      // GIVEN / WHEN
      const service = soleResource(synthService(), "aws_ecs_service");
      // THEN
      expect(service).toMatchObject({
        deployment_minimum_healthy_percent: 50,
        deployment_maximum_percent: 200,
        deployment_circuit_breaker: { enable: true, rollback: true },
      });
    });

    test("spreads tasks across availability zones first, then instances", () => {
      // GIVEN / WHEN
      const service = soleResource(synthService(), "aws_ecs_service");
      // THEN
      expect(service.ordered_placement_strategy).toEqual([
        { type: "spread", field: "attribute:ecs.availability-zone" },
        { type: "spread", field: "instanceId" },
      ]);
    });

    test("places tasks through the cluster's capacity provider", () => {
      // GIVEN / WHEN
      const service = soleResource(synthService(), "aws_ecs_service");
      // THEN
      expect(service.capacity_provider_strategy).toEqual([{ capacity_provider: "capacity-shop-dev", weight: 1, base: 0 }]);
      expect(service.launch_type).toBeUndefined();
    });

    test("registers its container and port in its own target group, with no legacy service role (the seed shared one)", () => {
      // GIVEN / WHEN
      const stack = synthService();
      // THEN
      const group = resources(stack, "aws_lb_target_group")[0];
      const service = soleResource(stack, "aws_ecs_service");
      expect(service.load_balancer).toEqual([
        { target_group_arn: ref("aws_lb_target_group", group, "arn"), container_name: "orders", container_port: 8080 },
      ]);
      expect(service.iam_role).toBeUndefined();
    });

    test("startAfter adds the given resources to the service's depends_on", () => {
      // GIVEN / WHEN
      const stack = synthConstruct((scope) => {
        const service = new EcsWebService(scope, "service-orders", baseProps);
        const listener = new LbListener(scope, "http", {
          loadBalancerArn: "arn:aws:elasticloadbalancing:us-west-2:123456789012:loadbalancer/app/x/1",
          port: 80,
          protocol: "HTTP",
          defaultAction: [{ type: "forward", targetGroupArn: service.targetGroupArn }],
        });
        service.startAfter(listener);
      });
      // THEN
      const listener = resources(stack, "aws_lb_listener")[0];
      expect(soleResource(stack, "aws_ecs_service").depends_on).toEqual([`aws_lb_listener.${listener.name}`]);
    });
  });

  test("keys managed policy attachments by policy, so removing one leaves the others untouched", () => {
    // GIVEN two policies, then only the second
    const attachments = (arns: string[]) =>
      resources(synthService({ managedPolicyArns: arns }), "aws_iam_role_policy_attachment").map((r) => `${r.name}=${r.values.policy_arn}`);
    const both = attachments(["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess", "arn:aws:iam::aws:policy/service-role/AWSLambdaRole"]);
    const secondOnly = attachments(["arn:aws:iam::aws:policy/service-role/AWSLambdaRole"]);
    // WHEN / THEN the remaining attachment keeps its address
    expect(secondOnly).toHaveLength(1);
    expect(both).toContain(secondOnly[0]);
  });
});
