/**
 * registrator's SERVICE_CHECK_HTTP, as the agent publishes it for the
 * janitor: the path in the SRV record's set identifier slot.
 */
import { computeDesiredRecords } from "../../../agent/desired-records";
import { readContainer } from "../../../agent/container-conventions";
import { describeSlot, parseSetIdentifier } from "../../../dns/set-identifier";
import { HOST, ZONE, container, containerId, tcp, udp } from "../helpers/fixtures";

const read = (c: Parameters<typeof readContainer>[0]) => readContainer(c, ZONE, 10, HOST.privateIpv4);

/** The SRV records' slots of one container, by SRV name. */
function srvSlots(env: Record<string, string>, ports = [tcp(8080, 32768)], labels: Record<string, string> = {}) {
  const { records, problems } = computeDesiredRecords({
    containers: [container({ id: containerId("abcdef012345"), env, labels, ports })],
    host: HOST,
    zoneName: ZONE,
    defaultTtlSeconds: 10,
  });
  const slots = Object.fromEntries(records.filter((r) => r.type === "SRV").map((r) => [r.name, parseSetIdentifier(r.setIdentifier)!.slot]));
  return { slots, problems: problems.map((p) => `${p.variable}: ${p.reason}`) };
}

describe("SERVICE_CHECK_HTTP (registrator's HTTP check) in the SRV record's slot", () => {
  test("a container that asks nothing gets the plain slot: the janitor never probes it", () => {
    const { slots } = srvSlots({ SERVICE_8080_NAME: "_web._tcp" });
    expect(slots).toEqual({ "_web._tcp.svc.internal.": "abcdef012345-8080" });
    expect(describeSlot(slots["_web._tcp.svc.internal."])).not.toHaveProperty("httpCheckPath");
  });

  test("SERVICE_CHECK_HTTP puts the path into the slot, slashes as dots, and the janitor reads it back", () => {
    const { slots, problems } = srvSlots({ SERVICE_8080_NAME: "_web._tcp", SERVICE_CHECK_HTTP: "/api/health" });
    expect(problems).toEqual([]);
    expect(slots).toEqual({ "_web._tcp.svc.internal.": "abcdef012345-8080.api.health" });
    expect(describeSlot(slots["_web._tcp.svc.internal."])).toEqual({ kind: "srv", containerIdPrefix: "abcdef012345", containerPort: 8080, httpCheckPath: "/api/health" });
  });

  test("as a Docker label too (how the platform's task definitions ask)", () => {
    const { slots } = srvSlots({}, [tcp(8080, 32768)], { SERVICE_8080_NAME: "_web._tcp", SERVICE_8080_CHECK_HTTP: "/" });
    expect(slots).toEqual({ "_web._tcp.svc.internal.": "abcdef012345-8080." });
    expect(describeSlot("abcdef012345-8080.")).toMatchObject({ httpCheckPath: "/" });
  });

  test("SERVICE_<port>_CHECK_HTTP wins over SERVICE_CHECK_HTTP for its port, and empty turns the check off there", () => {
    const { slots, problems } = srvSlots(
      { SERVICE_8080_NAME: "_web._tcp", SERVICE_9000_NAME: "_admin._tcp", SERVICE_9100_NAME: "_metrics._tcp", SERVICE_CHECK_HTTP: "/health", SERVICE_9000_CHECK_HTTP: "/ready", SERVICE_9100_CHECK_HTTP: "" },
      [tcp(8080, 32768), tcp(9000, 32769), tcp(9100, 32770)],
    );
    // Empty is the way to say "no check here", not a bad path.
    expect(problems).toEqual([]);
    expect(slots).toEqual({
      "_web._tcp.svc.internal.": "abcdef012345-8080.health",
      "_admin._tcp.svc.internal.": "abcdef012345-9000.ready",
      "_metrics._tcp.svc.internal.": "abcdef012345-9100",
    });
  });

  test("a UDP port is never probed: the container-wide key skips it, a per-port key naming it is a problem", () => {
    const { slots, problems } = srvSlots(
      { SERVICE_53_NAME: "_dns._udp", SERVICE_8080_NAME: "_web._tcp", SERVICE_CHECK_HTTP: "/health", SERVICE_53_CHECK_HTTP: "/health" },
      [udp(53, 32800), tcp(8080, 32768)],
    );
    expect(slots).toEqual({ "_dns._udp.svc.internal.": "abcdef012345-53", "_web._tcp.svc.internal.": "abcdef012345-8080.health" });
    expect(problems).toEqual(["SERVICE_53_CHECK_HTTP: port 53 is published as udp; HTTP checks need TCP, so it is not probed"]);
    // Without the per-port key, nothing to report.
    expect(srvSlots({ SERVICE_53_NAME: "_dns._udp", SERVICE_CHECK_HTTP: "/health" }, [udp(53, 32800)]).problems).toEqual([]);
  });

  test("a path the slot cannot carry is reported once, naming the variable, and the port is published without a check", () => {
    const r = read(container({ env: { SERVICE_PORT_8080: "a.svc.internal", SERVICE_8080_NAME: "_web._tcp", SERVICE_CHECK_HTTP: "/health?verbose=1" }, ports: [tcp(8080, 32768)] }));
    expect(r.intents.filter((i) => i.kind === "srv").map((i) => ("httpCheckPath" in i ? i.httpCheckPath : "-"))).toEqual(["-", "-"]);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ variable: "SERVICE_CHECK_HTTP", source: "env", value: "/health?verbose=1" });
    expect(r.problems[0].reason).toMatch(/at most 22 characters.*published without a health check/);
  });

  test("the longest path that fits, with the longest port, keeps the slot within the pattern an older janitor accepts", () => {
    const path = `/${"a".repeat(21)}`;
    const { slots, problems } = srvSlots({ SERVICE_65535_NAME: "_web._tcp", SERVICE_CHECK_HTTP: path }, [tcp(65535, 32768)]);
    expect(problems).toEqual([]);
    expect(slots["_web._tcp.svc.internal."]).toHaveLength(40);
    expect(describeSlot(slots["_web._tcp.svc.internal."])).toMatchObject({ httpCheckPath: path });
    expect(srvSlots({ SERVICE_65535_NAME: "_web._tcp", SERVICE_CHECK_HTTP: `${path}b` }, [tcp(65535, 32768)]).problems).toHaveLength(1);
  });

  test("the path is read without surrounding spaces, and a value of only spaces turns the check off", () => {
    expect(srvSlots({ SERVICE_8080_NAME: "_web._tcp", SERVICE_CHECK_HTTP: " /health " }).slots).toEqual({ "_web._tcp.svc.internal.": "abcdef012345-8080.health" });
    expect(srvSlots({ SERVICE_8080_NAME: "_web._tcp", SERVICE_CHECK_HTTP: "/health", SERVICE_8080_CHECK_HTTP: "  " })).toEqual({ slots: { "_web._tcp.svc.internal.": "abcdef012345-8080" }, problems: [] });
    expect(srvSlots({ SERVICE_8080_NAME: "_web._tcp", SERVICE_CHECK_HTTP: "" })).toEqual({ slots: { "_web._tcp.svc.internal.": "abcdef012345-8080" }, problems: [] });
  });

  test("a per-port key may name the host port a variable named (-p 80:8888), or the container port", () => {
    const byHostPort = read(container({ env: { SERVICE_PORT_80: "a.svc.internal", SERVICE_80_CHECK_HTTP: "/by-host" }, ports: [tcp(8888, 80)] }));
    expect(byHostPort.intents).toEqual([expect.objectContaining({ containerPort: 8888, hostPort: 80, httpCheckPath: "/by-host" })]);
    const byContainerPort = read(container({ env: { SERVICE_PORT_80: "a.svc.internal", SERVICE_8888_CHECK_HTTP: "/by-container" }, ports: [tcp(8888, 80)] }));
    expect(byContainerPort.intents).toEqual([expect.objectContaining({ httpCheckPath: "/by-container" })]);
    // The port the variable named comes first.
    const both = read(container({ env: { SERVICE_PORT_80: "a.svc.internal", SERVICE_80_CHECK_HTTP: "/named", SERVICE_8888_CHECK_HTTP: "/other" }, ports: [tcp(8888, 80)] }));
    expect(both.intents).toEqual([expect.objectContaining({ httpCheckPath: "/named" })]);
  });

  test("a per-port key naming a UDP port reports the key and the port, and a path it could not carry is not checked", () => {
    const r = read(container({ env: { SERVICE_53_NAME: "_dns._udp", SERVICE_53_CHECK_HTTP: "/health" }, ports: [udp(53, 32800)] }));
    expect(r.intents).toEqual([{ kind: "srv", name: "_dns._udp.svc.internal.", containerPort: 53, hostPort: 32800, ttlSeconds: 10 }]);
    expect(r.problems).toEqual([expect.objectContaining({ variable: "SERVICE_53_CHECK_HTTP", source: "env", value: "/health" })]);
  });

  test("a bad path is reported besides the container's other problems", () => {
    const r = read(container({ env: { SERVICE_8080_NAME: "_web._tcp", SERVICE_TTL: "soon", SERVICE_CHECK_HTTP: "/not ok" }, ports: [tcp(8080, 32768)] }));
    expect(r.problems.map((p) => p.variable)).toEqual(["SERVICE_TTL", "SERVICE_CHECK_HTTP"]);
  });

  test("a bad per-port path is reported under the per-port key", () => {
    const r = read(container({ env: { SERVICE_8080_NAME: "_web._tcp", SERVICE_CHECK_HTTP: "/ok", SERVICE_8080_CHECK_HTTP: "/not ok" }, ports: [tcp(8080, 32768)] }));
    expect(r.problems).toEqual([expect.objectContaining({ variable: "SERVICE_8080_CHECK_HTTP", value: "/not ok" })]);
    expect(r.intents[0]).not.toHaveProperty("httpCheckPath");
  });
});
