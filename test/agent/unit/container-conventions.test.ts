import { readContainer, srvProtocol } from "../../../agent/container-conventions";
import { HOST, ZONE, container, tcp, udp } from "../helpers/fixtures";

const read = (c: Parameters<typeof readContainer>[0]) => readContainer(c, ZONE, 10, HOST.privateIpv4);

describe("container convention", () => {
  describe("ecsd variables", () => {
    test("SERVICE_FQDN asks for a public A record", () => {
      const r = read(container({ env: { SERVICE_FQDN: "echo.svc.internal" } }));
      expect(r.intents).toEqual([{ kind: "fqdn-public", name: "echo.svc.internal.", ttlSeconds: 10 }]);
      expect(r.problems).toEqual([]);
    });

    test("SERVICE_FQDN and SERVICE_FQDN_LOCAL are both honoured (ecsd used only the first)", () => {
      const r = read(container({ env: { SERVICE_FQDN: "pub.svc.internal", SERVICE_FQDN_LOCAL: "loc.svc.internal" } }));
      expect(r.intents.map((i) => [i.kind, i.name])).toEqual([
        ["fqdn-public", "pub.svc.internal."],
        ["fqdn-local", "loc.svc.internal."],
      ]);
    });

    test("SERVICE_PORT_<port> uses the host port Docker published for that container port", () => {
      const r = read(container({ env: { SERVICE_PORT_8080: "echo.svc.internal" }, ports: [tcp(8080, 32768)] }));
      expect(r.intents).toEqual([{ kind: "srv", name: "echo.svc.internal.", containerPort: 8080, hostPort: 32768, ttlSeconds: 10 }]);
    });

    test("SERVICE_PORT_<port> naming a published host port uses it (ecsd's README: -p 80:8888)", () => {
      const r = read(container({ env: { SERVICE_PORT_80: "echo.svc.internal" }, ports: [tcp(8888, 80)] }));
      expect(r.intents).toEqual([{ kind: "srv", name: "echo.svc.internal.", containerPort: 8888, hostPort: 80, ttlSeconds: 10 }]);
    });

    test("several SERVICE_PORT_* variables in one container each give an SRV", () => {
      const r = read(container({ env: { SERVICE_PORT_80: "a.svc.internal", SERVICE_PORT_443: "b.svc.internal" }, ports: [tcp(80, 32000), tcp(443, 32001)] }));
      expect(r.intents.map((i) => i.name)).toEqual(["b.svc.internal.", "a.svc.internal."]);
    });
  });

  describe("ecssd variables", () => {
    test("SERVICE_<port>_NAME is relative to the zone", () => {
      const r = read(container({ env: { SERVICE_8081_NAME: "_calc._tcp" }, ports: [tcp(8081, 32769)] }));
      expect(r.intents).toEqual([{ kind: "srv", name: "_calc._tcp.svc.internal.", containerPort: 8081, hostPort: 32769, ttlSeconds: 10 }]);
    });

    test("SERVICE_<port>_NAME that already ends with the zone is used as is", () => {
      const r = read(container({ env: { SERVICE_8081_NAME: "_calc._tcp.svc.internal" }, ports: [tcp(8081, 32769)] }));
      expect(r.intents[0]).toMatchObject({ name: "_calc._tcp.svc.internal." });
    });

    test("several SERVICE_<port>_NAME per container", () => {
      const r = read(container({ env: { SERVICE_8081_NAME: "_a._tcp", SERVICE_8082_NAME: "_b._tcp" }, ports: [tcp(8081, 1), tcp(8082, 2)] }));
      expect(r.intents.map((i) => i.name)).toEqual(["_a._tcp.svc.internal.", "_b._tcp.svc.internal."]);
    });

    test("_<service>._udp takes the UDP binding, _<service>._tcp the TCP one", () => {
      const ports = [udp(53, 30000), tcp(53, 31001), tcp(53, 31000)];
      expect(read(container({ env: { SERVICE_53_NAME: "_dns._udp" }, ports })).intents[0]).toMatchObject({ hostPort: 30000 });
      expect(read(container({ env: { SERVICE_53_NAME: "_dns._tcp" }, ports })).intents[0]).toMatchObject({ hostPort: 31000 });
    });

    test("a name without _tcp or _udp takes TCP, and UDP when only UDP is published", () => {
      expect(read(container({ env: { SERVICE_PORT_53: "dns.svc.internal" }, ports: [udp(53, 30000), tcp(53, 31000)] })).intents[0]).toMatchObject({ hostPort: 31000 });
      expect(read(container({ env: { SERVICE_PORT_53: "dns.svc.internal" }, ports: [udp(53, 30000)] })).intents[0]).toMatchObject({ hostPort: 30000 });
    });

    test("_<service>._udp for a port published only for TCP is a problem, not the TCP port", () => {
      const r = read(container({ env: { SERVICE_53_NAME: "_dns._udp" }, ports: [tcp(53, 31000)] }));
      expect(r.intents).toEqual([]);
      expect(r.problems).toEqual([expect.objectContaining({ variable: "SERVICE_53_NAME", reason: "the name asks for UDP, but port 53 is published only for TCP" })]);
    });

    test("with host networking the container port is the host port", () => {
      const r = read(container({ env: { SERVICE_9000_NAME: "_h._tcp" }, networkMode: "host" }));
      expect(r.intents[0]).toMatchObject({ containerPort: 9000, hostPort: 9000 });
    });
  });

  describe("the binding behind the host's records", () => {
    test("publishes the 0.0.0.0 binding, not a lower one on 127.0.0.1 (-p 127.0.0.1::8080 -p 8080)", () => {
      // The summary's Ports as dockerd 20.10 lists them for that `docker run`.
      const ports = [tcp(8080, 32771, "0.0.0.0"), tcp(8080, 32770, "::"), tcp(8080, 32769, "127.0.0.1")];
      expect(read(container({ env: { SERVICE_8080_NAME: "_echo._tcp" }, ports })).intents).toEqual([
        { kind: "srv", name: "_echo._tcp.svc.internal.", containerPort: 8080, hostPort: 32771, ttlSeconds: 10 },
      ]);
    });

    test("publishes the IPv4 binding when Docker gave IPv6 a lower port (moby#42442)", () => {
      const ports = [tcp(8080, 32770, "0.0.0.0"), tcp(8080, 32769, "::")];
      expect(read(container({ env: { SERVICE_8080_NAME: "_echo._tcp" }, ports })).intents[0]).toMatchObject({ hostPort: 32770 });
    });

    test("publishes a binding to the host's own private IPv4", () => {
      const ports = [tcp(8080, 32001, "127.0.0.1"), tcp(8080, 32002, HOST.privateIpv4)];
      expect(read(container({ env: { SERVICE_8080_NAME: "_echo._tcp" }, ports })).intents[0]).toMatchObject({ hostPort: 32002 });
    });

    test("a port bound only to 127.0.0.1 gives no SRV and one problem naming the container and the binding", () => {
      const c = container({ id: "c".repeat(64), name: "local-only", env: { SERVICE_8080_NAME: "_echo._tcp", SERVICE_FQDN_LOCAL: "echo.svc.internal" }, ports: [tcp(8080, 32768, "127.0.0.1")] });
      const r = read(c);
      expect(r.intents).toEqual([{ kind: "fqdn-local", name: "echo.svc.internal.", ttlSeconds: 10 }]);
      expect(r.problems).toEqual([
        {
          containerId: "c".repeat(64),
          containerName: "local-only",
          variable: "SERVICE_8080_NAME",
          source: "env",
          value: "_echo._tcp",
          reason: "port 8080 is published only on 127.0.0.1:32768/tcp, which other hosts cannot reach at 10.0.1.5 (where the SRV target resolves); publish it on 0.0.0.0 or 10.0.1.5",
        },
      ]);
    });

    test.each([
      ["only IPv6 (-p [::]::8080)", [tcp(8080, 32768, "::")], "[::]:32768/tcp"],
      ["another host's address", [tcp(8080, 32768, "10.0.1.99")], "10.0.1.99:32768/tcp"],
    ])("a port bound to %s is not published", (_what, ports, where) => {
      const r = read(container({ env: { SERVICE_8080_NAME: "_echo._tcp" }, ports }));
      expect(r.intents).toEqual([]);
      expect(r.problems[0].reason).toContain(`published only on ${where}`);
    });

    test("a port named by its host port (-p 80:8888) must be bound behind the host's records too", () => {
      expect(read(container({ env: { SERVICE_PORT_80: "echo.svc.internal" }, ports: [tcp(8888, 80, "127.0.0.1")] })).intents).toEqual([]);
    });

    test("SERVICE_<port>_IGNORE also silences the problem of that port", () => {
      const r = read(container({ env: { SERVICE_8080_NAME: "_echo._tcp", SERVICE_8080_IGNORE: "true" }, ports: [tcp(8080, 32768, "127.0.0.1")] }));
      expect(r).toEqual({ ignored: false, intents: [], problems: [] });
    });
  });

  describe("a container in another container's network namespace (ECS awsvpc)", () => {
    const pauseId = "9".repeat(64);

    test("publishes nothing, not even its FQDN, and reports one problem naming Docker's field", () => {
      const c = container({
        id: "a".repeat(64),
        name: "ecs-task-web",
        env: { SERVICE_8080_NAME: "_web._tcp", SERVICE_FQDN_LOCAL: "web.svc.internal", SERVICE_TTL: "oops" },
        networkMode: `container:${pauseId}`,
      });
      const r = read(c);
      expect(r.intents).toEqual([]);
      // Refused, not ignored: it asked to be published.
      expect(r.ignored).toBe(false);
      expect(r.problems).toEqual([
        {
          containerId: "a".repeat(64),
          containerName: "ecs-task-web",
          variable: "HostConfig.NetworkMode",
          source: "docker",
          value: `container:${pauseId}`,
          reason: "the container shares the network namespace of container 999999999999 (ECS awsvpc mode, or --network container:), whose address is not this host's; publishing none of its records",
        },
      ]);
    });

    test("is not reported when it asks for nothing (the ECS agent's own containers, sidecars)", () => {
      expect(read(container({ env: { PATH: "/bin", SERVICE_NAME: "x" }, networkMode: `container:${pauseId}` }))).toEqual({ ignored: false, intents: [], problems: [] });
    });

    test("SERVICE_IGNORE still publishes nothing and reports nothing", () => {
      expect(read(container({ env: { SERVICE_FQDN: "a.svc.internal", SERVICE_IGNORE: "true" }, networkMode: `container:${pauseId}` })).problems).toEqual([]);
    });
  });

  describe("Docker health", () => {
    const asks = { SERVICE_8080_NAME: "_web._tcp", SERVICE_FQDN_LOCAL: "web.svc.internal" };
    const ports = [tcp(8080, 32768)];

    test.each([
      ["no healthcheck", undefined],
      ["a healthy one", "healthy"],
      ["Docker's 'none'", "none"],
    ])("a container with %s is published", (_what, health) => {
      const r = read(container({ env: asks, ports, ...(health ? { health } : {}) }));
      expect(r.intents).toHaveLength(2);
      expect(r.withheldFor).toBeUndefined();
    });

    test.each(["unhealthy", "starting", "something new"])("a container whose health is %j publishes nothing, and says why", (health) => {
      const r = read(container({ env: asks, ports, health }));
      expect(r).toEqual({ ignored: false, intents: [], problems: [], withheldFor: health });
    });

    test("its bad variables are still reported while it is held back", () => {
      const r = read(container({ env: { ...asks, SERVICE_TTL: "soon" }, ports, health: "starting" }));
      expect(r.problems.map((p) => p.variable)).toEqual(["SERVICE_TTL"]);
    });

    test("a container asking for nothing is not held back (nothing to say)", () => {
      expect(read(container({ health: "unhealthy" })).withheldFor).toBeUndefined();
    });

    test.each([
      ["env", { env: { ...asks, SERVICE_IGNORE_HEALTH: "true" } }],
      ["label", { env: asks, labels: { SERVICE_IGNORE_HEALTH: "1" } }],
    ])("SERVICE_IGNORE_HEALTH as %s publishes regardless of health", (_source, settings) => {
      const r = read(container({ ...settings, ports, health: "unhealthy" }));
      expect(r.intents).toHaveLength(2);
      expect(r.withheldFor).toBeUndefined();
    });

    test.each(["false", "0", ""])("SERVICE_IGNORE_HEALTH=%j does not opt out", (value) => {
      expect(read(container({ env: { ...asks, SERVICE_IGNORE_HEALTH: value }, ports, health: "unhealthy" })).withheldFor).toBe("unhealthy");
    });
  });

  describe("labels and options", () => {
    test("a Docker label overrides the env variable with the same key", () => {
      const r = read(container({ env: { SERVICE_FQDN: "env.svc.internal" }, labels: { SERVICE_FQDN: "label.svc.internal" } }));
      expect(r.intents).toEqual([{ kind: "fqdn-public", name: "label.svc.internal.", ttlSeconds: 10 }]);
    });

    test("SERVICE_TTL sets the TTL of every record of the container", () => {
      const r = read(container({ env: { SERVICE_FQDN: "a.svc.internal", SERVICE_TTL: "60" } }));
      expect(r.intents[0]).toMatchObject({ ttlSeconds: 60 });
    });

    test.each(["1", "true", "yes", "anything"])("SERVICE_IGNORE=%j publishes nothing", (value) => {
      const r = read(container({ env: { SERVICE_FQDN: "a.svc.internal", SERVICE_IGNORE: value } }));
      expect(r).toEqual({ ignored: true, intents: [], problems: [] });
    });

    test.each(["0", "false", "no", ""])("SERVICE_IGNORE=%j does not ignore", (value) => {
      expect(read(container({ env: { SERVICE_FQDN: "a.svc.internal", SERVICE_IGNORE: value } })).ignored).toBe(false);
    });

    test("SERVICE_<port>_IGNORE skips that port's SRV records only", () => {
      const r = read(container({ env: { SERVICE_80_NAME: "_a._tcp", SERVICE_81_NAME: "_b._tcp", SERVICE_80_IGNORE: "true" }, ports: [tcp(80, 1), tcp(81, 2)] }));
      expect(r.intents.map((i) => i.name)).toEqual(["_b._tcp.svc.internal."]);
    });

    test("unrelated SERVICE_ variables are not ours and raise no problem", () => {
      const r = read(container({ env: { SERVICE_NAME: "web", SERVICE_DB_NAME: "orders", SERVICE_TAGS: "x" } }));
      expect(r).toEqual({ ignored: false, intents: [], problems: [] });
    });
  });

  describe("bad input is reported with the exact variable and skipped", () => {
    test.each([
      ["SERVICE_FQDN", "echo.other.internal", "is outside the zone svc.internal."],
      ["SERVICE_FQDN", "echosvc.internal", "is outside the zone"],
      ["SERVICE_FQDN", "not a name", "is not a DNS name"],
      ["SERVICE_FQDN", "", "empty value"],
      ["SERVICE_FQDN_LOCAL", "x..svc.internal", "is not a DNS name"],
      ["SERVICE_PORT_8080", "echo", "is outside the zone"],
      ["SERVICE_PORT_99999", "echo.svc.internal", "port 99999 is out of range (1-65535)"],
      ["SERVICE_PORT_0", "echo.svc.internal", "port 0 is out of range"],
      ["SERVICE_PORT_http", "echo.svc.internal", "\"http\" is not a port number"],
      ["SERVICE_PORT_9090", "echo.svc.internal", "port 9090 is not published"],
      ["SERVICE_70000_NAME", "_x._tcp", "port 70000 is out of range"],
      ["SERVICE_8080_NAME", "_x._tcp.other.internal.", "is outside the zone"],
      ["SERVICE_8080_NAME", "bad name", "is not a DNS name"],
      ["SERVICE_TTL", "ten", "not a TTL"],
      ["SERVICE_TTL", "-5", "not a TTL"],
    ])("%s=%j → %s", (variable, value, reason) => {
      const c = container({ id: "f".repeat(64), name: "bad", env: { [variable]: value }, ports: [tcp(8080, 32768)] });
      const r = read(c);
      expect(r.problems).toEqual([
        expect.objectContaining({ containerId: "f".repeat(64), containerName: "bad", variable, source: "env", value, reason: expect.stringContaining(reason) }),
      ]);
    });

    test("a bad variable does not stop the container's other records", () => {
      const r = read(container({ env: { SERVICE_PORT_abc: "x.svc.internal", SERVICE_FQDN: "ok.svc.internal", SERVICE_TTL: "oops" } }));
      expect(r.intents).toEqual([{ kind: "fqdn-public", name: "ok.svc.internal.", ttlSeconds: 10 }]);
      expect(r.problems.map((p) => p.variable).sort()).toEqual(["SERVICE_PORT_abc", "SERVICE_TTL"]);
    });

    test("a problem from a label names the label as its source", () => {
      const r = read(container({ labels: { SERVICE_FQDN: "outside.example.com" } }));
      expect(r.problems[0]).toMatchObject({ variable: "SERVICE_FQDN", source: "label" });
    });
  });

  describe("boundaries and exact keys", () => {
    test.each([
      ["SERVICE_PORT_1", "echo.svc.internal", 1],
      ["SERVICE_PORT_65535", "echo.svc.internal", 65535],
      ["SERVICE_1_NAME", "_x._tcp", 1],
      ["SERVICE_65535_NAME", "_x._tcp", 65535],
    ])("%s (the lowest or highest port) is accepted", (variable, value, port) => {
      const r = read(container({ env: { [variable]: value }, ports: [tcp(port, 32768)] }));
      expect(r.problems).toEqual([]);
      expect(r.intents).toEqual([expect.objectContaining({ kind: "srv", containerPort: port, hostPort: 32768 })]);
    });

    test.each([
      ["SERVICE_PORT_65536", "port 65536 is out of range (1-65535)"],
      ["SERVICE_65536_NAME", "port 65536 is out of range (1-65535)"],
      ["SERVICE_0_NAME", "port 0 is out of range (1-65535)"],
      ["SERVICE_PORT_", "\"\" is not a port number"],
      ["SERVICE_PORT_8a", "\"8a\" is not a port number"],
      ["SERVICE_PORT_a8", "\"a8\" is not a port number"],
    ])("%s is refused: %s", (variable, reason) => {
      const r = read(container({ env: { [variable]: "echo.svc.internal" }, ports: [tcp(65535, 32768)] }));
      expect(r.intents).toEqual([]);
      expect(r.problems).toEqual([expect.objectContaining({ variable, reason })]);
    });

    test.each([
      ["0", 0],
      ["2147483647", 2_147_483_647],
      [" 60 ", 60],
    ])("SERVICE_TTL=%j is accepted", (value, ttlSeconds) => {
      const r = read(container({ env: { SERVICE_FQDN: "a.svc.internal", SERVICE_TTL: value } }));
      expect(r.problems).toEqual([]);
      expect(r.intents).toEqual([{ kind: "fqdn-public", name: "a.svc.internal.", ttlSeconds }]);
    });

    test.each(["2147483648", "12345678901", "1.5", "60s", "s60", ""])("SERVICE_TTL=%j is refused, and the default TTL used", (value) => {
      const r = read(container({ env: { SERVICE_FQDN: "a.svc.internal", SERVICE_TTL: value } }));
      expect(r.problems).toEqual([expect.objectContaining({ variable: "SERVICE_TTL", reason: "not a TTL (whole seconds 0-2147483647); using 10" })]);
      expect(r.intents).toEqual([{ kind: "fqdn-public", name: "a.svc.internal.", ttlSeconds: 10 }]);
    });

    test.each(["XSERVICE_PORT_80", "MY_SERVICE_80_NAME", "SERVICE_80_NAME_OLD", "SERVICE_80_NAMES", "SERVICE_8O_NAME", "SERVICE__NAME"])(
      "%s is not a key of the convention: no record and no problem",
      (variable) => {
        expect(read(container({ env: { [variable]: "_x._tcp" }, ports: [tcp(80, 32768)] }))).toEqual({ ignored: false, intents: [], problems: [] });
      },
    );

    test("a label key that goes on after the port on another line is not SERVICE_PORT_<port>", () => {
      const r = read(container({ labels: { "SERVICE_PORT_80\nX": "echo.svc.internal" }, ports: [tcp(80, 32768)] }));
      expect(r).toEqual({ ignored: false, intents: [], problems: [] });
    });

    test.each(["X_SERVICE_80_IGNORE", "SERVICE_80_IGNORED", "SERVICE_8O_IGNORE"])("%s does not ignore port 80", (variable) => {
      const r = read(container({ env: { SERVICE_80_NAME: "_x._tcp", [variable]: "true" }, ports: [tcp(80, 32768)] }));
      expect(r.intents).toHaveLength(1);
    });

    test("SERVICE_<port>_IGNORE with a false word does not ignore the port", () => {
      const r = read(container({ env: { SERVICE_80_NAME: "_x._tcp", SERVICE_80_IGNORE: " Off " }, ports: [tcp(80, 32768)] }));
      expect(r.intents).toHaveLength(1);
    });

    test("SERVICE_<port>_IGNORE of the container port also ignores a variable that named the host port", () => {
      const r = read(container({ env: { SERVICE_PORT_80: "echo.svc.internal", SERVICE_8888_IGNORE: "1" }, ports: [tcp(8888, 80)] }));
      expect(r).toEqual({ ignored: false, intents: [], problems: [] });
    });

    test.each([" FALSE ", "No", "OFF"])("false words are read in any case and with spaces: SERVICE_IGNORE=%j does not ignore", (value) => {
      expect(read(container({ env: { SERVICE_FQDN: "a.svc.internal", SERVICE_IGNORE: value } })).intents).toHaveLength(1);
    });

    test("SERVICE_FQDN with only spaces is an empty value", () => {
      expect(read(container({ env: { SERVICE_FQDN: "   " } })).problems).toEqual([expect.objectContaining({ variable: "SERVICE_FQDN", reason: "empty value" })]);
    });

    test("SERVICE_<port>_NAME with only spaces is an empty value", () => {
      const r = read(container({ env: { SERVICE_80_NAME: "  " }, ports: [tcp(80, 32768)] }));
      expect(r.problems).toEqual([expect.objectContaining({ variable: "SERVICE_80_NAME", reason: "empty value" })]);
    });

    test("SERVICE_<port>_NAME ending with a dot is absolute and must lie inside the zone", () => {
      const r = read(container({ env: { SERVICE_80_NAME: "_x._tcp.svc.internal.", SERVICE_81_NAME: "_y._tcp." }, ports: [tcp(80, 1), tcp(81, 2)] }));
      expect(r.intents.map((i) => i.name)).toEqual(["_x._tcp.svc.internal."]);
      expect(r.problems).toEqual([expect.objectContaining({ variable: "SERVICE_81_NAME", reason: '"_y._tcp." is outside the zone svc.internal.' })]);
    });

    test("a problem with a variable from the env names the env as its source and repeats the value", () => {
      const r = read(container({ env: { SERVICE_FQDN: "outside.example.com" } }));
      expect(r.problems).toEqual([expect.objectContaining({ variable: "SERVICE_FQDN", source: "env", value: "outside.example.com", reason: '"outside.example.com" is outside the zone svc.internal.' })]);
    });

    test("the not-a-name reason quotes the value", () => {
      expect(read(container({ env: { SERVICE_FQDN: "a b.svc.internal" } })).problems[0].reason).toBe('"a b.svc.internal" is not a DNS name');
    });
  });

  describe("network modes", () => {
    test("a network mode that only contains container: is bridge-like", () => {
      const r = read(container({ env: { SERVICE_FQDN_LOCAL: "a.svc.internal" }, networkMode: "my-container:net" }));
      expect(r.intents).toHaveLength(1);
      expect(r.problems).toEqual([]);
    });

    test("container: without an id names the owner as ?", () => {
      const r = read(container({ env: { SERVICE_FQDN_LOCAL: "a.svc.internal" }, networkMode: "container:" }));
      expect(r.problems[0].reason).toContain("network namespace of container ? (");
    });

    test("a container in another's namespace that has only a bad variable is still reported once, for its namespace", () => {
      const r = read(container({ env: { SERVICE_TTL: "oops" }, networkMode: "container:abc" }));
      expect(r.intents).toEqual([]);
      expect(r.problems).toEqual([expect.objectContaining({ variable: "HostConfig.NetworkMode", value: "container:abc" })]);
    });

    test("only a network mode that is wholly container:<id> is another's namespace", () => {
      const r = read(container({ env: { SERVICE_FQDN_LOCAL: "a.svc.internal" }, networkMode: "container:abc\nbridge" }));
      expect(r.intents).toHaveLength(1);
      expect(r.problems).toEqual([]);
    });

    test("with host networking, a published binding of the port still wins over the port itself", () => {
      const r = read(container({ env: { SERVICE_80_NAME: "_w._tcp" }, networkMode: "host", ports: [tcp(80, 32768)] }));
      expect(r.intents[0]).toMatchObject({ containerPort: 80, hostPort: 32768 });
    });

    test("with host networking, a _udp name is published for the port itself", () => {
      const r = read(container({ env: { SERVICE_53_NAME: "_dns._udp" }, networkMode: "host" }));
      expect(r.intents[0]).toMatchObject({ containerPort: 53, hostPort: 53 });
    });
  });

  describe("the protocol an SRV name asks for", () => {
    test.each([
      ["_dns._udp.svc.internal.", "udp"],
      ["_web._tcp.svc.internal.", "tcp"],
      ["_DNS._UDP.Svc.Internal.", "udp"],
      ["_web._TCP.svc.internal.", "tcp"],
      ["dns.svc.internal.", undefined],
      ["a._dns._udp.svc.internal.", undefined],
      ["_dns._udpx.svc.internal.", undefined],
      ["_dns.x_udp.svc.internal.", undefined],
      ["_._udp.svc.internal.", undefined],
      ["_dns._sctp.svc.internal.", undefined],
      ["_dns._udp", undefined],
    ])("srvProtocol(%j) is %s", (name, protocol) => {
      expect(srvProtocol(name)).toBe(protocol);
    });

    test("a name with _udp below its first label takes TCP like any other name", () => {
      const r = read(container({ env: { SERVICE_PORT_53: "a._dns._udp.svc.internal" }, ports: [udp(53, 30000), tcp(53, 31000)] }));
      expect(r.intents[0]).toMatchObject({ hostPort: 31000 });
    });

    test("a _udp name for a port published twice for TCP names TCP once", () => {
      const r = read(container({ env: { SERVICE_53_NAME: "_dns._udp" }, ports: [tcp(53, 31000), tcp(53, 31001, "::")] }));
      expect(r.problems.map((p) => p.reason)).toEqual(["the name asks for UDP, but port 53 is published only for TCP"]);
    });

    test("a _tcp name for a port published only for UDP is a problem", () => {
      const r = read(container({ env: { SERVICE_53_NAME: "_dns._tcp" }, ports: [udp(53, 30000)] }));
      expect(r.problems.map((p) => p.reason)).toEqual(["the name asks for TCP, but port 53 is published only for UDP"]);
    });

    test("an unreachable binding of the asked protocol is named with every one of them, IPv6 in brackets", () => {
      const r = read(container({ env: { SERVICE_53_NAME: "_dns._udp" }, ports: [udp(53, 30001, "::"), udp(53, 30000, "127.0.0.1"), tcp(53, 31000)] }));
      expect(r.problems.map((p) => p.reason)).toEqual([
        "port 53 is published only on [::]:30001/udp, 127.0.0.1:30000/udp, which other hosts cannot reach at 10.0.1.5 (where the SRV target resolves); publish it on 0.0.0.0 or 10.0.1.5",
      ]);
    });

    test("a binding on the empty address (every address in Docker's API) is published", () => {
      expect(read(container({ env: { SERVICE_80_NAME: "_w._tcp" }, ports: [tcp(80, 32768, "")] })).intents[0]).toMatchObject({ hostPort: 32768 });
    });

    test("among reachable bindings the lowest host port is published, whatever their order", () => {
      const ports = [tcp(80, 32002), tcp(80, 32000, HOST.privateIpv4), tcp(80, 32001)];
      expect(read(container({ env: { SERVICE_80_NAME: "_w._tcp" }, ports })).intents[0]).toMatchObject({ hostPort: 32000 });
      expect(read(container({ env: { SERVICE_80_NAME: "_w._tcp" }, ports: [...ports].reverse() })).intents[0]).toMatchObject({ hostPort: 32000 });
    });

    test("a name without a protocol takes UDP when TCP is bound only where other hosts cannot reach it", () => {
      const r = read(container({ env: { SERVICE_PORT_53: "dns.svc.internal" }, ports: [tcp(53, 31000, "127.0.0.1"), udp(53, 30000)] }));
      expect(r.intents[0]).toMatchObject({ hostPort: 30000 });
      expect(r.problems).toEqual([]);
    });

    test("settings are read in key order, so intents come in that order", () => {
      const r = read(container({ env: { SERVICE_PORT_82: "c.svc.internal", SERVICE_PORT_80: "a.svc.internal", SERVICE_PORT_81: "b.svc.internal" }, ports: [tcp(80, 1), tcp(81, 2), tcp(82, 3)] }));
      expect(r.intents.map((i) => i.name)).toEqual(["a.svc.internal.", "b.svc.internal.", "c.svc.internal."]);
    });
  });
});
