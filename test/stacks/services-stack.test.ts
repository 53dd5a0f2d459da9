import { configFrom, jsonDocumentOf, remoteStateOf, resourceAt, synthPlatform, type StackJson } from "../helpers/synth";

const addresses = (stack: StackJson) =>
  Object.entries(stack.resource ?? {})
    .flatMap(([type, byName]) => Object.keys(byName).map((name) => `${type}.${name}`))
    .sort();

describe("the services stack", () => {
  test("keeps the resource addresses it had before PathRoutedServices held its resources, so a deployed environment plans no change", () => {
    // GIVEN / WHEN
    const services = synthPlatform(configFrom({ TF_VAR_container_name: "web,api" })).stacks["dev-services"];
    // THEN: the addresses the stack gave these resources when it created them itself
    expect(addresses(services)).toEqual([
      "aws_cloudwatch_log_group.service-api_log-group_FC97E7A7",
      "aws_cloudwatch_log_group.service-web_log-group_AA19125F",
      "aws_ecs_service.service-api_service_454F4786",
      "aws_ecs_service.service-web_service_B591A6BB",
      "aws_ecs_task_definition.service-api_task-definition_BBE3E345",
      "aws_ecs_task_definition.service-web_task-definition_6F356145",
      "aws_efs_access_point.service-api_access-point_AD1CF06E",
      "aws_efs_access_point.service-web_access-point_30497060",
      "aws_iam_role.service-api_task-role_B5C77862",
      "aws_iam_role.service-web_task-role_D085AD2A",
      "aws_iam_role.task-execution-role_AACE36C4",
      "aws_iam_role_policy.service-api_own-access-point_8CCE3EF3",
      "aws_iam_role_policy.service-web_own-access-point_B300D2E8",
      "aws_iam_role_policy.task-execution-role_pull-images-and-log_E9A38111",
      "aws_lb_listener.listeners_http_118C22B1",
      "aws_lb_listener_rule.service-api_listener-rule_70C190E8",
      "aws_lb_target_group.service-api_target-group_B52B406B",
      "aws_lb_target_group.service-web_target-group_42D2B5B9",
    ]);
  });

  test("outputs each container's URL on the cluster stack's load balancer as service_urls", () => {
    // GIVEN / WHEN
    const services = synthPlatform(configFrom({ TF_VAR_container_name: "web,api" })).stacks["dev-services"];
    // THEN: the load balancer's name, as the containers get it in ENDPOINT
    const [container] = jsonDocumentOf(resourceAt(services, "aws_ecs_task_definition", "service-web/task-definition").values.container_definitions);
    const dns = container.environment.find((e: { name: string }) => e.name === "ENDPOINT").value;
    expect(dns).toContain(remoteStateOf("dev-cluster"));
    expect(services.output?.service_urls.value).toEqual({ web: `http://${dns}/`, api: `http://${dns}/api` });
  });
});
