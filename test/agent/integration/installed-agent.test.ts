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
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { CloudWatchClient, GetMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { AGENT_HEARTBEAT_METRIC, AGENT_HEARTBEAT_NAMESPACE, heartbeatDimensions } from "../../../dns/agent-heartbeat";
import { buildBundles } from "../../../scripts/build/bundles";
import { node22 } from "../../../scripts/lib/node22";
import { startImdsStandIn, type ImdsStandIn } from "../../../scripts/local/imds-stand-in";
import { localAgentCommand, verifyUnit, type InstalledAgent } from "../../../scripts/local/installed-agent";
import { synthesizeAgentInstall, type SynthesizedInstall } from "../../helpers/installed-agent-synth";
import { EmulatorZone } from "../../helpers/zones";
import { acquireDockerLock, BEFORE_ALL_WITH_DOCKER_LOCK_MS } from "../helpers/docker-lock";
import { acquireHostPortsLock } from "../helpers/host-ports-lock";
import { startInstalledDockerProxy, type InstalledDockerProxy } from "../helpers/installed-docker-proxy";
import { TestContainers } from "../helpers/test-containers";
import { testEnv, uniqueSuffix, waitFor } from "../helpers/test-env";

jest.setTimeout(180_000);

const env = testEnv();
const hostId = `i-0${Buffer.from(uniqueSuffix()).toString("hex").slice(0, 16).padEnd(16, "0")}`;
const containers = new TestContainers(env, `installed-${uniqueSuffix()}`);
let zone: EmulatorZone;
let installed: InstalledAgent;
let bundle: string;
let synthesized: SynthesizedInstall | undefined;
let imds: ImdsStandIn;
let releaseLocks: (() => void)[] = [];
let agent: ChildProcess | undefined;
let dockerProxy: InstalledDockerProxy | undefined;
const proxyDir = mkdtempSync(join(tmpdir(), "installed-proxy-"));

beforeAll(async () => {
  await buildBundles({ onlyIfStale: true });
  zone = await EmulatorZone.createUnique(env.motoUrl, "installed");
  synthesized = synthesizeAgentInstall(zone, env.motoUrl);
  ({ installed, bundle } = synthesized);
  imds = await startImdsStandIn({ instanceId: hostId, localIpv4: "127.0.0.1", region: "us-east-1" });
  // The agent reads Docker through its proxy, as on a host (the unit's DOCKER_HOST is the proxy's socket).
  const socketPath = join(proxyDir, "ecsdns-docker.sock");
  dockerProxy = startInstalledDockerProxy(installed.units, { node: node22(), bundle: synthesized.dockerProxyBundle, socketPath, dockerHost: env.dockerHost });
  await waitFor("the Docker proxy's socket", async () => existsSync(socketPath), 10_000, 50);
  releaseLocks = [await acquireDockerLock(env.envDir), await acquireHostPortsLock(env.envDir)];
}, BEFORE_ALL_WITH_DOCKER_LOCK_MS);

afterAll(async () => {
  if (agent && agent.exitCode === null) agent.kill("SIGKILL");
  await containers.removeAll();
  for (const release of releaseLocks) release();
  await imds?.close();
  await dockerProxy?.stop();
  rmSync(proxyDir, { recursive: true, force: true });
  await zone?.destroy();
  synthesized?.dispose();
});

test("the user data installs one unit that runs the fetched bundle, with no --host-* flag", () => {
  // THEN
  expect(installed.unitName).toBe("ecsdns-agent.service");
  expect(installed.installPath).toBe("/opt/ecsdns/agent.js");
  const exec = installed.unitText.split("\n").find((l) => l.startsWith("ExecStart="))!;
  expect(exec).toContain(` ${installed.installPath} --zone-id ${zone.id} `);
  expect(exec).not.toMatch(/--host-(id|ip|public-ip)/);
});

test("the agent reaches Docker only through its proxy: DOCKER_HOST is the proxy's socket, and its unit is not in the docker group", () => {
  const unitEnv = installed.unitText.split("\n").filter((l) => l.startsWith("Environment=DOCKER_HOST="));
  expect(unitEnv).toEqual(["Environment=DOCKER_HOST=unix:///run/ecsdns-docker.sock"]);
  expect(installed.unitText.split("\n").filter((l) => l.startsWith("SupplementaryGroups="))).toEqual(["SupplementaryGroups=ecsdns-docker"]);
});

test("systemd-analyze verify has nothing to say about the unit", () => {
  const said = verifyUnit(installed, node22(), installed.units.filter((u) => u.unitName !== installed.unitName));
  expect(said === undefined ? "no systemd-analyze on this machine" : said).toBe("");
});

/** The agent as the unit runs it, its output kept for failure messages. */
function startInstalledAgent(): { child: ChildProcess; output: () => string } {
  const command = localAgentCommand(installed, {
    node: node22(),
    bundle,
    hostEnv: { DOCKER_HOST: dockerProxy!.dockerHost, AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.endpoint },
  });
  expect(command.env).not.toHaveProperty("AWS_ACCESS_KEY_ID"); // credentials: the instance role's, from IMDS
  let output = "";
  const child = spawn(command.command, [...command.args], { env: command.env, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  agent = child;
  return { child, output: () => output };
}

/** Waits until the zone holds `expected` for this host (or the agent exits), failing with the agent's output. */
async function waitForRecords(started: { child: ChildProcess; output: () => string }, expected: string[], timeoutMs: number): Promise<void> {
  const outcome = await waitFor("the host's records", async () => {
    if (started.child.exitCode !== null) return `the agent exited with ${started.child.exitCode}`;
    const records = await zone.hostLines(hostId);
    return expected.every((r) => records.includes(r)) ? "published" : undefined;
  }, timeoutMs, 250).catch((error: Error) => error.message);
  if (outcome !== "published") throw new Error(`${outcome}\n--- agent output ---\n${started.output().slice(-3000)}`);
}

/** SIGTERM, as `systemctl stop` sends; resolves with the exit code. */
async function stopAgent(child: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
  child.kill("SIGTERM");
  return exited;
}

test("run as the unit runs it, on Node.js 22 with identity from instance metadata, it publishes its host record and a container's SRV record, and removes them on stop", async () => {
  // GIVEN a container asking for an SRV record, as a task definition's Docker label would
  const container = await containers.start({ labels: { SERVICE_8080_NAME: "_installed._tcp" } });
  // WHEN
  const started = startInstalledAgent();
  // THEN
  const hostName = `${hostId}.${zone.name}`;
  await waitForRecords(started, [`A ${hostName} 127.0.0.1`, `SRV _installed._tcp.${zone.name} 1 1 ${container.hostPort} ${hostName.replace(/\.$/, "")}`], 30_000);
  expect(imds.requests).toEqual(expect.arrayContaining([
    "PUT /latest/api/token 200",
    "GET /latest/meta-data/instance-id 200",
    "GET /latest/meta-data/local-ipv4 200",
    "GET /latest/meta-data/public-ipv4 404",
    "GET /latest/meta-data/iam/security-credentials/local-instance-role 200",
  ]));
  // AND on SIGTERM (systemctl stop) it removes them (--deregister-on-exit)
  const code = await stopAgent(started.child);
  expect({ code, records: await zone.hostLines(hostId, "ecsdns", true) }).toEqual({ code: 0, records: [] });
});

test("on a host whose every CPU is busy, it starts and publishes all the same", async () => {
  // GIVEN a busy loop on every core (bounded in time) and a container asking for a record
  const busy = Array.from({ length: availableParallelism() }, () =>
    spawn(process.execPath, ["-e", "const end = Date.now() + 60000; while (Date.now() < end);"], { stdio: "ignore" }),
  );
  try {
    const container = await containers.start({ labels: { SERVICE_8080_NAME: "_busy._tcp" } });
    // WHEN
    const started = startInstalledAgent();
    // THEN
    await waitForRecords(started, [`SRV _busy._tcp.${zone.name} 1 1 ${container.hostPort} ${hostId}.${zone.name.replace(/\.$/, "")}`], 45_000);
    expect(await stopAgent(started.child)).toBe(0);
  } finally {
    for (const loop of busy) loop.kill("SIGKILL");
  }
});

/** The heartbeats CloudWatch (moto) holds for this host in the zone, as the janitor's check asks for them: 10-second sample counts. */
async function heartbeatsInCloudWatch(): Promise<number> {
  const cloudwatch = new CloudWatchClient({ region: "us-east-1", endpoint: env.motoUrl, credentials: { accessKeyId: "test", secretAccessKey: "test" } });
  try {
    const now = Date.now();
    const answer = await cloudwatch.send(
      new GetMetricDataCommand({
        StartTime: new Date(Math.floor((now - 600_000) / 60_000) * 60_000),
        EndTime: new Date(now + 10_000),
        MetricDataQueries: [
          { Id: "h", MetricStat: { Metric: { Namespace: AGENT_HEARTBEAT_NAMESPACE, MetricName: AGENT_HEARTBEAT_METRIC, Dimensions: heartbeatDimensions(zone.id, "ecsdns", hostId) }, Period: 10, Stat: "SampleCount" } },
        ],
      }),
    );
    return (answer.MetricDataResults?.[0]?.Values ?? []).reduce((sum, v) => sum + v, 0);
  } finally {
    cloudwatch.destroy();
  }
}

test("run as the unit runs it, it sends its heartbeat to CloudWatch after its first pass, with the instance role's credentials, for the janitor's check", async () => {
  // GIVEN the unit's command as written (no heartbeat flag: the default, 60 s)
  expect(installed.unitText).not.toContain("--heartbeat-seconds");
  const before = await heartbeatsInCloudWatch();
  // WHEN
  const started = startInstalledAgent();
  // THEN a heartbeat in ECSDNS/Agent for this zone, owner and instance id, right after the first pass
  const outcome = await waitFor("a heartbeat in CloudWatch", async () => {
    if (started.child.exitCode !== null) return `the agent exited with ${started.child.exitCode}`;
    return (await heartbeatsInCloudWatch()) > before ? "sent" : undefined;
  }, 30_000, 500).catch((error: Error) => error.message);
  if (outcome !== "sent") throw new Error(`${outcome}\n--- agent output ---\n${started.output().slice(-3000)}`);
  expect(started.output()).not.toContain("heartbeat to CloudWatch failed");
  expect(await stopAgent(started.child)).toBe(0);
});
