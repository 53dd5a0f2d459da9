/**
 * What the janitor removes. Pure: no I/O, no clock.
 *
 * A record set is the janitor's business only when its set identifier parses
 * with our owner (dns/set-identifier.ts). Of those:
 *
 * | host of the record                                   | record | result      |
 * | ---------------------------------------------------- | ------ | ----------- |
 * | not an EC2 instance id (e.g. `--host-id x`)           | any    | left alone  |
 * | an instance EC2 lists as pending or running          | any    | left alone  |
 * | an instance EC2 lists in another state, or not at all | any    | deleted     |
 * | (any)                                                | not ours | never touched |
 *
 * A host that is not an EC2 instance id cannot be checked, so it is never
 * judged dead: the janitor cannot tell a laptop agent from a dead one.
 *
 * Every record of a running instance is its agent's business, the host
 * record `<host-id>.<zone>` included. There is no "host record without SRV"
 * rule: the janitor reads the zone page by page while agents write it, so an
 * SRV created between two pages (its name sorting onto a page already read)
 * next to a host record on a later page would make a live host's record look
 * orphaned, and deleting it would break that SRV until the agent's next full
 * resync. The agent deletes its host record itself when no SRV needs it; the
 * host record of an instance whose agent is gone is harmless and goes with
 * the instance.
 */
import type { DnsRecord } from "../dns/records";
import { parseSetIdentifier } from "../dns/set-identifier";

/** EC2 instance ids, the only host ids whose liveness the janitor can check. */
export const INSTANCE_ID_PATTERN = /^i-[0-9a-f]{8,17}$/;

/** Why a record is deleted. */
export type DeleteReason = "host-gone";

/** One record the janitor deletes, with why. */
export interface JanitorDelete {
  readonly record: DnsRecord;
  readonly hostId: string;
  readonly reason: DeleteReason;
}

/** The janitor's decision for one zone. */
export interface JanitorPlan {
  readonly deletes: readonly JanitorDelete[];
  /** Hosts of our owner found in the zone, by id. */
  readonly hostIds: readonly string[];
  /** Hosts left alone because their id is not an EC2 instance id. */
  readonly uncheckedHostIds: readonly string[];
}

/** Instance ids of our owner's records, the ones whose liveness must be looked up. */
export function instanceIdsIn(records: readonly DnsRecord[], owner: string): string[] {
  const ids = new Set<string>();
  for (const r of records) {
    const parts = parseSetIdentifier(r.setIdentifier);
    if (parts?.owner === owner && INSTANCE_ID_PATTERN.test(parts.hostId)) ids.add(parts.hostId);
  }
  return [...ids].sort();
}

/**
 * The records to delete, given every record in the zone and which instances
 * still run (as EC2 answered). `onlyHosts` limits the sweep (an instance
 * state-change event).
 */
export function planJanitorDeletes(
  records: readonly DnsRecord[],
  owner: string,
  isRunning: (instanceId: string) => boolean,
  onlyHosts?: ReadonlySet<string>,
): JanitorPlan {
  const byHost = new Map<string, DnsRecord[]>();
  for (const record of records) {
    const parts = parseSetIdentifier(record.setIdentifier);
    if (!parts || parts.owner !== owner) continue;
    if (onlyHosts && !onlyHosts.has(parts.hostId)) continue;
    const list = byHost.get(parts.hostId) ?? [];
    list.push(record);
    byHost.set(parts.hostId, list);
  }

  const deletes: JanitorDelete[] = [];
  const unchecked: string[] = [];
  for (const [hostId, owned] of [...byHost.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (!INSTANCE_ID_PATTERN.test(hostId)) {
      unchecked.push(hostId);
      continue;
    }
    if (isRunning(hostId)) continue;
    for (const record of owned) deletes.push({ record, hostId, reason: "host-gone" });
  }
  return { deletes, hostIds: [...byHost.keys()].sort(), uncheckedHostIds: unchecked };
}
