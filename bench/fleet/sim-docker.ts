/**
 * One simulated host's Docker for the fleet benchmark: the containers that
 * run, and their start/die events, as the agent's DockerSource port sees them.
 */
import type { ContainerEvent, ContainerInfo, DockerSource } from "../../agent/ports";
import { AsyncQueue } from "../../scripts/lib/async-queue";

/** The containers of one host. */
export class SimDocker implements DockerSource {
  private readonly running = new Map<string, ContainerInfo>();
  private streams: AsyncQueue<ContainerEvent>[] = [];

  async subscribe(signal: AbortSignal): Promise<AsyncIterable<ContainerEvent>> {
    const stream = new AsyncQueue<ContainerEvent>(signal);
    this.streams = [...this.streams.filter((s) => s.open), stream];
    return stream;
  }

  async listContainers(): Promise<ContainerInfo[]> {
    return [...this.running.values()];
  }

  /** Starts a container (and tells subscribers). */
  start(container: ContainerInfo): void {
    this.running.set(container.id, container);
    for (const s of this.streams) s.push({ action: "start", containerId: container.id });
  }

  /** Stops a container (and tells subscribers). */
  stop(containerId: string): void {
    if (!this.running.delete(containerId)) return;
    for (const s of this.streams) s.push({ action: "die", containerId });
  }

  get containers(): readonly ContainerInfo[] {
    return [...this.running.values()];
  }
}
