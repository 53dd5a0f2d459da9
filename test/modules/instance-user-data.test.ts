/**
 * The instances' user data as the cluster stack renders it (instanceUserData
 * around the DNS agent's install), run by bash as cloud-init runs it, in a
 * private mount namespace whose /etc and /opt are empty tmpfs. The package
 * manager, the AWS CLI, systemctl and shutdown are stand-ins that record
 * their calls; everything else (install, chmod, cat, the shell) is real.
 * The ECS agent starts after cloud-init whatever the script did, so an
 * instance whose agent install failed must not have ECS_CLUSTER in its
 * ecs.config, must have ECS masked, and must stop (the Auto Scaling group then
 * replaces it).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App, TerraformOutput, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { DnsAgentInstall } from "../../modules/dns-agent-install";
import { instanceUserData } from "../../modules/ecs-ec2-cluster";
import { missingMountNamespaces, needs } from "../helpers/real-parts";
import { TEST_BUNDLES } from "../helpers/synth";
import { bucketNamed, OFFLINE_AWS_PROVIDER, plannedOutputs } from "../helpers/terraform-render";

const cannotIsolate = missingMountNamespaces();
const work = mkdtempSync(join(tmpdir(), "user-data-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
// Terraform renders the user data once (init and plan load the aws provider: seconds, more on a busy machine).
beforeAll(() => void renderedUserData(), 300_000);

let rendered: string | undefined;
/**
 * The user data of an instance of cluster `shop-dev`, rendered by Terraform
 * (`terraform plan` of the synthesized stack, test/helpers/terraform-render.ts),
 * the bucket named as AWS would name it. Once per file.
 */
function renderedUserData(): string {
  if (rendered !== undefined) return rendered;
  const app = new App({ outdir: join(work, "out"), stackTraces: false });
  const stack = new TerraformStack(app, "cluster");
  new AwsProvider(stack, "aws", { region: "eu-west-1" });
  const install = new DnsAgentInstall(stack, "dns-agent", {
    namePrefix: "shop-dev",
    bundlePath: TEST_BUNDLES.agent, // the user data names its key, not its content
    zoneId: "Z0123456789ABCDEFGHIJ",
    zoneName: "svc.internal",
    region: "eu-west-1",
    partition: "aws",
  });
  new TerraformOutput(stack, "user_data", { value: instanceUserData("shop-dev", install.userData) });
  app.synth();
  const stackDir = join(work, "out", "stacks", "cluster");
  const json = JSON.parse(readFileSync(join(stackDir, "cdk.tf.json"), "utf8"));
  const outputs = plannedOutputs(stackDir, { ...bucketNamed(json, "shop-dev-artifacts"), provider: { aws: [{ region: "eu-west-1", ...OFFLINE_AWS_PROVIDER }] } });
  rendered = String(outputs.user_data);
  return rendered;
}

/** Runs the user data with stand-ins; `failing` names the stand-ins that always fail. */
function boot(failing: { dnf?: boolean; s3?: boolean } = {}): { status: number; ecsConfig: string; calls: string[]; stderr: string } {
  const dir = mkdtempSync(join(work, "boot-"));
  const bin = join(dir, "bin");
  const calls = join(dir, "calls.log");
  execFileSync("mkdir", ["-p", bin]);
  const standIn = (name: string, body: string) => {
    writeFileSync(join(bin, name), `#!/bin/bash\necho "${name} $*" >> ${calls}\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  };
  standIn("dnf", failing.dnf ? "exit 1" : "exit 0");
  // `aws s3 cp <src> <dest>`: writes the bundle to <dest>.
  standIn("aws", failing.s3 ? "exit 1" : 'for last; do :; done; echo "// agent" > "$last"');
  standIn("systemctl", "exit 0");
  standIn("shutdown", "exit 0");
  standIn("sleep", "exit 0"); // the retries' waits, not the point here
  writeFileSync(join(dir, "user-data.sh"), renderedUserData());
  const script = [
    "mount -t tmpfs tmpfs /etc && mount -t tmpfs tmpfs /opt",
    "mkdir -p /etc/ecs /etc/systemd/system",
    `PATH=${bin}:/usr/bin:/bin bash ${dir}/user-data.sh 2> ${dir}/stderr`,
    "status=$?",
    `cat /etc/ecs/ecs.config > ${dir}/ecs.config 2>/dev/null || true`,
    "exit $status",
  ].join("\n");
  const run = spawnSync("unshare", ["-m", "bash", "-c", script], { encoding: "utf8" });
  const read = (file: string) => {
    try {
      return readFileSync(join(dir, file), "utf8");
    } catch {
      return "";
    }
  };
  return { status: run.status ?? -1, ecsConfig: read("ecs.config"), calls: read("calls.log").trim().split("\n"), stderr: read("stderr") };
}

needs(cannotIsolate).describe("instance user data, run by bash", () => {
  test("installs and starts the DNS agent, then joins the cluster", () => {
    const booted = boot();
    expect(booted.status).toBe(0);
    expect(booted.ecsConfig).toContain("ECS_CLUSTER=shop-dev");
    expect(booted.calls).toContain("systemctl enable --now ecsdns-agent.service");
    expect(booted.calls.filter((c) => c.startsWith("shutdown"))).toEqual([]);
  });

  test("when Node.js cannot be installed, the instance does not join the cluster, masks ECS and stops", () => {
    const booted = boot({ dnf: true });
    expect(booted.status).not.toBe(0);
    expect(booted.ecsConfig).not.toContain("ECS_CLUSTER");
    expect(booted.calls.filter((c) => c === "dnf install -y nodejs22")).toHaveLength(5);
    expect(booted.calls).toEqual(expect.arrayContaining(["systemctl mask --now ecs.service", "shutdown -h +1"]));
    expect(booted.calls).not.toContain("systemctl enable --now ecsdns-agent.service");
    expect(booted.stderr).toContain("not joining shop-dev");
  });

  test("when the agent's bundle cannot be downloaded, the instance does not join the cluster either", () => {
    const booted = boot({ s3: true });
    expect(booted.status).not.toBe(0);
    expect(booted.ecsConfig).not.toContain("ECS_CLUSTER");
    expect(booted.calls).toEqual(expect.arrayContaining(["systemctl mask --now ecs.service", "shutdown -h +1"]));
  });

  test("the rendered user data passes shellcheck", () => {
    const file = join(work, "lint.sh");
    writeFileSync(file, renderedUserData());
    const lint = spawnSync("shellcheck", ["--severity=warning", file], { encoding: "utf8" });
    if (lint.error) throw new Error("shellcheck is not installed (apt-get install shellcheck; .ci/run installs it)");
    expect(lint.stdout).toBe("");
  });
});
