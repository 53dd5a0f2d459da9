/**
 * An in-memory Route53 at least as strict as the real one, for unit tests
 * (external-dns's `provider/inmemory` idea, at the wire level so that the
 * Route53Provider's batching and error handling run against it).
 *
 * What it refuses, change by change and with Route53's error codes and
 * message forms, is in route53-rules.ts (its own code, each rule citing the
 * Route53 documentation it follows): request limits; names, types, values
 * (IPv4, SRV, TXT strings of at most 255 characters, no duplicates, one
 * value for a CNAME); routing policies (a set identifier with a policy, no
 * multivalue CNAME, no UPSERT across policies); CREATE of an existing set;
 * a DELETE that does not repeat every field, or of the apex's SOA or NS;
 * name clashes (CNAME next to anything, simple next to routed, two
 * policies at one name and type) after each change; one TTL per name and
 * type; and the batch is atomic. Unknown zone → NoSuchHostedZone.
 */
import {
  MAX_LIST_PAGE_SIZE,
  Route53ApiError,
  type ListPage,
  type ListPageRequest,
  type Route53Api,
  type WireChange,
  type WireRecordSet,
} from "../route53/route53-api";
import { applyChangeBatch, canonicalName, recordSetKey } from "./route53-rules";

/** Hooks to observe or disturb calls. */
export interface InMemoryRoute53Hooks {
  /** Called before every ChangeResourceRecordSets; throw to fail the call (e.g. Throttling). */
  beforeChange?: (zoneId: string, changes: readonly WireChange[]) => void;
  /** Called before every ListResourceRecordSets; throw to fail the call. */
  beforeList?: (request: ListPageRequest) => void;
}

interface Zone {
  readonly name: string;
  records: Map<string, WireRecordSet>;
  /** Listing order, cached until the next change. */
  sorted?: WireRecordSet[];
}

/** The fake. Zones are created with {@link InMemoryRoute53.createZone}. */
export class InMemoryRoute53 implements Route53Api {
  private readonly zones = new Map<string, Zone>();
  private nextZone = 1;
  /** Counts of calls, by operation. */
  public readonly calls = { list: 0, change: 0, getZone: 0 };

  constructor(public hooks: InMemoryRoute53Hooks = {}) {}

  /** Creates a zone with its NS and SOA records, like CreateHostedZone; returns its id. */
  createZone(name: string, id = `ZFAKE${String(this.nextZone++).padStart(8, "0")}`): string {
    const zoneName = canonicalName(name);
    const zone: Zone = { name: zoneName, records: new Map() };
    for (const r of [
      { Name: zoneName, Type: "NS", TTL: 172_800, ResourceRecords: [{ Value: "ns-1.awsdns-01.org." }] },
      { Name: zoneName, Type: "SOA", TTL: 900, ResourceRecords: [{ Value: "ns-1.awsdns-01.org. hostmaster. 1 7200 900 1209600 86400" }] },
    ]) {
      zone.records.set(wireKey(r), r);
    }
    this.zones.set(id, zone);
    return id;
  }

  /** Every record set of a zone, sorted like ListResourceRecordSets. */
  snapshot(zoneId: string): WireRecordSet[] {
    return sortWire([...this.zone(zoneId).records.values()]).map((r) => structuredClone(r));
  }

  async getZoneName(zoneId: string): Promise<string> {
    this.calls.getZone += 1;
    return this.zone(zoneId).name;
  }

  async listRecordSets(request: ListPageRequest): Promise<ListPage> {
    this.calls.list += 1;
    this.hooks.beforeList?.(request);
    if (request.startType && !request.startName) throw new Route53ApiError("InvalidInput", "StartRecordType requires StartRecordName");
    const zone = this.zone(request.zoneId);
    zone.sorted ??= sortWire([...zone.records.values()]);
    const sorted = zone.sorted;
    const from = request.startName ? firstAtOrAfter(sorted, request) : 0;
    const size = Math.min(Math.max(request.maxItems, 1), MAX_LIST_PAGE_SIZE);
    const page = sorted.slice(from, from + size);
    const next = sorted[from + size];
    return {
      recordSets: page.map((r) => structuredClone(r)),
      isTruncated: next !== undefined,
      ...(next ? { nextName: next.Name, nextType: next.Type, ...(next.SetIdentifier ? { nextIdentifier: next.SetIdentifier } : {}) } : {}),
    };
  }

  async changeRecordSets(zoneId: string, changes: WireChange[]): Promise<void> {
    this.calls.change += 1;
    this.hooks.beforeChange?.(zoneId, changes);
    const zone = this.zone(zoneId);
    zone.records = applyChangeBatch(zone.name, zone.records, changes);
    zone.sorted = undefined;
  }

  private zone(zoneId: string): Zone {
    const zone = this.zones.get(zoneId.replace(/^\/hostedzone\//, ""));
    if (!zone) throw new Route53ApiError("NoSuchHostedZone", `No hosted zone found with ID: ${zoneId}`);
    return zone;
  }
}

function wireKey(r: Pick<WireRecordSet, "Name" | "Type" | "SetIdentifier">): string {
  return recordSetKey(r);
}

// Route53 orders by name with labels reversed (com.example.www), then type, then set identifier.
function sortKey(r: Pick<WireRecordSet, "Name" | "Type" | "SetIdentifier">): [string, string, string] {
  return [canonicalName(r.Name).slice(0, -1).split(".").reverse().join("."), r.Type, r.SetIdentifier ?? ""];
}

function compareTuples(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  return 0;
}

function sortWire(records: WireRecordSet[]): WireRecordSet[] {
  return records.sort((a, b) => compareTuples(sortKey(a), sortKey(b)));
}

/** The index of the first record set at or after the request's start (sorted.length if none): a binary search, since a fleet benchmark lists a 10,000-record zone thousands of times. */
function firstAtOrAfter(sorted: readonly WireRecordSet[], request: ListPageRequest): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (compareStart(sorted[middle], request) >= 0) high = middle;
    else low = middle + 1;
  }
  return low;
}

function compareStart(r: WireRecordSet, request: ListPageRequest): number {
  const [name, type, id] = sortKey(r);
  const [startName] = sortKey({ Name: request.startName ?? "", Type: "" });
  return compareTuples([name, type, id], [startName, request.startType ?? "", request.startIdentifier ?? ""]);
}
