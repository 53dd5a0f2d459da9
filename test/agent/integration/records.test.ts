/**
 * The agent as a process against real dockerd and moto: what it publishes
 * for real containers, and what it leaves alone.
 */
import { AgentProcess } from "../helpers/agent-process";
import { useAgentWorld } from "../helpers/agent-world";
import { TEST_HOST_IP, TestContainers } from "../helpers/test-containers";
import { testEnv } from "../helpers/test-env";
import { EmulatorZone } from "../../helpers/zones";

jest.setTimeout(90_000);

const env = testEnv();
let zone: EmulatorZone;
let containers: TestContainers;
useAgentWorld(env, "records", (world) => ({ zone, containers } = world));

/**
 * Agent flags for one host of this zone; each test uses its own host id. The
 * agent's own Route53 token bucket (2 calls, one back every 30 s) is off:
 * these tests make changes seconds apart, and the bucket has tests of its own
 * (test/agent/unit/rate-limited-api.test.ts, test/faults/fleet-throttled.test.ts).
 */
const agentArgs = (hostId: string, ...extra: string[]) => [
  "--zone-id", zone.id, "--zone-name", zone.name, "--host-id", hostId, "--host-ip", TEST_HOST_IP, "--metrics-port", "0", "--route53-burst", "0", ...extra,
];
const startAgent = async (hostId: string, ...extra: string[]) => {
  const agent = AgentProcess.start(env, agentArgs(hostId, ...extra));
  await agent.waitForPass(0, 30_000);
  return agent;
};
const expectRecords = (hostId: string, expected: string[]) => zone.waitForHostLines(hostId, expected);

test("a started container gets an SRV record with the host port Docker assigned, and the host record", async () => {
  const agent = await startAgent("h-start");
  const c = await containers.start({ env: { SERVICE_8080_NAME: "_echo._tcp" } });
  await expectRecords("h-start", [
    `SRV _echo._tcp.${zone.name} 1 1 ${c.hostPort} h-start.${zone.name.slice(0, -1)}`,
    `A h-start.${zone.name} ${TEST_HOST_IP}`,
  ]);
  const created = await agent.waitForLog("the change line", (l) => l.action === "create" && l.type === "SRV");
  expect(created).toMatchObject({ name: `_echo._tcp.${zone.name}`, value: `1 1 ${c.hostPort} h-start.${zone.name.slice(0, -1)}` });
});

test("stopping the container removes its records", async () => {
  await startAgent("h-stop");
  const c = await containers.start({ env: { SERVICE_PORT_8080: `stop.${zone.name}`, SERVICE_FQDN_LOCAL: `stop-a.${zone.name}` } });
  await expectRecords("h-stop", [
    `SRV stop.${zone.name} 1 1 ${c.hostPort} h-stop.${zone.name.slice(0, -1)}`,
    `A stop-a.${zone.name} ${TEST_HOST_IP}`,
    `A h-stop.${zone.name} ${TEST_HOST_IP}`,
  ]);
  await containers.stop(c.id);
  // The host record stays while the agent runs: a deleted name would be cached as NXDOMAIN.
  await expectRecords("h-stop", [`A h-stop.${zone.name} ${TEST_HOST_IP}`]);
});

test("two containers with one FQDN share the A record until the last one stops", async () => {
  const agent = await startAgent("h-shared", "--log-level", "debug");
  const fqdn = `shared.${zone.name}`;
  const one = await containers.start({ env: { SERVICE_FQDN: fqdn } });
  const two = await containers.start({ env: { SERVICE_FQDN: fqdn } });
  await expectRecords("h-shared", [`A ${fqdn} ${TEST_HOST_IP}`, `A h-shared.${zone.name} ${TEST_HOST_IP}`]);
  const beforeStop = agent.lines.length;
  await containers.stop(one.id);
  const died = await agent.waitForLog("the die event", (l) => l.msg === "docker event" && l.containerId === one.id, 20_000, beforeStop);
  const pass = await agent.waitForPass(agent.lines.indexOf(died));
  expect(pass.changeCalls).toBe(0);
  expect(await zone.hostLines("h-shared")).toEqual([`A ${fqdn} ${TEST_HOST_IP}`, `A h-shared.${zone.name} ${TEST_HOST_IP}`].sort());
  await containers.stop(two.id);
  await expectRecords("h-shared", [`A h-shared.${zone.name} ${TEST_HOST_IP}`]);
});

test("two agents with different host ids serve the same names side by side and each removes only its own", async () => {
  const fqdn = `both.${zone.name}`;
  // One container bound to each host's address, as if it ran on both.
  const spec = { env: { SERVICE_FQDN: fqdn, SERVICE_8080_NAME: "_both._tcp" }, bindTo: ["127.0.0.11", "127.0.0.12"] };
  const c = await containers.start(spec);
  const a = await startAgent("h-a", "--host-ip", "127.0.0.11");
  const b = await startAgent("h-b", "--host-ip", "127.0.0.12");
  await expectRecords("h-a", [`A ${fqdn} 127.0.0.11`, `A h-a.${zone.name} 127.0.0.11`, `SRV _both._tcp.${zone.name} 1 1 ${c.bindings["127.0.0.11"]} h-a.${zone.name.slice(0, -1)}`]);
  await expectRecords("h-b", [`A ${fqdn} 127.0.0.12`, `A h-b.${zone.name} 127.0.0.12`, `SRV _both._tcp.${zone.name} 1 1 ${c.bindings["127.0.0.12"]} h-b.${zone.name.slice(0, -1)}`]);
  expect(await b.stop("SIGTERM")).toBe(0); // without --deregister-on-exit: records stay (the janitor's job)
  expect(await zone.hostLines("h-b")).toHaveLength(3);
  await containers.stop(c.id);
  await expectRecords("h-a", [`A h-a.${zone.name} 127.0.0.11`]);
  expect(await zone.hostLines("h-b")).toHaveLength(3);
  expect(await a.stop()).toBe(0);
});

test("a hand-made record is never touched, and a name it holds is a logged conflict", async () => {
  const taken = `taken.${zone.name}`;
  const handMade = { Name: taken, Type: "A" as const, TTL: 300, ResourceRecords: [{ Value: "192.0.2.10" }] };
  const otherOwner = { Name: `free.${zone.name}`, Type: "A" as const, SetIdentifier: "someone-else/h-hand/fqdn-public", MultiValueAnswer: true, TTL: 60, ResourceRecords: [{ Value: "192.0.2.11" }] };
  await zone.createRecords([handMade, otherOwner]);
  const agent = await startAgent("h-hand");
  const c = await containers.start({ env: { SERVICE_FQDN: taken, SERVICE_FQDN_LOCAL: `free.${zone.name}` } });
  await expectRecords("h-hand", [`A free.${zone.name} ${TEST_HOST_IP}`, `A h-hand.${zone.name} ${TEST_HOST_IP}`]);
  await agent.waitForLog("the conflict", (l) => String(l.msg).startsWith("conflict") && l.name === taken);
  await containers.stop(c.id);
  await expectRecords("h-hand", [`A h-hand.${zone.name} ${TEST_HOST_IP}`]);
  const all = await zone.records();
  expect(all).toContainEqual(expect.objectContaining(handMade));
  expect(all).toContainEqual(expect.objectContaining(otherOwner));
});

test("a bad variable is logged once with the container id, and the container's other records are published", async () => {
  const agent = await startAgent("h-bad");
  const c = await containers.start({ env: { SERVICE_PORT_9999: `bad.${zone.name}`, SERVICE_FQDN: "outside.example.com", SERVICE_8080_NAME: "_good._tcp" } });
  await expectRecords("h-bad", [`A h-bad.${zone.name} ${TEST_HOST_IP}`, `SRV _good._tcp.${zone.name} 1 1 ${c.hostPort} h-bad.${zone.name.slice(0, -1)}`]);
  const problems = agent.lines.filter((l) => l.containerId === c.id && l.level === "warn");
  expect(problems.map((p) => p.variable).sort()).toEqual(["SERVICE_FQDN", "SERVICE_PORT_9999"]);
});

test("--dry-run logs the changes and changes nothing", async () => {
  const c = await containers.start({ env: { SERVICE_8080_NAME: "_dry._tcp" } });
  const agent = AgentProcess.start(env, agentArgs("h-dry", "--dry-run"));
  const line = await agent.waitForLog("a would-create line", (l) => l.dryRun === true && l.type === "SRV");
  expect(line).toMatchObject({ action: "create", name: `_dry._tcp.${zone.name}`, value: `1 1 ${c.hostPort} h-dry.${zone.name.slice(0, -1)}` });
  expect(await zone.hostLines("h-dry", "ecsdns", true)).toEqual([]);
  expect(await agent.stop()).toBe(0);
  expect(await zone.hostLines("h-dry", "ecsdns", true)).toEqual([]);
});

test("--once reconciles, exits 0 in sync, and a second run finds nothing to do", async () => {
  const c = await containers.start({ env: { SERVICE_8080_NAME: "_once._tcp" } });
  const first = AgentProcess.start(env, agentArgs("h-once", "--once"));
  expect(await first.exited).toBe(0);
  expect(await zone.hostLines("h-once")).toEqual([`A h-once.${zone.name} ${TEST_HOST_IP}`, `SRV _once._tcp.${zone.name} 1 1 ${c.hostPort} h-once.${zone.name.slice(0, -1)}`]);
  // The name index at the host record's name lists the host's other names (relative to the zone).
  expect(await zone.hostLines("h-once", "ecsdns", true)).toContain(`TXT h-once.${zone.name} "_once._tcp"`);
  const second = AgentProcess.start(env, agentArgs("h-once", "--once", "--log-level", "debug"));
  expect(await second.exited).toBe(0);
  expect(second.lines.filter((l) => l.action)).toEqual([]);
  expect(second.lines).toContainEqual(expect.objectContaining({ msg: "full pass done", outcome: "all records up to date", ownedRecords: 3 }));
});

test("SIGTERM with --deregister-on-exit removes this host's records and exits 0", async () => {
  const c = await containers.start({ env: { SERVICE_8080_NAME: "_bye._tcp" } });
  const agent = await startAgent("h-bye", "--deregister-on-exit");
  await expectRecords("h-bye", [`A h-bye.${zone.name} ${TEST_HOST_IP}`, `SRV _bye._tcp.${zone.name} 1 1 ${c.hostPort} h-bye.${zone.name.slice(0, -1)}`]);
  expect(await agent.stop("SIGTERM")).toBe(0);
  expect(await zone.hostLines("h-bye", "ecsdns", true)).toEqual([]);
});
