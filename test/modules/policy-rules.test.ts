import { Aspects, TerraformStack, Testing } from "cdktf";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { rmSync } from "node:fs";
import { checkPolicyRules, type TerraformJson } from "../../modules/policy-rules";
import { PolicyChecks, suppressPolicyRule } from "../../modules/policy-checks";
import { policyDocument } from "../../modules/iam-documents";

/**
 * Each policy rule catches its violation, and lets the compliant form pass
 * (GIVEN a stack's Terraform JSON WHEN checked THEN the violations).
 */

const rulesOf = (stack: TerraformJson) => checkPolicyRules(stack).map((v) => `${v.rule} ${v.type}.${v.name}`);

describe("world-ingress", () => {
  const lbStack = (rule: Record<string, unknown>): TerraformJson => ({
    resource: {
      aws_lb: { lb: { security_groups: ["${aws_security_group.alb.id}"] } },
      aws_security_group: { alb: {}, other: {} },
      aws_vpc_security_group_ingress_rule: { rule: { ip_protocol: "tcp", from_port: 443, to_port: 443, ...rule } },
    },
  });

  test("a load balancer's listener port open to the world passes", () => {
    expect(rulesOf(lbStack({ security_group_id: "${aws_security_group.alb.id}", cidr_ipv4: "0.0.0.0/0" }))).toEqual([]);
  });

  test("the same port on a group no load balancer uses is caught", () => {
    expect(rulesOf(lbStack({ security_group_id: "${aws_security_group.other.id}", cidr_ipv4: "0.0.0.0/0" }))).toEqual([
      "world-ingress aws_vpc_security_group_ingress_rule.rule",
    ]);
  });

  test("SSH from the world, even on the load balancer's group, is caught", () => {
    expect(rulesOf(lbStack({ security_group_id: "${aws_security_group.alb.id}", cidr_ipv4: "0.0.0.0/0", from_port: 22, to_port: 22 }))).toHaveLength(1);
  });

  test("IPv6 ::/0, inline ingress blocks and aws_security_group_rule are caught too", () => {
    const stack: TerraformJson = {
      resource: {
        aws_vpc_security_group_ingress_rule: { v6: { security_group_id: "x", ip_protocol: "-1", cidr_ipv6: "::/0" } },
        aws_security_group: { inline: { ingress: [{ protocol: "tcp", from_port: 0, to_port: 65535, cidr_blocks: ["0.0.0.0/0"] }] } },
        aws_security_group_rule: { old: { type: "ingress", protocol: "tcp", from_port: 3306, to_port: 3306, cidr_blocks: ["0.0.0.0/0"], security_group_id: "x" } },
      },
    };
    expect(rulesOf(stack).sort()).toEqual(["world-ingress aws_security_group.inline", "world-ingress aws_security_group_rule.old", "world-ingress aws_vpc_security_group_ingress_rule.v6"]);
  });

  test("a private network is not the world", () => {
    expect(rulesOf(lbStack({ security_group_id: "${aws_security_group.other.id}", cidr_ipv4: "10.0.0.0/8" }))).toEqual([]);
  });
});

describe("buckets", () => {
  const tlsOnly = policyDocument([
    { effect: "Deny", principals: { AWS: "*" }, actions: ["s3:*"], resources: ["${aws_s3_bucket.b.arn}"], conditions: { Bool: { "aws:SecureTransport": "false" } } },
  ]);
  const compliant = {
    aws_s3_bucket: { b: {} },
    aws_s3_bucket_public_access_block: { p: { bucket: "${aws_s3_bucket.b.id}", block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true } },
    aws_s3_bucket_server_side_encryption_configuration: { e: { bucket: "${aws_s3_bucket.b.id}", rule: [{}] } },
    aws_s3_bucket_policy: { t: { bucket: "${aws_s3_bucket.b.id}", policy: tlsOnly } },
  };

  test("a private, encrypted, TLS-only bucket passes", () => {
    expect(rulesOf({ resource: compliant })).toEqual([]);
  });

  test("a bare bucket breaks all three rules", () => {
    expect(rulesOf({ resource: { aws_s3_bucket: { b: {} } } })).toEqual(["bucket-private aws_s3_bucket.b", "bucket-encrypted aws_s3_bucket.b", "bucket-tls-only aws_s3_bucket.b"]);
  });

  test("a public access block with one setting off is caught", () => {
    const p = { ...compliant.aws_s3_bucket_public_access_block.p, restrict_public_buckets: false };
    expect(rulesOf({ resource: { ...compliant, aws_s3_bucket_public_access_block: { p } } })).toEqual(["bucket-private aws_s3_bucket.b"]);
  });

  test("settings for another bucket do not count", () => {
    const resource = { ...compliant, aws_s3_bucket: { b: {}, other: {} } };
    expect(rulesOf({ resource })).toEqual(["bucket-private aws_s3_bucket.other", "bucket-encrypted aws_s3_bucket.other", "bucket-tls-only aws_s3_bucket.other"]);
  });

  test("a bucket policy without the TLS deny is caught; one from an aws_iam_policy_document with it passes", () => {
    const allowOnly = policyDocument([{ actions: ["s3:GetObject"], resources: ["x"], principals: { AWS: "arn:aws:iam::123456789012:root" } }]);
    expect(rulesOf({ resource: { ...compliant, aws_s3_bucket_policy: { t: { bucket: "${aws_s3_bucket.b.id}", policy: allowOnly } } } })).toEqual(["bucket-tls-only aws_s3_bucket.b"]);
    const fromDocument: TerraformJson = {
      resource: { ...compliant, aws_s3_bucket_policy: { t: { bucket: "${aws_s3_bucket.b.bucket}", policy: "${data.aws_iam_policy_document.tls.json}" } } },
      data: { aws_iam_policy_document: { tls: { statement: [{ effect: "Deny", actions: ["s3:*"], condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }] }] } } },
    };
    expect(rulesOf(fromDocument)).toEqual([]);
  });
});

describe("log-retention", () => {
  test("a log group without retention is caught, one with it passes", () => {
    const stack = { resource: { aws_cloudwatch_log_group: { kept: { retention_in_days: 30 }, forever: { name: "x" }, zero: { retention_in_days: 0 } } } };
    expect(rulesOf(stack)).toEqual(["log-retention aws_cloudwatch_log_group.forever", "log-retention aws_cloudwatch_log_group.zero"]);
  });
});

describe("iam-wildcard", () => {
  const rolePolicy = (statements: Parameters<typeof policyDocument>[0]): TerraformJson => ({ resource: { aws_iam_role_policy: { p: { policy: policyDocument(statements) } } } });

  test.each([
    ["a * action", [{ actions: ["*"], resources: ["arn:aws:s3:::b"] }]],
    ["a service:* action", [{ actions: ["s3:*"], resources: ["arn:aws:s3:::b"] }]],
    ["a * resource", [{ actions: ["ec2:DescribeInstances"], resources: ["*"] }]],
  ])("%s is caught", (_what, statements) => {
    expect(rulesOf(rolePolicy(statements))).toEqual(["iam-wildcard aws_iam_role_policy.p"]);
  });

  test("named actions and resources pass, and so does a Deny with *", () => {
    expect(rulesOf(rolePolicy([{ actions: ["s3:GetObject"], resources: ["arn:aws:s3:::b/*"] }, { effect: "Deny", actions: ["*"], resources: ["*"] }]))).toEqual([]);
  });

  test("aws_iam_policy and a role's inline_policy are read too", () => {
    const wild = policyDocument([{ actions: ["*"], resources: ["*"] }]);
    expect(rulesOf({ resource: { aws_iam_policy: { a: { policy: wild } }, aws_iam_role: { r: { inline_policy: [{ policy: wild }] } } } })).toEqual([
      "iam-wildcard aws_iam_policy.a",
      "iam-wildcard aws_iam_role.r",
    ]);
  });
});

describe("imdsv2", () => {
  test("a launch template or instance without http_tokens = required is caught", () => {
    const stack = {
      resource: {
        aws_launch_template: { ok: { metadata_options: { http_tokens: "required" } }, optional: { metadata_options: { http_tokens: "optional" } }, none: {} },
        aws_instance: { bare: {} },
      },
    };
    expect(rulesOf(stack)).toEqual(["imdsv2 aws_launch_template.optional", "imdsv2 aws_launch_template.none", "imdsv2 aws_instance.bare"]);
  });
});

describe("PolicyChecks, the aspect", () => {
  function stackWith(build: (stack: TerraformStack) => void): TerraformStack {
    const app = Testing.app();
    const stack = new TerraformStack(app, "checked");
    new AwsProvider(stack, "aws", { region: "us-east-1" });
    build(stack);
    return stack;
  }
  const synth = (stack: TerraformStack) => {
    const app = stack.node.root as ReturnType<typeof Testing.app>;
    try {
      app.synth();
    } finally {
      rmSync(app.outdir, { recursive: true, force: true });
    }
  };

  test("a violation fails the synth, naming the resource, the rule and how to suppress it", () => {
    const stack = stackWith((s) => {
      new CloudwatchLogGroup(s, "forever", { name: "forever" });
    });
    Aspects.of(stack).add(new PolicyChecks());
    expect(() => synth(stack)).toThrow(/\[checked\/forever\] policy rule log-retention .*suppressPolicyRule\(construct, "log-retention"/);
  });

  test("a suppressed violation passes, its reason kept as an INFO annotation (printed by the cdktf CLI)", () => {
    let policy!: IamRolePolicy;
    const stack = stackWith((s) => {
      policy = new IamRolePolicy(s, "wild", { role: "r", policy: policyDocument([{ actions: ["ec2:DescribeInstances"], resources: ["*"] }]) });
      suppressPolicyRule(policy, "iam-wildcard", "DescribeInstances supports no resource-level permissions");
    });
    Aspects.of(stack).add(new PolicyChecks());
    expect(() => synth(stack)).not.toThrow();
    expect(policy.node.metadata.filter((m) => m.type === "@cdktf/info").map((m) => m.data)).toEqual([
      "policy rule iam-wildcard suppressed at checked/wild: DescribeInstances supports no resource-level permissions",
    ]);
  });

  test("a suppression needs a reason, and a known rule", () => {
    const stack = stackWith(() => undefined);
    expect(() => suppressPolicyRule(stack, "iam-wildcard", "ok")).toThrow(/at least 20 characters/);
    expect(() => suppressPolicyRule(stack, "no-such-rule" as never, "a reason long enough to pass")).toThrow(/unknown rule no-such-rule/);
  });
});
