import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { Testing } from "cdktf";
import { buildPlatform } from "../../stacks/platform";
import { configFrom, EXISTING_NETWORK_LOCAL_TARGET, TEST_BUNDLES } from "../helpers/synth";

/**
 * Every stack of the platform passes the policy rules (modules/policy-rules.ts)
 * in every shape the configuration gives it, and the only exemptions are the
 * ones written down here, each with its reason.
 */

/** The DNS agent's artifacts bucket in the cluster stack. */
const LOCAL_ARTIFACTS_BUCKET = "dev-cluster/dns-agent/artifacts";

const configurations: Record<string, Record<string, string>> = {
  defaults: { TF_VAR_container_name: "web,api" },
  "HTTPS, flow logs, SSH, janitor health checks, per-AZ NAT": {
    TF_VAR_container_name: "web,api",
    TF_VAR_certificate_arn: "arn:aws:acm:us-west-2:123456789012:certificate/0b1c2d3e-aaaa-bbbb-cccc-111122223333",
    TF_VAR_flow_logs: "true",
    TF_VAR_nat_gateway_mode: "per_az",
    TF_VAR_key_name: "ops",
    TF_VAR_admin_cidr_ingress: "203.0.113.7/32",
    TF_VAR_janitor_health_checks: "true",
  },
  "existing VPC and zone, internal ALB, local target": { ...EXISTING_NETWORK_LOCAL_TARGET },
};

interface Annotation {
  constructPath: string;
  level: string;
  message: string;
}

/** Synthesize every stack, keeping going past error annotations, and return the annotations. */
function annotationsOf(env: Record<string, string>): Annotation[] {
  const previous = process.env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS;
  process.env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS = "true";
  const app = Testing.app();
  try {
    buildPlatform(app, configFrom(env), { bundles: TEST_BUNDLES });
    app.synth();
    const manifest = JSON.parse(readFileSync(join(app.outdir, "manifest.json"), "utf8")) as { stacks: Record<string, { annotations: Annotation[] }> };
    return Object.values(manifest.stacks).flatMap((s) => s.annotations);
  } finally {
    if (previous === undefined) delete process.env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS;
    else process.env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS = previous;
    rmSync(app.outdir, { recursive: true, force: true });
  }
}

describe.each(Object.entries(configurations))("%s", (_name, env) => {
  const annotations = annotationsOf(env);

  test("no stack breaks a policy rule", () => {
    expect(annotations.filter((a) => a.level === "@cdktf/error").map((a) => `${a.constructPath}: ${a.message}`)).toEqual([]);
  });

  test("the only exemptions are the written ones, each printed with its reason", () => {
    const suppressed = annotations.filter((a) => a.level === "@cdktf/info" && a.message.startsWith("policy rule "));
    expect(suppressed.map((a) => `${a.constructPath}: ${a.message.replace(/: .*/, "")}`).sort()).toEqual(
      [
        "dev-discovery/janitor/permissions: policy rule iam-wildcard suppressed at dev-discovery/janitor/permissions",
        // cloudwatch:PutMetricData supports no resource-level permissions; cloudwatch:namespace holds it to ECSDNS/Agent.
        "dev-cluster/dns-agent/agent-heartbeat-permissions: policy rule iam-wildcard suppressed at dev-cluster/dns-agent/agent-heartbeat-permissions",
        "dev-services/Default/task-execution-role/pull-images-and-log: policy rule iam-wildcard suppressed at dev-services/Default/task-execution-role/pull-images-and-log",
        // The emulator serves S3 over plain http: the local target's artifacts bucket has no TLS-only policy.
        ...(env.TF_VAR_target === "local" ? [`${LOCAL_ARTIFACTS_BUCKET}: policy rule bucket-tls-only suppressed at ${LOCAL_ARTIFACTS_BUCKET}`] : []),
      ].sort(),
    );
    for (const a of suppressed) expect(a.message).toMatch(/: .{20,}/);
  });
});

test("a stack that breaks a rule fails the synth (as `npm run synth` would)", () => {
  // GIVEN a platform whose log groups keep logs forever (the services' log groups get retention 0 through an override)
  const app = Testing.app();
  const platform = buildPlatform(app, configFrom({ TF_VAR_container_name: "web" }), { bundles: TEST_BUNDLES });
  const logGroup = platform.services.node.findAll().find((c) => c.node.path.endsWith("/log-group"));
  (logGroup as unknown as { addOverride(path: string, value: unknown): void }).addOverride("retention_in_days", 0);
  // WHEN / THEN
  try {
    expect(() => app.synth()).toThrow(/policy rule log-retention .*keeps its logs forever/);
  } finally {
    rmSync(app.outdir, { recursive: true, force: true });
  }
});
