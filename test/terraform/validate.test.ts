import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { inPool } from "../../scripts/lib/pool";
import { terraformEnv } from "../../scripts/lib/terraform-env";
import { configFrom, EXISTING_NETWORK_LOCAL_TARGET, synthPlatformToDir } from "../helpers/synth";

/**
 * `terraform init -backend=false` + `terraform validate -json` in every
 * synthesized stack, against the pinned provider's real schema. Offline through
 * the machine's provider mirror when TF_PROVIDER_MIRROR is set (CI sets it);
 * without it Terraform downloads the provider from the registry.
 */

const run = promisify(execFile);

/** Two at a time: validate loads the AWS provider schema (~3 s, one core each). */
const CONCURRENCY = 2;

const names30 = Array.from({ length: 30 }, (_, i) => `service-${String(i).padStart(2, "0")}`);

/** Boundary values: the longest names every field allows, the largest lists, each enum value. */
const longName = (length: number, seed: string) => (seed + "x".repeat(length)).slice(0, length - 1) + "z";
const names100 = Array.from({ length: 100 }, (_, i) => longName(32, `c${String(i).padStart(3, "0")}-`));
const longest = {
  TF_VAR_environment: longName(16, "e-"),
  TF_VAR_resource_tag: longName(24, "t-"),
  TF_VAR_dns_owner: "o".repeat(20),
  TF_VAR_discovery_zone_name: `${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(40)}.internal`,
  TF_VAR_state_bucket: "tf-state",
  TF_VAR_state_key_prefix: "k".repeat(200),
};

const configurations: Record<string, Record<string, string>> = {
  "boundary: longest names, 100 containers of 32 characters, 6 AZs per AZ NAT, 4 ingress networks, Graviton, local target": {
    ...longest,
    TF_VAR_container_name: names100.join(","),
    TF_VAR_container_port: "65535",
    TF_VAR_desired_count: "1000",
    TF_VAR_az_count: "6",
    TF_VAR_cidr_block: "10.0.0.0/16",
    TF_VAR_nat_gateway_mode: "per_az",
    TF_VAR_alb_ingress_cidrs: "0.0.0.0/0,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16",
    TF_VAR_instance_type: "m7g.16xlarge",
    TF_VAR_container_cpu: "10240",
    TF_VAR_container_memory: "60000",
    TF_VAR_asg_min: "0",
    TF_VAR_asg_desired: "0",
    TF_VAR_asg_max: "1000",
    TF_VAR_log_retention_days: "3653",
    TF_VAR_deregistration_delay_seconds: "3600",
    TF_VAR_dns_ttl_seconds: "86400",
    TF_VAR_janitor_schedule_minutes: "1440",
    TF_VAR_target: "local",
    TF_VAR_wait_for_steady_state: "false",
  },
  "boundary: smallest values, internal ALB with HTTPS on another TLS policy, janitor health checks, no waiting": {
    TF_VAR_container_name: "a",
    TF_VAR_environment: "e",
    TF_VAR_resource_tag: "t",
    TF_VAR_container_port: "1",
    TF_VAR_desired_count: "0",
    TF_VAR_container_cpu: "0",
    TF_VAR_container_memory: "6",
    TF_VAR_instance_type: "t3.nano",
    TF_VAR_asg_min: "0",
    TF_VAR_asg_desired: "0",
    TF_VAR_asg_max: "1",
    TF_VAR_internal_elb: "true",
    TF_VAR_certificate_arn: "arn:aws:acm:us-west-2:123456789012:certificate/0b1c2d3e-aaaa-bbbb-cccc-111122223333",
    TF_VAR_ssl_policy: "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
    TF_VAR_janitor_health_checks: "true",
    TF_VAR_log_retention_days: "1",
    TF_VAR_dns_ttl_seconds: "0",
    TF_VAR_wait_for_steady_state: "false",
    TF_VAR_alarm_topic_arn: "arn:aws:sns:us-west-2:123456789012:ops-alerts",
  },
  "boundary: existing VPC with 6 subnets each, an already associated zone, arm64 AMI named": {
    TF_VAR_container_name: "a,b",
    TF_VAR_vpc_id: "vpc-0abc12345def67890",
    TF_VAR_public_subnet_ids: Array.from({ length: 6 }, (_, i) => `subnet-0aaa111${i}`).join(","),
    TF_VAR_private_subnet_ids: Array.from({ length: 6 }, (_, i) => `subnet-0ccc333${i}`).join(","),
    TF_VAR_discovery_zone_id: "Z0123456789ABCDEFGHIJ",
    TF_VAR_discovery_zone_associated: "true",
    TF_VAR_instance_type: "c7g.large",
    TF_VAR_ami_parameter: "/aws/service/ecs/optimized-ami/amazon-linux-2023/arm64/recommended/image_id",
    TF_VAR_ami_auto_update: "true",
  },
  "default, 3 containers (the issue's contract)": {
    TF_VAR_container_name: "a,b,c",
    TF_VAR_container_port: "8000,8001,8002",
  },
  "HTTPS, flow logs, per-AZ NAT over 3 zones, SSH, S3 state with a profile, a managed policy": {
    TF_VAR_container_name: "web,api,admin",
    TF_VAR_certificate_arn: "arn:aws:acm:us-west-2:123456789012:certificate/0b1c2d3e-aaaa-bbbb-cccc-111122223333",
    TF_VAR_flow_logs: "true",
    TF_VAR_nat_gateway_mode: "per_az",
    TF_VAR_az_count: "3",
    TF_VAR_key_name: "ops",
    TF_VAR_admin_cidr_ingress: "203.0.113.7/32",
    TF_VAR_state_bucket: "tf-state",
    TF_VAR_profile: "edu",
    TF_VAR_add_aws_policy: "false,true,false",
    TF_VAR_aws_policy: ",AmazonDynamoDBReadOnlyAccess,",
    TF_VAR_ami_auto_update: "true",
  },
  "existing VPC and zone, internal ALB, local target with S3 state on the emulator": {
    ...EXISTING_NETWORK_LOCAL_TARGET,
    TF_VAR_state_bucket: "tf-state",
  },
  "every production feature on (issue 16): ECS Exec, access logs, WAF, Spot, VPC endpoints; the per-container ones from the file": {
    PLATFORM_CONFIG_JSON: JSON.stringify({
      containers: [
        {
          name: "web",
          autoscaling: { min: 1, max: 4, cpu_percent: 60 },
          health_check_command: ["CMD-SHELL", "curl -f http://localhost/ || exit 1"],
          secrets: {
            DB_PASSWORD: "arn:aws:secretsmanager:us-west-2:123456789012:secret:prod/db-AbCdEf:password::",
            API_KEY: "arn:aws:ssm:us-west-2:123456789012:parameter/prod/api-key",
          },
        },
        { name: "api", health_check_command: ["CMD", "/bin/check"] },
      ],
    }),
    TF_VAR_ecs_exec: "true",
    TF_VAR_alb_access_logs: "true",
    TF_VAR_waf_web_acl_arn: "arn:aws:wafv2:us-west-2:123456789012:regional/webacl/prod-acl/a1b2c3d4-5678-90ab-cdef-111122223333",
    TF_VAR_spot: "true",
    TF_VAR_spot_instance_types: "t3.small,t3a.small",
    TF_VAR_vpc_endpoints: "true",
  },
  "30 containers": {
    TF_VAR_container_name: names30.join(","),
    TF_VAR_container_port: "8080",
  },
};

interface Diagnostic {
  severity: "error" | "warning";
  summary: string;
  detail?: string;
  address?: string;
}
interface Validation {
  valid: boolean;
  error_count: number;
  warning_count: number;
  diagnostics: Diagnostic[];
}

const outdirs: string[] = [];
const results = new Map<string, Validation>();
const expectedStacks: [string, string][] = [];
let cliConfigDir: string;

async function validateStack(dir: string, env: NodeJS.ProcessEnv): Promise<Validation> {
  await run("terraform", ["init", "-backend=false", "-input=false", "-no-color"], { cwd: dir, env, maxBuffer: 16 << 20 });
  try {
    const { stdout } = await run("terraform", ["validate", "-json", "-no-color"], { cwd: dir, env, maxBuffer: 16 << 20 });
    return JSON.parse(stdout);
  } catch (e) {
    // validate exits 1 when the configuration is invalid; its JSON is still on stdout.
    const stdout = (e as { stdout?: string }).stdout;
    if (stdout) return JSON.parse(stdout);
    throw e;
  }
}

const key = (configuration: string, stack: string) => `${configuration} / ${stack}`;

/** A configuration's variables, and its config file when it has one (PLATFORM_CONFIG_JSON, this file's own key). */
function configOf(vars: Record<string, string>) {
  const { PLATFORM_CONFIG_JSON: file, ...env } = vars;
  return configFrom(env, file === undefined ? undefined : JSON.parse(file));
}

for (const [configuration, env] of Object.entries(configurations)) {
  const config = configOf(env);
  const names = [...(config.vpc_id ? [] : ["network"]), "discovery", "cluster", "services"].map((layer) => `${config.environment}-${layer}`);
  for (const stack of names) expectedStacks.push([configuration, stack]);
}

beforeAll(async () => {
  cliConfigDir = mkdtempSync(join(tmpdir(), "tf-cli-config-"));
  const env = terraformEnv(process.env, cliConfigDir);
  const jobs: (() => Promise<void>)[] = [];
  for (const [configuration, vars] of Object.entries(configurations)) {
    const { outdir, stackNames } = synthPlatformToDir(configOf(vars));
    outdirs.push(outdir);
    for (const stack of stackNames) {
      jobs.push(async () => {
        results.set(key(configuration, stack), await validateStack(join(outdir, "stacks", stack), env));
      });
    }
  }
  await inPool(jobs, CONCURRENCY);
}, 1_200_000);

afterAll(() => {
  for (const dir of [...outdirs, cliConfigDir]) if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("terraform validate", () => {
  test("synthesizes exactly the expected stacks for every configuration", () => {
    // GIVEN / WHEN: beforeAll synthesized and validated every configuration
    // THEN
    expect([...results.keys()].sort()).toEqual(expectedStacks.map(([c, s]) => key(c, s)).sort());
  });

  test.each(expectedStacks)("%s: %s is valid, with no error diagnostics", (configuration, stack) => {
    // GIVEN / WHEN: synthesized and validated in beforeAll
    const result = results.get(key(configuration, stack));
    // THEN
    expect(result).toBeDefined();
    const errors = result!.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.summary}: ${d.detail ?? ""} ${d.address ?? ""}`);
    expect(errors).toEqual([]);
    expect(result!.error_count).toBe(0);
    expect(result!.valid).toBe(true);
  });
});
