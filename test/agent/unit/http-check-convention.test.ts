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
    const { slots } = srvSlots(
      { SERVICE_8080_NAME: "_web._tcp", SERVICE_9000_NAME: "_admin._tcp", SERVICE_9100_NAME: "_metrics._tcp", SERVICE_CHECK_HTTP: "/health", SERVICE_9000_CHECK_HTTP: "/ready", SERVICE_9100_CHECK_HTTP: "" },
      [tcp(8080, 32768), tcp(9000, 32769), tcp(9100, 32770)],
    );
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
});
