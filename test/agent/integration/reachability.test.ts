/**
 * The agent against real dockerd and moto: a record is published only where
 * the container answers, as Docker reports it (which binding, whose network
 * namespace, what health).
 *
 * The agent runs with `--host-ip 10.0.9.1`, an EC2-like private address that
 * no container here binds: a binding answers there only when it is on
 * 0.0.0.0.
 */
import { AgentProcess } from "../helpers/agent-process";
import { useAgentWorld } from "../helpers/agent-world";
import { TestContainers } from "../helpers/test-containers";
import { testEnv, waitFor } from "../helpers/test-env";
import { EmulatorZone } from "../../helpers/zones";

jest.setTimeout(90_000);

const HOST_IP = "10.0.9.1";
const env = testEnv();
let zone: EmulatorZone;
let containers: TestContainers;
useAgentWorld(env, "reachability", (world) => ({ zone, containers } = world));

const startAgent = async (hostId: string) => {
  const agent = AgentProcess.start(env, ["--zone-id", zone.id, "--zone-name", zone.name, "--host-id", hostId, "--host-ip", HOST_IP, "--metrics-port", "0", "--route53-burst", "0", "--log-level", "debug"]);
  await agent.waitForPass(0, 30_000);
  return agent;
};
const expectRecords = (hostId: string, expected: string[]) => zone.waitForHostLines(hostId, expected);
const srvLine = (name: string, port: number, hostId: string) => `SRV ${name}.${zone.name} 1 1 ${port} ${hostId}.${zone.name.slice(0, -1)}`;
const warningsAbout = (agent: AgentProcess, containerId: string) => agent.lines.filter((l) => l.level === "warn" && l.containerId === containerId);

/** Starts a container and waits for the pass its start caused, so that "nothing published" is an answer, not a race. */
const startAndPass = async (agent: AgentProcess, spec: Parameters<TestContainers["start"]>[0]) => {
  const from = agent.lines.length;
  const c = await containers.start(spec);
  const started = await agent.waitForLog("the start event", (l) => l.msg === "docker event" && l.containerId === c.id, 20_000, from);
  await agent.waitForPass(agent.lines.indexOf(started));
  return c;
};

describe("the binding behind the host's records", () => {
  test("a port published only on 127.0.0.1 gets no SRV, and one log line naming the container", async () => {
    const agent = await startAgent("h-local");
    const local = await startAndPass(agent, { env: { SERVICE_8080_NAME: "_local._tcp", SERVICE_FQDN_LOCAL: `local.${zone.name}` }, bindTo: ["127.0.0.1"] });
    await expectRecords("h-local", [`A local.${zone.name} ${HOST_IP}`, `A h-local.${zone.name} ${HOST_IP}`]);
    // More passes (another container's start, and its stop) must not log it again.
    const other = await startAndPass(agent, { env: { SERVICE_8080_NAME: "_other._tcp" }, bindTo: [""] });
    await expectRecords("h-local", [`A local.${zone.name} ${HOST_IP}`, `A h-local.${zone.name} ${HOST_IP}`, srvLine("_other._tcp", other.bindings["0.0.0.0"], "h-local")]);
    await containers.stop(other.id);
    await expectRecords("h-local", [`A local.${zone.name} ${HOST_IP}`, `A h-local.${zone.name} ${HOST_IP}`]);
    expect(warningsAbout(agent, local.id)).toEqual([
      expect.objectContaining({
        container: expect.any(String),
        variable: "SERVICE_8080_NAME",
        value: "_local._tcp",
        reason: expect.stringContaining(`published only on 127.0.0.1:${local.bindings["127.0.0.1"]}/tcp`),
      }),
    ]);
  });

  test("a port published on both 0.0.0.0 and 127.0.0.1 (-p 127.0.0.1::8080 -p 8080) publishes the 0.0.0.0 binding", async () => {
    const agent = await startAgent("h-both");
    // Another task's loopback port first, as on any busy host: Docker's IPv4 ports now run ahead of its IPv6
    // ones, so `-p 8080` gets a lower port on :: than on 0.0.0.0 (moby#42442), and 127.0.0.1 a higher one.
    await startAndPass(agent, { bindTo: ["127.0.0.1"] });
    const c = await containers.start({ env: { SERVICE_8080_NAME: "_both._tcp" }, bindTo: ["127.0.0.1", ""] });
    expect(Object.keys(c.bindings).sort()).toEqual(["0.0.0.0", "127.0.0.1", "::"]);
    await expectRecords("h-both", [`A h-both.${zone.name} ${HOST_IP}`, srvLine("_both._tcp", c.bindings["0.0.0.0"], "h-both")]);
  });
});

describe("a container in another container's network namespace (ECS awsvpc)", () => {
  test("`docker run --network container:<other>` with SERVICE_* variables gets no record, and one log line saying why", async () => {
    const agent = await startAgent("h-awsvpc");
    // The pause container of an awsvpc task holds the namespace; the task's container joins it.
    const pause = await containers.start({ cmd: ["/bin/sleep", "600"] });
    const task = await startAndPass(agent, {
      networkMode: `container:${pause.id}`,
      env: { SERVICE_8080_NAME: "_awsvpc._tcp", SERVICE_FQDN_LOCAL: `awsvpc.${zone.name}` },
    });
    // Later passes publish others and still nothing of it, nor log it again.
    const marker = await startAndPass(agent, { env: { SERVICE_FQDN_LOCAL: `marker.${zone.name}` } });
    await expectRecords("h-awsvpc", [`A marker.${zone.name} ${HOST_IP}`, `A h-awsvpc.${zone.name} ${HOST_IP}`]);
    await containers.stop(marker.id);
    await expectRecords("h-awsvpc", [`A h-awsvpc.${zone.name} ${HOST_IP}`]); // the host record stays while the agent runs
    expect(warningsAbout(agent, task.id)).toEqual([
      expect.objectContaining({
        variable: "HostConfig.NetworkMode",
        value: `container:${pause.id}`,
        msg: expect.stringContaining("shares the network namespace of container"),
      }),
    ]);
  });
});

describe("Docker health", () => {
  test("a container that turns unhealthy loses its SRV, and gets it back when healthy again", async () => {
    const agent = await startAgent("h-health");
    const c = await containers.start({
      env: { SERVICE_8080_NAME: "_health._tcp" },
      bindTo: [""],
      healthCmd: "[ -f /www/healthy ]",
      cmd: ["/bin/sh", "-c", "echo > /www/healthy; exec /bin/busybox httpd -f -p 8080 -h /www"],
    });
    const published = [`A h-health.${zone.name} ${HOST_IP}`, srvLine("_health._tcp", c.bindings["0.0.0.0"], "h-health")];
    await waitFor("the first passing check", async () => (await containers.health(c.id)) === "healthy");
    await expectRecords("h-health", published);

    // The check now fails: Docker reports `health_status: unhealthy`, and the agent withdraws the records
    // long before its next resync (60 s), so the event, not the resync, brought them down.
    expect(await containers.exec(c.id, ["/bin/busybox", "rm", "/www/healthy"])).toBe(0);
    await expectRecords("h-health", [`A h-health.${zone.name} ${HOST_IP}`]); // the host record stays while the agent runs
    expect(await containers.health(c.id)).toBe("unhealthy");
    expect(agent.lines).toContainEqual(expect.objectContaining({ msg: "docker event", action: "health_status", containerId: c.id, healthStatus: "unhealthy" }));
    expect(agent.lines).toContainEqual(expect.objectContaining({ level: "info", containerId: c.id, health: "unhealthy" }));

    expect(await containers.exec(c.id, ["/bin/sh", "-c", "echo > /www/healthy"])).toBe(0);
    await expectRecords("h-health", published);
    expect(await containers.health(c.id)).toBe("healthy");
  });
});
