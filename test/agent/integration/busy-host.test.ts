/**
 * The agent on a busy host (issue 17): with a busy loop on every core,
 * dockerd's container list lags its `die` events. Each stopped container's
 * records must still go at once, not at the next resync.
 */
import { AgentProcess } from "../helpers/agent-process";
import { useAgentWorld } from "../helpers/agent-world";
import { TEST_HOST_IP, TestContainers, type TestContainer } from "../helpers/test-containers";
import { testEnv } from "../helpers/test-env";
import { CpuPressure } from "../../helpers/cpu-pressure";
import { EmulatorZone } from "../../helpers/zones";

jest.setTimeout(240_000);

const env = testEnv();
let zone: EmulatorZone;
let containers: TestContainers;
let pressure: CpuPressure | undefined;
useAgentWorld(env, "busy-host", (world) => ({ zone, containers } = world));

afterEach(async () => {
  await pressure?.stop();
  pressure = undefined;
});

const STOPS = 20;
/**
 * From dockerd's `die` to the agent's DELETE accepted. A correctness bound,
 * generous for a starved test process on a shared machine, and far below the
 * resync (60 s) that cleared the records before the fix; the latency target
 * (p99 ≤ 1 s) is the benchmark's (`npm run bench:agent`, P2).
 */
const CLEARED_WITHIN_MS = 5_000;
/** How long to wait for a record that is not cleared in time, before counting it as missed. */
const GIVE_UP_MS = 8_000;

/** dockerd's own time of each container's `die`, from its event stream. */
async function watchDies(docker: TestContainers["docker"], tag: string, signal: AbortSignal): Promise<Map<string, number>> {
  const diedAt = new Map<string, number>();
  const stream = (await docker.getEvents({ filters: { type: ["container"], event: ["die"], label: [`ecsdns-test=${tag}`] }, abortSignal: signal })) as NodeJS.ReadableStream;
  let buffered = "";
  stream.on("data", (chunk: Buffer) => {
    buffered += chunk.toString("utf8");
    for (let nl = buffered.indexOf("\n"); nl >= 0; nl = buffered.indexOf("\n")) {
      const event = JSON.parse(buffered.slice(0, nl)) as { Actor: { ID: string }; timeNano: number };
      buffered = buffered.slice(nl + 1);
      diedAt.set(event.Actor.ID, Math.round(event.timeNano / 1e6));
    }
  });
  stream.on("error", () => undefined);
  return diedAt;
}

test(`with every core busy, ${STOPS} stopped containers each lose their SRV record one pass after dying, not at the next resync`, async () => {
  const hostId = "h-busy";
  const agent = AgentProcess.start(env, ["--zone-id", zone.id, "--zone-name", zone.name, "--host-id", hostId, "--host-ip", TEST_HOST_IP, "--metrics-port", "0", "--route53-burst", "0", "--resync-seconds", "60"]);
  await agent.waitForPass(0, 30_000);
  const started: TestContainer[] = [];
  for (let i = 0; i < STOPS; i++) started.push(await containers.start({ env: { SERVICE_8080_NAME: `_busy-${i}._tcp` } }));
  const bare = zone.name.slice(0, -1);
  await zone.waitForHostLines(hostId, [`A ${hostId}.${zone.name} ${TEST_HOST_IP}`, ...started.map((c, i) => `SRV _busy-${i}._tcp.${zone.name} 1 1 ${c.hostPort} ${hostId}.${bare}`)], 60_000);

  const watching = new AbortController();
  const diedAt = await watchDies(containers.docker, containers.tag, watching.signal);
  pressure = CpuPressure.start({ maxMs: 200_000 });
  const latenciesMs: number[] = [];
  try {
    for (let i = 0; i < STOPS; i++) {
      const name = `_busy-${i}._tcp.${zone.name}`;
      const from = agent.lines.length;
      // As ECS stops a task: SIGTERM, which busybox httpd as PID 1 ignores, then SIGKILL after 1 s.
      await containers.docker.getContainer(started[i].id).stop({ t: 1 });
      const stoppedAt = Date.now();
      const deleted = await agent.waitForLog(`DELETE of ${name}`, (l) => l.action === "delete" && l.name === name, GIVE_UP_MS, from).catch(() => undefined);
      latenciesMs.push(deleted ? Date.parse(String(deleted.time)) - (diedAt.get(started[i].id) ?? stoppedAt) : Infinity);
    }
  } finally {
    watching.abort();
    await pressure.stop();
  }

  const late = latenciesMs.map((ms, i) => ({ stop: i, ms })).filter((s) => !(s.ms <= CLEARED_WITHIN_MS));
  expect({ late, all: latenciesMs }).toEqual({ late: [], all: latenciesMs });
  await zone.waitForHostLines(hostId, [`A ${hostId}.${zone.name} ${TEST_HOST_IP}`]);
});
