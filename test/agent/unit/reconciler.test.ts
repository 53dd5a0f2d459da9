/**
 * The loop with a scripted Docker, the strict Route53 fake and jest's fake
 * clock. Each test states one scheduling rule of agent/reconciler.ts.
 */
import { SILENT_LOGGER } from "../../../cli/logger";
import { InMemoryRoute53 } from "../../../dns/memory/in-memory-dns";
import { AgentMetrics } from "../../../agent/metrics";
import { ReconcilePass } from "../../../agent/reconcile-pass";
import { Reconciler, type ReconcilerOptions } from "../../../agent/reconciler";
import { Route53Provider } from "../../../dns/route53/route53-provider";
import { FakeDockerSource } from "../helpers/fake-docker-source";
import { HOST, ZONE, container, containerId, tcp } from "../helpers/fixtures";

const web = (n: number) =>
  container({ id: containerId(`${n}`.padStart(12, "0")), name: `web-${n}`, env: { SERVICE_80_NAME: "_web._tcp" }, ports: [tcp(80, 32000 + n)] });

describe("reconciler loop", () => {
  let docker: FakeDockerSource;
  let r53: InMemoryRoute53;
  let zoneId: string;
  let metrics: AgentMetrics;
  let stop: AbortController;
  let hard: AbortController;
  let running: Promise<void>;
  let reconciler: Reconciler;

  const srvPorts = () =>
    r53
      .snapshot(zoneId)
      .filter((r) => r.Type === "SRV")
      .map((r) => r.ResourceRecords![0].Value.split(" ")[2])
      .sort();

  function start(overrides: Partial<ReconcilerOptions> = {}): void {
    const pass = new ReconcilePass({
      docker,
      dns: new Route53Provider({ api: r53, zoneId }),
      host: HOST,
      zoneName: ZONE,
      defaultTtlSeconds: 10,
      policy: "sync",
      dryRun: false,
      logger: SILENT_LOGGER,
      metrics,
    });
    reconciler = new Reconciler({
      pass,
      docker,
      logger: SILENT_LOGGER,
      metrics,
      resyncSeconds: 60,
      debounceMs: 100,
      minIntervalMs: 1000,
      maxDelayMs: 2000,
      random: () => 1,
      ...overrides,
    });
    running = reconciler.run(stop.signal, hard.signal);
  }

  beforeEach(() => {
    jest.useFakeTimers();
    docker = new FakeDockerSource();
    r53 = new InMemoryRoute53();
    zoneId = r53.createZone(ZONE);
    metrics = new AgentMetrics();
    stop = new AbortController();
    hard = new AbortController();
  });

  afterEach(async () => {
    stop.abort();
    await jest.runOnlyPendingTimersAsync();
    await running;
    jest.useRealTimers();
  });

  test("subscribes to Docker events before listing containers", async () => {
    docker.containers = [web(1)];
    start();
    await jest.advanceTimersByTimeAsync(0);
    expect(docker.log.slice(0, 2)).toEqual(["subscribe", "list"]);
    expect(srvPorts()).toEqual(["32001"]);
  });

  test("an event schedules a pass after the debounce, not before", async () => {
    start();
    await jest.advanceTimersByTimeAsync(0);
    docker.containers = [web(1)];
    docker.emit("start", web(1).id);
    await jest.advanceTimersByTimeAsync(99);
    expect(srvPorts()).toEqual([]);
    await jest.advanceTimersByTimeAsync(1);
    expect(srvPorts()).toEqual(["32001"]);
  });

  test("a burst of events becomes one pass and one change batch", async () => {
    start();
    await jest.advanceTimersByTimeAsync(0);
    const callsBefore = r53.calls.change;
    for (let n = 1; n <= 20; n++) {
      docker.containers = [...docker.containers, web(n)];
      docker.emit("start", web(n).id);
      await jest.advanceTimersByTimeAsync(10);
    }
    await jest.advanceTimersByTimeAsync(200);
    expect(srvPorts()).toHaveLength(20);
    expect(r53.calls.change - callsBefore).toBe(1);
  });

  test("events that never pause are flushed after the maximum delay", async () => {
    start();
    await jest.advanceTimersByTimeAsync(0);
    docker.containers = [web(1)];
    for (let t = 0; t < 1950; t += 50) {
      docker.emit("start", web(1).id);
      await jest.advanceTimersByTimeAsync(50);
    }
    expect(srvPorts()).toEqual([]);
    await jest.advanceTimersByTimeAsync(100);
    expect(srvPorts()).toEqual(["32001"]);
  });

  test("two event passes are at least the minimum interval apart", async () => {
    start();
    await jest.advanceTimersByTimeAsync(0);
    docker.containers = [web(1)];
    docker.emit("start", web(1).id);
    await jest.advanceTimersByTimeAsync(100);
    expect(srvPorts()).toEqual(["32001"]);
    docker.containers = [web(1), web(2)];
    docker.emit("start", web(2).id);
    await jest.advanceTimersByTimeAsync(999);
    expect(srvPorts()).toEqual(["32001"]);
    await jest.advanceTimersByTimeAsync(1);
    expect(srvPorts()).toEqual(["32001", "32002"]);
  });

  test("once a burst is under way, passes wait for the minimum interval of quiet", async () => {
    start();
    await jest.advanceTimersByTimeAsync(0);
    const callsBefore = r53.calls.change;
    // 25 starts, one every 200 ms: quieter than the debounce, busier than the minimum interval.
    for (let n = 1; n <= 25; n++) {
      docker.containers = [...docker.containers, web(n)];
      docker.emit("start", web(n).id);
      await jest.advanceTimersByTimeAsync(200);
    }
    await jest.advanceTimersByTimeAsync(1000);
    expect(srvPorts()).toHaveLength(25);
    // t=100 (the first start alone), t=2200 and t=4400 (max delay 2 s), t=5800 (1 s after the last start).
    expect(r53.calls.change - callsBefore).toBe(4);
  });

  test("an event long after the last pass gets the short debounce again", async () => {
    start();
    await jest.advanceTimersByTimeAsync(0);
    docker.containers = [web(1)];
    docker.emit("start", web(1).id);
    await jest.advanceTimersByTimeAsync(1500);
    docker.containers = [web(1), web(2)];
    docker.emit("start", web(2).id);
    await jest.advanceTimersByTimeAsync(100);
    expect(srvPorts()).toEqual(["32001", "32002"]);
  });

  test("event passes plan against the cached zone; only full passes list it", async () => {
    start();
    await jest.advanceTimersByTimeAsync(0);
    const listsAfterStart = r53.calls.list;
    docker.containers = [web(1)];
    docker.emit("start", web(1).id);
    await jest.advanceTimersByTimeAsync(100);
    expect(srvPorts()).toEqual(["32001"]);
    expect(r53.calls.list).toBe(listsAfterStart);
  });

  test("the periodic resync repairs a record removed behind the agent's back", async () => {
    docker.containers = [web(1)];
    start();
    await jest.advanceTimersByTimeAsync(0);
    const srv = r53.snapshot(zoneId).find((r) => r.Type === "SRV")!;
    await r53.changeRecordSets(zoneId, [{ Action: "DELETE", ResourceRecordSet: srv }]);
    // random() = 1: the longest jittered period, 60 s × (1 + RESYNC_JITTER) = 66 s.
    await jest.advanceTimersByTimeAsync(65_999);
    expect(srvPorts()).toEqual([]);
    await jest.advanceTimersByTimeAsync(1);
    expect(srvPorts()).toEqual(["32001"]);
  });

  test("a lost event stream is reopened with backoff and followed by a full pass", async () => {
    start();
    await jest.advanceTimersByTimeAsync(0);
    docker.containers = [web(1)]; // started while the stream is down: no event will tell
    docker.dropStream(new Error("socket hang up"));
    await jest.advanceTimersByTimeAsync(0);
    expect(docker.openStreams).toBe(0);
    await jest.advanceTimersByTimeAsync(250);
    expect(docker.openStreams).toBe(1);
    expect(srvPorts()).toEqual(["32001"]);
    expect((await metrics.dockerReconnects.get()).values[0].value).toBe(1);
  });

  test("never gives up on Docker: subscribe failures back off and the loop keeps going", async () => {
    docker.failSubscribes = 5;
    docker.containers = [web(1)];
    start({ reconnectBackoff: { baseMs: 100, maxMs: 400 } });
    // 100 + 200 + 400 + 400 + 400 ms of backoff, then the sixth attempt succeeds.
    await jest.advanceTimersByTimeAsync(1499);
    expect(docker.log.filter((c) => c === "subscribe")).toHaveLength(5);
    expect(srvPorts()).toEqual([]);
    await jest.advanceTimersByTimeAsync(1);
    expect(docker.log.filter((c) => c === "subscribe")).toHaveLength(6);
    expect(srvPorts()).toEqual(["32001"]);
  });

  test("a failed pass is retried with backoff, and events do not hurry the retry", async () => {
    let throttle = 2;
    r53.hooks.beforeChange = () => {
      if (throttle-- > 0) throw Object.assign(new Error("Rate exceeded"), { name: "Throttling" });
    };
    docker.containers = [web(1)];
    start({ retryBackoff: { baseMs: 1000, maxMs: 8000 } });
    await jest.advanceTimersByTimeAsync(0);
    expect(srvPorts()).toEqual([]);
    docker.emit("start", web(1).id);
    await jest.advanceTimersByTimeAsync(999);
    expect(r53.calls.change).toBe(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(r53.calls.change).toBe(2); // second attempt, throttled again: next in 2 s
    await jest.advanceTimersByTimeAsync(1999);
    expect(srvPorts()).toEqual([]);
    await jest.advanceTimersByTimeAsync(1);
    expect(srvPorts()).toEqual(["32001"]);
    const passes = (await metrics.reconciles.get()).values;
    const count = (result: string) => passes.filter((v) => v.labels.result === result).reduce((sum, v) => sum + v.value, 0);
    expect([count("error"), count("success")]).toEqual([2, 1]);
  });

  test("stop ends the loop after the pass in flight, which completes", async () => {
    let release: () => void = () => undefined;
    r53.hooks.beforeChange = () => undefined;
    docker.containers = [web(1)];
    const slowList = docker.listContainers.bind(docker);
    docker.listContainers = async () => {
      await new Promise<void>((resolve) => (release = resolve));
      return slowList();
    };
    start();
    await jest.advanceTimersByTimeAsync(0);
    stop.abort();
    let finished = false;
    void running.then(() => (finished = true));
    await jest.advanceTimersByTimeAsync(10);
    expect(finished).toBe(false);
    release();
    await jest.advanceTimersByTimeAsync(0);
    expect(finished).toBe(true);
    expect(srvPorts()).toEqual(["32001"]);
    expect(docker.openStreams).toBe(0);
  });
});
