/**
 * The two ports between the agent's core and the outside world. The core
 * (conventions, planner, reconciler) sees only these shapes; dockerode and
 * the Route53 SDK stay in their adapters.
 */
import type { ChangeSet, DnsRecord } from "./records";

/** One published port of a running container. */
export interface PublishedPort {
  readonly containerPort: number;
  readonly protocol: "tcp" | "udp";
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
  /** `host` means container ports are host ports; anything else means bridge-like. */
  readonly networkMode: string;
}

/** A container lifecycle event; only the kinds that can change the desired records. */
export interface ContainerEvent {
  readonly action: "start" | "die" | "destroy";
  readonly containerId: string;
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
  /** Running containers. */
  listContainers(signal: AbortSignal): Promise<ContainerInfo[]>;
}

/** Outcome of applying a change set. */
export interface ApplyResult {
  /** Changes Route53 accepted (or that were already true, e.g. a DELETE of a record already gone). */
  readonly applied: ChangeSet;
  /** Changes that failed; they are retried by a later pass. */
  readonly failed: readonly FailedChange[];
  /** ChangeResourceRecordSets calls made. */
  readonly changeCalls: number;
}

/** One change Route53 rejected, with its reason. */
export interface FailedChange {
  readonly action: "create" | "update" | "delete";
  readonly record: DnsRecord;
  readonly reason: string;
}

/** Write and read side of one hosted zone. */
export interface DnsProvider {
  /** Every record set in the zone, owned or not; the planner decides what it may touch. */
  listRecords(signal: AbortSignal): Promise<DnsRecord[]>;
  /** Applies changes within Route53's limits; never throws for a rejected change, only for transport failures. */
  applyChanges(changes: ChangeSet, signal: AbortSignal): Promise<ApplyResult>;
  /** Cost of the last listRecords, when the provider measures it (list calls and record sets read). */
  readonly lastList?: { readonly pages: number; readonly records: number };
}
