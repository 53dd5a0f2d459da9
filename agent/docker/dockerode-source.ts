/**
 * The Docker adapter: the only file that imports dockerode.
 *
 * One `GET /containers/json` per pass gives ids, labels, network mode and
 * published ports (the real dynamic host ports, which ecsd never read). The
 * environment needs `inspect`, but it never changes for a container id, so
 * it is read once per container and cached. Health does change, and the
 * list does not carry it before API 1.52, so a container with a healthcheck
 * is inspected again on every pass (most containers have none).
 *
 * The list lags the event stream after `die` (dockerd 20.10 logs the event
 * before it writes the state the list reads), so the events this adapter
 * delivered are kept in an {@link EndedContainers} and win over the list
 * (issue 17). Paused containers are listed by Docker but answer nothing:
 * they are left out.
 */
import Docker from "dockerode";
import { EndedContainers } from "../ended-containers";
import { CONTAINER_ACTIONS, type ContainerEvent, type ContainerInfo, type DockerSource, type PublishedPort } from "../ports";
import { parseEventStream } from "./event-stream";

/** Settings of {@link DockerodeSource}. */
export interface DockerodeSourceOptions {
  /** @default a client from DOCKER_HOST, or the local socket */
  readonly docker?: Docker;
  /** Parallel inspects when many containers are new. @default 8 */
  readonly inspectConcurrency?: number;
}

/** DockerSource over dockerode. */
export class DockerodeSource implements DockerSource {
  private readonly docker: Docker;
  private readonly inspectConcurrency: number;
  private readonly inspected = new Map<string, InspectedContainer>();
  private readonly ended = new EndedContainers();

  constructor(options: DockerodeSourceOptions = {}) {
    this.docker = options.docker ?? new Docker();
    this.inspectConcurrency = options.inspectConcurrency ?? 8;
  }

  async subscribe(signal: AbortSignal): Promise<AsyncIterable<ContainerEvent>> {
    // Resolves when Docker has answered the request, i.e. the subscription is live.
    const stream = (await this.docker.getEvents({
      // Docker matches "health_status" against its `health_status: <status>` actions (seen on dockerd 20.10).
      filters: { type: ["container"], event: [...CONTAINER_ACTIONS] },
      abortSignal: signal,
    })) as NodeJS.ReadableStream & AsyncIterable<Buffer>;
    // Events may have been missed while no stream was open: start from the list alone.
    this.ended.clear();
    return this.observed(parseEventStream(stream));
  }

  async listContainers(signal: AbortSignal): Promise<ContainerInfo[]> {
    const mark = this.ended.mark();
    const listed = await this.docker.listContainers({ abortSignal: signal });
    const summaries = this.ended.filter(
      listed.filter((s) => s.State !== "paused"),
      (s) => s.Id,
      mark,
    );
    const running = new Set(summaries.map((s) => s.Id));
    for (const id of this.inspected.keys()) if (!running.has(id)) this.inspected.delete(id);

    const toInspect = summaries.filter((s) => this.inspected.get(s.Id)?.healthChecked !== false).map((s) => s.Id);
    await mapLimit(toInspect, this.inspectConcurrency, async (id) => {
      try {
        const info = await this.docker.getContainer(id).inspect({ abortSignal: signal });
        this.inspected.set(id, readInspect(info));
      } catch (error) {
        // Gone between list and inspect (e.g. `--rm`): not running, so not ours to publish.
        if ((error as { statusCode?: number }).statusCode !== 404) throw error;
        this.inspected.delete(id);
      }
    });

    return summaries
      .filter((s) => this.inspected.has(s.Id))
      .map((s) => {
        const { env, health } = this.inspected.get(s.Id)!;
        return {
          id: s.Id,
          name: (s.Names?.[0] ?? s.Id).replace(/^\//, ""),
          env,
          labels: s.Labels ?? {},
          ports: publishedPorts(s.Ports ?? []),
          // `container:<id>` for a container in another's network namespace (ECS awsvpc tasks).
          networkMode: typeof s.HostConfig?.NetworkMode === "string" ? s.HostConfig.NetworkMode : "default",
          ...(health !== undefined ? { health } : {}),
        };
      });
  }

  /** Notes each event before the loop sees it, so the pass it schedules lists with it in mind. */
  private async *observed(events: AsyncIterable<ContainerEvent>): AsyncGenerator<ContainerEvent> {
    for await (const event of events) {
      this.ended.observe(event);
      yield event;
    }
  }
}

/** What the agent keeps of `GET /containers/{id}/json`. */
export interface InspectedContainer {
  readonly env: Record<string, string>;
  /** True when the container has a healthcheck, so its health must be read again every pass. */
  readonly healthChecked: boolean;
  /** `State.Health.Status`; `starting` for a container with a healthcheck whose state has none yet. */
  readonly health?: string;
}

/**
 * The inspect answer → env and health. `State.Health` is null without a
 * healthcheck, else `{ Status: "starting" | "healthy" | "unhealthy", FailingStreak, Log }`;
 * `Config.Healthcheck.Test` is `["NONE"]` when `--no-healthcheck` turned off the image's.
 */
export function readInspect(info: Docker.ContainerInspectInfo): InspectedContainer {
  const envLines = Array.isArray(info.Config?.Env) ? info.Config.Env.filter((l): l is string => typeof l === "string") : [];
  const test = (info.Config as { Healthcheck?: { Test?: unknown } } | undefined)?.Healthcheck?.Test;
  const configured = Array.isArray(test) && test.length > 0 && test[0] !== "NONE";
  const state = info.State?.Health as { Status?: unknown } | null | undefined;
  const status = state && typeof state.Status === "string" && state.Status !== "" ? state.Status : undefined;
  const healthChecked = configured || status !== undefined;
  return { env: parseEnv(envLines), healthChecked, ...(healthChecked ? { health: status ?? "starting" } : {}) };
}

/** `KEY=value` lines → map; a line without `=` is a key with an empty value. */
export function parseEnv(lines: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of lines) {
    const eq = line.indexOf("=");
    if (eq < 0) env[line] = "";
    else env[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return env;
}

/**
 * `Ports` of a container summary → its bindings, one per host address:
 * `-p 8080` is listed as `0.0.0.0` and `::`, possibly with different host
 * ports (moby#42442), and the core picks the one behind the host's records.
 * Exposed ports that are not published (no `PublicPort`) and protocols other
 * than TCP and UDP (SCTP) are dropped; so is anything malformed.
 */
export function publishedPorts(ports: readonly Docker.Port[] | null | undefined): PublishedPort[] {
  const seen = new Map<string, PublishedPort>();
  for (const p of Array.isArray(ports) ? ports : []) {
    if (!p || (p.Type !== "tcp" && p.Type !== "udp") || !isPort(p.PublicPort) || !isPort(p.PrivatePort)) continue;
    const hostIp = typeof p.IP === "string" ? p.IP : "";
    const port: PublishedPort = { containerPort: p.PrivatePort, protocol: p.Type, hostIp, hostPort: p.PublicPort };
    seen.set(`${port.containerPort}/${port.protocol}/${hostIp}/${port.hostPort}`, port);
  }
  return [...seen.values()];
}

function isPort(n: unknown): n is number {
  return Number.isInteger(n) && (n as number) >= 1 && (n as number) <= 65_535;
}

async function mapLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
