/**
 * An in-memory Route53 at least as strict as the real one, for unit tests
 * (external-dns's `provider/inmemory` idea, at the wire level so that the
 * Route53Provider's batching and error handling run against it).
 *
 * Enforced, with Route53's error codes and message forms:
 * - unknown zone → NoSuchHostedZone; empty batch → InvalidInput;
 * - per request: 1,000 changes, 1,000 ResourceRecord elements and 32,000
 *   value characters, UPSERT counting twice;
 * - names inside the zone (at a label boundary) and syntactically valid;
 * - A values are IPv4, SRV values are `priority weight port target`;
 * - a multivalue record has a set identifier (1–128 characters) and values;
 * - CREATE of an existing record set fails; DELETE must repeat TTL, values
 *   and routing exactly; the same record set twice in a batch fails (except
 *   DELETE then CREATE);
 * - a name and type hold either one simple record set or only record sets of
 *   one routing policy, at most 100 of them; a CNAME shares its name with
 *   nothing;
 * - one TTL per name and type: a CREATE or UPSERT of a record set with a set
 *   identifier sets the TTL of every record set with a set identifier of
 *   its name and type ("Route 53 changes the value of TTL for all of the
 *   records to the last value that you specified"), in batch order;
 * - the batch is atomic: any error and nothing is applied.
 * Stricter than documented: a multivalue record set holds exactly one value
 * (the agent's invariant; Route53's guide says "one multivalue answer record
 * for each resource").
 */
import { isInZone, isIpv4, isValidDnsName, normalizeName, recordKey } from "../records";
import { fromWire } from "../route53/record-mapping";
import {
  MAX_LIST_PAGE_SIZE,
  Route53ApiError,
  type ListPage,
  type ListPageRequest,
  type Route53Api,
  type WireChange,
  type WireRecordSet,
} from "../route53/route53-api";

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

const MAX_SET_IDENTIFIER = 128;
const MAX_SETS_PER_NAME_TYPE = 100;
const SRV_VALUE = /^(\d{1,5}) (\d{1,5}) (\d{1,5}) (\S+)$/;

/** The fake. Zones are created with {@link InMemoryRoute53.createZone}. */
export class InMemoryRoute53 implements Route53Api {
  private readonly zones = new Map<string, Zone>();
  private nextZone = 1;
  /** Counts of calls, by operation. */
  public readonly calls = { list: 0, change: 0, getZone: 0 };

  constructor(public hooks: InMemoryRoute53Hooks = {}) {}

  /** Creates a zone with its NS and SOA records, like CreateHostedZone; returns its id. */
  createZone(name: string, id = `ZFAKE${String(this.nextZone++).padStart(8, "0")}`): string {
    const zoneName = normalizeName(name);
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
    const startAt = request.startName
      ? sorted.findIndex((r) => compareStart(r, request) >= 0)
      : 0;
    const from = startAt < 0 ? sorted.length : startAt;
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
    if (changes.length === 0) throw new Route53ApiError("InvalidInput", "ChangeBatch must contain at least one change");
    checkLimits(changes);

    const working = new Map(zone.records);
    const messages: string[] = [];
    const touched = new Set<string>();
    const seen = new Map<string, string>();
    for (const change of changes) {
      const rrset = { ...change.ResourceRecordSet, Name: normalizeName(change.ResourceRecordSet.Name) };
      const key = wireKey(rrset);
      const label = describe(rrset);
      const previousAction = seen.get(key);
      if (previousAction && !(previousAction === "DELETE" && change.Action === "CREATE")) {
        messages.push(`The request contains an invalid set of changes for a resource record set ${label}`);
        continue;
      }
      seen.set(key, change.Action);
      messages.push(...validateRecordSet(rrset, zone.name));
      const existing = working.get(key);
      if (change.Action === "CREATE") {
        if (existing) messages.push(`Tried to create resource record set ${label} but it already exists`);
        else working.set(key, rrset);
      } else if (change.Action === "UPSERT") {
        working.set(key, rrset);
      } else if (change.Action === "DELETE") {
        if (!existing) messages.push(`Tried to delete resource record set ${label} but it was not found`);
        else if (!sameWire(existing, rrset)) {
          messages.push(`Tried to delete resource record set ${label} but the values provided do not match the current values`);
        } else working.delete(key);
      } else {
        messages.push(`Invalid action ${String(change.Action)}`);
      }
      if (change.Action !== "DELETE") applySharedTtl(working, key, rrset);
      touched.add(rrset.Name);
    }
    const byName = new Map<string, WireRecordSet[]>([...touched].map((n) => [n, []]));
    for (const r of working.values()) byName.get(normalizeName(r.Name))?.push(r);
    for (const [name, atName] of byName) messages.push(...checkNameConsistency(atName, name, zone.name));
    if (messages.length > 0) throw new Route53ApiError("InvalidChangeBatch", `[${messages.join(", ")}]`, messages);
    zone.records = working;
    zone.sorted = undefined;
  }

  private zone(zoneId: string): Zone {
    const zone = this.zones.get(zoneId.replace(/^\/hostedzone\//, ""));
    if (!zone) throw new Route53ApiError("NoSuchHostedZone", `No hosted zone found with ID: ${zoneId}`);
    return zone;
  }
}

/** Route53's one TTL per name and type: a record set written with a set identifier sets the TTL of its name and type's others. */
function applySharedTtl(working: Map<string, WireRecordSet>, key: string, written: WireRecordSet): void {
  if (written.SetIdentifier === undefined || written.AliasTarget || written.TTL === undefined) return;
  for (const [otherKey, other] of working) {
    const sameNameAndType = other.Type === written.Type && normalizeName(other.Name) === written.Name;
    if (otherKey !== key && sameNameAndType && other.SetIdentifier !== undefined && !other.AliasTarget && other.TTL !== written.TTL) {
      working.set(otherKey, { ...other, TTL: written.TTL });
    }
  }
}

function wireKey(r: Pick<WireRecordSet, "Name" | "Type" | "SetIdentifier">): string {
  return recordKey({ name: normalizeName(r.Name), type: r.Type, setIdentifier: r.SetIdentifier });
}

function describe(r: WireRecordSet): string {
  const id = r.SetIdentifier !== undefined ? `, set-identifier='${r.SetIdentifier}'` : "";
  return `[name='${r.Name}', type='${r.Type}'${id}]`;
}

// Route53 orders by name with labels reversed (com.example.www), then type, then set identifier.
function sortKey(r: Pick<WireRecordSet, "Name" | "Type" | "SetIdentifier">): [string, string, string] {
  return [normalizeName(r.Name).slice(0, -1).split(".").reverse().join("."), r.Type, r.SetIdentifier ?? ""];
}

function compareTuples(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  return 0;
}

function sortWire(records: WireRecordSet[]): WireRecordSet[] {
  return records.sort((a, b) => compareTuples(sortKey(a), sortKey(b)));
}

function compareStart(r: WireRecordSet, request: ListPageRequest): number {
  const [name, type, id] = sortKey(r);
  const [startName] = sortKey({ Name: request.startName ?? "", Type: "" });
  return compareTuples([name, type, id], [startName, request.startType ?? "", request.startIdentifier ?? ""]);
}

function checkLimits(changes: readonly WireChange[]): void {
  if (changes.length > 1000) throw new Route53ApiError("InvalidChangeBatch", "Number of changes limit of 1000 exceeded.", ["Number of changes limit of 1000 exceeded."]);
  let records = 0;
  let chars = 0;
  for (const c of changes) {
    const factor = c.Action === "UPSERT" ? 2 : 1;
    const values = c.ResourceRecordSet.ResourceRecords ?? [];
    records += factor * (c.ResourceRecordSet.AliasTarget ? 1 : values.length);
    chars += factor * values.reduce((sum, v) => sum + v.Value.length, 0);
  }
  if (records > 1000) throw new Route53ApiError("InvalidChangeBatch", "Number of records limit of 1000 exceeded.", ["Number of records limit of 1000 exceeded."]);
  if (chars > 32_000) throw new Route53ApiError("InvalidChangeBatch", "Number of characters limit of 32000 exceeded.", ["Number of characters limit of 32000 exceeded."]);
}

function validateRecordSet(r: WireRecordSet, zoneName: string): string[] {
  const problems: string[] = [];
  if (!isValidDnsName(r.Name) || !isInZone(r.Name, zoneName)) {
    problems.push(`RRSet with DNS name ${r.Name} is not permitted in zone ${zoneName}`);
  }
  if (r.SetIdentifier !== undefined && (r.SetIdentifier.length < 1 || r.SetIdentifier.length > MAX_SET_IDENTIFIER)) {
    problems.push(`SetIdentifier of ${describe(r)} must be 1 to ${MAX_SET_IDENTIFIER} characters`);
  }
  const routed = fromWire(r).routing !== "simple";
  if (routed !== (r.SetIdentifier !== undefined)) problems.push(`${describe(r)}: a set identifier goes with a routing policy, and only with one`);
  if (r.AliasTarget) return problems;
  if (r.TTL === undefined || r.TTL < 0 || r.TTL > 2_147_483_647) problems.push(`Invalid TTL for ${describe(r)}`);
  const values = (r.ResourceRecords ?? []).map((v) => v.Value);
  if (values.length === 0) problems.push(`${describe(r)} has no values`);
  if (r.MultiValueAnswer && values.length > 1) problems.push(`${describe(r)}: multivalue record sets hold one value each here`);
  for (const v of values) {
    if (r.Type === "A" && !isIpv4(v)) problems.push(`Invalid Resource Record: FATAL problem: ARRDATAIllegalIPv4Address encountered at ${v}`);
    if (r.Type === "SRV" && !validSrv(v)) problems.push(`Invalid Resource Record: FATAL problem: SRV value ${JSON.stringify(v)} is not 'priority weight port target'`);
  }
  return problems;
}

function validSrv(value: string): boolean {
  const m = SRV_VALUE.exec(value);
  return m !== null && [m[1], m[2], m[3]].every((n) => Number(n) <= 65_535) && isValidDnsName(m[4]);
}

function sameWire(a: WireRecordSet, b: WireRecordSet): boolean {
  const values = (r: WireRecordSet): string => (r.ResourceRecords ?? []).map((v) => v.Value).sort().join("\n");
  return (
    a.TTL === b.TTL &&
    values(a) === values(b) &&
    Boolean(a.MultiValueAnswer) === Boolean(b.MultiValueAnswer) &&
    a.Weight === b.Weight &&
    a.HealthCheckId === b.HealthCheckId &&
    JSON.stringify(a.AliasTarget) === JSON.stringify(b.AliasTarget)
  );
}

function checkNameConsistency(atName: readonly WireRecordSet[], name: string, zoneName: string): string[] {
  const problems: string[] = [];
  const cname = atName.find((r) => r.Type === "CNAME");
  const others = atName.filter((r) => r.Type !== "CNAME");
  if (cname && others.length > 0) {
    problems.push(`RRSet of type ${others[0].Type} with DNS name ${name} is not permitted because a conflicting RRSet of type CNAME with the same DNS name already exists in zone ${zoneName}.`);
  }
  const byType = new Map<string, WireRecordSet[]>();
  for (const r of atName) byType.set(r.Type, [...(byType.get(r.Type) ?? []), r]);
  for (const [type, sets] of byType) {
    const policies = new Set(sets.map((r) => fromWire(r).routing + (r.Weight !== undefined ? "/weighted" : "")));
    const hasSimple = sets.some((r) => r.SetIdentifier === undefined);
    if ((hasSimple && sets.length > 1) || policies.size > 1) {
      problems.push(`RRSet with DNS name ${name}, type ${type} cannot be created as other RRSets exist with the same name and type.`);
    }
    if (sets.length > MAX_SETS_PER_NAME_TYPE) problems.push(`Too many RRSets with DNS name ${name}, type ${type}: the limit is ${MAX_SETS_PER_NAME_TYPE}`);
  }
  return problems;
}
