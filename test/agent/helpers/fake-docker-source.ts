/**
 * A scripted DockerSource: tests set the running containers, push events,
 * end or break the event stream, and make subscribe fail.
 */
import type { ContainerEvent, ContainerInfo, DockerSource } from "../../../agent/ports";

interface Waiter {
  resolve: (r: IteratorResult<ContainerEvent>) => void;
  reject: (e: unknown) => void;
}

/** One open subscription. */
class FakeStream implements AsyncIterable<ContainerEvent> {
  private readonly queue: ContainerEvent[] = [];
  private waiter?: Waiter;
  private finished?: { error?: unknown };

  constructor(signal: AbortSignal) {
    signal.addEventListener("abort", () => this.end(), { once: true });
  }

  push(event: ContainerEvent): void {
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w.resolve({ value: event, done: false });
    } else this.queue.push(event);
  }

  end(error?: unknown): void {
    this.finished = { error };
    const w = this.waiter;
    this.waiter = undefined;
    if (w) (error ? w.reject(error) : w.resolve({ value: undefined, done: true }));
  }

  get open(): boolean {
    return !this.finished;
  }

  [Symbol.asyncIterator](): AsyncIterator<ContainerEvent> {
    return {
      next: () => {
        const event = this.queue.shift();
        if (event) return Promise.resolve({ value: event, done: false });
        if (this.finished) return this.finished.error ? Promise.reject(this.finished.error) : Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve, reject) => (this.waiter = { resolve, reject }));
      },
    };
  }
}

/** The fake. `log` records calls in order ("subscribe", "list"). */
export class FakeDockerSource implements DockerSource {
  containers: ContainerInfo[] = [];
  readonly log: string[] = [];
  /** Subscribe attempts that fail before one succeeds. */
  failSubscribes = 0;
  /** When set, listContainers fails with it. */
  listError?: Error;
  private streams: FakeStream[] = [];

  async subscribe(signal: AbortSignal): Promise<AsyncIterable<ContainerEvent>> {
    this.log.push("subscribe");
    if (this.failSubscribes > 0) {
      this.failSubscribes -= 1;
      throw Object.assign(new Error("connect ECONNREFUSED /var/run/docker.sock"), { code: "ECONNREFUSED" });
    }
    const stream = new FakeStream(signal);
    this.streams.push(stream);
    return stream;
  }

  async listContainers(): Promise<ContainerInfo[]> {
    this.log.push("list");
    if (this.listError) throw this.listError;
    return [...this.containers];
  }

  /** Sends an event on the open stream. */
  emit(action: ContainerEvent["action"], containerId: string): void {
    this.current().push({ action, containerId });
  }

  /** Ends the open stream, as when dockerd stops (with an error, as when the socket resets). */
  dropStream(error?: Error): void {
    this.current().end(error);
  }

  /** Number of subscriptions that are open. */
  get openStreams(): number {
    return this.streams.filter((s) => s.open).length;
  }

  private current(): FakeStream {
    const open = this.streams.filter((s) => s.open);
    if (open.length === 0) throw new Error("no open event stream");
    return open[open.length - 1];
  }
}
