import type Docker from "dockerode";
import { DockerodeSource, parseEnv, publishedPorts, readInspect } from "../../../agent/docker/dockerode-source";
import { parseEventLine, parseEventStream } from "../../../agent/docker/event-stream";

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}
async function* chunks(...parts: string[]): AsyncGenerator<Buffer> {
  for (const p of parts) yield Buffer.from(p);
}
const line = (o: object) => `${JSON.stringify(o)}\n`;

describe("Docker event stream", () => {
  test("reads Action and Actor.ID of container start, die and destroy", () => {
    expect(parseEventLine(JSON.stringify({ Type: "container", Action: "start", Actor: { ID: "abc" } }))).toEqual({ action: "start", containerId: "abc" });
    expect(parseEventLine(JSON.stringify({ Type: "container", Action: "destroy", Actor: { ID: "abc" } }))).toEqual({ action: "destroy", containerId: "abc" });
  });

  test.each(["stop", "oom", "pause", "unpause"])("reads %s, which can end or resume a container's service", (action) => {
    expect(parseEventLine(JSON.stringify({ Type: "container", Action: action, Actor: { ID: "abc", Attributes: { name: "web" } } }))).toEqual({ action, containerId: "abc" });
  });

  test("reads the signal of a kill event (Docker writes its number)", () => {
    expect(parseEventLine(JSON.stringify({ Type: "container", Action: "kill", Actor: { ID: "abc", Attributes: { name: "web", signal: "9" } } }))).toEqual({ action: "kill", containerId: "abc", signal: "9" });
    expect(parseEventLine(JSON.stringify({ Type: "container", Action: "kill", Actor: { ID: "abc", Attributes: { signal: 9 } } }))).toEqual({ action: "kill", containerId: "abc" });
  });

  test("reads Docker's `health_status: <status>` actions as health_status events", () => {
    expect(parseEventLine(JSON.stringify({ Type: "container", Action: "health_status: unhealthy", Actor: { ID: "abc", Attributes: { name: "web" } } }))).toEqual({
      action: "health_status",
      containerId: "abc",
      healthStatus: "unhealthy",
    });
    expect(parseEventLine(JSON.stringify({ Type: "container", Action: "health_status: healthy", Actor: { ID: "abc" } }))).toMatchObject({ action: "health_status", healthStatus: "healthy" });
  });

  test.each([
    ["another action (a healthcheck's exec)", { Type: "container", Action: "exec_start: /bin/sh -c [ -f /www/ok ]", Actor: { ID: "abc" } }],
    ["a network event", { Type: "network", Action: "connect", Actor: { ID: "net" } }],
    ["only the deprecated status/id fields (what ecsd read)", { status: "start", id: "abc" }],
    ["no actor id", { Type: "container", Action: "start", Actor: {} }],
  ])("ignores %s", (_what, message) => {
    expect(parseEventLine(JSON.stringify(message))).toBeUndefined();
  });

  test("ignores a line that is not JSON (ecsd issue #6) and keeps reading", async () => {
    const events = await collect(parseEventStream(chunks("not json\n", line({ Type: "container", Action: "die", Actor: { ID: "x" } }))));
    expect(events).toEqual([{ action: "die", containerId: "x" }]);
  });

  test("reassembles lines split across chunks and splits lines sharing a chunk", async () => {
    const a = line({ Type: "container", Action: "start", Actor: { ID: "a" } });
    const b = line({ Type: "container", Action: "die", Actor: { ID: "b" } });
    const joined = a + b;
    const events = await collect(parseEventStream(chunks(joined.slice(0, 10), joined.slice(10, a.length + 5), joined.slice(a.length + 5))));
    expect(events).toEqual([
      { action: "start", containerId: "a" },
      { action: "die", containerId: "b" },
    ]);
  });
});

describe("container summaries", () => {
  test("env lines become a map; values keep their '=' signs", () => {
    expect(parseEnv(["A=1", "B=x=y", "EMPTY=", "BARE"])).toEqual({ A: "1", B: "x=y", EMPTY: "", BARE: "" });
  });

  test("every binding is kept with its host address; exposed ports that are not published are dropped", () => {
    // `Ports` of GET /containers/json, verbatim from dockerd 20.10 for
    // `docker run -p 8080 -p 127.0.0.1::9090 -p 53/udp --expose 9000`:
    // IPv4 and IPv6 of 8080 got different host ports (moby#42442).
    expect(
      publishedPorts([
        { IP: "0.0.0.0", PrivatePort: 8080, PublicPort: 32773, Type: "tcp" },
        { IP: "::", PrivatePort: 8080, PublicPort: 32772, Type: "tcp" },
        { PrivatePort: 9000, Type: "tcp" } as Docker.Port,
        { IP: "127.0.0.1", PrivatePort: 9090, PublicPort: 32771, Type: "tcp" },
        { IP: "0.0.0.0", PrivatePort: 53, PublicPort: 32769, Type: "udp" },
        { IP: "::", PrivatePort: 53, PublicPort: 32769, Type: "udp" },
      ]),
    ).toEqual([
      { containerPort: 8080, protocol: "tcp", hostIp: "0.0.0.0", hostPort: 32773 },
      { containerPort: 8080, protocol: "tcp", hostIp: "::", hostPort: 32772 },
      { containerPort: 9090, protocol: "tcp", hostIp: "127.0.0.1", hostPort: 32771 },
      { containerPort: 53, protocol: "udp", hostIp: "0.0.0.0", hostPort: 32769 },
      { containerPort: 53, protocol: "udp", hostIp: "::", hostPort: 32769 },
    ]);
  });

  test("malformed Ports never throw: null, junk entries, ports out of range, SCTP", () => {
    expect(publishedPorts(null)).toEqual([]);
    expect(publishedPorts([null, {}, { IP: "0.0.0.0", PrivatePort: 7000, PublicPort: 32770, Type: "sctp" }, { IP: "0.0.0.0", PrivatePort: 0, PublicPort: 32768, Type: "tcp" }, { IP: "0.0.0.0", PrivatePort: 80, PublicPort: 70000, Type: "tcp" }] as unknown as Docker.Port[])).toEqual([]);
  });
});

/** Inspect answers as dockerd 20.10 gives them, cut to the fields the adapter reads. */
function inspectInfo(config: object, state: object): Docker.ContainerInspectInfo {
  return { Config: config, State: { Status: "running", Running: true, Paused: false, Restarting: false, OOMKilled: false, Dead: false, ...state } } as unknown as Docker.ContainerInspectInfo;
}
const HEALTHCHECK = { Test: ["CMD-SHELL", "[ -f /www/ok ]"], Interval: 1_000_000_000, Retries: 1 };
const health = (Status: string, FailingStreak = 0) => ({ Health: { Status, FailingStreak, Log: [] } });

describe("container inspect", () => {
  test("no healthcheck: State.Health is null, so no health", () => {
    expect(readInspect(inspectInfo({ Env: ["A=1"] }, { Health: null }))).toEqual({ env: { A: "1" }, healthChecked: false });
  });

  test("--no-healthcheck over an image's HEALTHCHECK: Test is [\"NONE\"], so no health", () => {
    expect(readInspect(inspectInfo({ Env: [], Healthcheck: { Test: ["NONE"] } }, {}))).toEqual({ env: {}, healthChecked: false });
  });

  test.each(["starting", "healthy", "unhealthy"])("a healthcheck reports State.Health.Status %j", (status) => {
    expect(readInspect(inspectInfo({ Env: ["SERVICE_8080_NAME=_web._tcp"], Healthcheck: HEALTHCHECK }, health(status)))).toEqual({
      env: { SERVICE_8080_NAME: "_web._tcp" },
      healthChecked: true,
      health: status,
    });
  });

  test("a healthcheck whose state has no Health yet counts as starting", () => {
    expect(readInspect(inspectInfo({ Env: [], Healthcheck: HEALTHCHECK }, {})).health).toBe("starting");
  });

  test("malformed answers never throw", () => {
    for (const info of [{}, { Config: null, State: null }, { Config: { Env: "A=1", Healthcheck: { Test: "x" } }, State: { Health: { Status: 7 } } }, { Config: { Env: [1, "B=2"] } }]) {
      expect(() => readInspect(info as unknown as Docker.ContainerInspectInfo)).not.toThrow();
    }
    expect(readInspect({ Config: { Env: [1, "B=2"] } } as unknown as Docker.ContainerInspectInfo).env).toEqual({ B: "2" });
  });
});

/** dockerode as far as the adapter uses it, as strict as Docker: inspecting an unknown id is a 404. */
class FakeDockerode {
  summaries: Docker.ContainerInfo[] = [];
  readonly inspects = new Map<string, Docker.ContainerInspectInfo>();
  readonly inspected: string[] = [];

  async listContainers(): Promise<Docker.ContainerInfo[]> {
    return this.summaries;
  }

  getContainer(id: string) {
    return {
      inspect: async () => {
        this.inspected.push(id);
        const info = this.inspects.get(id);
        if (!info) throw Object.assign(new Error(`(HTTP code 404) no such container - No such container: ${id}`), { statusCode: 404 });
        return info;
      },
    };
  }
}

/** A summary of GET /containers/json as dockerd 20.10 lists a container run with `-p 8080`. */
function summary(id: string, name: string, extra: Partial<Docker.ContainerInfo> = {}): Docker.ContainerInfo {
  return {
    Id: id,
    Names: [`/${name}`],
    Image: "ecsdns-test/busybox:1",
    ImageID: "sha256:712f",
    Command: "/bin/busybox httpd -f -p 8080 -h /www",
    Created: 1796200038,
    Ports: [
      { IP: "0.0.0.0", PrivatePort: 8080, PublicPort: 32768, Type: "tcp" },
      { IP: "::", PrivatePort: 8080, PublicPort: 32768, Type: "tcp" },
    ],
    Labels: {},
    State: "running",
    Status: "Up 5 seconds",
    HostConfig: { NetworkMode: "default" },
    NetworkSettings: { Networks: {} },
    Mounts: [],
    ...extra,
  } as Docker.ContainerInfo;
}

describe("DockerodeSource", () => {
  const signal = new AbortController().signal;
  const hc = "c".repeat(64);
  const plain = "d".repeat(64);
  let fake: FakeDockerode;
  let source: DockerodeSource;

  beforeEach(() => {
    fake = new FakeDockerode();
    source = new DockerodeSource({ docker: fake as unknown as Docker });
    fake.summaries = [summary(hc, "hc", { Status: "Up 1 second (health: starting)" }), summary(plain, "plain")];
    fake.inspects.set(hc, inspectInfo({ Env: ["SERVICE_8080_NAME=_web._tcp"], Healthcheck: HEALTHCHECK }, health("starting")));
    fake.inspects.set(plain, inspectInfo({ Env: ["SERVICE_FQDN_LOCAL=plain.svc.internal"] }, { Health: null }));
  });

  test("maps summary and inspect to ContainerInfo, with every binding and Docker's health", async () => {
    expect(await source.listContainers(signal)).toEqual([
      {
        id: hc,
        name: "hc",
        env: { SERVICE_8080_NAME: "_web._tcp" },
        labels: {},
        ports: [
          { containerPort: 8080, protocol: "tcp", hostIp: "0.0.0.0", hostPort: 32768 },
          { containerPort: 8080, protocol: "tcp", hostIp: "::", hostPort: 32768 },
        ],
        networkMode: "default",
        health: "starting",
      },
      expect.objectContaining({ id: plain, env: { SERVICE_FQDN_LOCAL: "plain.svc.internal" } }),
    ]);
    expect((await source.listContainers(signal))[1]).not.toHaveProperty("health");
  });

  test("inspects a container without healthcheck once, and one with a healthcheck on every pass", async () => {
    await source.listContainers(signal);
    fake.inspects.set(hc, inspectInfo({ Env: ["SERVICE_8080_NAME=_web._tcp"], Healthcheck: HEALTHCHECK }, health("unhealthy", 1)));
    const second = await source.listContainers(signal);
    expect(second.find((c) => c.id === hc)?.health).toBe("unhealthy");
    expect(fake.inspected.sort()).toEqual([hc, hc, plain]);
  });

  test("a paused container is left out: it answers nothing", async () => {
    fake.summaries[1] = summary(plain, "plain", { State: "paused", Status: "Up 5 seconds (Paused)" });
    expect((await source.listContainers(signal)).map((c) => c.name)).toEqual(["hc"]);
  });

  test("a container gone between list and inspect is left out", async () => {
    fake.summaries.push(summary("gone".padEnd(64, "0"), "gone"));
    expect((await source.listContainers(signal)).map((c) => c.name)).toEqual(["hc", "plain"]);
  });
});
