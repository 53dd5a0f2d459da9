import { computeDesiredRecords, hostRecordName } from "../../../agent/desired-records";
import { HOST, HOST_WITH_PUBLIC, ZONE, container, containerId, tcp } from "../helpers/fixtures";

const compute = (containers: Parameters<typeof computeDesiredRecords>[0]["containers"], host = HOST) =>
  computeDesiredRecords({ containers, host, zoneName: ZONE, defaultTtlSeconds: 10 });

describe("desired records", () => {
  test("no containers: only the host record, which stays as long as the agent runs (a deleted name is cached as NXDOMAIN)", () => {
    expect(compute([])).toEqual({
      records: [{ name: "i-0abc.svc.internal.", type: "A", setIdentifier: "ecsdns/i-0abc/host", routing: "multivalue", ttlSeconds: 10, values: ["10.0.1.5"] }],
      problems: [],
      withheld: [],
    });
  });

  test("an SRV record points at the host record, which is published with it", () => {
    const { records } = compute([container({ id: containerId("abcdef012345"), env: { SERVICE_8080_NAME: "_echo._tcp" }, ports: [tcp(8080, 32768)] })]);
    expect(records).toEqual([
      { name: "_echo._tcp.svc.internal.", type: "SRV", setIdentifier: "ecsdns/i-0abc/abcdef012345-8080", routing: "multivalue", ttlSeconds: 10, values: ["1 1 32768 i-0abc.svc.internal"] },
      { name: "i-0abc.svc.internal.", type: "A", setIdentifier: "ecsdns/i-0abc/host", routing: "multivalue", ttlSeconds: 10, values: ["10.0.1.5"] },
    ]);
  });

  test("the host record name is the host id in lower case under the zone", () => {
    expect(hostRecordName("I-0ABC", "svc.internal")).toBe("i-0abc.svc.internal.");
  });

  test("the host record is there without any SRV", () => {
    const { records } = compute([container({ env: { SERVICE_FQDN_LOCAL: "a.svc.internal" } })]);
    expect(records.map((r) => r.setIdentifier)).toEqual(["ecsdns/i-0abc/fqdn-local", "ecsdns/i-0abc/host"]);
  });

  test("SERVICE_FQDN publishes the public IPv4 when the host has one", () => {
    const { records } = compute([container({ env: { SERVICE_FQDN: "a.svc.internal" } })], HOST_WITH_PUBLIC);
    expect(records[0]).toMatchObject({ setIdentifier: "ecsdns/i-0abc/fqdn-public", values: ["54.1.2.3"] });
  });

  test("SERVICE_FQDN publishes the private IPv4 when the host has no public one (never 127.0.0.1)", () => {
    const { records } = compute([container({ env: { SERVICE_FQDN: "a.svc.internal" } })]);
    expect(records[0]).toMatchObject({ values: ["10.0.1.5"] });
  });

  test("an SRV publishes a binding behind the private IPv4 its target resolves to, never one on the public IPv4 only", () => {
    const c = container({ env: { SERVICE_8080_NAME: "_echo._tcp", SERVICE_FQDN: "a.svc.internal" }, ports: [tcp(8080, 32768, "54.1.2.3")] });
    const { records, problems } = compute([c], HOST_WITH_PUBLIC);
    expect(records.map((r) => `${r.type} ${r.name} ${r.values[0]}`)).toEqual(["A a.svc.internal. 54.1.2.3", "A i-0abc.svc.internal. 10.0.1.5"]);
    expect(problems[0].reason).toContain("published only on 54.1.2.3:32768/tcp, which other hosts cannot reach at 10.0.1.5");
  });

  test("an unhealthy container adds no record and is listed as withheld; a healthy one sharing its FQDN keeps it", () => {
    const sick = container({ id: containerId("5c5c5c5c5c5c"), name: "sick", env: { SERVICE_FQDN_LOCAL: "a.svc.internal", SERVICE_80_NAME: "_w._tcp" }, ports: [tcp(80, 32001)], health: "unhealthy" });
    const fine = container({ id: containerId("f1f1f1f1f1f1"), name: "fine", env: { SERVICE_FQDN_LOCAL: "a.svc.internal" }, health: "healthy" });
    const { records, withheld } = compute([sick, fine]);
    expect(records.map((r) => `${r.type} ${r.name}`)).toEqual(["A a.svc.internal.", "A i-0abc.svc.internal."]);
    expect(withheld).toEqual([{ containerId: sick.id, containerName: "sick", health: "unhealthy" }]);
  });

  test("two containers with one FQDN share one record set, which stays while either runs", () => {
    const one = container({ id: containerId("111111111111"), env: { SERVICE_FQDN: "a.svc.internal" } });
    const two = container({ id: containerId("222222222222"), env: { SERVICE_FQDN: "a.svc.internal" } });
    expect(compute([one, two]).records.filter((r) => r.name === "a.svc.internal.")).toHaveLength(1);
    expect(compute([two]).records).toEqual(compute([one, two]).records);
  });

  test("two containers with one SRV name get one record set each", () => {
    const one = container({ id: containerId("111111111111"), env: { SERVICE_80_NAME: "_w._tcp" }, ports: [tcp(80, 32001)] });
    const two = container({ id: containerId("222222222222"), env: { SERVICE_80_NAME: "_w._tcp" }, ports: [tcp(80, 32002)] });
    const srv = compute([one, two]).records.filter((r) => r.type === "SRV");
    expect(srv.map((r) => [r.setIdentifier, r.values[0]])).toEqual([
      ["ecsdns/i-0abc/111111111111-80", "1 1 32001 i-0abc.svc.internal"],
      ["ecsdns/i-0abc/222222222222-80", "1 1 32002 i-0abc.svc.internal"],
    ]);
  });

  test.each([
    ["first", ["5", "60", "30"]],
    ["in the middle", ["60", "5", "30"]],
    ["last", ["60", "30", "5"]],
  ])("a shared record takes the smallest TTL any container asked for, fed %s", (_where, ttls) => {
    // Container ids sort in the order given, so the smallest TTL comes first, in between and last.
    const containers = ttls.map((ttl, i) => container({ id: containerId(`${i + 1}`.repeat(12)), env: { SERVICE_FQDN: "a.svc.internal", SERVICE_TTL: ttl } }));
    expect(compute(containers).records.find((r) => r.name === "a.svc.internal.")?.ttlSeconds).toBe(5);
  });

  test.each([
    ["first", ["5", "60", "30"]],
    ["in the middle", ["60", "5", "30"]],
    ["last", ["60", "30", "5"]],
  ])("the host record takes the smallest TTL of the SRV records that point at it, fed %s", (_where, ttls) => {
    const containers = ttls.map((ttl, i) => container({ id: containerId(`${i + 1}`.repeat(12)), env: { SERVICE_80_NAME: "_w._tcp", SERVICE_TTL: ttl }, ports: [tcp(80, 32001 + i)] }));
    const { records } = compute(containers);
    expect(records.find((r) => r.name === "i-0abc.svc.internal.")?.ttlSeconds).toBe(5);
    expect(records.filter((r) => r.type === "SRV").map((r) => r.ttlSeconds)).toEqual(ttls.map(Number));
  });

  test("the host record takes the SRV records' TTL even when it is longer than the default", () => {
    const c = container({ env: { SERVICE_80_NAME: "_w._tcp", SERVICE_TTL: "600" }, ports: [tcp(80, 32001)] });
    expect(compute([c]).records.find((r) => r.name === "i-0abc.svc.internal.")?.ttlSeconds).toBe(600);
  });

  test("the host record keeps the default TTL when only A records of FQDNs ask for another", () => {
    const c = container({ env: { SERVICE_FQDN: "a.svc.internal", SERVICE_TTL: "5" } });
    expect(compute([c]).records.map((r) => [r.name, r.ttlSeconds])).toEqual([
      ["a.svc.internal.", 5],
      ["i-0abc.svc.internal.", 10],
    ]);
  });

  test("SERVICE_FQDN_LOCAL publishes the private IPv4 even when the host has a public one", () => {
    const { records } = compute([container({ env: { SERVICE_FQDN_LOCAL: "a.svc.internal" } })], HOST_WITH_PUBLIC);
    expect(records[0]).toEqual({ name: "a.svc.internal.", type: "A", setIdentifier: "ecsdns/i-0abc/fqdn-local", routing: "multivalue", ttlSeconds: 10, values: ["10.0.1.5"] });
  });

  test("an SRV record of a port with an HTTP check carries the path in its set identifier", () => {
    const c = container({ id: containerId("abcdef012345"), env: { SERVICE_80_NAME: "_w._tcp", SERVICE_CHECK_HTTP: "/health" }, ports: [tcp(80, 32001)] });
    expect(compute([c]).records[0].setIdentifier).toBe("ecsdns/i-0abc/abcdef012345-80.health");
  });

  test("containers are read in id order, so problems come in that order whatever the input order", () => {
    const b = container({ id: containerId("bbbbbbbbbbbb"), env: { SERVICE_FQDN: "x.elsewhere" } });
    const a = container({ id: containerId("aaaaaaaaaaaa"), env: { SERVICE_FQDN: "y.elsewhere" } });
    const c = container({ id: containerId("cccccccccccc"), env: { SERVICE_FQDN: "z.elsewhere" } });
    expect(compute([b, c, a]).problems.map((p) => p.containerId)).toEqual([a.id, b.id, c.id]);
  });

  test("the same SRV asked twice by one container (both conventions) is one record", () => {
    const c = container({ env: { SERVICE_PORT_80: "_w._tcp.svc.internal", SERVICE_80_NAME: "_w._tcp" }, ports: [tcp(80, 32001)] });
    expect(compute([c]).records.filter((r) => r.type === "SRV")).toHaveLength(1);
  });

  test("output is sorted and independent of container order", () => {
    const a = container({ id: containerId("111111111111"), env: { SERVICE_FQDN: "b.svc.internal", SERVICE_80_NAME: "_z._tcp" }, ports: [tcp(80, 1)] });
    const b = container({ id: containerId("222222222222"), env: { SERVICE_FQDN_LOCAL: "a.svc.internal" } });
    expect(compute([a, b])).toEqual(compute([b, a]));
  });

  test("problems of all containers are returned alongside the good records", () => {
    const good = container({ id: containerId("111111111111"), env: { SERVICE_FQDN: "a.svc.internal" } });
    const bad = container({ id: containerId("222222222222"), env: { SERVICE_FQDN: "a.elsewhere" } });
    const result = compute([good, bad]);
    expect(result.records.map((r) => r.name)).toEqual(["a.svc.internal.", "i-0abc.svc.internal."]);
    expect(result.problems).toEqual([expect.objectContaining({ containerId: containerId("222222222222"), variable: "SERVICE_FQDN" })]);
  });
});
