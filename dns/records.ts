/**
 * The agent's currency type: one Route53 record set, independent of the SDK.
 *
 * Names are always normalized (lower case, trailing dot) so that a name read
 * back from Route53 and a name computed from a container compare equal.
 * Values are kept exactly as written or read: a DELETE must repeat the
 * current values byte for byte, so only comparisons normalize them.
 */

/** How Route53 routes a record set; everything the agent writes is `multivalue`. */
export type RoutingPolicy = "simple" | "multivalue" | "other";

/** One record set in a hosted zone. */
export interface DnsRecord {
  /** Fully qualified, lower case, with a trailing dot (see {@link normalizeName}). */
  readonly name: string;
  /** `A` and `SRV` for the agent's records; any type for records read from the zone. */
  readonly type: string;
  /** Route53 `SetIdentifier`; absent for simple records. */
  readonly setIdentifier?: string;
  readonly routing: RoutingPolicy;
  readonly ttlSeconds: number;
  /** Raw values, as Route53 stores them. Empty for alias records. */
  readonly values: readonly string[];
  /** True for alias records, which carry no values and no TTL of their own. */
  readonly alias?: boolean;
  /**
   * Fields of the record as read that the core does not model (weight,
   * health check, alias target, ...). Opaque outside the provider, which
   * repeats them so that a DELETE matches the record exactly.
   */
  readonly providerSpecific?: Readonly<Record<string, unknown>>;
}

/** A record to replace, as the pair the planner decided on. */
export interface RecordUpdate {
  readonly from: DnsRecord;
  readonly to: DnsRecord;
}

/** What the planner wants done; the provider maps it to Route53 actions. */
export interface ChangeSet {
  readonly create: readonly DnsRecord[];
  readonly update: readonly RecordUpdate[];
  readonly delete: readonly DnsRecord[];
}

/** A change set with nothing in it. */
export const EMPTY_CHANGES: ChangeSet = Object.freeze({ create: [], update: [], delete: [] });

/** Number of changes in a change set (an update counts once). */
export function changeCount(changes: ChangeSet): number {
  return changes.create.length + changes.update.length + changes.delete.length;
}

/**
 * Route53 identifies a record set by name, type and set identifier; so do we.
 */
export function recordKey(record: Pick<DnsRecord, "name" | "type" | "setIdentifier">): string {
  return `${record.name} ${record.type} ${record.setIdentifier ?? ""}`;
}

/** Lower case with exactly one trailing dot: `Echo.Example.com` → `echo.example.com.`. */
export function normalizeName(name: string): string {
  const lower = name.trim().toLowerCase();
  return lower.endsWith(".") ? lower : `${lower}.`;
}

/**
 * A value in the form used for comparisons: SRV targets lower case with a
 * trailing dot (Route53 treats `host.zone` and `host.zone.` alike), fields
 * separated by one space.
 */
export function normalizeValue(type: string, value: string): string {
  const trimmed = value.trim();
  if (type === "SRV") {
    const fields = trimmed.split(/\s+/);
    if (fields.length === 4) fields[3] = normalizeName(fields[3]);
    return fields.join(" ");
  }
  return trimmed;
}

/**
 * True when two records would serve the same answers: same routing, TTL and
 * set of values. Names, types and set identifiers are compared by the caller
 * through {@link recordKey}.
 */
export function sameContent(a: DnsRecord, b: DnsRecord): boolean {
  if (a.routing !== b.routing || a.ttlSeconds !== b.ttlSeconds || Boolean(a.alias) !== Boolean(b.alias)) {
    return false;
  }
  const left = a.values.map((v) => normalizeValue(a.type, v)).sort();
  const right = b.values.map((v) => normalizeValue(b.type, v)).sort();
  return left.length === right.length && left.every((v, i) => v === right[i]);
}

/** Sorts records by key so that every pure function returns a stable order. */
export function sortRecords<T extends DnsRecord>(records: readonly T[]): T[] {
  return [...records].sort((a, b) => compareKeys(recordKey(a), recordKey(b)));
}

/** Plain string order; exported so other modules sort the same way. */
export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// Letters, digits, hyphen and underscore (SRV service labels such as `_http._tcp`).
// Route53 accepts more, but returns anything else as octal escapes, which would
// then never compare equal to the name we computed.
const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;
/** Longest name in presentation form, without the trailing dot (RFC 1035: 255 octets on the wire). */
export const MAX_NAME_LENGTH = 253;

/** True for a syntactically valid DNS name (either case, optional trailing dot). */
export function isValidDnsName(name: string): boolean {
  const bare = normalizeName(name).slice(0, -1);
  if (bare.length > MAX_NAME_LENGTH) return false;
  // An empty name (or ".") is one empty label, which LABEL refuses.
  return bare.split(".").every((label) => LABEL.test(label));
}

/** True when `name` is the zone apex or below it (label boundary, not a string suffix). */
export function isInZone(name: string, zoneName: string): boolean {
  const n = normalizeName(name);
  const z = normalizeName(zoneName);
  return n === z || n.endsWith(`.${z}`);
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** True for a dotted-quad IPv4 address without leading zeros. */
export function isIpv4(value: string): boolean {
  return IPV4.test(value);
}
