/**
 * The agent's Docker port: the core (conventions, reconciler) sees only these
 * shapes; dockerode stays in its adapter (agent/docker/). The DNS side is
 * dns/dns-provider.ts, shared with the janitor.
 */

/**
 * One port binding of a running container, as Docker lists it: one per host
 * address, so `-p 8080` is two bindings (`0.0.0.0` and `::`), which may even
 * have different host ports (moby#42442).
 */
export interface PublishedPort {
  readonly containerPort: number;
  readonly protocol: "tcp" | "udp";
  /**
   * The host address Docker bound: `0.0.0.0` (every IPv4 address), `::`
   * (every IPv6 address), or one address such as `127.0.0.1`.
   */
  readonly hostIp: string;
  /** The port Docker bound on the host (dynamic when the task asked for 0). */
  readonly hostPort: number;
}

/** What the agent needs to know about one running container. */
export interface ContainerInfo {
  /** Full 64-hex container id. */
  readonly id: string;
  /** Container name without the leading slash, for logs. */
  readonly name: string;
  /** `KEY=value` environment, as a map. */
  readonly env: Readonly<Record<string, string>>;
  readonly labels: Readonly<Record<string, string>>;
  readonly ports: readonly PublishedPort[];
  /**
   * `host` means container ports are host ports; `container:<id>` that the
   * container lives in another's network namespace (ECS awsvpc); anything
   * else means bridge-like.
   */
  readonly networkMode: string;
  /**
   * Docker's `State.Health.Status` (`starting`, `healthy`, `unhealthy`);
   * absent when the container has no healthcheck.
   */
  readonly health?: string;
}

/** Docker container events the agent subscribes to: the ones that can change the desired records. */
export const CONTAINER_ACTIONS = ["start", "die", "stop", "kill", "oom", "pause", "unpause", "destroy", "health_status"] as const;

/** A container event; only the kinds that can change the desired records. */
export interface ContainerEvent {
  /** `health_status` stands for Docker's `health_status: <status>` actions. */
  readonly action: (typeof CONTAINER_ACTIONS)[number];
  readonly containerId: string;
  /** The new status of a `health_status` event. */
  readonly healthStatus?: string;
  /** The signal of a `kill` event, as Docker writes it (`"15"`, `"9"`). */
  readonly signal?: string;
}

/** Read side of Docker. */
export interface DockerSource {
  /**
   * Opens the event stream. Resolves once Docker has accepted the
   * subscription, so a list taken afterwards cannot miss an event
   * (registrator's lesson). The iterable ends or throws when the stream is
   * lost; the caller reconnects.
   */
  subscribe(signal: AbortSignal): Promise<AsyncIterable<ContainerEvent>>;
  /**
   * Running containers that serve: not paused, and none that an event
   * already delivered by the stream ended (`die`, `stop`, `kill` with
   * SIGKILL, `pause`) unless a later `start`/`unpause` of the same id came,
   * even while Docker's own list still shows it running (issue 17; see
   * agent/ended-containers.ts).
   */
  listContainers(signal: AbortSignal): Promise<ContainerInfo[]>;
}
