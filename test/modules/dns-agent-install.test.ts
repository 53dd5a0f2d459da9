import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TerraformOutput } from "cdktf";
import { AGENT_PATH, AGENT_UNIT, DnsAgentInstall, type DnsAgentInstallProps } from "../../modules/dns-agent-install";
import { jsonDocumentOf, joinedText, resources, soleResource, synthConstruct, TEST_BUNDLES, type StackJson } from "../helpers/synth";

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
    agent.grantTo("shop-dev-ecs-instance");
    // The user data is consumed by the launch template; an output makes it visible here.
    new TerraformOutput(scope, "user_data", { value: agent.userData });
    key = agent.bundleKey;
  });
  script = joinedText((stack.output as Record<string, { value: string }>).user_data.value);
  return { stack, script, key };
}

const statementsOf = (stack: StackJson) => jsonDocumentOf(soleResource(stack, "aws_iam_role_policy").policy).Statement as { Action: string[]; Resource: string[]; Condition?: unknown }[];

describe("DnsAgentInstall", () => {
  test("publishes the bundle content-addressed, in a private, encrypted bucket", () => {
    // GIVEN / WHEN
    const { stack, key } = synthAgent();
    // THEN
    expect(key).toMatch(/^agent\/[0-9A-F]{32}\/agent\.js$/i);
    expect(soleResource(stack, "aws_s3_object")).toMatchObject({ key, source: expect.stringContaining("assets/") });
    expect(soleResource(stack, "aws_s3_bucket_public_access_block")).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(soleResource(stack, "aws_s3_bucket_server_side_encryption_configuration").rule[0].apply_server_side_encryption_by_default.sse_algorithm).toBe("AES256");
  });

  test("a new build of the agent gets a new key, so the user data changes and a new launch template version rolls it out", () => {
    // GIVEN two different bundles
    const dir = mkdtempSync(join(tmpdir(), "agent-bundle-"));
    writeFileSync(join(dir, "agent.js"), "console.log('v2');\n");
    // WHEN / THEN
    const first = synthAgent();
    const second = synthAgent({ bundlePath: join(dir, "agent.js") });
    expect(second.key).not.toBe(first.key);
    expect(second.script).toContain(second.key);
    expect(synthAgent().key).toBe(first.key);
  });

  test("installs the agent as a supervised, hardened systemd service with its flags from the stack", () => {
    // GIVEN / WHEN
    const { script } = synthAgent({ owner: "team-a", ttlSeconds: 20, resyncSeconds: 90 });
    // THEN
    expect(script).toContain(`cat > /etc/systemd/system/${AGENT_UNIT} <<'UNIT'`);
    expect(script).toContain(`systemctl enable --now ${AGENT_UNIT}`);
    const exec = script.split("\n").find((l) => l.startsWith("ExecStart="));
    expect(exec).toBe(
      `ExecStart=/usr/bin/node-22 --max-semi-space-size=1 ${AGENT_PATH} --zone-id Z0123456789ABCDEFGHIJ --zone-name svc.internal --owner team-a --ttl 20 --resync-seconds 90 --deregister-on-exit --metrics-host 127.0.0.1`,
    );
    const unit = script.split("\n");
    for (const line of ["Restart=always", "DynamicUser=yes", "SupplementaryGroups=docker", "NoNewPrivileges=yes", "ProtectSystem=strict", "ProtectHome=yes", "PrivateTmp=yes", "CapabilityBoundingSet=", "MemoryMax=128M"]) {
      expect(unit).toContain(line);
    }
    expect(script).toMatch(/aws s3 cp --only-show-errors --region us-west-2 s3:\/\/\$\{aws_s3_bucket\.[^}]+\.bucket\}\/agent\/[0-9a-f]+\/agent\.js \/opt\/ecsdns\/agent\.js/i);
  });

  test("runs the agent with no flag that turns off part of Node.js (--jitless turns off WebAssembly, which fetch needs)", () => {
    const exec = synthAgent().script.split("\n").find((l) => l.startsWith("ExecStart="))!;
    expect(exec).not.toMatch(/--(jitless|no-expose-wasm|lite-mode|no-opt)\b/);
  });

  test("points the agent's AWS SDK at the emulator only when given an endpoint (the local target)", () => {
    const environment = (script: string) => script.split("\n").filter((l) => l.startsWith("Environment="));
    expect(environment(synthAgent().script)).toEqual(["Environment=AWS_REGION=us-west-2"]);
    expect(environment(synthAgent({ awsEndpointUrl: "http://127.0.0.1:4566" }).script)).toEqual([
      "Environment=AWS_REGION=us-west-2",
      "Environment=AWS_ENDPOINT_URL=http://127.0.0.1:4566",
    ]);
  });

  test("lets the instances change only A and SRV records of the one zone, and read only their bundle", () => {
    // GIVEN / WHEN
    const { stack, key } = synthAgent();
    // THEN
    const zoneArn = "arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ";
    expect(statementsOf(stack)).toEqual([
      {
        Effect: "Allow",
        Action: ["route53:ChangeResourceRecordSets"],
        Resource: [zoneArn],
        Condition: { "ForAllValues:StringEquals": { "route53:ChangeResourceRecordSetsRecordTypes": ["A", "SRV"] } },
      },
      { Effect: "Allow", Action: ["route53:ListResourceRecordSets"], Resource: [zoneArn] },
      { Effect: "Allow", Action: ["s3:GetObject"], Resource: [expect.stringMatching(new RegExp(`\\.arn\\}/${key.replace(/\//g, "\\/")}$`))] },
    ]);
    expect(soleResource(stack, "aws_iam_role_policy").role).toBe("shop-dev-ecs-instance");
  });

  test("creates no other IAM than that one policy", () => {
    const { stack } = synthAgent();
    expect(resources(stack, "aws_iam_role")).toEqual([]);
    expect(resources(stack, "aws_iam_role_policy_attachment")).toEqual([]);
  });
});
