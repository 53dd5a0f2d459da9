/**
 * The agent exactly as the cluster stack installs it on a host: the bundle
 * from the synthesized asset, the systemd unit from the user data, its
 * `ExecStart` run as written (V8 flags, agent flags, `Environment=` lines) on
 * Node.js 22, with no `--host-*` flag, so the host's identity and the
 * instance role's credentials come from (stand-in) instance metadata. Only
 * the node binary's and the bundle's paths differ from a host, and where
 * Docker and instance metadata answer.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App, TerraformOutput, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { DnsAgentInstall } from "../../../modules/dns-agent-install";
import { bundlePath, buildBundles } from "../../../scripts/bundles";
import { node22 } from "../../../scripts/lib/node22";
import { startImdsStandIn, type ImdsStandIn } from "../../../scripts/local/imds-stand-in";
import { installedAgentFromUserData, localAgentCommand, verifyUnit, type InstalledAgent } from "../../../scripts/local/installed-agent";
import { joinedText } from "../../helpers/synth";
import { acquireDockerLock } from "../helpers/docker-lock";
import { acquireHostPortsLock } from "../helpers/host-ports-lock";
import { TestZone } from "../helpers/moto-zone";
import { TestContainers } from "../helpers/test-containers";
import { testEnv, uniqueSuffix, waitFor } from "../helpers/test-env";

jest.setTimeout(180_000);

const env = testEnv();
const hostId = `i-0${Buffer.from(uniqueSuffix()).toString("hex").slice(0, 16).padEnd(16, "0")}`;
const containers = new TestContainers(env, `installed-${uniqueSuffix()}`);
let zone: TestZone;
let installed: InstalledAgent;
let bundle: string;
let synthDir: string;
let imds: ImdsStandIn;
let releaseLocks: (() => void)[] = [];
let agent: ChildProcess | undefined;
let agentOutput = "";

/** The DNS agent's part of the user data, synthesized as the cluster stack does, for the test's zone. */
function synthInstall(zoneId: string, zoneName: string): { userData: string; bundle: string } {
  synthDir = mkdtempSync(join(tmpdir(), "installed-agent-"));
  const app = new App({ outdir: synthDir, stackTraces: false });
  const stack = new TerraformStack(app, "cluster");
  new AwsProvider(stack, "aws", { region: "us-east-1" });
  const install = new DnsAgentInstall(stack, "dns-agent", {
    namePrefix: "installed-test",
    bundlePath: bundlePath("agent"),
    zoneId,
    zoneName,
    region: "us-east-1",
    partition: "aws",
    awsEndpointUrl: env.motoUrl,
  });
  new TerraformOutput(stack, "user_data", { value: install.userData });
  app.synth();
  const stackDir = join(synthDir, "stacks", "cluster");
  const json = JSON.parse(readFileSync(join(stackDir, "cdk.tf.json"), "utf8"));
  const object = Object.values(json.resource.aws_s3_object as Record<string, { source: string }>)[0];
  // Terraform renders the bucket's name where the user data refers to it.
  const userData = joinedText(json.output.user_data.value).replace(/\$\{aws_s3_bucket\.[\w-]+\.bucket\}/g, "installed-test-artifacts");
  return { userData, bundle: join(stackDir, object.source) };
}

beforeAll(async () => {
  await buildBundles({ onlyIfStale: true });
  zone = await TestZone.create(env, "installed");
  const synthesized = synthInstall(zone.id, zone.name.replace(/\.$/, ""));
  installed = installedAgentFromUserData(synthesized.userData);
  bundle = synthesized.bundle;
  imds = await startImdsStandIn({ instanceId: hostId, localIpv4: "127.0.0.1", region: "us-east-1" });
  releaseLocks = [await acquireDockerLock(env.envDir), await acquireHostPortsLock(env.envDir)];
}, 600_000);

afterAll(async () => {
  if (agent && agent.exitCode === null) agent.kill("SIGKILL");
  await containers.removeAll();
  for (const release of releaseLocks) release();
  await imds?.close();
  await zone?.destroy();
  rmSync(synthDir, { recursive: true, force: true });
});

test("the user data installs one unit that runs the fetched bundle, with no --host-* flag", () => {
  // THEN
  expect(installed.unitName).toBe("ecsdns-agent.service");
  expect(installed.installPath).toBe("/opt/ecsdns/agent.js");
  const exec = installed.unitText.split("\n").find((l) => l.startsWith("ExecStart="))!;
  expect(exec).toContain(` ${installed.installPath} --zone-id ${zone.id} `);
  expect(exec).not.toMatch(/--host-(id|ip|public-ip)/);
});

test("systemd-analyze verify has nothing to say about the unit", () => {
  const said = verifyUnit(installed, node22());
  expect(said === undefined ? "no systemd-analyze on this machine" : said).toBe("");
});

test("run as the unit runs it, on Node.js 22 with identity from instance metadata, it publishes its host record and a container's SRV record, and removes them on stop", async () => {
  // GIVEN a container asking for an SRV record, as a task definition's Docker label would
  const container = await containers.start({ labels: { SERVICE_8080_NAME: "_installed._tcp" } });
  const command = localAgentCommand(installed, {
    node: node22(),
    bundle,
    hostEnv: { DOCKER_HOST: env.dockerHost, AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.endpoint },
  });
  expect(command.env).not.toHaveProperty("AWS_ACCESS_KEY_ID"); // credentials: the instance role's, from IMDS
  // WHEN
  agent = spawn(command.command, [...command.args], { env: command.env, stdio: ["ignore", "pipe", "pipe"] });
  agent.stdout!.on("data", (chunk: Buffer) => (agentOutput += chunk.toString("utf8")));
  agent.stderr!.on("data", (chunk: Buffer) => (agentOutput += chunk.toString("utf8")));
  // THEN
  const hostName = `${hostId}.${zone.name}`;
  const expected = [`A ${hostName} 127.0.0.1`, `SRV _installed._tcp.${zone.name} 1 1 ${container.hostPort} ${hostName.replace(/\.$/, "")}`];
  try {
    await waitFor("the host record and the SRV record", async () => {
      if (agent!.exitCode !== null) return `the agent exited with ${agent!.exitCode}`;
      const records = await zone.hostRecords(hostId);
      return expected.every((r) => records.includes(r)) ? "published" : undefined;
    }, 30_000, 250).then((outcome) => expect(outcome).toBe("published"));
  } catch (error) {
    throw new Error(`${(error as Error).message}\n--- agent output ---\n${agentOutput.slice(-3000)}`);
  }
  expect(imds.requests).toEqual(expect.arrayContaining([
    "PUT /latest/api/token 200",
    "GET /latest/meta-data/instance-id 200",
    "GET /latest/meta-data/local-ipv4 200",
    "GET /latest/meta-data/public-ipv4 404",
    expect.stringMatching(/^GET \/latest\/meta-data\/iam\/security-credentials\/local-instance-role 200$/),
  ]));
  // AND on SIGTERM (systemctl stop) it removes them (--deregister-on-exit)
  agent.kill("SIGTERM");
  const code = await new Promise<number | null>((resolve) => agent!.on("exit", resolve));
  expect({ code, records: await zone.hostRecords(hostId) }).toEqual({ code: 0, records: [] });
});
