/**
 * Restarts: of Docker under a running agent, and of the agent itself. The
 * file runs on a dockerd of its own (own-dockerd.ts), which it may restart
 * whoever started the run's; where none can be started, the Docker restart
 * fails under CI and is skipped elsewhere, naming what is missing, and the
 * agent's restart runs on the run's dockerd.
 */
import { AgentProcess } from "../helpers/agent-process";
import { useAgentWorld } from "../helpers/agent-world";
import { missingForOwnDockerd, OwnDockerd } from "../helpers/own-dockerd";
import { TEST_HOST_IP, TestContainers } from "../helpers/test-containers";
import { testEnv, waitFor, type TestEnv } from "../helpers/test-env";
import { needs } from "../../helpers/real-parts";
import { EmulatorZone } from "../../helpers/zones";

jest.setTimeout(120_000);

const runEnv = testEnv();
// The file's containers and agents use a dockerd of its own, which the first test restarts
// (started before the world's hooks run; `envDir` stays the run's, so its Docker lock applies).
const env: TestEnv = { ...runEnv };
let dockerd: OwnDockerd | undefined;
const missing = missingForOwnDockerd();
beforeAll(async () => {
  if (missing) return; // the Docker restart fails (CI) or is skipped, naming it
  dockerd = await OwnDockerd.start(runEnv);
  Object.assign(env, dockerd.env);
}, 180_000);
let zone: EmulatorZone;
let containers: TestContainers;
useAgentWorld(env, "restarts", (world) => ({ zone, containers } = world));
afterAll(() => dockerd?.stop(), 120_000);

const agentArgs = (hostId: string) => ["--zone-id", zone.id, "--zone-name", zone.name, "--host-id", hostId, "--host-ip", TEST_HOST_IP, "--metrics-port", "0", "--route53-burst", "0"];
const srv = (name: string, port: number, hostId: string) => `SRV ${name}.${zone.name} 1 1 ${port} ${hostId}.${zone.name.slice(0, -1)}`;
const hostA = (hostId: string) => `A ${hostId}.${zone.name} ${TEST_HOST_IP}`;
const expectRecords = (hostId: string, expected: string[], timeoutMs = 30_000) => zone.waitForHostLines(hostId, expected, timeoutMs);

needs(missing).test("the agent survives a Docker restart, reconnects and follows the restarted container", async () => {
  const agent = AgentProcess.start(env, agentArgs("h-dockerd"));
  await agent.waitForPass(0, 30_000);
  const before = await containers.start({ env: { SERVICE_8080_NAME: "_survivor._tcp" }, restart: "always" });
  await expectRecords("h-dockerd", [srv("_survivor._tcp", before.hostPort, "h-dockerd"), hostA("h-dockerd")]);

  await dockerd!.restart();

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
