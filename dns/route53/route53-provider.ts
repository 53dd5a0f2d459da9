/**
 * The Route53 adapter: the only file that imports @aws-sdk/client-route-53.
 *
 * {@link createSdkRoute53Api} narrows the SDK to {@link Route53Api};
 * {@link Route53Provider} implements the agent's {@link DnsProvider} port on
 * top of any Route53Api (the SDK one, or the in-memory fake in tests).
 */
import {
  ChangeResourceRecordSetsCommand,
  GetHostedZoneCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
  type RRType,
  type ResourceRecordSet,
} from "@aws-sdk/client-route-53";
import { ROUTE53_LIMITS, toActions, type ActionChange, type BatchLimits } from "./batching";
import type { ApplyResult, DnsProvider, FailedChange } from "../dns-provider";
import { normalizeName, recordKey, type ChangeSet, type DnsRecord, type RecordUpdate } from "../records";
import { submitChanges } from "./change-submitter";
import { fromWire } from "./record-mapping";
import { MAX_LIST_PAGE_SIZE, isThrottling, type Route53Api, type WireRecordSet } from "./route53-api";

/** Observes every HTTP attempt (including the SDK's retries), for metrics and the benchmark. */
export type Route53CallObserver = (operation: string, outcome: "ok" | "throttled" | "error") => void;

/** Settings of the SDK client. */
export interface SdkRoute53Options {
  /** Region to sign with; Route53 is global, so any will do. @default us-east-1 */
  readonly region?: string;
  /** Attempts per call, including the first; the SDK backs off between them. @default 8 */
  readonly maxAttempts?: number;
  readonly onCall?: Route53CallObserver;
}

/**
 * A Route53Api over the AWS SDK v3. Credentials, region and endpoint come
 * from the SDK's standard chain (the region from the caller), so `AWS_ENDPOINT_URL_ROUTE_53` or
 * `AWS_ENDPOINT_URL` point it at an emulator. Retry mode is `adaptive`: the
 * standard exponential backoff plus a client-side rate limiter, because the
 * account's 10 requests/s are shared with everything else; Throttling and
 * PriorRequestNotComplete are throttling errors to the SDK.
 */
export function createSdkRoute53Api(options: SdkRoute53Options = {}): Route53Api {
  const client = new Route53Client({ region: options.region ?? "us-east-1", maxAttempts: options.maxAttempts ?? 8, retryMode: "adaptive" });
  if (options.onCall) {
    const onCall = options.onCall;
    // Below the retry middleware, so every attempt is seen, not only the last.
    client.middlewareStack.add(
      (next, context) => async (args) => {
        try {
          const out = await next(args);
          onCall(context.commandName ?? "unknown", "ok");
          return out;
        } catch (error) {
          onCall(context.commandName ?? "unknown", isThrottling(error) ? "throttled" : "error");
          throw error;
        }
      },
      { step: "deserialize", priority: "high", name: "ecsdnsCallObserver" },
    );
  }
  return {
    async listRecordSets(request, signal) {
      const out = await client.send(
        new ListResourceRecordSetsCommand({
          HostedZoneId: request.zoneId,
          StartRecordName: request.startName,
          StartRecordType: request.startType as RRType | undefined,
          StartRecordIdentifier: request.startIdentifier,
          MaxItems: request.maxItems,
        }),
        { abortSignal: signal },
      );
      return {
        // The SDK's ResourceRecordSet has the same wire shape as WireRecordSet.
        recordSets: (out.ResourceRecordSets ?? []) as unknown as WireRecordSet[],
        isTruncated: out.IsTruncated ?? false,
        nextName: out.NextRecordName,
        nextType: out.NextRecordType,
        nextIdentifier: out.NextRecordIdentifier,
      };
    },
    async changeRecordSets(zoneId, changes, signal) {
      await client.send(
        new ChangeResourceRecordSetsCommand({
          HostedZoneId: zoneId,
          ChangeBatch: {
            Comment: "ecsdns agent",
            Changes: changes.map((c) => ({ Action: c.Action, ResourceRecordSet: c.ResourceRecordSet as ResourceRecordSet })),
          },
        }),
        { abortSignal: signal },
      );
    },
    async getZoneName(zoneId, signal) {
      const out = await client.send(new GetHostedZoneCommand({ Id: zoneId }), { abortSignal: signal });
      if (!out.HostedZone?.Name) throw new Error(`GetHostedZone ${zoneId} returned no name`);
      return out.HostedZone.Name;
    },
  };
}

/** Settings of {@link Route53Provider}. */
export interface Route53ProviderOptions {
  readonly api: Route53Api;
  /** Hosted zone id without the `/hostedzone/` prefix. */
  readonly zoneId: string;
  /** @default Route53's limits */
  readonly limits?: BatchLimits;
  /** @default 300 (Route53's maximum) */
  readonly pageSize?: number;
}

/** Page size of {@link Route53Provider.listRecordsAt}: more than the 1 + 98 record sets a name with our host record, SRV and TXT of a few owners holds. */
export const NAME_PAGE_SIZE = 100;

/** Counts of the last {@link Route53Provider.listRecords}, for metrics and the benchmark. */
export interface ListStats {
  readonly pages: number;
  readonly records: number;
}

/** The agent's DnsProvider for one Route53 hosted zone. */
export class Route53Provider implements DnsProvider {
  private readonly api: Route53Api;
  private readonly zoneId: string;
  private readonly limits: BatchLimits;
  private readonly pageSize: number;
  // Names whose changes failed last pass: sent alone next time (external-dns's failedChangesQueue).
  private readonly isolate = new Set<string>();
  /** Pages and records read by the last listRecords. */
  public lastList: ListStats = { pages: 0, records: 0 };

  constructor(options: Route53ProviderOptions) {
    this.api = options.api;
    this.zoneId = options.zoneId;
    this.limits = options.limits ?? ROUTE53_LIMITS;
    this.pageSize = options.pageSize ?? MAX_LIST_PAGE_SIZE;
  }

  /**
   * Reads the whole zone, 300 record sets per call (a 10,000-record zone is
   * 34 calls). Tolerates emulators that return no NextRecordIdentifier: a
   * record seen twice is dropped, and a page that makes no progress ends the
   * listing with an error instead of looping.
   */
  async listRecords(signal: AbortSignal): Promise<DnsRecord[]> {
    const byKey = new Map<string, DnsRecord>();
    let start: { name?: string; type?: string; identifier?: string } = {};
    let pages = 0;
    for (;;) {
      const page = await this.api.listRecordSets(
        {
          zoneId: this.zoneId,
          startName: start.name,
          startType: start.type,
          startIdentifier: start.identifier,
          maxItems: this.pageSize,
        },
        signal,
      );
      pages += 1;
      const before = byKey.size;
      for (const wire of page.recordSets) {
        const record = fromWire(wire);
        byKey.set(recordKey(record), record);
      }
      if (!page.isTruncated) break;
      const next = { name: page.nextName, type: page.nextType, identifier: page.nextIdentifier };
      if (byKey.size === before || (next.name === start.name && next.type === start.type && next.identifier === start.identifier)) {
        throw new Error(`ListResourceRecordSets made no progress at ${next.name} ${next.type} ${next.identifier ?? ""}`);
      }
      start = next;
    }
    this.lastList = { pages, records: byKey.size };
    return [...byKey.values()];
  }

  /**
   * Reads the record sets of one name: ListResourceRecordSets from
   * StartRecordName on, pages of {@link NAME_PAGE_SIZE}, until another name
   * comes. Its cost does not grow with the zone: one call for a name of up
   * to 99 record sets.
   */
  async listRecordsAt(name: string, signal: AbortSignal): Promise<DnsRecord[]> {
    const wanted = normalizeName(name);
    const found: DnsRecord[] = [];
    let start: { name?: string; type?: string; identifier?: string } = { name: wanted };
    for (let page = 0; page < 100; page++) {
      const answer = await this.api.listRecordSets(
        { zoneId: this.zoneId, startName: start.name, startType: start.type, startIdentifier: start.identifier, maxItems: NAME_PAGE_SIZE },
        signal,
      );
      const records = answer.recordSets.map(fromWire);
      found.push(...records.filter((r) => r.name === wanted));
      const next = { name: answer.nextName, type: answer.nextType, identifier: answer.nextIdentifier };
      if (!answer.isTruncated || records.some((r) => r.name !== wanted) || normalizeName(next.name ?? "") !== wanted) break;
      if (next.name === start.name && next.type === start.type && next.identifier === start.identifier) {
        throw new Error(`ListResourceRecordSets made no progress at ${next.name} ${next.type} ${next.identifier ?? ""}`);
      }
      start = next;
    }
    return found;
  }

  /** UPSERTs creates and updates, DELETEs with exact values, within Route53's limits. */
  async applyChanges(changes: ChangeSet, signal: AbortSignal): Promise<ApplyResult> {
    const actions = toActions(changes);
    const result = await submitChanges(actions, {
      api: this.api,
      zoneId: this.zoneId,
      limits: this.limits,
      isolate: this.isolate,
      signal,
    });
    for (const c of result.applied) this.isolate.delete(c.record.name);
    const failed: FailedChange[] = [];
    for (const { change, reason } of result.failed) {
      this.isolate.add(change.record.name);
      failed.push({ action: change.origin, record: change.record, reason });
    }
    for (const change of result.oversized) {
      failed.push({ action: change.origin, record: change.record, reason: "larger than one Route53 request allows" });
    }
    return { applied: toChangeSet(result.applied, failed), failed, changeCalls: result.changeCalls };
  }
}

/** Folds applied actions back into the planner's vocabulary; an update counts when none of its actions failed. */
function toChangeSet(applied: readonly ActionChange[], failed: readonly FailedChange[]): ChangeSet {
  const failedKeys = new Set(failed.map((f) => recordKey(f.record)));
  const create: DnsRecord[] = [];
  const update: RecordUpdate[] = [];
  const del: DnsRecord[] = [];
  for (const c of applied) {
    if (c.origin === "create") create.push(c.record);
    else if (c.origin === "delete") del.push(c.record);
    // An update is one UPSERT, or DELETE + CREATE of the same key: report it once, on the write.
    else if (c.action !== "DELETE" && c.previous && !failedKeys.has(recordKey(c.record))) {
      update.push({ from: c.previous, to: c.record });
    }
  }
  return { create, update, delete: del };
}
