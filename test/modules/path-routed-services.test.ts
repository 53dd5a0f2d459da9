import { TerraformOutput } from "cdktf";
import { PathRoutedServices, type PathRoutedServicesProps, type ServiceSpec } from "../../modules/path-routed-services";
import { jsonDocumentOf, ref, resourceAt, resources, synthConstruct, type Found, type StackJson } from "../helpers/synth";

const spec = (name: string, more: Partial<ServiceSpec> = {}): ServiceSpec => ({
  name,
  image: `nginx:${name}`,
  port: 8080,
  cpu: 256,
  memoryMiB: 512,
  desiredCount: 2,
  healthCheckPath: "/",
  environment: {},
  managedPolicies: [],
  ...more,
});

const baseProps: PathRoutedServicesProps = {
  namePrefix: "shop-dev",
  region: "us-west-2",
  partition: "aws-cn",
  accountId: "123456789012",
  vpcId: "vpc-0123456789abcdef0",
  clusterArn: "arn:aws:ecs:us-west-2:123456789012:cluster/shop-dev",
  capacityProviderName: "shop-dev",
  loadBalancerArn: "arn:aws:elasticloadbalancing:us-west-2:123456789012:loadbalancer/app/shop-dev/0123456789abcdef",
  loadBalancerDnsName: "shop-dev-123.us-west-2.elb.amazonaws.com",
  fileSystemId: "fs-0123456789abcdef0",
  fileSystemArn: "arn:aws:elasticfilesystem:us-west-2:123456789012:file-system/fs-0123456789abcdef0",
  discoveryZoneName: "svc.internal",
  services: [spec("web"), spec("api"), spec("admin")],
  logRetentionDays: 30,
  deregistrationDelaySeconds: 30,
};
const certificateArn = "arn:aws:acm:us-west-2:123456789012:certificate/0b1c2d3e-aaaa-bbbb-cccc-111122223333";

/** Synthesize the services in a fresh stack; the output `urls` shows serviceUrls. */
const synthServices = (props: Partial<PathRoutedServicesProps> = {}): StackJson =>
  synthConstruct((scope) => {
    const services = new PathRoutedServices(scope, "services", { ...baseProps, ...props });
    new TerraformOutput(scope, "urls", { value: services.serviceUrls });
  });

const targetGroup = (stack: StackJson, name: string): Found => resourceAt(stack, "aws_lb_target_group", `service-${name}/target-group`);
const ruleOf = (stack: StackJson, name: string) => resourceAt(stack, "aws_lb_listener_rule", `service-${name}/listener-rule`).values;

describe("PathRoutedServices", () => {
  test("serves the first container at /: the listener's default forwards to its target group, and it has no rule", () => {
    // GIVEN / WHEN
    const stack = synthServices();
    // THEN
    const [listener] = resources(stack, "aws_lb_listener");
    expect(listener.values.default_action).toEqual([{ type: "forward", target_group_arn: ref("aws_lb_target_group", targetGroup(stack, "web"), "arn") }]);
    expect(resources(stack, "aws_lb_listener_rule").map((r) => r.values.condition[0].path_pattern.values)).not.toContainEqual(["/web", "/web/*"]);
  });

  test("starts the first container's service only after the listener that forwards to it", () => {
    // GIVEN / WHEN
    const stack = synthServices();
    // THEN
    const [listener] = resources(stack, "aws_lb_listener");
    expect(resourceAt(stack, "aws_ecs_service", "service-web/service").values.depends_on).toEqual([`aws_lb_listener.${listener.name}`]);
  });

  test("routes /<name> and /<name>/* of each other container to its own target group, on the listener", () => {
    // GIVEN / WHEN
    const stack = synthServices();
    // THEN
    const listenerArn = ref("aws_lb_listener", resources(stack, "aws_lb_listener")[0], "arn");
    expect(resources(stack, "aws_lb_listener_rule")).toHaveLength(2);
    for (const name of ["api", "admin"]) {
      expect(ruleOf(stack, name)).toMatchObject({
        listener_arn: listenerArn,
        condition: [{ path_pattern: { values: [`/${name}`, `/${name}/*`] } }],
        action: [{ type: "forward", target_group_arn: ref("aws_lb_target_group", targetGroup(stack, name), "arn") }],
      });
    }
  });

  test("pairs each container with its own route whatever the list order: an explicit priority stays with its container", () => {
    // GIVEN
    const services = [spec("web"), spec("api", { priority: 7 }), spec("admin")];
    // WHEN
    const stack = synthServices({ services });
    const reordered = synthServices({ services: [services[0], services[2], services[1]] });
    // THEN
    for (const s of [stack, reordered]) {
      expect(ruleOf(s, "api").priority).toBe(7);
      expect(ruleOf(s, "api").condition).toEqual([{ path_pattern: { values: ["/api", "/api/*"] } }]);
      expect(ruleOf(s, "admin").priority).toBeGreaterThanOrEqual(1000);
    }
    expect(ruleOf(reordered, "admin").priority).toBe(ruleOf(stack, "admin").priority);
  });

  test("with a certificate, puts the rules on the HTTPS listener", () => {
    // GIVEN / WHEN
    const stack = synthServices({ certificateArn });
    // THEN
    const https = resourceAt(stack, "aws_lb_listener", "listeners/https");
    for (const name of ["api", "admin"]) expect(ruleOf(stack, name).listener_arn).toBe(ref("aws_lb_listener", https, "arn"));
  });

  test("gives each container's URL by name: / for the first, /<name> for the others", () => {
    // GIVEN / WHEN
    const stack = synthServices();
    // THEN
    expect(stack.output?.urls.value).toEqual({
      web: "http://shop-dev-123.us-west-2.elb.amazonaws.com/",
      api: "http://shop-dev-123.us-west-2.elb.amazonaws.com/api",
      admin: "http://shop-dev-123.us-west-2.elb.amazonaws.com/admin",
    });
  });

  test("with a certificate, gives https URLs", () => {
    // GIVEN / WHEN
    const stack = synthServices({ certificateArn, services: [spec("web"), spec("api")] });
    // THEN
    expect(stack.output?.urls.value).toEqual({
      web: "https://shop-dev-123.us-west-2.elb.amazonaws.com/",
      api: "https://shop-dev-123.us-west-2.elb.amazonaws.com/api",
    });
  });

  test("lets only ECS acting for the given account, partition and region assume the task roles and the shared execution role", () => {
    // GIVEN / WHEN
    const stack = synthServices();
    // THEN
    const roles = resources(stack, "aws_iam_role");
    expect(roles).toHaveLength(4); // three task roles and the execution role
    for (const role of roles) {
      expect(jsonDocumentOf(role.values.assume_role_policy).Statement).toEqual([
        {
          Effect: "Allow",
          Principal: { Service: "ecs-tasks.amazonaws.com" },
          Action: "sts:AssumeRole",
          Condition: {
            StringEquals: { "aws:SourceAccount": "123456789012" },
            ArnLike: { "aws:SourceArn": "arn:aws-cn:ecs:us-west-2:123456789012:*" },
          },
        },
      ]);
    }
    const execution = resourceAt(stack, "aws_ecs_task_definition", "service-api/task-definition").values.execution_role_arn;
    expect(execution).toBe(ref("aws_iam_role", resourceAt(stack, "aws_iam_role", "task-execution-role"), "arn"));
  });

  test("lets the execution role write only to the services' log groups, in the given partition, region and account", () => {
    // GIVEN / WHEN
    const stack = synthServices();
    // THEN
    const policy = jsonDocumentOf(resourceAt(stack, "aws_iam_role_policy", "task-execution-role/pull-images-and-log").values.policy);
    expect(policy.Statement).toContainEqual({
      Effect: "Allow",
      Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
      Resource: ["arn:aws-cn:logs:us-west-2:123456789012:log-group:/ecs/shop-dev/*"],
    });
  });

  test("attaches managed policies by name in the given partition, and ARNs as they are", () => {
    // GIVEN / WHEN
    const stack = synthServices({
      services: [spec("web", { managedPolicies: ["AmazonDynamoDBReadOnlyAccess", "arn:aws:iam::123456789012:policy/orders"] })],
    });
    // THEN
    expect(resources(stack, "aws_iam_role_policy_attachment").map((a) => a.values.policy_arn).sort()).toEqual([
      "arn:aws-cn:iam::aws:policy/AmazonDynamoDBReadOnlyAccess",
      "arn:aws:iam::123456789012:policy/orders",
    ]);
  });

  test("tells every container the load balancer and the discovery zone, next to its own environment", () => {
    // GIVEN / WHEN
    const stack = synthServices({ services: [spec("web", { environment: { MODE: "blue" } })] });
    // THEN
    const [container] = jsonDocumentOf(resourceAt(stack, "aws_ecs_task_definition", "service-web/task-definition").values.container_definitions);
    expect(container.environment).toEqual([
      { name: "DISCOVERY_ZONE", value: "svc.internal" },
      { name: "ENDPOINT", value: "shop-dev-123.us-west-2.elb.amazonaws.com" },
      { name: "MODE", value: "blue" },
    ]);
  });

  test("publishes a container by DNS under its discovery name only when it has one", () => {
    // GIVEN / WHEN
    const stack = synthServices({ services: [spec("web", { discoveryName: "www" }), spec("api")] });
    // THEN
    const labels = (name: string) =>
      jsonDocumentOf(resourceAt(stack, "aws_ecs_task_definition", `service-${name}/task-definition`).values.container_definitions)[0].dockerLabels;
    expect(labels("web")).toEqual({ SERVICE_8080_NAME: "_www._tcp" });
    expect(labels("api")).toBeUndefined();
  });

  test("reads no data source: the partition and the account come as props", () => {
    // GIVEN / WHEN
    const stack = synthServices();
    // THEN
    expect(stack.data).toBeUndefined();
  });

  test("fails without a container, naming services", () => {
    // GIVEN / WHEN / THEN
    expect(() => synthServices({ services: [] })).toThrow("PathRoutedServices: services must hold at least one container");
  });
});
