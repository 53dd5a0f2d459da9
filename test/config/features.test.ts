import { ConfigError, type ConfigProblem } from "../../config/config-error";
import { parseSecretArn, partitionOf } from "../../config/feature-schema";
import { loadConfig } from "../../config/load-config";

/** The production features' variables (config/feature-schema.ts): off by default, TF_VAR_ forms, and every bad value refused at once. */

const secretArn = "arn:aws:secretsmanager:us-west-2:123456789012:secret:prod/db-AbCdEf";
const parameterArn = "arn:aws:ssm:us-west-2:123456789012:parameter/prod/api-key";
const webAclArn = "arn:aws:wafv2:us-west-2:123456789012:regional/webacl/prod-acl/a1b2c3d4-5678-90ab-cdef-111122223333";

const load = (file: object, env: Record<string, string> = {}) => loadConfig({ ...env, PLATFORM_CONFIG: "platform.json" }, () => JSON.stringify(file));
function problemsOf(file: object, env: Record<string, string> = {}): ConfigProblem[] {
  try {
    load(file, env);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return [...(e as ConfigError).problems];
  }
  throw new Error("expected a ConfigError");
}
const web = (fields: object = {}) => ({ containers: [{ name: "web", ...fields }] });

describe("feature variables", () => {
  test("every feature is off by default", () => {
    // GIVEN / WHEN
    const config = load(web());
    // THEN
    expect(config).toMatchObject({ ecs_exec: false, alb_access_logs: false, waf_web_acl_arn: "", spot: false, spot_on_demand_base: 1, spot_instance_types: [], vpc_endpoints: false });
    expect(config.containers[0]).toMatchObject({ secrets: {} });
    expect(config.containers[0].autoscaling).toBeUndefined();
    expect(config.containers[0].health_check_command).toBeUndefined();
  });

  test("the platform-wide ones take TF_VAR_ forms", () => {
    // GIVEN / WHEN
    const config = load(web(), {
      TF_VAR_ecs_exec: "true",
      TF_VAR_alb_access_logs: "true",
      TF_VAR_waf_web_acl_arn: webAclArn,
      TF_VAR_spot: "true",
      TF_VAR_spot_on_demand_base: "0",
      TF_VAR_spot_instance_types: "t3.small, t3a.small",
      TF_VAR_vpc_endpoints: "true",
    });
    // THEN
    expect(config).toMatchObject({ ecs_exec: true, alb_access_logs: true, waf_web_acl_arn: webAclArn, spot: true, spot_on_demand_base: 0, spot_instance_types: ["t3.small", "t3a.small"], vpc_endpoints: true });
  });

  test("the per-container ones come from the JSON file", () => {
    // GIVEN / WHEN
    const config = load(
      web({
        desired_count: 3,
        autoscaling: { min: 2, max: 10, cpu_percent: 60 },
        secrets: { DB_PASSWORD: `${secretArn}:password::`, API_KEY: parameterArn },
        health_check_command: ["CMD", "/bin/busybox", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1/"],
      }),
    );
    // THEN
    expect(config.containers[0]).toMatchObject({
      autoscaling: { min: 2, max: 10, cpu_percent: 60 },
      secrets: { DB_PASSWORD: `${secretArn}:password::`, API_KEY: parameterArn },
      health_check_command: ["CMD", "/bin/busybox", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1/"],
    });
  });

  test("a bad TF_VAR_ form names the variable and the value", () => {
    expect(problemsOf(web(), { TF_VAR_spot: "yes" })).toContainEqual({ variable: "TF_VAR_spot", value: "yes", message: "must be true or false" });
  });
});

describe("feature validation: every problem at once, naming the field and the value", () => {
  test("autoscaling: min above max, and a desired count outside the range", () => {
    // GIVEN / WHEN
    const problems = problemsOf({
      containers: [
        { name: "a", autoscaling: { min: 5, max: 2, cpu_percent: 50 } },
        { name: "b", desired_count: 1, autoscaling: { min: 2, max: 4, cpu_percent: 50 } },
        { name: "c", autoscaling: { min: 1, max: 2, cpu_percent: 0 } },
      ],
    });
    // THEN
    expect(problems).toEqual(
      expect.arrayContaining([
        { variable: "platform.json: containers[0].autoscaling.min", value: 5, message: "must not exceed autoscaling.max (2)" },
        expect.objectContaining({ variable: "platform.json: containers[1].desired_count", value: 1, message: expect.stringContaining("between autoscaling.min (2) and autoscaling.max (4)") }),
        expect.objectContaining({ variable: "platform.json: containers[2].autoscaling.cpu_percent", value: 0 }),
      ]),
    );
  });

  test("secrets: a malformed ARN, a secret without its suffix, another partition, and names that clash", () => {
    // GIVEN / WHEN
    const problems = problemsOf({
      containers: [
        {
          name: "web",
          env: { TOKEN: "x" },
          secrets: {
            BAD: "prod/db-password",
            SHORT: "arn:aws:secretsmanager:us-west-2:123456789012:secret:prod/db",
            CHINA: "arn:aws-cn:ssm:cn-north-1:123456789012:parameter/x",
            TOKEN: parameterArn,
            ENDPOINT: parameterArn,
          },
        },
      ],
    });
    // THEN
    const at = (name: string) => problems.filter((p) => p.variable === `platform.json: containers[0].secrets.${name}`);
    expect(at("BAD")).toEqual([expect.objectContaining({ value: "prod/db-password", message: expect.stringContaining("must be the ARN of a Secrets Manager secret") })]);
    expect(at("SHORT")).toEqual([expect.objectContaining({ message: expect.stringContaining("the full ARN with its 6-character suffix") })]);
    expect(at("CHINA")).toEqual([expect.objectContaining({ message: "is in partition aws-cn (region cn-north-1), but aws_region us-west-2 is in aws; ECS reads secrets only within its partition" })]);
    expect(at("TOKEN")).toEqual([expect.objectContaining({ message: "TOKEN is also in env; a variable comes from env or from secrets, not both" })]);
    expect(at("ENDPOINT")).toEqual([expect.objectContaining({ message: "ENDPOINT is set by the platform in every container; choose another name" })]);
  });

  test("secrets: a name that is no environment variable name is refused, naming it", () => {
    expect(problemsOf(web({ secrets: { "9LIVES": parameterArn } }))).toEqual([
      expect.objectContaining({ variable: "platform.json: containers[0].secrets.9LIVES", value: "9LIVES" }),
    ]);
  });

  test("secrets: another Region of the same partition is accepted (ECS reads it by full ARN)", () => {
    expect(load(web({ secrets: { FLAG: "arn:aws:ssm:eu-west-1:123456789012:parameter/shared/flag" } })).containers[0].secrets).toEqual({
      FLAG: "arn:aws:ssm:eu-west-1:123456789012:parameter/shared/flag",
    });
  });

  test.each([
    [["curl", "-f", "http://localhost/"], 'must start with "CMD"'],
    [["CMD"], "needs a non-empty command after CMD"],
    [["CMD-SHELL", ""], "needs a non-empty command after CMD-SHELL"],
    [["CMD-SHELL", "curl", "-f"], "with CMD-SHELL takes exactly one shell command string after it"],
  ])("health_check_command %j: %s", (command, message) => {
    expect(problemsOf(web({ health_check_command: command }))).toEqual([
      expect.objectContaining({ variable: "platform.json: containers[0].health_check_command", value: command, message: expect.stringContaining(message) }),
    ]);
  });

  test.each([
    ["arn:aws:wafv2:us-east-1:123456789012:global/webacl/cf/a1b2c3d4-5678-90ab-cdef-111122223333", "must be the ARN of a regional WAFv2 web ACL"],
    ["arn:aws:waf::123456789012:webacl/a1b2c3d4-5678-90ab-cdef-111122223333", "must be the ARN of a regional WAFv2 web ACL"],
    [webAclArn.replace("us-west-2", "eu-west-1"), "is in eu-west-1, but the ALB is in aws_region us-west-2"],
  ])("waf_web_acl_arn %s is refused", (arn, message) => {
    expect(problemsOf(web(), { TF_VAR_waf_web_acl_arn: arn })).toEqual([
      expect.objectContaining({ variable: "TF_VAR_waf_web_acl_arn", value: arn, message: expect.stringContaining(message) }),
    ]);
  });

  test("spot: a base above asg_max, and instance types without spot", () => {
    expect(problemsOf(web(), { TF_VAR_spot: "true", TF_VAR_spot_on_demand_base: "9" })).toEqual([
      expect.objectContaining({ variable: "TF_VAR_spot_on_demand_base", value: 9, message: "must not exceed asg_max (5)" }),
    ]);
    expect(problemsOf(web(), { TF_VAR_spot_instance_types: "t3.small" })).toEqual([
      expect.objectContaining({ variable: "TF_VAR_spot_instance_types", message: expect.stringContaining("spot is off") }),
    ]);
  });

  test("vpc_endpoints with an existing VPC is refused, with the fix", () => {
    const existing = { TF_VAR_vpc_id: "vpc-0abc12345def67890", TF_VAR_public_subnet_ids: "subnet-0aaa1111,subnet-0bbb2222", TF_VAR_private_subnet_ids: "subnet-0ccc3333,subnet-0ddd4444" };
    expect(problemsOf(web(), { ...existing, TF_VAR_vpc_endpoints: "true" })).toEqual([
      expect.objectContaining({ variable: "TF_VAR_vpc_endpoints", value: true, message: expect.stringContaining("set vpc_endpoints=false") }),
    ]);
  });
});

describe("parseSecretArn and partitionOf", () => {
  test.each([
    [`${secretArn}:password:AWSCURRENT:`, { kind: "secretsmanager", partition: "aws", region: "us-west-2", resourceArn: secretArn }],
    [parameterArn, { kind: "ssm", partition: "aws", region: "us-west-2", resourceArn: parameterArn }],
    ["arn:aws:s3:::bucket/key", undefined],
  ])("%s", (arn, expected) => {
    expect(parseSecretArn(arn)).toEqual(expected);
  });

  test.each([
    ["us-west-2", "aws"],
    ["cn-northwest-1", "aws-cn"],
    ["us-gov-east-1", "aws-us-gov"],
  ])("%s is in %s", (region, partition) => {
    expect(partitionOf(region)).toBe(partition);
  });
});
