import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TerraformOutput } from "cdktf";
import {
  AGENT_FAILED_SCRIPT,
  AGENT_FAILED_SCRIPT_PATH,
  AGENT_FAILED_UNIT,
  AGENT_PATH,
  AGENT_UNIT,
  ARTIFACTS_NONCURRENT_DAYS,
  DnsAgentInstall,
  REFUSED_RESTART_MIN_WAIT_MS,
  type DnsAgentInstallProps,
} from "../../modules/dns-agent-install";
import { DEFAULT_MAX_PASS_MS } from "../../agent/watchdog";
import { setting, settings, timeSpanMs } from "../../scripts/local/systemd-unit";
import { unitsFromUserData } from "../../scripts/local/installed-agent";
import { jsonDocumentOf, joinedText, ref, resources, soleResource, synthConstruct, TEST_BUNDLES, type StackJson } from "../helpers/synth";

const GROUP_ARN = "arn:aws:autoscaling:us-west-2:123456789012:autoScalingGroup:0a1b2c3d:autoScalingGroupName/shop-dev-ecs";

const baseProps: DnsAgentInstallProps = {
  namePrefix: "shop-dev",
  bundlePath: TEST_BUNDLES.agent,
  zoneId: "Z0123456789ABCDEFGHIJ",
  zoneName: "svc.internal",
  region: "us-west-2",
  partition: "aws",
};

interface Synthed {
  readonly stack: StackJson;
  readonly script: string;
  readonly key: string;
}

function synthAgent(props: Partial<DnsAgentInstallProps> = {}): Synthed {
  let script = "";
  let key = "";
  const stack = synthConstruct((scope) => {
    const agent = new DnsAgentInstall(scope, "dns-agent", { ...baseProps, ...props });
    agent.grantTo("shop-dev-ecs-instance", GROUP_ARN);
    // The user data is consumed by the launch template; an output makes it visible here.
    new TerraformOutput(scope, "user_data", { value: agent.userData });
    key = agent.bundleKey;
  });
  script = joinedText((stack.output as Record<string, { value: string }>).user_data.value);
  return { stack, script, key };
}

/** The instance role's policy by construct id: `agent-permissions` (records, bundles, health) or `agent-heartbeat-permissions`. */
const policyNamed = (stack: StackJson, id: string) => resources(stack, "aws_iam_role_policy").find((r) => r.name.startsWith(`dns-agent_${id}_`))!.values;
const statementsOf = (stack: StackJson, id = "agent-permissions") =>
  jsonDocumentOf(policyNamed(stack, id).policy).Statement as { Action: string[]; Resource: string[]; Condition?: unknown }[];

describe("DnsAgentInstall", () => {
  test("publishes the bundle content-addressed, in a private, encrypted bucket", () => {
    // GIVEN / WHEN
    const { stack, key } = synthAgent();
    // THEN
    expect(key).toMatch(/^agent\/[0-9A-F]{32}\/agent\.js$/i);
    expect(resources(stack, "aws_s3_object").map((o) => o.values)).toEqual([
      expect.objectContaining({ key, source: expect.stringContaining("assets/") }),
      expect.objectContaining({ key: expect.stringMatching(/^docker-proxy\/[0-9A-F]{32}\/docker-proxy\.js$/i), source: expect.stringContaining("assets/") }),
    ]);
    expect(soleResource(stack, "aws_s3_bucket_public_access_block")).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(soleResource(stack, "aws_s3_bucket_server_side_encryption_configuration").rule[0].apply_server_side_encryption_by_default.sse_algorithm).toBe("AES256");
  });

  test("the bucket refuses every request that does not come over TLS", () => {
    // GIVEN / WHEN
    const { stack } = synthAgent();
    // THEN
    const bucket = resources(stack, "aws_s3_bucket")[0];
    const policy = soleResource(stack, "aws_s3_bucket_policy");
    expect(policy.bucket).toBe(ref("aws_s3_bucket", bucket, "id"));
    expect(jsonDocumentOf(policy.policy).Statement).toEqual([
      {
        Effect: "Deny",
        Principal: { AWS: "*" },
        Action: ["s3:*"],
        Resource: [ref("aws_s3_bucket", bucket, "arn"), `${ref("aws_s3_bucket", bucket, "arn")}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ]);
  });

  test("the bucket expires replaced bundles (noncurrent versions) only: the bundle instances download is current and never expires", () => {
    // GIVEN / WHEN
    const { stack } = synthAgent();
    // THEN
    expect(soleResource(stack, "aws_s3_bucket_versioning").versioning_configuration).toEqual({ status: "Enabled" });
    const rules = soleResource(stack, "aws_s3_bucket_lifecycle_configuration").rule as Record<string, unknown>[];
    expect(rules).toEqual([
      {
        id: "expire-replaced-bundles",
        status: "Enabled",
        filter: [{ prefix: "" }],
        noncurrent_version_expiration: [{ noncurrent_days: ARTIFACTS_NONCURRENT_DAYS }],
        expiration: [{ expired_object_delete_marker: true }],
        abort_incomplete_multipart_upload: [{ days_after_initiation: 1 }],
      },
    ]);
    // No rule expires current objects by age or date.
    expect(JSON.stringify(rules)).not.toMatch(/"(days|date)"/);
  });

  test("a new build of the agent gets a new key, so the user data changes and a new launch template version rolls it out", () => {
    // GIVEN two different bundles
    const dir = mkdtempSync(join(tmpdir(), "agent-bundle-"));
    writeFileSync(join(dir, "agent.js"), "console.log('v2');\n");
    writeFileSync(join(dir, "docker-proxy.js"), "console.log('proxy');\n");
    // WHEN / THEN
    const first = synthAgent();
    const second = synthAgent({ bundlePath: join(dir, "agent.js") });
    expect(second.key).not.toBe(first.key);
    expect(second.script).toContain(second.key);
    expect(synthAgent().key).toBe(first.key);
  });

  test("installs the agent as a systemd service that runs the fetched bundle with its flags from the stack", () => {
    // GIVEN / WHEN
    const { script } = synthAgent({ owner: "team-a", ttlSeconds: 20, resyncSeconds: 90 });
    // THEN
    expect(script).toContain(`cat > /etc/systemd/system/${AGENT_UNIT} <<'UNIT'`);
    expect(script).toContain(`systemctl enable --now ${AGENT_UNIT}`);
    const exec = settings(unitsFromUserData(script).find((u) => u.unitName === AGENT_UNIT)!.unit, "Service", "ExecStart").map((v) => `ExecStart=${v}`)[0];
    expect(exec).toBe(
      `ExecStart=/usr/bin/node-22 --max-semi-space-size=1 ${AGENT_PATH} --zone-id Z0123456789ABCDEFGHIJ --zone-name svc.internal --owner team-a --ttl 20 --resync-seconds 90 --deregister-on-exit --metrics-host 127.0.0.1`,
    );
    // Its sandbox is rated by systemd-analyze itself: test/modules/dns-agent-units.test.ts.
    expect(script).toMatch(/aws s3 cp --only-show-errors --region us-west-2 s3:\/\/\$\{aws_s3_bucket\.[^}]+\.bucket\}\/agent\/[0-9a-f]+\/agent\.js \/opt\/ecsdns\/agent\.js/i);
  });

  test("runs the agent with no flag that turns off part of Node.js (--jitless turns off WebAssembly, which fetch needs)", () => {
    const execs = synthAgent().script.split("\n").filter((l) => l.startsWith("ExecStart=/usr/bin/node-22"));
    expect(execs).toHaveLength(2); // the agent and its Docker proxy
    for (const exec of execs) expect(exec).not.toMatch(/--(jitless|no-expose-wasm|lite-mode|no-opt)\b/);
  });

  test("installs the same way on arm64 (Graviton) hosts: Node.js and the AWS CLI from the distribution's packages, no architecture-specific download", () => {
    // GIVEN the user data WHEN read THEN it takes Node.js 22 and the CLI from dnf (the host's own
    // architecture on AL2023's x86_64 and arm64 ECS AMIs) and downloads only the bundles, plain JavaScript
    const { script, key } = synthAgent();
    expect(script).toMatch(/retry dnf install -y nodejs22\n/);
    expect(script).toMatch(/retry dnf install -y awscli-2\n/);
    expect(script).not.toMatch(/x86_64|amd64|x64|aarch64|arm64|curl [^\n]*node|\.tar\.(gz|xz)/);
    const downloads = script.split("\n").filter((l) => /\b(curl|wget|aws s3 cp)\b/.test(l) && !l.includes("169.254.169.254") && !l.includes("$imds"));
    // the agent's bundle and its Docker proxy's, both plain JavaScript
    expect(downloads).toEqual([expect.stringContaining(`/${key} /opt/ecsdns/agent.js`), expect.stringMatching(/\/docker-proxy\.js \/opt\/ecsdns\/docker-proxy\.js$/)]);
  });

  test("points the agent's AWS SDK at the emulator only when given an endpoint (the local target)", () => {
    const environment = (script: string) => settings(unitsFromUserData(script).find((u) => u.unitName === AGENT_UNIT)!.unit, "Service", "Environment").map((v) => `Environment=${v}`);
    const docker = "Environment=DOCKER_HOST=unix:///run/ecsdns-docker.sock";
    expect(environment(synthAgent().script)).toEqual(["Environment=AWS_REGION=us-west-2", docker]);
    expect(environment(synthAgent({ awsEndpointUrl: "http://127.0.0.1:4566" }).script)).toEqual([
      "Environment=AWS_REGION=us-west-2",
      "Environment=AWS_ENDPOINT_URL=http://127.0.0.1:4566",
      docker,
    ]);
  });

  test("lets the instances change only A and SRV records of the one zone, read only their bundles (agent and Docker proxy), and mark only instances of their group unhealthy", () => {
    // GIVEN / WHEN
    const { stack, key } = synthAgent();
    // THEN
    const zoneArn = "arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ";
    expect(statementsOf(stack)).toEqual([
      {
        Effect: "Allow",
        Action: ["route53:ChangeResourceRecordSets"],
        Resource: [zoneArn],
        Condition: { "ForAllValues:StringEquals": { "route53:ChangeResourceRecordSetsRecordTypes": ["A", "SRV", "TXT"] } },
      },
      { Effect: "Allow", Action: ["route53:ListResourceRecordSets"], Resource: [zoneArn] },
      {
        Effect: "Allow",
        Action: ["s3:GetObject"],
        Resource: [expect.stringMatching(new RegExp(`\\.arn\\}/${key.replace(/\//g, "\\/")}$`)), expect.stringMatching(/\.arn\}\/docker-proxy\/[0-9A-F]{32}\/docker-proxy\.js$/i)],
      },
      { Effect: "Allow", Action: ["autoscaling:SetInstanceHealth"], Resource: [GROUP_ARN] },
    ]);
    expect(policyNamed(stack, "agent-permissions").role).toBe("shop-dev-ecs-instance");
  });

  test("lets the instances put the agent's heartbeat into CloudWatch, in the namespace ECSDNS/Agent only, in a policy of its own", () => {
    // GIVEN / WHEN
    const { stack } = synthAgent();
    // THEN PutMetricData supports no resource-level permissions: Resource "*", held to one namespace by the condition key
    expect(statementsOf(stack, "agent-heartbeat-permissions")).toEqual([
      { Effect: "Allow", Action: ["cloudwatch:PutMetricData"], Resource: ["*"], Condition: { StringEquals: { "cloudwatch:namespace": "ECSDNS/Agent" } } },
    ]);
    expect(policyNamed(stack, "agent-heartbeat-permissions").role).toBe("shop-dev-ecs-instance");
    // AND the records' policy names every resource
    expect(statementsOf(stack).flatMap((s) => s.Resource)).not.toContain("*");
  });

  test("creates no other IAM than those two policies", () => {
    const { stack } = synthAgent();
    expect(resources(stack, "aws_iam_role_policy").map((p) => p.name.replace(/_[0-9A-F]{8}$/, "")).sort()).toEqual(["dns-agent_agent-heartbeat-permissions", "dns-agent_agent-permissions"]);
    expect(resources(stack, "aws_iam_role")).toEqual([]);
    expect(resources(stack, "aws_iam_role_policy_attachment")).toEqual([]);
  });

  describe("supervision: a hung agent is restarted, a dead one has its instance replaced", () => {
    const unitNamed = (script: string, name: string) => {
      const found = unitsFromUserData(script).find((u) => u.unitName === name);
      if (!found) throw new Error(`the user data writes no ${name}`);
      return found.unit;
    };

    test("the agent's unit is Type=notify with a 60 s watchdog that the agent's systemd-notify children may ping", () => {
      // GIVEN / WHEN
      const unit = unitNamed(synthAgent().script, AGENT_UNIT);
      // THEN
      expect(setting(unit, "Service", "Type")).toBe("notify");
      expect(setting(unit, "Service", "NotifyAccess")).toBe("all");
      expect(timeSpanMs(setting(unit, "Service", "WatchdogSec")!)).toBe(60_000);
      expect(setting(unit, "Service", "Restart")).toBe("always");
    });

    test("start-up (until READY=1, after the first pass) may take as long as the agent lets a pass run", () => {
      const unit = unitNamed(synthAgent().script, AGENT_UNIT);
      expect(timeSpanMs(setting(unit, "Service", "TimeoutStartSec")!)).toBe(DEFAULT_MAX_PASS_MS);
    });

    test("a hung agent is restarted within 5 minutes: the longest pass, the watchdog and the restart delay add up to less", () => {
      const unit = unitNamed(synthAgent().script, AGENT_UNIT);
      const restartedWithinMs = DEFAULT_MAX_PASS_MS + timeSpanMs(setting(unit, "Service", "WatchdogSec")!) + timeSpanMs(setting(unit, "Service", "RestartSec")!);
      expect(restartedWithinMs).toBeLessThan(5 * 60_000);
    });

    test("a crash loop ends the unit in failed, which starts the handler unit; a watchdog restart every few minutes does not", () => {
      // GIVEN / WHEN
      const unit = unitNamed(synthAgent().script, AGENT_UNIT);
      // THEN
      const intervalMs = timeSpanMs(setting(unit, "Unit", "StartLimitIntervalSec")!);
      const burst = Number(setting(unit, "Unit", "StartLimitBurst"));
      const restartMs = timeSpanMs(setting(unit, "Service", "RestartSec")!);
      expect(setting(unit, "Unit", "OnFailure")).toBe(AGENT_FAILED_UNIT);
      // An agent that dies at once uses up the burst in well under a minute...
      expect(burst * (restartMs + 2000)).toBeLessThan(60_000);
      // ...while one hung agent after another (killed by the watchdog, or by the start timeout when its
      // first pass hangs), as in a network outage, never does.
      const watchdogCycleMs = DEFAULT_MAX_PASS_MS + timeSpanMs(setting(unit, "Service", "WatchdogSec")!);
      const startTimeoutMs = timeSpanMs(setting(unit, "Service", "TimeoutStartSec")!);
      const hungCycleMs = Math.min(watchdogCycleMs, startTimeoutMs) + restartMs;
      expect(Math.floor(intervalMs / hungCycleMs) + 1).toBeLessThanOrEqual(burst);
    });

    test("the handler unit runs the script that marks the instance unhealthy, in the same sandbox and with the agent's AWS settings", () => {
      // GIVEN / WHEN
      const { script } = synthAgent({ awsEndpointUrl: "http://127.0.0.1:4566" });
      const handler = unitNamed(script, AGENT_FAILED_UNIT);
      const agent = unitNamed(script, AGENT_UNIT);
      // THEN
      expect(setting(handler, "Service", "Type")).toBe("oneshot");
      expect(setting(handler, "Service", "ExecStart")).toBe(AGENT_FAILED_SCRIPT_PATH);
      expect(settings(handler, "Service", "Environment")).toEqual(["AWS_REGION=us-west-2", "AWS_ENDPOINT_URL=http://127.0.0.1:4566"]);
      for (const key of ["NoNewPrivileges", "ProtectSystem", "ProtectHome", "PrivateTmp", "CapabilityBoundingSet", "RestrictAddressFamilies"]) {
        expect([key, setting(handler, "Service", key)]).toEqual([key, setting(agent, "Service", key)]);
      }
      // The script is written verbatim, executable, before the units.
      const written = new RegExp(`cat > ${AGENT_FAILED_SCRIPT_PATH} <<'SCRIPT'\\n([\\s\\S]*?)^SCRIPT\\nchmod 0755 ${AGENT_FAILED_SCRIPT_PATH}$`, "m").exec(script);
      expect(written?.[1]).toBe(AGENT_FAILED_SCRIPT);
      expect(script.indexOf(AGENT_FAILED_SCRIPT_PATH)).toBeLessThan(script.indexOf(`cat > /etc/systemd/system/${AGENT_UNIT}`));
    });

    test("the handler tells a refused restart by what systemd shows, and marks the instance unhealthy even within the group's grace period", () => {
      expect(AGENT_FAILED_SCRIPT).toContain("if (( restarts < burst || waited_ms < 1000 )); then");
      expect(AGENT_FAILED_SCRIPT).toMatch(/aws autoscaling set-instance-health --region "\$AWS_REGION" --instance-id "\$instance_id" --health-status Unhealthy --no-should-respect-grace-period\n$/);
      // A refused restart waits RestartSec, which must stay clearly above the handler's threshold.
      const unit = unitNamed(synthAgent().script, AGENT_UNIT);
      expect(timeSpanMs(setting(unit, "Service", "RestartSec")!)).toBeGreaterThanOrEqual(2 * REFUSED_RESTART_MIN_WAIT_MS);
    });

    test("the handler runs as root without capabilities (systemctl then needs no D-Bus), the agent as a dynamic user", () => {
      const { script } = synthAgent();
      expect(setting(unitNamed(script, AGENT_FAILED_UNIT), "Service", "DynamicUser")).toBeUndefined();
      expect(setting(unitNamed(script, AGENT_FAILED_UNIT), "Service", "User")).toBeUndefined();
      expect(setting(unitNamed(script, AGENT_FAILED_UNIT), "Service", "CapabilityBoundingSet")).toBe("");
      expect(setting(unitNamed(script, AGENT_UNIT), "Service", "DynamicUser")).toBe("yes");
    });
  });
});
