/**
 * dockerode as far as DockerodeSource uses it (getEvents, listContainers,
 * inspect), with dockerd 20.10's ordering: a container's `die` is on the
 * event stream before the container list shows it stopped. dockerd logs
 * `die`, then cleans up (unmounts, releases the network), and only then
 * writes the state the list is answered from; on a busy host that takes
 * long enough for a pass to list the dead container as running. `start`,
 * `pause` and `unpause` write the state first, then log the event, so the
 * list is never behind those.
 *
 * As strict as Docker: only actions the subscription's `filters.event` asks
 * for are sent (`health_status` matches `health_status: <status>`), an
 * unknown id's inspect is a 404, a paused container is listed with
 * `State: "paused"`, and `docker stop` of a process that ignores SIGTERM
 * sends `kill` 15, `kill` 9, `die`, `stop` in that order.
 */
import type Docker from "dockerode";
import { AsyncQueue } from "../../../scripts/lib/async-queue";

interface FakeContainer {
  readonly id: string;
  readonly name: string;
  readonly env: readonly string[];
  readonly hostPort: number;
  /** What GET /containers/json shows, which lags `die`. */
  listed: "running" | "paused" | "exited";
}

/** A queue of event lines, ended by the subscription's abort signal; `actions` is its filter. */
class EventQueue extends AsyncQueue<Buffer> {
  constructor(
    readonly actions: readonly string[],
    signal: AbortSignal | undefined,
  ) {
    super(signal);
  }
}

/** The fake Docker Engine; pass it to `new DockerodeSource({ docker })` as `Docker`. */
export class LaggingDockerd {
  /** How long after `die` the container list still shows the container running. */
  dieListLagMs = 0;
  private readonly containers = new Map<string, FakeContainer>();
  private readonly streams: EventQueue[] = [];

  /** As `docker.getEvents`: resolves once subscribed. */
  async getEvents(options: { filters?: { event?: string[] }; abortSignal?: AbortSignal }): Promise<AsyncIterable<Buffer>> {
    const stream = new EventQueue(options.filters?.event ?? [], options.abortSignal);
    this.streams.push(stream);
    return stream;
  }

  /** As `docker.listContainers()` without `all`: running and paused containers. */
  async listContainers(): Promise<Docker.ContainerInfo[]> {
    return [...this.containers.values()]
      .filter((c) => c.listed !== "exited")
      .map(
        (c) =>
          ({
            Id: c.id,
            Names: [`/${c.name}`],
            Ports: [{ IP: "0.0.0.0", PrivatePort: 8080, PublicPort: c.hostPort, Type: "tcp" }],
            Labels: {},
            State: c.listed,
            Status: c.listed === "paused" ? "Up 5 seconds (Paused)" : "Up 5 seconds",
            HostConfig: { NetworkMode: "default" },
          }) as unknown as Docker.ContainerInfo,
      );
  }

  getContainer(id: string): { inspect: () => Promise<Docker.ContainerInspectInfo> } {
    return {
      inspect: async () => {
        const c = this.containers.get(id);
        if (!c) throw Object.assign(new Error(`(HTTP code 404) no such container - No such container: ${id}`), { statusCode: 404 });
        return { Id: id, Config: { Env: [...c.env] }, State: { Health: null } } as unknown as Docker.ContainerInspectInfo;
      },
    };
  }

  /** Open subscriptions. */
  get openStreams(): number {
    return this.streams.filter((s) => s.open).length;
  }

  /** Ends every subscription, as a restarting dockerd does. */
  dropStreams(): void {
    for (const s of this.streams) s.end();
  }

  /** `docker run`: listed, then `start`. */
  start(id: string, env: Record<string, string>, hostPort: number): void {
    const existing = this.containers.get(id);
    this.containers.set(id, { id, name: existing?.name ?? `c-${id.slice(0, 6)}`, env: Object.entries(env).map(([k, v]) => `${k}=${v}`), hostPort, listed: "running" });
    this.emit(id, "start");
  }

  /** The main process exits: `die` at once, the list catches up `dieListLagMs` later. */
  die(id: string): void {
    this.emit(id, "die", { exitCode: "137" });
    const c = this.mustGet(id);
    const mark = c;
    setTimeout(() => {
      if (this.containers.get(id) === mark) mark.listed = "exited";
    }, this.dieListLagMs);
  }

  /** `docker kill -s <signal>`; 9 ends the container. */
  kill(id: string, signal: number): void {
    this.emit(id, "kill", { signal: String(signal) });
    if (signal === 9) this.die(id);
  }

  /** `docker stop` of a process that ignores SIGTERM, after its timeout. */
  stop(id: string): void {
    this.kill(id, 15);
    this.kill(id, 9);
    this.emit(id, "stop");
  }

  /** `docker pause`: listed as paused, then `pause`. */
  pause(id: string): void {
    this.mustGet(id).listed = "paused";
    this.emit(id, "pause");
  }

  /** `docker unpause`: listed as running, then `unpause`. */
  unpause(id: string): void {
    this.mustGet(id).listed = "running";
    this.emit(id, "unpause");
  }

  /** The kernel's OOM killer hit a process of the container (not necessarily its main one). */
  oom(id: string): void {
    this.emit(id, "oom");
  }

  /** `docker rm` of a stopped container. */
  destroy(id: string): void {
    this.containers.delete(id);
    this.emit(id, "destroy");
  }

  private mustGet(id: string): FakeContainer {
    const c = this.containers.get(id);
    if (!c) throw new Error(`no such container: ${id}`);
    return c;
  }

  private emit(id: string, action: string, attributes: Record<string, string> = {}): void {
    const line = Buffer.from(`${JSON.stringify({ Type: "container", Action: action, Actor: { ID: id, Attributes: { name: this.containers.get(id)?.name ?? "", ...attributes } }, time: 0 })}\n`);
    for (const s of this.streams) {
      const wanted = s.actions.length === 0 || s.actions.some((a) => a === action || (a === "health_status" && action.startsWith("health_status")));
      if (wanted) s.push(line);
    }
  }
}
