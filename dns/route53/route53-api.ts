/**
 * The narrow slice of the Route53 API the agent uses (external-dns's
 * `Route53API` idea), in Route53's own wire shapes but without importing the
 * SDK. Two implementations: the SDK one in route53-provider.ts and the strict
 * in-memory fake in dns/memory/in-memory-dns.ts.
 */
import { errorCode } from "../error-code";

/** A resource record set as ChangeResourceRecordSets takes it and ListResourceRecordSets returns it. */
export interface WireRecordSet {
  Name: string;
  Type: string;
  SetIdentifier?: string;
  MultiValueAnswer?: boolean;
  Weight?: number;
  Region?: string;
  Failover?: string;
  GeoLocation?: unknown;
  GeoProximityLocation?: unknown;
  CidrRoutingConfig?: unknown;
  HealthCheckId?: string;
  TrafficPolicyInstanceId?: string;
  TTL?: number;
  ResourceRecords?: { Value: string }[];
  AliasTarget?: { HostedZoneId: string; DNSName: string; EvaluateTargetHealth: boolean };
}

/** The three actions of a change batch. */
export type Route53Action = "CREATE" | "UPSERT" | "DELETE";

/** One element of a change batch. */
export interface WireChange {
  Action: Route53Action;
  ResourceRecordSet: WireRecordSet;
}

/** One ListResourceRecordSets request. */
export interface ListPageRequest {
  readonly zoneId: string;
  readonly startName?: string;
  readonly startType?: string;
  readonly startIdentifier?: string;
  /** Route53 returns at most 300 per page. */
  readonly maxItems: number;
}

/** One ListResourceRecordSets answer. */
export interface ListPage {
  readonly recordSets: WireRecordSet[];
  readonly isTruncated: boolean;
  readonly nextName?: string;
  readonly nextType?: string;
  readonly nextIdentifier?: string;
}

/** The Route53 operations the agent calls. Every method honours `signal`. */
export interface Route53Api {
  listRecordSets(request: ListPageRequest, signal?: AbortSignal): Promise<ListPage>;
  changeRecordSets(zoneId: string, changes: WireChange[], signal?: AbortSignal): Promise<void>;
  /** GetHostedZone → the zone's name (with trailing dot). */
  getZoneName(zoneId: string, signal?: AbortSignal): Promise<string>;
}

/** Route53's page size limit for ListResourceRecordSets. */
export const MAX_LIST_PAGE_SIZE = 300;

/**
 * An error shaped like the SDK's service exceptions (`name` is the Route53
 * error code; `messages` is InvalidChangeBatch's list), thrown by the fake.
 */
export class Route53ApiError extends Error {
  /** The error code, e.g. `InvalidChangeBatch`, `Throttling`. */
  public override readonly name: string;
  public readonly messages?: string[];

  constructor(code: string, message: string, messages?: string[]) {
    super(message);
    this.name = code;
    this.messages = messages;
  }
}

/** Route53 answers these when the account's request budget is spent or the zone is busy. */
export const THROTTLING_CODES: ReadonlySet<string> = new Set(["Throttling", "ThrottlingException", "PriorRequestNotComplete"]);

/** True for errors a later attempt may not meet: throttling, network, 5xx. */
export function isThrottling(error: unknown): boolean {
  return THROTTLING_CODES.has(errorCode(error));
}

/**
 * True when Route53 rejected the content of a change batch (the batch is
 * atomic, so nothing of it was applied). moto answers InvalidInput where
 * Route53 answers InvalidChangeBatch for a DELETE that does not match.
 */
export function isBatchRejection(error: unknown): boolean {
  const code = errorCode(error);
  return code === "InvalidChangeBatch" || code === "InvalidInput";
}

/** Every message of an error, InvalidChangeBatch's list first. */
export function errorMessages(error: unknown): string[] {
  const e = error as { messages?: unknown; message?: unknown };
  if (Array.isArray(e?.messages) && e.messages.length > 0) return e.messages.map(String);
  return typeof e?.message === "string" ? [e.message] : [String(error)];
}
