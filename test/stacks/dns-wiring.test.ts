import { configFrom, jsonDocumentOf, joinedText, remoteStateOf, resources, soleResource, synthPlatform, type StackJson } from "../helpers/synth";

const containers = { TF_VAR_container_name: "web,api,admin", TF_VAR_container_port: "8000,8001,8002" };
const synth = (env: Record<string, string> = {}) => synthPlatform(configFrom({ ...containers, ...env })).stacks;

/** Every IAM policy document in a stack: inline policies and trust policies. */
function policyDocuments(stack: StackJson): { Effect: string; Action: string | string[]; Resource?: string | string[] }[] {
  return [
    ...resources(stack, "aws_iam_role_policy").map((r) => r.values.policy),
    ...resources(stack, "aws_efs_file_system_policy").map((r) => r.values.policy),
  ].flatMap((p) => jsonDocumentOf(p).Statement);
}

describe("the DNS agent on every instance and the janitor, wired across stacks", () => {
  test("every instance's user data installs the agent for the discovery stack's zone", () => {
    // GIVEN / WHEN
    const stacks = synth({ TF_VAR_dns_ttl_seconds: "30", TF_VAR_dns_owner: "shop" });
    // THEN
    const script = joinedText(soleResource(stacks["dev-cluster"], "aws_launch_template").user_data, "base64encode");
    // (the agent's unit, not its Docker proxy's: both start with ExecStart=/usr/bin/node-22)
    const exec = script.split("\n").find((l) => l.startsWith("ExecStart=") && l.includes("/opt/ecsdns/agent.js"))!;
    expect(exec).toContain(`--zone-id \${${remoteStateOf("dev-discovery")}`);
    expect(exec).toContain("--ttl 30");
    expect(exec).toContain("--owner shop");
    // The agent is installed before the instance joins the cluster: a failed install keeps it out.
    expect(script.indexOf("ecsdns agent")).toBeLessThan(script.indexOf("ECS_CLUSTER="));
  });

  test("the instance role gets the agent's zone-scoped policy; the janitor sweeps the same zone for the same owner", () => {
    const stacks = synth({ TF_VAR_dns_owner: "shop" });
    const instancePolicy = resources(stacks["dev-cluster"], "aws_iam_role_policy").find((p) => p.values.name === "ecsdns-agent")!;
    expect(instancePolicy.values.role).toMatch(/^\$\{aws_iam_role\.ecs_instance-role_[0-9A-F]+\.name\}$/);
    // A dead agent's instance may mark itself unhealthy, in its own group only.
    const group = resources(stacks["dev-cluster"], "aws_autoscaling_group")[0];
    expect(jsonDocumentOf(instancePolicy.values.policy).Statement).toContainEqual({
      Effect: "Allow",
      Action: ["autoscaling:SetInstanceHealth"],
      Resource: [`\${aws_autoscaling_group.${group.name}.arn}`],
    });
    expect(soleResource(stacks["dev-discovery"], "aws_lambda_function").environment.variables).toMatchObject({
      ECSDNS_ZONE_ID: expect.stringContaining("aws_route53_zone."),
      ECSDNS_OWNER: "shop",
    });
  });

  test("no policy anywhere allows a wildcard action, and nothing attaches Route53FullAccess", () => {
    const stacks = synth({ TF_VAR_janitor_health_checks: "true" });
    for (const [name, stack] of Object.entries(stacks)) {
      // A Deny may say "*" (the EFS policy refuses everything without TLS).
      for (const statement of policyDocuments(stack).filter((s) => s.Effect === "Allow")) {
        const actions = ([] as string[]).concat(statement.Action);
        for (const action of actions) expect({ stack: name, action }).toEqual({ stack: name, action: expect.stringMatching(/^[a-z0-9-]+:[A-Za-z]+$/) });
      }
      for (const attachment of resources(stack, "aws_iam_role_policy_attachment")) {
        expect(attachment.values.policy_arn).not.toMatch(/Route53FullAccess|AdministratorAccess|PowerUserAccess/);
      }
    }
  });

  test("the janitor's alarms (its failures, agents that stopped reporting) notify the topic of alarm_topic_arn, and have no actions without one", () => {
    const topic = "arn:aws:sns:us-west-2:123456789012:ops-alerts";
    const alarms = (env: Record<string, string>) => resources(synth(env)["dev-discovery"], "aws_cloudwatch_metric_alarm").map((a) => [a.values.metric_name, a.values.alarm_actions]).sort();
    expect(alarms({})).toEqual([["ApproximateNumberOfMessagesVisible", undefined], ["Errors", undefined], ["HeldSilentHosts", undefined], ["SilentHosts", undefined]]);
    expect(alarms({ TF_VAR_alarm_topic_arn: topic })).toEqual([
      ["ApproximateNumberOfMessagesVisible", [topic]],
      ["Errors", [topic]],
      ["HeldSilentHosts", [topic]],
      ["SilentHosts", [topic]],
    ]);
  });

  test("with janitor health checks, the instances accept the dynamic ports from the janitor's security group too", () => {
    const without = resources(synth()["dev-cluster"], "aws_vpc_security_group_ingress_rule").filter((r) => r.name.includes("dynamic-ports"));
    expect(without).toEqual([]);
    const stacks = synth({ TF_VAR_janitor_health_checks: "true" });
    const rule = resources(stacks["dev-cluster"], "aws_vpc_security_group_ingress_rule").find((r) => r.name.includes("dynamic-ports"))!;
    expect(rule.values).toMatchObject({ from_port: 32768, to_port: 65535, referenced_security_group_id: expect.stringContaining(remoteStateOf("dev-discovery")) });
  });

  test("every container learns the discovery zone's name, next to ENDPOINT", () => {
    const stacks = synth();
    for (const td of resources(stacks["dev-services"], "aws_ecs_task_definition")) {
      const names = (jsonDocumentOf(td.values.container_definitions)[0].environment as { name: string }[]).map((e) => e.name);
      expect(names).toEqual(expect.arrayContaining(["DISCOVERY_ZONE", "ENDPOINT"]));
    }
  });
});
