import { z } from "zod";

/**
 * The production features teams compare us on (issue 16, item 4): service
 * auto scaling, secrets, container health checks, ECS Exec, ALB access logs,
 * a WAF association, Spot capacity and VPC endpoints. Every one is off
 * unless configured. Kept apart from schema.ts so that the platform's other
 * variables and these merge as blocks; schema.ts spreads them in and calls
 * {@link checkFeatureRules} from its cross-field rules.
 */

/** Container health check defaults (ECS's own: interval 30 s, timeout 5 s, 3 retries, no start period). */
export const HEALTH_CHECK_DEFAULTS = { intervalSeconds: 10, timeoutSeconds: 5, retries: 3, startPeriodSeconds: 30 } as const;

const partitionPattern = "aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b|aws-iso-e|aws-iso-f";
const regionPattern = "[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\\d";

/** A Secrets Manager secret's full ARN, optionally with ECS's `:json-key:version-stage:version-id` suffix. */
const SECRET_ARN = new RegExp(
  `^arn:(${partitionPattern}):secretsmanager:(${regionPattern}):(\\d{12}):secret:([A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{6})(:[^:]*:[^:]*:[^:]*)?$`,
);
/** An SSM Parameter Store parameter's ARN. */
const PARAMETER_ARN = new RegExp(`^arn:(${partitionPattern}):ssm:(${regionPattern}):(\\d{12}):parameter/([A-Za-z0-9_.\\-/]+)$`);
/** A regional (ALB, not CloudFront) WAFv2 web ACL. */
const WEB_ACL_ARN = new RegExp(`^arn:(${partitionPattern}):wafv2:(${regionPattern}):(\\d{12}):regional/webacl/[A-Za-z0-9_-]{1,128}/[a-f0-9-]{36}$`);

/** The partition a region belongs to. */
export function partitionOf(region: string): string {
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  if (region.startsWith("us-isob-")) return "aws-iso-b";
  if (region.startsWith("us-iso-")) return "aws-iso";
  if (region.startsWith("eu-isoe-")) return "aws-iso-e";
  if (region.startsWith("us-isof-")) return "aws-iso-f";
  return "aws";
}

/** What a container's `secrets` value names, read from its ARN. */
export interface SecretReference {
  readonly kind: "secretsmanager" | "ssm";
  readonly partition: string;
  readonly region: string;
  /** The ARN an IAM policy grants: the secret's ARN without ECS's JSON key suffix, or the parameter's ARN. */
  readonly resourceArn: string;
}

/** The secret or parameter an ARN names; `undefined` when it is neither. */
export function parseSecretArn(arn: string): SecretReference | undefined {
  const secret = SECRET_ARN.exec(arn);
  if (secret) {
    const [, partition, region, account, name] = secret;
    return { kind: "secretsmanager", partition, region, resourceArn: `arn:${partition}:secretsmanager:${region}:${account}:secret:${name}` };
  }
  const parameter = PARAMETER_ARN.exec(arn);
  if (parameter) return { kind: "ssm", partition: parameter[1], region: parameter[2], resourceArn: arn };
  return undefined;
}

const envVarName = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Per-container feature fields, spread into the container schema. */
export const containerFeatureFields = {
  autoscaling: z
    .strictObject({
      min: z.int().min(0).max(1000),
      max: z.int().min(1).max(1000),
      cpu_percent: z.int().min(1).max(100),
    })
    .optional()
    .describe(
      "Service auto scaling, e.g. `{ \"min\": 2, \"max\": 10, \"cpu_percent\": 60 }`: target tracking keeps the service's average CPU at `cpu_percent` with between `min` and `max` tasks (`desired_count` is the count at creation and must lie between them). Unset: a fixed `desired_count`.",
    ),
  secrets: z
    .record(z.string().regex(envVarName, "must be an environment variable name"), z.string())
    .default({})
    .describe(
      "Environment variables read at task start from Secrets Manager or SSM Parameter Store: `{ \"DB_PASSWORD\": \"<ARN>\" }`. A secret's full ARN (with the 6-character suffix, optionally `:json-key:stage:version`) or a parameter's ARN; the task execution role may read exactly these. Values encrypted with a customer managed KMS key also need `kms:Decrypt`, which is not granted.",
    ),
  health_check_command: z
    .array(z.string())
    .optional()
    .describe(
      `The container's health check, Docker style: \`["CMD-SHELL", "curl -f http://localhost/ || exit 1"]\` or \`["CMD", "/bin/check", "--quick"]\`; every ${HEALTH_CHECK_DEFAULTS.intervalSeconds} s, timeout ${HEALTH_CHECK_DEFAULTS.timeoutSeconds} s, unhealthy after ${HEALTH_CHECK_DEFAULTS.retries} failures, failures ignored for the first ${HEALTH_CHECK_DEFAULTS.startPeriodSeconds} s. ECS replaces an unhealthy task, and the DNS agents publish only healthy ones. Unset: none.`,
    ),
};

/** Platform-wide feature variables, spread into the platform schema. */
export const platformFeatureVariables = {
  ecs_exec: z.boolean().default(false).describe("ECS Exec (`aws ecs execute-command`) into every service's tasks: the services allow it and the task roles get the `ssmmessages` channel permissions it needs."),
  alb_access_logs: z
    .boolean()
    .default(false)
    .describe("ALB access logs to a new private, encrypted (SSE-S3), TLS-only bucket that only Elastic Load Balancing's log delivery may write; logs expire after `log_retention_days`."),
  waf_web_acl_arn: z
    .string()
    .default("")
    .describe("A regional WAFv2 web ACL (in `aws_region`) to associate with the ALB; empty: none."),
  spot: z
    .boolean()
    .default(false)
    .describe("Run the instances above `spot_on_demand_base` on Spot (a mixed-instances policy, price-capacity-optimized, capacity rebalancing, ECS Spot draining)."),
  spot_on_demand_base: z.int().min(0).max(1000).default(1).describe("With `spot`: instances that always run on demand."),
  spot_instance_types: z
    .array(z.string().regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, "must be an EC2 instance type such as t3.small"))
    .max(20)
    .default([])
    .describe("With `spot`: the instance types to choose from (comma-separated; the same CPU architecture as the AMI); empty: `instance_type` only."),
  vpc_endpoints: z
    .boolean()
    .default(false)
    .describe("VPC endpoints so that image pulls and logs bypass NAT: an S3 gateway endpoint, and interface endpoints with private DNS for ECR (api, dkr), CloudWatch Logs and SSM (HTTPS from the VPC only). Only for a VPC the platform creates."),
};

type Issue = (path: (string | number)[], message: string, input: unknown) => void;

/** The fields these rules read. */
interface FeatureConfig {
  readonly aws_region: string;
  readonly vpc_id: string;
  readonly asg_max: number;
  readonly waf_web_acl_arn: string;
  readonly spot: boolean;
  readonly spot_on_demand_base: number;
  readonly spot_instance_types: readonly string[];
  readonly vpc_endpoints: boolean;
  readonly containers: readonly {
    readonly desired_count: number;
    readonly env: Readonly<Record<string, string>>;
    readonly autoscaling?: { readonly min: number; readonly max: number; readonly cpu_percent: number };
    readonly secrets: Readonly<Record<string, string>>;
    readonly health_check_command?: readonly string[];
  }[];
}

/** The features' cross-field rules: each problem names the field, the value and the fix. */
export function checkFeatureRules(c: FeatureConfig, issue: Issue, reservedEnvNames: readonly string[]): void {
  const partition = partitionOf(c.aws_region);
  c.containers.forEach((container, i) => {
    const scaling = container.autoscaling;
    if (scaling) {
      if (scaling.min > scaling.max) issue(["containers", i, "autoscaling", "min"], `must not exceed autoscaling.max (${scaling.max})`, scaling.min);
      else if (container.desired_count < scaling.min || container.desired_count > scaling.max) {
        issue(["containers", i, "desired_count"], `must lie between autoscaling.min (${scaling.min}) and autoscaling.max (${scaling.max}): it is the task count at creation`, container.desired_count);
      }
    }
    for (const [name, arn] of Object.entries(container.secrets)) {
      const where = ["containers", i, "secrets", name];
      if (name in container.env) issue(where, `${name} is also in env; a variable comes from env or from secrets, not both`, name);
      if (reservedEnvNames.includes(name)) issue(where, `${name} is set by the platform in every container; choose another name`, name);
      const ref = parseSecretArn(arn);
      if (!ref) {
        issue(
          where,
          "must be the ARN of a Secrets Manager secret (arn:aws:secretsmanager:<region>:<account>:secret:<name>-AbCdEf, the full ARN with its 6-character suffix) or of an SSM parameter (arn:aws:ssm:<region>:<account>:parameter/<name>)",
          arn,
        );
      } else if (ref.partition !== partition || partitionOf(ref.region) !== partition) {
        issue(where, `is in partition ${ref.partition} (region ${ref.region}), but aws_region ${c.aws_region} is in ${partition}; ECS reads secrets only within its partition`, arn);
      }
    }
    const command = container.health_check_command;
    if (command !== undefined) {
      const where = ["containers", i, "health_check_command"];
      if (command[0] !== "CMD" && command[0] !== "CMD-SHELL") {
        issue(where, 'must start with "CMD" (then the program and its arguments) or "CMD-SHELL" (then one shell command), e.g. ["CMD-SHELL", "curl -f http://localhost/ || exit 1"]', command);
      } else if (command.length < 2 || command.slice(1).some((part) => part === "")) {
        issue(where, `needs a non-empty command after ${command[0]}`, command);
      } else if (command[0] === "CMD-SHELL" && command.length !== 2) {
        issue(where, "with CMD-SHELL takes exactly one shell command string after it", command);
      }
    }
  });

  if (c.waf_web_acl_arn !== "") {
    const match = WEB_ACL_ARN.exec(c.waf_web_acl_arn);
    if (!match) {
      issue(["waf_web_acl_arn"], "must be the ARN of a regional WAFv2 web ACL, arn:aws:wafv2:<region>:<account>:regional/webacl/<name>/<id> (a CloudFront (global) ACL cannot be associated with an ALB)", c.waf_web_acl_arn);
    } else if (match[2] !== c.aws_region) {
      issue(["waf_web_acl_arn"], `is in ${match[2]}, but the ALB is in aws_region ${c.aws_region}; a web ACL protects only resources in its own region`, c.waf_web_acl_arn);
    }
  }
  if (c.spot && c.spot_on_demand_base > c.asg_max) {
    issue(["spot_on_demand_base"], `must not exceed asg_max (${c.asg_max})`, c.spot_on_demand_base);
  }
  if (!c.spot && c.spot_instance_types.length > 0) {
    issue(["spot_instance_types"], "is set but spot is off; set spot=true or leave spot_instance_types empty", c.spot_instance_types);
  }
  if (c.vpc_endpoints && c.vpc_id !== "") {
    issue(["vpc_endpoints"], "adds endpoints only to a VPC the platform creates; with an existing vpc_id, add them to that VPC yourself or set vpc_endpoints=false", c.vpc_endpoints);
  }
}
