/**
 * The Docker adapter: the only file that imports dockerode.
 *
 * One `GET /containers/json` per pass gives ids, labels, network mode and
 * published ports (the real dynamic host ports, which ecsd never read). The
 * environment needs `inspect`, but it never changes for a container id, so
 * it is read once per container and cached.
 */
import Docker from "dockerode";
import type { ContainerEvent, ContainerInfo, DockerSource, PublishedPort } from "../ports";
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
  private readonly envById = new Map<string, Record<string, string>>();

  constructor(options: DockerodeSourceOptions = {}) {
    this.docker = options.docker ?? new Docker();
    this.inspectConcurrency = options.inspectConcurrency ?? 8;
  }

  async subscribe(signal: AbortSignal): Promise<AsyncIterable<ContainerEvent>> {
    // Resolves when Docker has answered the request, i.e. the subscription is live.
    const stream = (await this.docker.getEvents({
      filters: { type: ["container"], event: ["start", "die", "destroy"] },
      abortSignal: signal,
    })) as NodeJS.ReadableStream & AsyncIterable<Buffer>;
    return parseEventStream(stream);
  }

  async listContainers(signal: AbortSignal): Promise<ContainerInfo[]> {
    const summaries = await this.docker.listContainers({ abortSignal: signal });
    const running = new Set(summaries.map((s) => s.Id));
    for (const id of this.envById.keys()) if (!running.has(id)) this.envById.delete(id);

    const missing = summaries.filter((s) => !this.envById.has(s.Id)).map((s) => s.Id);
    await mapLimit(missing, this.inspectConcurrency, async (id) => {
      try {
        const info = await this.docker.getContainer(id).inspect({ abortSignal: signal });
        this.envById.set(id, parseEnv(info.Config?.Env ?? []));
      } catch (error) {
        // Gone between list and inspect (e.g. `--rm`): not running, so not ours to publish.
        if ((error as { statusCode?: number }).statusCode !== 404) throw error;
      }
    });

    return summaries
      .filter((s) => this.envById.has(s.Id))
      .map((s) => ({
        id: s.Id,
        name: (s.Names?.[0] ?? s.Id).replace(/^\//, ""),
        env: this.envById.get(s.Id)!,
        labels: s.Labels ?? {},
        ports: publishedPorts(s.Ports ?? []),
        networkMode: s.HostConfig?.NetworkMode ?? "default",
      }));
  }
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

/** Docker lists a binding once per host address family; keep one per (container port, protocol, host port). */
export function publishedPorts(ports: readonly Docker.Port[]): PublishedPort[] {
  const seen = new Map<string, PublishedPort>();
  for (const p of ports) {
    if (!p.PublicPort || (p.Type !== "tcp" && p.Type !== "udp")) continue;
    const port: PublishedPort = { containerPort: p.PrivatePort, protocol: p.Type, hostPort: p.PublicPort };
    seen.set(`${port.containerPort}/${port.protocol}/${port.hostPort}`, port);
  }
  return [...seen.values()];
}

async function mapLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
