/**
 * The agent's loop as main.ts composes it (DockerodeSource, ReconcilePass,
 * Reconciler) over a fake Docker Engine whose container list lags its
 * events, as dockerd 20.10's does after `die` on a busy host (issue 17),
 * with the strict Route53 fake and jest's fake clock.
 */
import type Docker from "dockerode";
import { SILENT_LOGGER } from "../../../cli/logger";
import { InMemoryRoute53 } from "../../../dns/memory/in-memory-dns";
import { Route53Provider } from "../../../dns/route53/route53-provider";
import { DockerodeSource } from "../../../agent/docker/dockerode-source";
import { ReconcilePass } from "../../../agent/reconcile-pass";
import { Reconciler } from "../../../agent/reconciler";
import { LaggingDockerd } from "../helpers/lagging-dockerd";
import { HOST, ZONE, containerId } from "../helpers/fixtures";

/** Longer than a pass takes, shorter than the resync: the list is stale for the pass after the event. */
const LIST_LAG_MS = 5_000;
/** Debounce of a lone event plus the pass. */
const ONE_PASS_MS = 150;
/** The loop's --min-interval-ms: an event later than this after a pass is a lone one. */
const MIN_INTERVAL_MS = 1_000;

const WEB = containerId("aaaa11112222");
const API = containerId("bbbb33334444");

describe("events win over a container list that lags them", () => {
  let dockerd: LaggingDockerd;
  let r53: InMemoryRoute53;
  let zoneId: string;
  let stop: AbortController;
  let running: Promise<void>;

  const srvPorts = () =>
    r53
      .snapshot(zoneId)
      .filter((r) => r.Type === "SRV")
      .map((r) => r.ResourceRecords![0].Value.split(" ")[2])
      .sort();

  async function startAgent(): Promise<void> {
    const docker = new DockerodeSource({ docker: dockerd as unknown as Docker });
    const pass = new ReconcilePass({
      docker,
      dns: new Route53Provider({ api: r53, zoneId }),
      host: HOST,
      zoneName: ZONE,
      defaultTtlSeconds: 10,
      policy: "sync",
      dryRun: false,
      logger: SILENT_LOGGER,
    });
    const reconciler = new Reconciler({ pass, docker, logger: SILENT_LOGGER, resyncSeconds: 60, debounceMs: 100, minIntervalMs: MIN_INTERVAL_MS, maxDelayMs: 2000, random: () => 1 });
    running = reconciler.run(stop.signal, new AbortController().signal);
    await jest.advanceTimersByTimeAsync(0);
  }

  /** Starts `id` with an SRV on host port `port`, lets its event pass publish it, and waits until the next event is a lone one. */
  async function runContainer(id: string, port: number): Promise<void> {
    dockerd.start(id, { SERVICE_8080_NAME: "_web._tcp" }, port);
    await jest.advanceTimersByTimeAsync(ONE_PASS_MS + MIN_INTERVAL_MS);
  }

  beforeEach(() => {
    jest.useFakeTimers();
    dockerd = new LaggingDockerd();
    dockerd.dieListLagMs = LIST_LAG_MS;
    r53 = new InMemoryRoute53();
    zoneId = r53.createZone(ZONE);
    stop = new AbortController();
  });

  afterEach(async () => {
    stop.abort();
    await jest.runOnlyPendingTimersAsync();
    await running;
    jest.useRealTimers();
  });

  test("removes the SRV record one pass after `die`, while the list still shows the container running", async () => {
    await startAgent();
    await runContainer(WEB, 32001);
    await runContainer(API, 32002);
    expect(srvPorts()).toEqual(["32001", "32002"]);
    dockerd.die(WEB);
    await jest.advanceTimersByTimeAsync(ONE_PASS_MS);
    expect(await dockerd.listContainers()).toHaveLength(2); // still stale
    expect(srvPorts()).toEqual(["32002"]);
  });

  test("`docker stop` (kill 15, kill 9, die, stop) removes the record one pass later", async () => {
    await startAgent();
    await runContainer(WEB, 32001);
    dockerd.stop(WEB);
    await jest.advanceTimersByTimeAsync(ONE_PASS_MS);
    expect(srvPorts()).toEqual([]);
  });

  test("a later `start` of the same id publishes it again", async () => {
    await startAgent();
    await runContainer(WEB, 32001);
    dockerd.die(WEB);
    await jest.advanceTimersByTimeAsync(ONE_PASS_MS);
    expect(srvPorts()).toEqual([]);
    // Docker's restart policy: the same id starts again, with a new host port.
    await jest.advanceTimersByTimeAsync(MIN_INTERVAL_MS);
    dockerd.start(WEB, { SERVICE_8080_NAME: "_web._tcp" }, 32011);
    await jest.advanceTimersByTimeAsync(ONE_PASS_MS);
    expect(srvPorts()).toEqual(["32011"]);
    // The list catching up on the old `die` afterwards changes nothing.
    await jest.advanceTimersByTimeAsync(LIST_LAG_MS + 60_000);
    expect(srvPorts()).toEqual(["32011"]);
  });

  test("a paused container's records are withdrawn until it is unpaused", async () => {
    await startAgent();
    await runContainer(WEB, 32001);
    dockerd.pause(WEB);
    await jest.advanceTimersByTimeAsync(ONE_PASS_MS);
    expect(srvPorts()).toEqual([]);
    await jest.advanceTimersByTimeAsync(MIN_INTERVAL_MS);
    dockerd.unpause(WEB);
    await jest.advanceTimersByTimeAsync(ONE_PASS_MS);
    expect(srvPorts()).toEqual(["32001"]);
  });

  test("a paused container found by the first pass is not published", async () => {
    dockerd.start(WEB, { SERVICE_8080_NAME: "_web._tcp" }, 32001);
    dockerd.pause(WEB);
    await startAgent();
    expect(srvPorts()).toEqual([]);
  });

  test("a signal that does not end the container (kill -s HUP), or an OOM kill of another process, keeps its records", async () => {
    await startAgent();
    await runContainer(WEB, 32001);
    dockerd.kill(WEB, 1);
    dockerd.oom(WEB);
    await jest.advanceTimersByTimeAsync(60_000 + ONE_PASS_MS);
    expect(srvPorts()).toEqual(["32001"]);
  });

  test("`kill -s KILL` removes the record one pass later", async () => {
    await startAgent();
    await runContainer(WEB, 32001);
    dockerd.kill(WEB, 9);
    await jest.advanceTimersByTimeAsync(ONE_PASS_MS);
    expect(srvPorts()).toEqual([]);
  });

  test("a died container that is removed, and one whose list caught up, stay unpublished", async () => {
    await startAgent();
    await runContainer(WEB, 32001);
    await runContainer(API, 32002);
    dockerd.die(WEB);
    dockerd.die(API);
    await jest.advanceTimersByTimeAsync(ONE_PASS_MS);
    dockerd.destroy(WEB);
    await jest.advanceTimersByTimeAsync(LIST_LAG_MS + 60_000);
    expect(srvPorts()).toEqual([]);
  });
});
