/**
 * The platform's policy rules, in the spirit of cdk-nag: pure functions of
 * one synthesized stack's Terraform JSON (references read as `${type.name.attr}`),
 * each returning the resources that break it. {@link PolicyChecks} runs them
 * on every stack at synth.
 */

/** One stack's Terraform JSON, as `TerraformStack.toTerraform()` resolves it. */
export interface TerraformJson {
  readonly resource?: Record<string, Record<string, Record<string, unknown>>>;
  readonly data?: Record<string, Record<string, Record<string, unknown>>>;
}

/** A resource that breaks a rule. */
export interface PolicyViolation {
  readonly rule: PolicyRuleId;
  /** `aws_s3_bucket`, ... */
  readonly type: string;
  /** The resource's logical name in the stack. */
  readonly name: string;
  readonly message: string;
}

/** The rules' ids, as named in suppressions. */
export const POLICY_RULES = {
  "world-ingress": "no security group open to the world, except the load balancer's listener ports",
  "bucket-private": "every bucket blocks public access (all four settings)",
  "bucket-encrypted": "every bucket has default encryption",
  "bucket-tls-only": "every bucket policy denies requests without TLS (aws:SecureTransport false)",
  "log-retention": "every log group has a retention",
  "iam-wildcard": "no IAM statement allows a `*` action or resource",
  imdsv2: "every launch template and instance requires IMDSv2 (http_tokens = required)",
} as const;

/** A rule's id. */
export type PolicyRuleId = keyof typeof POLICY_RULES;

/** Settings of the rules. */
export interface PolicyRuleSettings {
  /** Ports that a load balancer's security group may open to the world. @default [80, 443] */
  readonly listenerPorts?: readonly number[];
}

/** Every violation of every rule in `stack`. */
export function checkPolicyRules(stack: TerraformJson, settings: PolicyRuleSettings = {}): PolicyViolation[] {
  return [
    ...worldIngress(stack, settings.listenerPorts ?? [80, 443]),
    ...bucketRules(stack),
    ...logRetention(stack),
    ...iamWildcards(stack),
    ...imdsV2(stack),
  ];
}

type Config = Record<string, unknown>;

function each(block: TerraformJson["resource"], type: string): [string, Config][] {
  return Object.entries(block?.[type] ?? {});
}

/** A nested block as cdktf writes it: an object, or a list of objects. */
function blocks(value: unknown): Config[] {
  if (Array.isArray(value)) return value.filter((v): v is Config => typeof v === "object" && v !== null);
  return typeof value === "object" && value !== null ? [value as Config] : [];
}

const strings = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : value === undefined || value === null ? [] : [String(value)]);

const WORLD = new Set(["0.0.0.0/0", "::/0"]);

function worldIngress(stack: TerraformJson, listenerPorts: readonly number[]): PolicyViolation[] {
  // Security groups attached to a load balancer of this stack, as `${aws_security_group.x.id}`.
  const loadBalancerGroups = new Set(each(stack.resource, "aws_lb").flatMap(([, lb]) => strings(lb.security_groups)));
  const violations: PolicyViolation[] = [];
  const check = (type: string, name: string, groupRef: string | undefined, protocol: unknown, from: unknown, to: unknown, cidrs: string[]) => {
    const open = cidrs.filter((c) => WORLD.has(c));
    if (open.length === 0) return;
    const isListenerPort = String(protocol) === "tcp" && from === to && listenerPorts.includes(Number(from));
    if (isListenerPort && groupRef !== undefined && loadBalancerGroups.has(groupRef)) return;
    const ports = String(protocol) === "-1" ? "every port" : `${String(protocol)} ${String(from)}-${String(to)}`;
    violations.push({
      type,
      name,
      rule: "world-ingress",
      message: `lets ${open.join(" and ")} in on ${ports}${isListenerPort ? " of a security group no load balancer uses" : ""}; only a load balancer's listener ports (${listenerPorts.join(", ")}) may be open to the world`,
    });
  };
  for (const [name, rule] of each(stack.resource, "aws_vpc_security_group_ingress_rule")) {
    check("aws_vpc_security_group_ingress_rule", name, strings(rule.security_group_id)[0], rule.ip_protocol, rule.from_port, rule.to_port, [...strings(rule.cidr_ipv4), ...strings(rule.cidr_ipv6)]);
  }
  for (const [name, rule] of each(stack.resource, "aws_security_group_rule")) {
    if (rule.type !== "ingress") continue;
    check("aws_security_group_rule", name, strings(rule.security_group_id)[0], rule.protocol, rule.from_port, rule.to_port, [...strings(rule.cidr_blocks), ...strings(rule.ipv6_cidr_blocks)]);
  }
  for (const [name, group] of each(stack.resource, "aws_security_group")) {
    for (const ingress of blocks(group.ingress)) {
      check("aws_security_group", name, `\${aws_security_group.${name}.id}`, ingress.protocol, ingress.from_port, ingress.to_port, [...strings(ingress.cidr_blocks), ...strings(ingress.ipv6_cidr_blocks)]);
    }
  }
  return violations;
}

/** Resources of `type` whose `bucket` refers to the bucket `name`. */
function forBucket(stack: TerraformJson, type: string, name: string): Config[] {
  const reference = new RegExp(`^\\$\\{aws_s3_bucket\\.${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\.(id|bucket)\\}$`);
  return each(stack.resource, type)
    .map(([, config]) => config)
    .filter((config) => reference.test(String(config.bucket)));
}

function bucketRules(stack: TerraformJson): PolicyViolation[] {
  const violations: PolicyViolation[] = [];
  for (const [name] of each(stack.resource, "aws_s3_bucket")) {
    const at = (rule: PolicyRuleId, message: string) => violations.push({ rule, type: "aws_s3_bucket", name, message });
    const blocked = forBucket(stack, "aws_s3_bucket_public_access_block", name).some((b) =>
      ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"].every((k) => b[k] === true || b[k] === "true"),
    );
    if (!blocked) at("bucket-private", "has no public access block with all four settings on (aws_s3_bucket_public_access_block)");
    if (forBucket(stack, "aws_s3_bucket_server_side_encryption_configuration", name).length === 0) {
      at("bucket-encrypted", "has no default encryption (aws_s3_bucket_server_side_encryption_configuration)");
    }
    const policies = forBucket(stack, "aws_s3_bucket_policy", name).map((p) => statementsOf(stack, p.policy));
    if (!policies.some((statements) => statements.some(deniesInsecureTransport))) {
      at("bucket-tls-only", "has no bucket policy that denies requests without TLS (Deny when aws:SecureTransport is false)");
    }
  }
  return violations;
}

/** An IAM statement, normalized from a JSON policy or an aws_iam_policy_document block. */
interface Statement {
  readonly effect: string;
  readonly actions: string[];
  readonly resources: string[];
  /** `test` → variable → values */
  readonly conditions: { test: string; variable: string; values: string[] }[];
}

/** The statements of a policy argument: JSON text, or a reference to a data.aws_iam_policy_document's json. */
function statementsOf(stack: TerraformJson, policy: unknown): Statement[] {
  const text = String(policy ?? "");
  const document = /^\$\{data\.aws_iam_policy_document\.([^.]+)\.json\}$/.exec(text);
  if (document) {
    const data = stack.data?.aws_iam_policy_document?.[document[1]];
    return blocks(data?.statement).map((s) => ({
      effect: String(s.effect ?? "Allow"),
      actions: strings(s.actions),
      resources: strings(s.resources),
      conditions: blocks(s.condition).map((c) => ({ test: String(c.test), variable: String(c.variable), values: strings(c.values) })),
    }));
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return [];
  }
  return blocks((parsed as Config)?.Statement).map((s) => ({
    effect: String(s.Effect ?? "Allow"),
    actions: strings(s.Action),
    resources: strings(s.Resource),
    conditions: Object.entries((s.Condition as Record<string, Record<string, unknown>>) ?? {}).flatMap(([test, variables]) =>
      Object.entries(variables ?? {}).map(([variable, values]) => ({ test, variable, values: strings(values) })),
    ),
  }));
}

function deniesInsecureTransport(s: Statement): boolean {
  return s.effect === "Deny" && s.conditions.some((c) => c.test === "Bool" && c.variable === "aws:SecureTransport" && c.values.includes("false"));
}

function logRetention(stack: TerraformJson): PolicyViolation[] {
  return each(stack.resource, "aws_cloudwatch_log_group")
    .filter(([, group]) => !(Number(group.retention_in_days) > 0))
    .map(([name]) => ({ rule: "log-retention" as const, type: "aws_cloudwatch_log_group", name, message: "keeps its logs forever: set retention_in_days" }));
}

/** Identity policies: their Allow statements may not name `*` (or `service:*`) actions, nor `*` resources. */
function iamWildcards(stack: TerraformJson): PolicyViolation[] {
  const policies: [string, string, unknown][] = [
    ...each(stack.resource, "aws_iam_role_policy").map(([name, p]): [string, string, unknown] => ["aws_iam_role_policy", name, p.policy]),
    ...each(stack.resource, "aws_iam_policy").map(([name, p]): [string, string, unknown] => ["aws_iam_policy", name, p.policy]),
    ...each(stack.resource, "aws_iam_role").flatMap(([name, role]) => blocks(role.inline_policy).map((p): [string, string, unknown] => ["aws_iam_role", name, p.policy])),
  ];
  const violations: PolicyViolation[] = [];
  for (const [type, name, policy] of policies) {
    const wild = statementsOf(stack, policy)
      .filter((s) => s.effect === "Allow")
      .flatMap((s) => [...s.actions.filter((a) => a === "*" || a.endsWith(":*")).map((a) => `action ${a}`), ...s.resources.filter((r) => r === "*").map(() => "resource *")]);
    if (wild.length > 0) {
      violations.push({ rule: "iam-wildcard", type, name, message: `allows ${[...new Set(wild)].join(", ")}; name the actions and resources, or suppress with the reason the API needs it` });
    }
  }
  return violations;
}

function imdsV2(stack: TerraformJson): PolicyViolation[] {
  return ["aws_launch_template", "aws_instance"].flatMap((type) =>
    each(stack.resource, type)
      .filter(([, config]) => !blocks(config.metadata_options).some((m) => m.http_tokens === "required"))
      .map(([name]) => ({ rule: "imdsv2" as const, type, name, message: "does not require IMDSv2: set metadata_options.http_tokens = required" })),
  );
}
