/**
 * The DNS port, shared by the agent and the janitor: what their cores need
 * from one hosted zone. Route53Provider (dns/route53/) implements it over the
 * AWS SDK; tests give it the strict in-memory Route53 (dns/memory/).
 */
import type { ChangeSet, DnsRecord } from "./records";

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
  /**
   * Every record set of one name (all types, owned or not), read from that
   * name on: one call unless the name holds more than a page.
   */
  listRecordsAt(name: string, signal: AbortSignal): Promise<DnsRecord[]>;
  /** Applies changes within Route53's limits; never throws for a rejected change, only for transport failures. */
  applyChanges(changes: ChangeSet, signal: AbortSignal): Promise<ApplyResult>;
  /** Cost of the last listRecords, when the provider measures it (list calls and record sets read). */
  readonly lastList?: { readonly pages: number; readonly records: number };
}
