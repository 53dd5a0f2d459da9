/**
 * Restarts: of Docker under a running agent, and of the agent itself.
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { AgentProcess } from "../helpers/agent-process";
import { useAgentWorld } from "../helpers/agent-world";
import { TEST_HOST_IP, TestContainers } from "../helpers/test-containers";
import { testEnv, waitFor } from "../helpers/test-env";
import { EmulatorZone } from "../../helpers/zones";

jest.setTimeout(120_000);

const env = testEnv();
const ROOT = path.resolve(__dirname, "../../..");
let zone: EmulatorZone;
let containers: TestContainers;
useAgentWorld(env, "restarts", (world) => ({ zone, containers } = world));

const agentArgs = (hostId: string) => ["--zone-id", zone.id, "--zone-name", zone.name, "--host-id", hostId, "--host-ip", TEST_HOST_IP, "--metrics-port", "0"];
const srv = (name: string, port: number, hostId: string) => `SRV ${name}.${zone.name} 1 1 ${port} ${hostId}.${zone.name.slice(0, -1)}`;
const hostA = (hostId: string) => `A ${hostId}.${zone.name} ${TEST_HOST_IP}`;
const expectRecords = (hostId: string, expected: string[], timeoutMs = 30_000) => zone.waitForHostLines(hostId, expected, timeoutMs);

// Only when `npm test` started the dockerd itself can the test restart it.
const ownDockerd = fs.existsSync(path.join(env.envDir, "dockerd.pid"));

(ownDockerd ? test : test.skip)("the agent survives a Docker restart, reconnects and follows the restarted container", async () => {
  const agent = AgentProcess.start(env, agentArgs("h-dockerd"));
  await agent.waitForPass(0, 30_000);
  const before = await containers.start({ env: { SERVICE_8080_NAME: "_survivor._tcp" }, restart: "always" });
  await expectRecords("h-dockerd", [srv("_survivor._tcp", before.hostPort, "h-dockerd"), hostA("h-dockerd")]);

  await promisify(execFile)("bash", ["scripts/test/test-env.sh", "restart-dockerd"], { cwd: ROOT, env: { ...process.env, TEST_ENV_DIR: env.envDir }, timeout: 90_000 });

  await agent.waitForLog("the stream reopened", (l) => l.msg === "Docker event stream reopened", 60_000);
  const after = await waitFor("the container to run again", async () => (await containers.hostPort(before.id)) || undefined, 30_000);
  await expectRecords("h-dockerd", [srv("_survivor._tcp", after, "h-dockerd"), hostA("h-dockerd")]);
  // Events flow again on the new stream.
  const fresh = await containers.start({ env: { SERVICE_8080_NAME: "_fresh._tcp" } });
  await expectRecords("h-dockerd", [srv("_survivor._tcp", after, "h-dockerd"), srv("_fresh._tcp", fresh.hostPort, "h-dockerd"), hostA("h-dockerd")]);
  expect(agent.lines.filter((l) => l.msg === "Docker event stream ended" || l.msg === "Docker event stream failed")).not.toHaveLength(0);
  expect(await agent.stop()).toBe(0);
});

test("a restarted agent converges on what changed while it was down", async () => {
  const first = AgentProcess.start(env, agentArgs("h-conv"));
  await first.waitForPass(0, 30_000);
  const gone = await containers.start({ env: { SERVICE_8080_NAME: "_gone._tcp" } });
  await expectRecords("h-conv", [srv("_gone._tcp", gone.hostPort, "h-conv"), hostA("h-conv")]);
  expect(await first.stop("SIGTERM")).toBe(0);

  await containers.stop(gone.id);
  const born = await containers.start({ env: { SERVICE_8080_NAME: "_born._tcp" } });
  expect(await zone.hostLines("h-conv")).toEqual([hostA("h-conv"), srv("_gone._tcp", gone.hostPort, "h-conv")].sort());

  const second = AgentProcess.start(env, agentArgs("h-conv"));
  await expectRecords("h-conv", [srv("_born._tcp", born.hostPort, "h-conv"), hostA("h-conv")]);
  // The zone can show the delete before the agent's log line about it has been read.
  await second.waitForLog("the delete's log line", (l) => l.action === "delete", 10_000);
  expect(second.lines.filter((l) => l.action === "delete").map((l) => l.name)).toEqual([`_gone._tcp.${zone.name}`]);
  expect(await second.stop()).toBe(0);
});
