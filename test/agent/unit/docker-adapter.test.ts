import type Docker from "dockerode";
import { parseEnv, publishedPorts } from "../../../agent/docker/dockerode-source";
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

  test.each([
    ["another action", { Type: "container", Action: "health_status: healthy", Actor: { ID: "abc" } }],
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
