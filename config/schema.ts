import { z } from "zod";
import { httpCheckPathProblem } from "../dns/set-identifier";
import { hostBitsProblem } from "./cidr-text";
import { checkDeployability, X86_AMI_PARAMETER } from "./deployability";
import { ALB_SECURITY_POLICIES, sslPolicySuggestion } from "./elb-security-policies";
import { checkFeatureRules, containerFeatureFields, platformFeatureVariables } from "./feature-schema";

/**
 * The platform's variables: one schema, validated once in `main.ts`.
 *
 * Keys are the seed project's Terraform variable names (snake_case), so a key
 * here is also the JSON config file's key and, for scalars, `TF_VAR_<key>`.
 * Per-container settings live in `containers`; `config/tf-vars.ts` maps the
 * seed's comma-separated `TF_VAR_container_*` lists onto them. Every
 * description here is rendered into README.md's variables table.
 */

/** ALB limit: 100 target groups per load balancer (not adjustable). */
export const MAX_CONTAINERS = 100;

/** CloudWatch Logs accepts only these retention periods. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** The current ECS-optimized Amazon Linux 2023 AMI for x86_64, published by AWS in SSM (arm64: config/deployability.ts). */
export const DEFAULT_AMI_PARAMETER = X86_AMI_PARAMETER;

/** Environment variables that the platform sets itself in every container. */
export const RESERVED_ENV_NAMES = ["ENDPOINT", "DISCOVERY_ZONE"] as const;

const PORT_RANGE = "must be a port number (1-65535)";
const dnsLabel = /^[a-z]([a-z0-9-]*[a-z0-9])?$/;
const envVarName = /^[A-Za-z_][A-Za-z0-9_]*$/;
const cidr = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}\/(3[0-2]|[12]?\d)$/;
const dockerTag = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const urlPath = /^\/[A-Za-z0-9\-._~%!$&'()*+,;=:@/]*$/;
const subnetId = z.string().regex(/^subnet-[0-9a-f]{8,17}$/, "must be a subnet id such as subnet-0abc12345def67890");
const label = (max: number) =>
  z.string().max(max).regex(dnsLabel, `must be lowercase letters, digits and hyphens, starting with a letter (at most ${max})`);

/** An IPv4 CIDR with no host bits set (AWS refuses 10.10.5.0/16); the problem names the network meant. */
const networkCidr = (example: string, orOneAddress = false) =>
  z
    .string()
    .regex(cidr, `must be an IPv4 CIDR such as ${example}`)
    .superRefine((value, ctx) => {
      const problem = hostBitsProblem(value, orOneAddress);
      if (problem) ctx.addIssue({ code: "custom", message: problem, input: value });
    });

/** A list in which each item may appear once. */
const noDuplicates = <T extends z.ZodType<string>>(item: T, why: string) =>
  z.array(item).superRefine((items, ctx) => {
    items.forEach((value, i) => {
      const first = items.indexOf(value);
      if (first < i) ctx.addIssue({ code: "custom", path: [i], message: `is given twice (also value ${first + 1}): ${why}; give each once`, input: value });
    });
  });

const containerSchema = z.strictObject({
  name: label(32).describe("The container's name: its service, path `/<name>`, log group, task role and EFS directory."),
  port: z.int().min(1, PORT_RANGE).max(65535, PORT_RANGE).default(80).describe("The port the application listens on inside the container; the host port is dynamic."),
  desired_count: z.int().min(0).max(1000).default(2).describe("Tasks to run."),
  version_tag: z.string().regex(dockerTag, "must be a Docker image tag").default("latest").describe("Image tag."),
  namespace: z.string().max(255).default("").describe("Repository namespace between `registry_url` and the name, e.g. `microservices/`."),
  image: z.string().max(255).default("").describe("An explicit image; replaces `registry_url` + `namespace` + name + `:` + `version_tag`."),
  health_check: z
    .string()
    .max(1024)
    .transform((p) => (p.startsWith("/") ? p : `/${p}`))
    .pipe(z.string().regex(urlPath, "must be a URL path such as /health"))
    .default("/")
    .describe(
      "Target group health check path (the leading `/` is optional). With `janitor_health_checks` and `discovery`, the janitor probes each task there too, so it must then fit the SRV record's set identifier: at most 22 characters, letters, digits, `-` and `_` between slashes.",
    ),
  cpu: z.int().min(0).max(10240).default(256).describe("CPU units (1024 = one vCPU)."),
  memory: z.int().min(6).max(1_048_576).default(512).describe("Hard memory limit, MiB."),
  env: z
    .record(z.string().regex(envVarName, "must be an environment variable name"), z.string())
    .default({})
    .describe("The container's own environment variables (`ENDPOINT` and `DISCOVERY_ZONE` are set by the platform)."),
  aws_policies: z
    .array(z.string().min(1))
    .default([])
    .describe("Managed policies for the container's task role: AWS-managed names (`AmazonDynamoDBReadOnlyAccess`) or ARNs."),
  priority: z.int().min(1).max(50000).optional().describe("Listener rule priority; derived from the name when unset."),
  discovery: z
    .boolean()
    .default(true)
    .describe("Publish the container's port by DNS: the DNS agents keep an SRV record `_<discovery_name>._tcp.<discovery_zone_name>` for each of its tasks (through a Docker label of its task definition)."),
  discovery_name: label(62).optional().describe("The service's name in its SRV record, `_<discovery_name>._tcp`; unset: the container's name."),

  // Production features (issue 16, item 4): config/feature-schema.ts.
  ...containerFeatureFields,
});

const platformVariables = z.strictObject({
  environment: label(16).default("dev").describe("Environment name: stacks are `<environment>-network`, `-discovery`, `-cluster`, `-services`."),
  resource_tag: label(24)
    .refine((tag) => tag !== "internal" && !tag.startsWith("internal-"), {
      message: "would start the load balancer's name with `internal-`, which AWS refuses; choose another resource_tag",
    })
    .default("ecs-platform").describe("Prefix of every resource name (with the environment) and the `Project` tag."),
  aws_region: z
    .string()
    .regex(/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/, "must be an AWS region such as us-west-2")
    .default("us-west-2")
    .describe("AWS region."),
  profile: z.string().default("").describe("AWS CLI profile; empty uses the SDK's standard credential chain."),
  target: z.enum(["aws", "local"]).default("aws").describe("`aws`, or `local` for the emulator at `local_endpoint` (fake credentials)."),
  local_endpoint: z.url().default("http://127.0.0.1:4566").describe("The emulator's URL; used only with `target=local`."),

  cidr_block: networkCidr("10.10.0.0/16").default("10.10.0.0/16").describe("VPC range; subnets are its /24s."),
  az_count: z.int().min(2).max(6).default(2).describe("Availability zones, each with a public and a private subnet."),
  nat_gateway_mode: z.enum(["single", "per_az"]).default("single").describe("`single` NAT gateway, or one `per_az`."),
  flow_logs: z.boolean().default(false).describe("VPC flow logs to CloudWatch Logs (retention `log_retention_days`)."),
  vpc_id: z
    .string()
    .regex(/^vpc-[0-9a-f]{8,17}$/, "must be a VPC id such as vpc-0abc12345def67890")
    .or(z.literal(""))
    .default("")
    .describe("Use this existing VPC instead of creating one (with both subnet lists)."),
  public_subnet_ids: noDuplicates(subnetId, "the load balancer needs subnets in two availability zones").default([]).describe("With `vpc_id`: subnets for the ALB (comma-separated)."),
  private_subnet_ids: noDuplicates(subnetId, "each private subnet gets an EFS mount target, and EFS refuses two in one availability zone").default([]).describe("With `vpc_id`: subnets for instances and EFS (comma-separated)."),

  instance_type: z
    .string()
    .regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, "must be an EC2 instance type such as t3.small")
    .default("t3.small")
    .describe("ECS instance type."),
  asg_min: z.int().min(0).max(1000).default(2).describe("Auto scaling group minimum."),
  asg_max: z.int().min(1).max(1000).default(5).describe("Auto scaling group maximum."),
  asg_desired: z.int().min(0).max(1000).default(2).describe("Instances at creation; ECS managed scaling adjusts it afterwards."),
  key_name: z.string().max(255).default("").describe("EC2 key pair; SSH is opened only with `admin_cidr_ingress` too."),
  admin_cidr_ingress: networkCidr("203.0.113.7/32", true)
    .or(z.literal(""))
    .default("")
    .describe("Network allowed to SSH to the instances (with `key_name`)."),
  ami_parameter: z
    .string()
    .startsWith("/")
    .or(z.literal(""))
    .default("")
    .describe(
      `SSM parameter holding the ECS AMI id; empty: AWS's ECS-optimized Amazon Linux 2023 for the instance type's architecture (\`${DEFAULT_AMI_PARAMETER}\`, or its \`/arm64/\` twin for Graviton types such as t4g, m7g, c7g).`,
    ),
  ami_auto_update: z.boolean().default(false).describe("Replace instances when AWS publishes a newer AMI; off: a new AMI changes nothing."),

  internal_elb: z.boolean().default(false).describe("Internal ALB (private subnets) instead of internet-facing."),
  alb_ingress_cidrs: z.array(networkCidr("0.0.0.0/0")).min(1).default(["0.0.0.0/0"]).describe("Networks allowed to reach the ALB (comma-separated)."),
  certificate_arn: z
    .string()
    .regex(/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[A-Za-z0-9-]+$/, "must be an ACM certificate ARN")
    .or(z.literal(""))
    .default("")
    .describe("ACM certificate: adds HTTPS on 443, and HTTP then redirects to it."),
  ssl_policy: z
    .string()
    .superRefine((policy, ctx) => {
      if (!(ALB_SECURITY_POLICIES as readonly string[]).includes(policy)) {
        ctx.addIssue({ code: "custom", message: `is not a security policy of Application Load Balancers; ${sslPolicySuggestion(policy)}`, input: policy });
      }
    })
    .default("ELBSecurityPolicy-TLS13-1-2-2021-06")
    .describe("TLS policy of the HTTPS listener: one of AWS's security policies for Application Load Balancers (`ELBSecurityPolicy-…`, config/elb-security-policies.ts)."),
  wait_for_steady_state: z
    .boolean()
    .optional()
    .describe(
      "`cdktf deploy` waits until every created or changed ECS service runs its desired count of tasks and no other deployment (up to 20 minutes per service), so a deployment that ECS rolls back fails the deploy and the Jenkins build; unset: on for `target=aws`, off for `target=local` (the emulator never reports tasks as running).",
    ),
  alb_deletion_protection: z.boolean().default(false).describe("ALB deletion protection (blocks `destroy` while on)."),
  deregistration_delay_seconds: z.int().min(0).max(3600).default(30).describe("Target group connection draining."),

  registry_url: z.string().max(255).default("").describe("Image registry, e.g. `123456789012.dkr.ecr.us-west-2.amazonaws.com/`; empty: Docker Hub."),
  log_retention_days: z
    .int()
    .refine((d) => (LOG_RETENTION_DAYS as readonly number[]).includes(d), {
      message: `must be one of CloudWatch's retention periods: ${LOG_RETENTION_DAYS.join(", ")}`,
    })
    .default(30)
    .describe("Retention of the services' log groups (and flow logs)."),

  discovery_zone_name: z
    .string()
    .regex(/^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, "must be a DNS name such as servicediscovery.internal")
    .default("servicediscovery.internal")
    .describe("Private hosted zone the DNS agents write to."),
  discovery_zone_id: z
    .string()
    .regex(/^[A-Z0-9]{1,32}$/, "must be a Route53 hosted zone id such as Z0123456789ABCDEFGHIJ")
    .or(z.literal(""))
    .default("")
    .describe("Use this existing private zone instead of creating one; the stack associates it with the VPC unless `discovery_zone_associated`."),
  discovery_zone_associated: z
    .boolean()
    .default(false)
    .describe(
      "With `discovery_zone_id` and `vpc_id`: the zone is already associated with the VPC, so the stack neither associates it (Route53 would refuse a second association) nor ever disassociates it. A variable, not a lookup: a lookup cannot tell an association someone else made from the one this stack made, and would remove its own on the next plan.",
    ),

  dns_owner: z
    .string()
    .regex(/^[a-z0-9-]{1,20}$/, "must be 1-20 lowercase letters, digits or hyphens")
    .default("ecsdns")
    .describe("Owner prefix of the DNS agents' set identifiers; the agents and the janitor touch only records carrying it."),
  dns_ttl_seconds: z.int().min(0).max(86400).default(10).describe("TTL of the agents' records."),
  dns_negative_ttl_seconds: z
    .int()
    .min(0)
    .max(86400)
    .default(10)
    .describe(
      "Negative-caching TTL of the private zone (the last field and the TTL of its SOA): how long resolvers remember that a name does not exist. Route53's default, 900 s, would leave a redeployed single-task service unresolvable for 15 minutes. Not applied to an existing zone (discovery_zone_id).",
    ),
  dns_resync_seconds: z.int().min(10).max(3600).default(500).describe("The agents' full pass period: each rewrites the host's records in one Route53 call (200 hosts at 500 s: 0.4 requests/s of the account's 10)."),
  janitor_schedule_minutes: z.int().min(1).max(1440).default(5).describe("Period of the janitor's safety-net sweep (it also runs on every instance stop or termination)."),
  janitor_health_checks: z
    .boolean()
    .default(false)
    .describe(
      "The janitor probes over HTTP the SRV targets whose containers ask for it (`SERVICE_CHECK_HTTP=<path>`, at that path; the platform's containers with discovery ask at their `health_check`), and removes the SRV record of one that fails (the function then runs in the VPC); other services are never probed.",
    ),
  janitor_health_check_timeout_ms: z.int().min(100).max(60000).default(2000).describe("Timeout of one health check try."),
  janitor_health_check_tries: z.int().min(1).max(10).default(3).describe("Failed tries before the janitor removes an SRV record (it never stops tasks)."),
  alarm_topic_arn: z
    .string()
    .regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/, "must be the ARN of a standard SNS topic such as arn:aws:sns:us-west-2:123456789012:ops-alerts")
    .or(z.literal(""))
    .default("")
    .describe("SNS topic that the DNS janitor's alarms notify (an invocation that failed for good, errors two sweeps in a row); empty: the alarms exist without actions."),

  // Production features (issue 16, item 4): config/feature-schema.ts.
  ...platformFeatureVariables,

  state_bucket: z.string().default("").describe("S3 bucket for Terraform state; empty: local state files."),
  state_region: z.string().default("").describe("Region of `state_bucket`; empty: `aws_region`."),
  state_key_prefix: z.string().default("ecs-platform").describe("State keys are `<prefix>/<environment>/<stack>.tfstate`."),

  containers: z
    .array(containerSchema)
    .min(1, "no containers are configured; set TF_VAR_container_name (and TF_VAR_container_port) or containers in the file named by PLATFORM_CONFIG")
    .max(MAX_CONTAINERS, `an ALB takes at most ${MAX_CONTAINERS} target groups, so at most ${MAX_CONTAINERS} containers`)
    .describe("The container list, in order: the first is served at `/`."),
});

/** The schema with its cross-field rules. */
export const platformConfigSchema = platformVariables.superRefine(checkCrossFieldRules);

/** The per-container schema, for documentation. */
export const containerConfigSchema = containerSchema;

/** The configuration as written by users (defaults not yet filled in). */
export type RawPlatformConfig = z.input<typeof platformConfigSchema>;
/** The validated configuration, every default filled in. */
export type PlatformConfig = z.output<typeof platformConfigSchema>;
/** One validated container of {@link PlatformConfig.containers}. */
export type ContainerConfig = PlatformConfig["containers"][number];

function checkCrossFieldRules(c: z.output<typeof platformVariables>, ctx: z.RefinementCtx): void {
  const issue = (path: (string | number)[], message: string, input: unknown) =>
    ctx.addIssue({ code: "custom", path, message, input });

  const seen = new Map<string, number>();
  c.containers.forEach((container, i) => {
    const first = seen.get(container.name);
    if (first !== undefined) {
      issue(["containers", i, "name"], `duplicate container name (also container ${first + 1})`, container.name);
    } else {
      seen.set(container.name, i);
    }
    for (const key of Object.keys(container.env)) {
      if ((RESERVED_ENV_NAMES as readonly string[]).includes(key)) {
        issue(["containers", i, "env"], `${key} is set by the platform in every container; choose another name`, key);
      }
    }
  });

  c.containers.forEach((container, i) => {
    const srvName = `_${container.discovery_name ?? container.name}._tcp.${c.discovery_zone_name}`;
    if (container.discovery && srvName.length > 253) {
      issue(["containers", i, "discovery_name"], `makes the SRV name ${srvName} longer than DNS allows (253); choose a shorter name or discovery_zone_name`, container.discovery_name ?? container.name);
    }
    const checkKey = `SERVICE_${container.port}_CHECK_HTTP`;
    const checkProblem = httpCheckPathProblem(container.health_check);
    if (c.janitor_health_checks && container.discovery && !(checkKey in container.env) && !("SERVICE_CHECK_HTTP" in container.env) && checkProblem) {
      issue(
        ["containers", i, "health_check"],
        `with janitor_health_checks the janitor probes it there, but ${checkProblem}; choose such a path, or set ${checkKey} in env (empty: not probed)`,
        container.health_check,
      );
    }
  });

  const priorities = new Map<number, string>();
  c.containers.forEach((container, i) => {
    if (container.priority === undefined) return;
    const other = priorities.get(container.priority);
    if (other) issue(["containers", i, "priority"], `priority is also used by container ${other}`, container.priority);
    priorities.set(container.priority, container.name);
  });

  if (c.asg_min > c.asg_max) issue(["asg_min"], `must not exceed asg_max (${c.asg_max})`, c.asg_min);
  if (c.asg_desired < c.asg_min || c.asg_desired > c.asg_max) {
    issue(["asg_desired"], `must be between asg_min (${c.asg_min}) and asg_max (${c.asg_max})`, c.asg_desired);
  }
  if ((c.key_name === "") !== (c.admin_cidr_ingress === "")) {
    const [missing, given] = c.key_name === "" ? ["key_name", "admin_cidr_ingress"] : ["admin_cidr_ingress", "key_name"];
    issue([missing], `SSH needs both key_name and admin_cidr_ingress; ${given} is set but ${missing} is empty`, "");
  }

  const existingVpc = [c.vpc_id !== "", c.public_subnet_ids.length > 0, c.private_subnet_ids.length > 0];
  if (existingVpc.some(Boolean) && !existingVpc.every(Boolean)) {
    issue(["vpc_id"], "an existing VPC needs vpc_id, public_subnet_ids and private_subnet_ids together", c.vpc_id);
  }
  if (c.vpc_id !== "") {
    if (c.public_subnet_ids.length < 2) issue(["public_subnet_ids"], "an ALB needs subnets in at least 2 availability zones", c.public_subnet_ids);
    if (c.private_subnet_ids.length < 2) issue(["private_subnet_ids"], "give at least 2 private subnets (one per availability zone)", c.private_subnet_ids);
  }

  const neededPrefix = 24 - Math.ceil(Math.log2(2 * c.az_count));
  if (Number(c.cidr_block.split("/")[1]) > neededPrefix) {
    issue(["cidr_block"], `is too small for ${2 * c.az_count} /24 subnets (az_count ${c.az_count}); use a /${neededPrefix} or larger`, c.cidr_block);
  }

  checkFeatureRules(c, issue, RESERVED_ENV_NAMES);

  if (c.state_region !== "" && c.state_bucket === "") {
    issue(["state_bucket"], "state_region is set but state_bucket is empty", c.state_bucket);
  }

  checkDeployability(c, issue);
}
