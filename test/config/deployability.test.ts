import { ConfigError, type ConfigProblem } from "../../config/config-error";
import { ARM64_AMI_PARAMETER, X86_AMI_PARAMETER } from "../../config/deployability";
import { ALB_SECURITY_POLICIES } from "../../config/elb-security-policies";
import { loadConfig } from "../../config/load-config";
import { configFrom, dataSources, resources, soleResource, synthPlatform } from "../helpers/synth";

/**
 * The inputs that synth used to accept and Terraform, AWS or ECS then refused
 * (or accepted and never ran): each is now refused at synth, naming the
 * variable, the value and the fix, or made to work.
 */

const web = { TF_VAR_container_name: "web" };

function problemsOf(env: Record<string, string>, file?: object): ConfigProblem[] {
  try {
    loadConfig(file ? { ...env, PLATFORM_CONFIG: "platform.json" } : env, () => JSON.stringify(file));
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return [...(e as ConfigError).problems];
  }
  throw new Error("expected a ConfigError");
}

function sole(problems: ConfigProblem[]): ConfigProblem {
  expect(problems).toHaveLength(1);
  return problems[0];
}

describe("names AWS would refuse", () => {
  test("a long environment gets an artifacts bucket prefix within the provider's 37 characters", () => {
    // GIVEN environment=production-east1 (name prefix ecs-platform-production-east1, 29 characters)
    const config = configFrom({ ...web, TF_VAR_environment: "production-east1" });
    // WHEN
    const { stacks } = synthPlatform(config);
    // THEN
    const prefix: string = soleResource(stacks["production-east1-cluster"], "aws_s3_bucket").bucket_prefix;
    expect(prefix.length).toBeLessThanOrEqual(37);
    expect(prefix).toMatch(/^ecs-platform-production-east1-[0-9a-z-]*-$/);
  });

  test("a short name prefix keeps the bucket prefix it always had (no replacement)", () => {
    const { stacks } = synthPlatform(configFrom(web));
    expect(soleResource(stacks["dev-cluster"], "aws_s3_bucket").bucket_prefix).toBe("ecs-platform-dev-artifacts-");
  });

  test.each(["internal", "internal-tools"])("resource_tag=%s is refused: the ALB's name would start with internal-", (tag) => {
    const problem = sole(problemsOf({ ...web, TF_VAR_resource_tag: tag }));
    expect(problem).toMatchObject({ variable: "TF_VAR_resource_tag", value: tag });
    expect(problem.message).toMatch(/internal-.*AWS refuses; choose another resource_tag/);
  });

  test("resource_tag=internals is fine", () => {
    expect(() => loadConfig({ ...web, TF_VAR_resource_tag: "internals" })).not.toThrow();
  });
});

describe("CIDRs with host bits set", () => {
  test("cidr_block=10.10.5.0/16 names 10.10.0.0/16", () => {
    const problem = sole(problemsOf({ ...web, TF_VAR_cidr_block: "10.10.5.0/16" }));
    expect(problem).toMatchObject({ variable: "TF_VAR_cidr_block", value: "10.10.5.0/16" });
    expect(problem.message).toMatch(/host bits set.*use 10\.10\.0\.0\/16$/);
  });

  test("admin_cidr_ingress=203.0.113.7/24 names the network and the one address", () => {
    const problem = sole(problemsOf({ ...web, TF_VAR_key_name: "ops", TF_VAR_admin_cidr_ingress: "203.0.113.7/24" }));
    expect(problem).toMatchObject({ variable: "TF_VAR_admin_cidr_ingress", value: "203.0.113.7/24" });
    expect(problem.message).toMatch(/use 203\.0\.113\.0\/24, or 203\.0\.113\.7\/32 for that one address$/);
  });

  test("an alb_ingress_cidrs item names its corrected network", () => {
    const problem = sole(problemsOf({ ...web, TF_VAR_alb_ingress_cidrs: "10.0.0.0/8,192.168.1.1/16" }));
    expect(problem).toMatchObject({ variable: "TF_VAR_alb_ingress_cidrs", value: "192.168.1.1/16" });
    expect(problem.message).toMatch(/use 192\.168\.0\.0\/16$/);
  });

  test.each(["10.10.0.0/16", "0.0.0.0/0", "203.0.113.7/32", "10.0.0.0/8"])("%s has no host bits and is accepted", (cidr) => {
    expect(() => loadConfig({ ...web, TF_VAR_alb_ingress_cidrs: cidr })).not.toThrow();
  });
});

describe("the HTTPS listener", () => {
  const certificate = (region: string) => `arn:aws:acm:${region}:123456789012:certificate/0b1c2d3e-aaaa-bbbb-cccc-111122223333`;

  test("a certificate from another region than aws_region is refused", () => {
    const problem = sole(problemsOf({ ...web, TF_VAR_aws_region: "us-west-2", TF_VAR_certificate_arn: certificate("eu-west-1") }));
    expect(problem).toMatchObject({ variable: "TF_VAR_certificate_arn", value: certificate("eu-west-1") });
    expect(problem.message).toMatch(/certificate in eu-west-1.*aws_region us-west-2.*request or import the certificate in ACM in us-west-2/);
  });

  test("a certificate of the stack's region is accepted", () => {
    expect(() => loadConfig({ ...web, TF_VAR_aws_region: "eu-west-1", TF_VAR_certificate_arn: certificate("eu-west-1") })).not.toThrow();
  });

  test("an unknown ssl_policy is refused with AWS's recommendation", () => {
    const problem = sole(problemsOf({ ...web, TF_VAR_ssl_policy: "TLS1.3-only" }));
    expect(problem).toMatchObject({ variable: "TF_VAR_ssl_policy", value: "TLS1.3-only" });
    expect(problem.message).toMatch(/not a security policy of Application Load Balancers; .*ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09/);
  });

  test("a policy in the wrong case is told AWS's spelling", () => {
    const problem = sole(problemsOf({ ...web, TF_VAR_ssl_policy: "elbsecuritypolicy-tls13-1-2-2021-06" }));
    expect(problem.message).toMatch(/use ELBSecurityPolicy-TLS13-1-2-2021-06 \(names are case-sensitive\)/);
  });

  test.each([...ALB_SECURITY_POLICIES])("%s is accepted", (policy) => {
    expect(loadConfig({ ...web, TF_VAR_ssl_policy: policy }).ssl_policy).toBe(policy);
  });
});

describe("an existing VPC and zone", () => {
  const existing = {
    ...web,
    TF_VAR_vpc_id: "vpc-0abc12345def67890",
    TF_VAR_public_subnet_ids: "subnet-0aaa1111,subnet-0bbb2222",
    TF_VAR_private_subnet_ids: "subnet-0ccc3333,subnet-0ddd4444",
  };

  test("the same private subnet twice is refused: two EFS mount targets in one zone", () => {
    const problem = sole(problemsOf({ ...existing, TF_VAR_private_subnet_ids: "subnet-0ccc3333,subnet-0ccc3333" }));
    expect(problem).toMatchObject({ variable: "TF_VAR_private_subnet_ids", value: "subnet-0ccc3333" });
    expect(problem.message).toMatch(/given twice \(also value 1\).*EFS refuses two in one availability zone/);
  });

  test("the same public subnet twice is refused", () => {
    const problem = sole(problemsOf({ ...existing, TF_VAR_public_subnet_ids: "subnet-0aaa1111,subnet-0aaa1111" }));
    expect(problem).toMatchObject({ variable: "TF_VAR_public_subnet_ids", value: "subnet-0aaa1111" });
  });

  test("discovery_zone_associated: the stack reads the zone and does not associate it again", () => {
    // GIVEN a zone that is already associated with the VPC
    const config = configFrom({ ...existing, TF_VAR_discovery_zone_id: "Z0123456789ABCDEFGHIJ", TF_VAR_discovery_zone_associated: "true" });
    // WHEN
    const { stacks } = synthPlatform(config);
    // THEN
    const discovery = stacks["dev-discovery"];
    expect(dataSources(discovery, "aws_route53_zone")).toHaveLength(1);
    expect(resources(discovery, "aws_route53_zone_association")).toEqual([]);
  });

  test("without it, the stack associates the existing zone with the VPC", () => {
    const { stacks } = synthPlatform(configFrom({ ...existing, TF_VAR_discovery_zone_id: "Z0123456789ABCDEFGHIJ" }));
    expect(soleResource(stacks["dev-discovery"], "aws_route53_zone_association").vpc_id).toBe("vpc-0abc12345def67890");
  });

  test("discovery_zone_associated without a zone id, or with a VPC the stack creates, is refused", () => {
    expect(sole(problemsOf({ ...existing, TF_VAR_discovery_zone_associated: "true" })).message).toMatch(/discovery_zone_id is empty/);
    expect(sole(problemsOf({ ...web, TF_VAR_discovery_zone_id: "Z0123456789ABCDEFGHIJ", TF_VAR_discovery_zone_associated: "true" })).message).toMatch(
      /the stack creates the VPC/,
    );
  });
});

describe("tasks that fit no instance", () => {
  test("memory above what a t3.small offers one task is refused, naming the limit and a type that fits", () => {
    // 2048 MiB less 128 MiB (kernel) and 256 MiB (ECS_RESERVED_MEMORY)
    const problem = sole(problemsOf({ TF_VAR_container_name: "web,api", TF_VAR_container_memory: "512,4096" }));
    expect(problem).toMatchObject({ variable: "TF_VAR_container_memory (value 2 of 2, container api)", value: 4096 });
    expect(problem.message).toMatch(/t3\.small host offers one task \(1664 MiB: .*ECS_RESERVED_MEMORY=256.*PROVISIONING; use at most 1664, or instance_type t3\.large$/);
  });

  test("the largest task that fits is accepted", () => {
    expect(() => loadConfig({ ...web, TF_VAR_container_memory: "1664", TF_VAR_container_cpu: "2048" })).not.toThrow();
  });

  test("cpu above the instance's vCPUs is refused", () => {
    const problem = sole(problemsOf({ ...web, TF_VAR_container_cpu: "4096" }));
    expect(problem).toMatchObject({ variable: "TF_VAR_container_cpu", value: 4096 });
    expect(problem.message).toMatch(/2 vCPU = 2048 CPU units.*use at most 2048, or instance_type t3\.xlarge$/);
  });

  test("the check follows instance_type", () => {
    expect(() => loadConfig({ ...web, TF_VAR_instance_type: "m7g.xlarge", TF_VAR_container_memory: "14000", TF_VAR_container_cpu: "4096" })).not.toThrow();
  });

  test("an instance type outside the table is not checked at synth", () => {
    expect(() => loadConfig({ ...web, TF_VAR_instance_type: "x2iedn.xlarge", TF_VAR_container_memory: "100000" })).not.toThrow();
  });

  test("the hosts' ECS config keeps ECS_RESERVED_MEMORY for the DNS agent", () => {
    const { stacks } = synthPlatform(configFrom(web));
    const userData = JSON.stringify(soleResource(stacks["dev-cluster"], "aws_launch_template").user_data);
    expect(userData).toContain("ECS_RESERVED_MEMORY=256");
  });
});

describe("Graviton instance types", () => {
  test.each(["t4g.small", "m7g.large", "c7g.xlarge", "r8g.large", "c6gn.large"])("%s gets the arm64 ECS AMI", (instanceType) => {
    const { stacks } = synthPlatform(configFrom({ ...web, TF_VAR_instance_type: instanceType }));
    expect(soleDataSource(stacks["dev-cluster"]).name).toBe(ARM64_AMI_PARAMETER);
  });

  test.each(["t3.small", "m7i.large", "c5.xlarge", "g5.xlarge"])("%s gets the x86_64 ECS AMI", (instanceType) => {
    const { stacks } = synthPlatform(configFrom({ ...web, TF_VAR_instance_type: instanceType }));
    expect(soleDataSource(stacks["dev-cluster"]).name).toBe(X86_AMI_PARAMETER);
  });

  test("the x86 AMI parameter given for a Graviton type is refused, naming the arm64 one", () => {
    const problem = sole(problemsOf({ ...web, TF_VAR_instance_type: "t4g.small", TF_VAR_ami_parameter: X86_AMI_PARAMETER }));
    expect(problem).toMatchObject({ variable: "TF_VAR_ami_parameter", value: X86_AMI_PARAMETER });
    expect(problem.message).toContain(`use ${ARM64_AMI_PARAMETER}, or leave ami_parameter empty`);
  });

  test("a parameter of the user's own is taken as given", () => {
    const { stacks } = synthPlatform(configFrom({ ...web, TF_VAR_instance_type: "t4g.small", TF_VAR_ami_parameter: "/golden/ecs-arm" }));
    expect(soleDataSource(stacks["dev-cluster"]).name).toBe("/golden/ecs-arm");
  });

  function soleDataSource(stack: Parameters<typeof dataSources>[0]) {
    const found = dataSources(stack, "aws_ssm_parameter");
    expect(found).toHaveLength(1);
    return found[0].values;
  }
});

describe("wait_for_steady_state", () => {
  test.each([
    ["aws, unset", { ...web }, true],
    ["aws, false", { ...web, TF_VAR_wait_for_steady_state: "false" }, false],
    ["local, unset", { ...web, TF_VAR_target: "local" }, false],
    ["local, false", { ...web, TF_VAR_target: "local", TF_VAR_wait_for_steady_state: "false" }, false],
  ])("%s: the services wait for a steady state: %s", (_case, env, expected) => {
    const { stacks } = synthPlatform(configFrom(env));
    expect(soleResource(stacks["dev-services"], "aws_ecs_service").wait_for_steady_state).toBe(expected);
  });

  test("true with target=local is refused: the emulator never reports running tasks", () => {
    const problem = sole(problemsOf({ ...web, TF_VAR_target: "local", TF_VAR_wait_for_steady_state: "true" }));
    expect(problem).toMatchObject({ variable: "TF_VAR_wait_for_steady_state", value: true });
    expect(problem.message).toMatch(/emulator \(moto\) reports no ECS service's tasks as running/);
  });
});

test("every such problem is reported at once, each naming its variable", () => {
  const problems = problemsOf({
    TF_VAR_container_name: "web",
    TF_VAR_container_memory: "8000",
    TF_VAR_resource_tag: "internal",
    TF_VAR_cidr_block: "10.10.5.0/16",
    TF_VAR_key_name: "ops",
    TF_VAR_admin_cidr_ingress: "203.0.113.7/24",
    TF_VAR_certificate_arn: "arn:aws:acm:eu-west-1:123456789012:certificate/0b1c2d3e",
    TF_VAR_ssl_policy: "modern",
    TF_VAR_instance_type: "t4g.small",
    TF_VAR_ami_parameter: X86_AMI_PARAMETER,
  });
  expect(problems.map((p) => p.variable).sort()).toEqual(
    [
      "TF_VAR_admin_cidr_ingress",
      "TF_VAR_ami_parameter",
      "TF_VAR_certificate_arn",
      "TF_VAR_cidr_block",
      "TF_VAR_container_memory",
      "TF_VAR_resource_tag",
      "TF_VAR_ssl_policy",
    ].sort(),
  );
});
