/**
 * One simulated host's Docker for the fleet benchmark: the containers that
 * run, and their start/die events, as the agent's DockerSource port sees them.
 */
import type { ContainerEvent, ContainerInfo, DockerSource } from "../../agent/ports";

/** An event stream that ends when its subscriber aborts. */
class EventStream implements AsyncIterable<ContainerEvent> {
  private readonly queue: ContainerEvent[] = [];
  private waiter?: (result: IteratorResult<ContainerEvent>) => void;
  ended = false;

  constructor(signal: AbortSignal) {
    signal.addEventListener("abort", () => this.end(), { once: true });
  }

  push(event: ContainerEvent): void {
    if (this.ended) return;
    const waiter = this.waiter;
    this.waiter = undefined;
    if (waiter) waiter({ value: event, done: false });
    else this.queue.push(event);
  }

  end(): void {
    this.ended = true;
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterator<ContainerEvent> {
    return {
      next: () => {
        const event = this.queue.shift();
        if (event) return Promise.resolve({ value: event, done: false });
        if (this.ended) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => (this.waiter = resolve));
      },
    };
  }
}

/** The containers of one host. */
export class SimDocker implements DockerSource {
  private readonly running = new Map<string, ContainerInfo>();
  private streams: EventStream[] = [];

  async subscribe(signal: AbortSignal): Promise<AsyncIterable<ContainerEvent>> {
    const stream = new EventStream(signal);
    this.streams = [...this.streams.filter((s) => !s.ended), stream];
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
