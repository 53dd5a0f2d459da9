/**
 * The instances' user data as the cluster stack renders it (instanceUserData
 * around the DNS agent's install), run by bash as cloud-init runs it, in a
 * private mount and network namespace whose /etc, /opt and /usr/local/sbin
 * are empty tmpfs. The package manager, the AWS CLI, systemctl, shutdown,
 * getent and groupadd are stand-ins that record their calls; everything else
 * (install, chmod, cat, iptables in the namespace, the shell) is real.
 * The ECS agent starts after cloud-init whatever the script did, so an
 * instance whose agent install failed must not have ECS_CLUSTER in its
 * ecs.config, must have ECS masked, and must stop (the Auto Scaling group then
 * replaces it).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App, TerraformOutput, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { DnsAgentInstall } from "../../modules/dns-agent-install";
import { BLOCK_IMDS_DOCKER_DROP_IN, BLOCK_IMDS_SCRIPT, instanceUserData } from "../../modules/ecs-ec2-cluster";
import { missingMountNamespaces, needs } from "../helpers/real-parts";
import { TEST_BUNDLES } from "../helpers/synth";
import { bucketNamed, OFFLINE_AWS_PROVIDER, plannedOutputs } from "../helpers/terraform-render";

const IPTABLES = "/usr/sbin/iptables";
/** What is missing to run the user data in mount and network namespaces of its own, with the real iptables; undefined: nothing. */
function missingIsolation(): string | undefined {
  const missing = missingMountNamespaces();
  if (missing !== undefined) return missing;
  if (spawnSync("unshare", ["-m", "-n", "true"]).status !== 0) return "unshare -n (a kernel that allows network namespaces)";
  return existsSync(IPTABLES) ? undefined : `${IPTABLES} (Debian's iptables, which docker.io brings)`;
}
const cannotIsolate = missingIsolation();
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
function boot(failing: { dnf?: boolean; s3?: boolean } = {}): Booted {
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
  standIn("getent", "exit 2"); // no such group yet
  standIn("groupadd", "exit 0");
  standIn("sleep", "exit 0"); // the retries' waits, not the point here
  // The real iptables, reached by its own path: Debian's /usr/sbin/iptables is a link through /etc, which is empty here.
  symlinkSync(realpathSync(IPTABLES), join(bin, "iptables"));
  writeFileSync(join(dir, "user-data.sh"), renderedUserData());
  const dockerUser = "{ iptables --wait -S DOCKER-USER 2>&1 || true; }";
  const script = [
    "mount -t tmpfs tmpfs /etc && mount -t tmpfs tmpfs /opt && mount -t tmpfs tmpfs /usr/local/sbin",
    "mkdir -p /etc/ecs /etc/systemd/system",
    `export PATH=${bin}:/usr/sbin:/usr/bin:/bin`,
    `bash ${dir}/user-data.sh 2> ${dir}/stderr`,
    "status=$?",
    `cat /etc/ecs/ecs.config > ${dir}/ecs.config 2>/dev/null || true`,
    `${dockerUser} > ${dir}/after-boot`,
    // Docker restarts: systemd runs the drop-in's ExecStartPost= again (twice here), the chain as Docker left it.
    `post=$(sed -n 's/^ExecStartPost=//p' ${BLOCK_IMDS_DOCKER_DROP_IN} 2>/dev/null)`,
    `if [[ -n $post ]]; then $post && $post; ${dockerUser} > ${dir}/after-restarts; iptables --wait -F DOCKER-USER && $post; ${dockerUser} > ${dir}/after-flush; fi`,
    "exit $status",
  ].join("\n");
  // A mount and a network namespace of its own: the firewall rules are this namespace's, not the machine's.
  const run = spawnSync("unshare", ["-m", "-n", "bash", "-c", script], { encoding: "utf8" });
  const read = (file: string) => {
    try {
      return readFileSync(join(dir, file), "utf8");
    } catch {
      return "";
    }
  };
  const rules = (file: string) => read(file).trim().split("\n").filter((l) => l !== "");
  return {
    status: run.status ?? -1,
    ecsConfig: read("ecs.config"),
    calls: read("calls.log").trim().split("\n"),
    stderr: read("stderr"),
    dockerUser: { afterBoot: rules("after-boot"), afterRestarts: rules("after-restarts"), afterFlush: rules("after-flush") },
  };
}

interface Booted {
  readonly status: number;
  readonly ecsConfig: string;
  readonly calls: string[];
  readonly stderr: string;
  /** `iptables -S DOCKER-USER` after the user data, after two restarts of Docker, and after a flush of the chain and a restart. */
  readonly dockerUser: { readonly afterBoot: string[]; readonly afterRestarts: string[]; readonly afterFlush: string[] };
}

/** The chain with the one rule ECS's documentation recommends for bridge-mode tasks. */
const BLOCKED = ["-N DOCKER-USER", "-A DOCKER-USER -d 169.254.169.254/32 -i docker+ -j DROP"];

needs(cannotIsolate).describe("instance user data, run by bash", () => {
  test("installs and starts the DNS agent, then joins the cluster", () => {
    const booted = boot();
    expect(booted.status).toBe(0);
    expect(booted.ecsConfig).toContain("ECS_CLUSTER=shop-dev");
    expect(booted.calls).toContain("systemctl enable --now ecsdns-agent.service");
    expect(booted.calls.filter((c) => c.startsWith("shutdown"))).toEqual([]);
    // The agent's Docker proxy: its socket's group first, its socket unit before the agent.
    expect(booted.calls).toContain("groupadd --system ecsdns-docker");
    expect(booted.calls.indexOf("systemctl enable --now ecsdns-docker-proxy.socket")).toBeLessThan(booted.calls.indexOf("systemctl enable --now ecsdns-agent.service"));
  });

  test("drops what containers on Docker's bridges send to instance metadata, before the DNS agent or ECS start", () => {
    const booted = boot();
    expect(booted.dockerUser.afterBoot).toEqual(BLOCKED);
    expect(booted.calls.indexOf("systemctl daemon-reload")).toBeLessThan(booted.calls.indexOf("systemctl enable --now ecsdns-agent.service"));
  });

  test("keeps the rule, once, across restarts of Docker (its drop-in runs the script after every start), even after a flush of the chain", () => {
    const booted = boot();
    expect(booted.dockerUser.afterRestarts).toEqual(BLOCKED);
    expect(booted.dockerUser.afterFlush).toEqual(BLOCKED);
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

  test("the metadata rule's script passes shellcheck", () => {
    const file = join(work, "block-imds.sh");
    writeFileSync(file, BLOCK_IMDS_SCRIPT);
    const lint = spawnSync("shellcheck", ["--severity=style", file], { encoding: "utf8" });
    if (lint.error) throw new Error("shellcheck is not installed (apt-get install shellcheck; .ci/run installs it)");
    expect(lint.stdout).toBe("");
  });
});
