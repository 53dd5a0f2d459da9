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

  test("a binding listed for IPv4 and IPv6 counts once; unpublished ports are dropped", () => {
    expect(
      publishedPorts([
        { IP: "0.0.0.0", PrivatePort: 8080, PublicPort: 32768, Type: "tcp" },
        { IP: "::", PrivatePort: 8080, PublicPort: 32768, Type: "tcp" },
        { IP: "", PrivatePort: 9000, PublicPort: 0, Type: "tcp" },
        { IP: "0.0.0.0", PrivatePort: 53, PublicPort: 32769, Type: "udp" },
      ]),
    ).toEqual([
      { containerPort: 8080, protocol: "tcp", hostPort: 32768 },
      { containerPort: 53, protocol: "udp", hostPort: 32769 },
    ]);
  });
});
