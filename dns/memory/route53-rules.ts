/**
 * What Route53 refuses in a ChangeResourceRecordSets request, for the
 * in-memory fake (in-memory-dns.ts). Written from Route53's documentation
 * alone: nothing here comes from the code the fake stands in for (dns/records,
 * dns/route53/record-mapping), so a regression there cannot loosen the fake.
 * Each rule cites the line it follows; test/dns/route53-rules.test.ts tests
 * each one against the fake.
 *
 * A batch is checked change by change, in order, against the zone as the
 * changes before it left it ("it deletes the CNAME resource record set for
 * www.example.com and creates an alias resource record set for
 * www.example.com. If validation for both records succeeds, Route 53 deletes
 * the first resource record set and creates the second",
 * https://docs.aws.amazon.com/Route53/latest/APIReference/API_ChangeResourceRecordSets.html),
 * and applied only when every change passes.
 */
import { Route53ApiError, type WireChange, type WireRecordSet } from "../route53/route53-api";

/** The routing policy a record set's fields give it. */
export type WireRoutingPolicy = "simple" | "multivalue" | "weighted" | "latency" | "failover" | "geolocation" | "geoproximity" | "cidr";

const POLICY_FIELDS: readonly [WireRoutingPolicy, (r: WireRecordSet) => boolean][] = [
  ["multivalue", (r) => r.MultiValueAnswer === true],
  ["weighted", (r) => r.Weight !== undefined],
  ["latency", (r) => r.Region !== undefined],
  ["failover", (r) => r.Failover !== undefined],
  ["geolocation", (r) => r.GeoLocation !== undefined],
  ["geoproximity", (r) => r.GeoProximityLocation !== undefined],
  ["cidr", (r) => r.CidrRoutingConfig !== undefined],
];

// API_ResourceRecordSet.html, Type: "Valid values for basic resource record sets: A | AAAA | CAA | CNAME | DS | MX |
// NAPTR | NS | PTR | SOA | SPF | SRV | TXT | TLSA | SSHFP | SVCB | HTTPS"; "Values for weighted, latency, geolocation,
// and failover resource record sets: A | AAAA | CAA | CNAME | MX | NAPTR | PTR | SPF | SRV | TXT | TLSA | SSHFP | SVCB |
// HTTPS"; "Valid values for multivalue answer resource record sets: A | AAAA | MX | NAPTR | PTR | SPF | SRV | TXT".
const BASIC_TYPES = new Set(["A", "AAAA", "CAA", "CNAME", "DS", "MX", "NAPTR", "NS", "PTR", "SOA", "SPF", "SRV", "TXT", "TLSA", "SSHFP", "SVCB", "HTTPS"]);
const ROUTED_TYPES = new Set(["A", "AAAA", "CAA", "CNAME", "MX", "NAPTR", "PTR", "SPF", "SRV", "TXT", "TLSA", "SSHFP", "SVCB", "HTTPS"]);
const MULTIVALUE_TYPES = new Set(["A", "AAAA", "MX", "NAPTR", "PTR", "SPF", "SRV", "TXT"]);

/** API_ResourceRecordSet.html, SetIdentifier: "Length Constraints: Minimum length of 1. Maximum length of 128." */
const MAX_SET_IDENTIFIER = 128;
/** DNSLimitations.html: "Records with the same name, type, and routing policy: 100" (weighted, multivalue...). */
const MAX_SETS_PER_NAME_TYPE = 100;
/** API_ResourceRecord.html, Value: "not to exceed 4,000 characters". */
const MAX_VALUE_LENGTH = 4000;
/** A TXT (or SPF) character string: "How can I configure SPF or TXT records that are longer than 255 characters in Route 53?" (split them). */
const MAX_CHARACTER_STRING = 255;
/** API_ResourceRecordSet.html, TTL: "Valid Range: Minimum value of 0. Maximum value of 2147483647." */
const MAX_TTL = 2_147_483_647;

/** Route53's names: lower case ("Route 53 stores them internally as lower-case letters"), one trailing dot. */
export function canonicalName(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith(".") ? lower : `${lower}.`;
}

/** The identity of a record set in a zone: name, type and set identifier. */
export function recordSetKey(r: Pick<WireRecordSet, "Name" | "Type" | "SetIdentifier">): string {
  return `${canonicalName(r.Name)}\u0000${r.Type}\u0000${r.SetIdentifier ?? ""}`;
}

/** `[name='…', type='…', set-identifier='…']`, as Route53's messages name a record set. */
export function recordSetLabel(r: Pick<WireRecordSet, "Name" | "Type" | "SetIdentifier">): string {
  const id = r.SetIdentifier !== undefined ? `, set-identifier='${r.SetIdentifier}'` : "";
  return `[name='${canonicalName(r.Name)}', type='${r.Type}'${id}]`;
}

/** The routing policies a record set's fields name (one for a valid record set; none is simple). */
export function routingPolicies(r: WireRecordSet): WireRoutingPolicy[] {
  const named = POLICY_FIELDS.filter(([, has]) => has(r)).map(([policy]) => policy);
  return named.length > 0 ? named : ["simple"];
}

function routingPolicy(r: WireRecordSet): WireRoutingPolicy {
  return routingPolicies(r)[0];
}

/**
 * DomainNameFormat.html: "Each label can be up to 63 bytes long. The total length of a domain name cannot exceed
 * 255 bytes including the dots"; printable ASCII without escapes; API_ResourceRecordSet.html, Name: "The * must
 * replace the entire label. For example, you can't specify *prod.example.com".
 */
export function isRoute53Name(name: string): boolean {
  const bare = canonicalName(name).slice(0, -1);
  // 255 octets on the wire: a length octet per label and the root's, i.e. the text plus 2.
  if (bare.length === 0 || bare.length + 2 > 255) return false;
  const labels = bare.split(".");
  return labels.every((label, i) => {
    if (label.length === 0 || label.length > 63) return false;
    if (!/^[\x21-\x7e]+$/.test(label)) return false;
    return i !== 0 || label === "*" || !label.includes("*");
  });
}

function isInZone(name: string, zoneName: string): boolean {
  const n = canonicalName(name);
  const z = canonicalName(zoneName);
  return n === z || n.endsWith(`.${z}`);
}

/** ResourceRecordTypes.html, A: "an IPv4 address in dotted decimal notation". */
function isDottedDecimal(value: string): boolean {
  const parts = value.split(".");
  return parts.length === 4 && parts.every((p) => /^(0|[1-9][0-9]{0,2})$/.test(p) && Number(p) <= 255);
}

/** ResourceRecordTypes.html, SRV: "[priority] [weight] [port] [server host name]", each number 0-65535. */
function isSrvValue(value: string): boolean {
  const fields = value.split(" ");
  if (fields.length !== 4) return false;
  const numbersOk = fields.slice(0, 3).every((f) => /^[0-9]{1,5}$/.test(f) && Number(f) <= 65_535);
  return numbersOk && isRoute53Name(fields[3]);
}

/** The character strings of a TXT value: `"a" "b"` → a, b; an unquoted value is one string. */
export function characterStrings(value: string): string[] {
  const quoted = [...value.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1].replace(/\\(.)/g, "$1"));
  return quoted.length > 0 ? quoted : [value];
}

/** What Route53 refuses in one record set, whatever the zone holds. */
export function recordSetProblems(r: WireRecordSet, zoneName: string): string[] {
  const problems: string[] = [];
  const label = recordSetLabel(r);
  if (!isRoute53Name(r.Name) || !isInZone(r.Name, zoneName)) problems.push(`RRSet with DNS name ${r.Name} is not permitted in zone ${canonicalName(zoneName)}`);
  if (!BASIC_TYPES.has(r.Type)) problems.push(`Invalid type ${r.Type} for ${label}`);
  const policies = routingPolicies(r);
  if (policies.length > 1) problems.push(`${label} names more than one routing policy: ${policies.join(", ")}`);
  const policy = policies[0];
  if (r.SetIdentifier !== undefined && (r.SetIdentifier.length < 1 || r.SetIdentifier.length > MAX_SET_IDENTIFIER)) {
    problems.push(`SetIdentifier of ${label} must be 1 to ${MAX_SET_IDENTIFIER} characters`);
  }
  // API_ResourceRecordSet.html, SetIdentifier: "Resource record sets that have a routing policy other than simple: An
  // identifier that differentiates among multiple resource record sets that have the same combination of name and type".
  if ((policy !== "simple") !== (r.SetIdentifier !== undefined)) problems.push(`${label}: a set identifier goes with a routing policy, and only with one`);
  if (policy === "multivalue" && !MULTIVALUE_TYPES.has(r.Type)) problems.push(`${label}: a multivalue answer record set cannot be of type ${r.Type}`);
  else if (policy !== "simple" && !ROUTED_TYPES.has(r.Type)) problems.push(`${label}: a ${policy} record set cannot be of type ${r.Type}`);
  // ResourceRecordTypes.html, CNAME: "You cannot create a CNAME record for example.com" (the zone apex).
  if (r.Type === "CNAME" && canonicalName(r.Name) === canonicalName(zoneName)) problems.push(`RRSet of type CNAME with DNS name ${canonicalName(r.Name)} is not permitted at apex in zone ${canonicalName(zoneName)}`);

  if (r.AliasTarget) {
    // resource-record-sets-values-multivalue.html: "Creating multivalue answer alias records is not supported."
    if (policy === "multivalue") problems.push(`${label}: multivalue answer alias record sets are not supported`);
    if (r.TTL !== undefined || r.ResourceRecords !== undefined) problems.push(`${label}: an alias record set has no TTL and no ResourceRecords`);
    return problems;
  }
  if (r.TTL === undefined || !Number.isInteger(r.TTL) || r.TTL < 0 || r.TTL > MAX_TTL) problems.push(`Invalid TTL for ${label}`);
  const values = (r.ResourceRecords ?? []).map((v) => v.Value);
  if (values.length === 0) problems.push(`${label} has no values`);
  // API_ResourceRecord.html: "You can specify more than one value for all record types except CNAME and SOA."
  if ((r.Type === "CNAME" || r.Type === "SOA") && values.length > 1) problems.push(`${label}: a ${r.Type} record set holds exactly one value`);
  // Stricter than documented: a multivalue record set holds one value (the agent's invariant; Route53's guide
  // says "you create one multivalue answer record for each resource").
  else if (policy === "multivalue" && values.length > 1) problems.push(`${label}: multivalue record sets hold one value each here`);
  const seen = new Set<string>();
  for (const v of values) {
    // Route53's answer to a value given twice: "InvalidChangeBatch: [Duplicate Resource Record: '10.160.0.188']".
    if (seen.has(v)) problems.push(`Duplicate Resource Record: '${v}'`);
    seen.add(v);
    if (v.length > MAX_VALUE_LENGTH) problems.push(`${label}: a value exceeds ${MAX_VALUE_LENGTH} characters`);
    if (r.Type === "A" && !isDottedDecimal(v)) problems.push(`Invalid Resource Record: FATAL problem: ARRDATAIllegalIPv4Address (Value is not a valid IPv4 address) encountered with '${v}'`);
    if (r.Type === "SRV" && !isSrvValue(v)) problems.push(`Invalid Resource Record: FATAL problem: SRV value ${JSON.stringify(v)} is not 'priority weight port target'`);
    if ((r.Type === "TXT" || r.Type === "SPF") && characterStrings(v).some((s) => s.length > MAX_CHARACTER_STRING)) {
      problems.push(`Invalid Resource Record: FATAL problem: CharacterStringTooLong (Value is too long) encountered with '${v.slice(0, 20)}...'`);
    }
  }
  return problems;
}

/** Every field of a record set, values sorted: what a DELETE must repeat ("specify all the same values"). */
function canonicalForm(r: WireRecordSet): string {
  const fields: Record<string, unknown> = { ...r, Name: canonicalName(r.Name) };
  if (r.ResourceRecords) fields.ResourceRecords = r.ResourceRecords.map((v) => v.Value).sort();
  if (r.MultiValueAnswer === false) delete fields.MultiValueAnswer;
  for (const key of Object.keys(fields)) if (fields[key] === undefined) delete fields[key];
  return JSON.stringify(Object.keys(fields).sort().map((k) => [k, fields[k]]));
}

/**
 * What Route53 refuses about the record sets at `name` once a change is made: API_ResourceRecordSet.html
 * ("You can't create non-weighted records that have the same values for the Name and Type elements as weighted
 * records"; likewise latency, failover, geolocation), ResourceRecordTypes.html, CNAME ("if you create a CNAME record
 * for a subdomain, you cannot create any other resource record sets for that subdomain").
 */
function nameProblems(atName: readonly WireRecordSet[], name: string, zoneName: string): string[] {
  const problems: string[] = [];
  const cname = atName.find((r) => r.Type === "CNAME");
  const other = atName.find((r) => r.Type !== "CNAME");
  if (cname && other) {
    problems.push(`RRSet of type ${other.Type} with DNS name ${name} is not permitted because a conflicting RRSet of type CNAME with the same DNS name already exists in zone ${zoneName}.`);
  }
  const byType = new Map<string, WireRecordSet[]>();
  for (const r of atName) byType.set(r.Type, [...(byType.get(r.Type) ?? []), r]);
  for (const [type, sets] of byType) {
    const policies = new Set(sets.map(routingPolicy));
    if ((policies.has("simple") && sets.length > 1) || policies.size > 1) {
      problems.push(`RRSet with DNS name ${name}, type ${type} cannot be created as other RRSets exist with the same name and type.`);
    }
    if (sets.length > MAX_SETS_PER_NAME_TYPE) problems.push(`Too many RRSets with DNS name ${name}, type ${type}: the limit is ${MAX_SETS_PER_NAME_TYPE}`);
  }
  return problems;
}

/** Route53's one TTL per name and type: a record set written with a set identifier sets the TTL of its name and type's others. */
function applySharedTtl(records: Map<string, WireRecordSet>, atName: ReadonlySet<string>, key: string, written: WireRecordSet): void {
  if (written.SetIdentifier === undefined || written.AliasTarget || written.TTL === undefined) return;
  for (const otherKey of atName) {
    const other = records.get(otherKey)!;
    if (otherKey !== key && other.Type === written.Type && other.SetIdentifier !== undefined && !other.AliasTarget && other.TTL !== written.TTL) {
      records.set(otherKey, { ...other, TTL: written.TTL });
    }
  }
}

/** The per-request limits (DNSLimitations.html#limits-api-requests), UPSERT counting twice. */
export function checkRequestLimits(changes: readonly WireChange[]): void {
  const refuse = (message: string) => {
    throw new Route53ApiError("InvalidChangeBatch", message, [message]);
  };
  if (changes.length > 1000) refuse("Number of changes limit of 1000 exceeded.");
  let records = 0;
  let chars = 0;
  for (const c of changes) {
    const factor = c.Action === "UPSERT" ? 2 : 1;
    const values = c.ResourceRecordSet.ResourceRecords ?? [];
    records += factor * (c.ResourceRecordSet.AliasTarget ? 1 : values.length);
    chars += factor * values.reduce((sum, v) => sum + v.Value.length, 0);
  }
  if (records > 1000) refuse("Number of records limit of 1000 exceeded.");
  if (chars > 32_000) refuse("Number of characters limit of 32000 exceeded.");
}

/**
 * Applies a change batch to a zone's record sets (keyed by {@link recordSetKey}) as Route53 would, or throws
 * InvalidChangeBatch with every problem and leaves `current` as it was.
 */
export function applyChangeBatch(zoneName: string, current: ReadonlyMap<string, WireRecordSet>, changes: readonly WireChange[]): Map<string, WireRecordSet> {
  if (changes.length === 0) throw new Route53ApiError("InvalidInput", "ChangeBatch must contain at least one change");
  checkRequestLimits(changes);
  const zone = canonicalName(zoneName);
  const working = new Map(current);
  // The keys at each name, kept as the batch changes them (a zone can hold many thousand record sets).
  let keysByName: Map<string, Set<string>> | undefined;
  const keysAt = (name: string): Set<string> => {
    if (!keysByName) {
      keysByName = new Map();
      for (const [k, r] of working) {
        const n = canonicalName(r.Name);
        keysByName.set(n, (keysByName.get(n) ?? new Set()).add(k));
      }
    }
    let keys = keysByName.get(name);
    if (!keys) keysByName.set(name, (keys = new Set()));
    return keys;
  };
  const messages: string[] = [];
  const seen = new Map<string, string>();
  for (const change of changes) {
    const rrset: WireRecordSet = { ...change.ResourceRecordSet, Name: canonicalName(change.ResourceRecordSet.Name) };
    const key = recordSetKey(rrset);
    const label = recordSetLabel(rrset);
    const previousAction = seen.get(key);
    // "you cannot delete the same resource record set more than once in a single change batch"; DELETE then CREATE is how a set is replaced.
    if (previousAction && !(previousAction === "DELETE" && change.Action === "CREATE")) {
      messages.push(`The request contains an invalid set of changes for a resource record set ${label}`);
      continue;
    }
    seen.set(key, change.Action);
    const problems = recordSetProblems(rrset, zone);
    const existing = working.get(key);
    if (change.Action === "CREATE") {
      if (existing) problems.push(`Tried to create resource record set ${label} but it already exists`);
    } else if (change.Action === "UPSERT") {
      // A set's routing policy is part of what it is: Route53 refuses an UPSERT that changes it (DELETE, then CREATE).
      if (existing && routingPolicy(existing) !== routingPolicy(rrset)) {
        problems.push(`Tried to upsert resource record set ${label} with routing policy ${routingPolicy(rrset)}, but it exists with routing policy ${routingPolicy(existing)}`);
      }
    } else if (change.Action === "DELETE") {
      // resource-record-sets-deleting.html: "You can't delete the records that have a value of NS or SOA for Type" (the apex's).
      if ((rrset.Type === "SOA" || rrset.Type === "NS") && rrset.Name === zone && rrset.SetIdentifier === undefined) {
        problems.push(`A HostedZone must contain at least one ${rrset.Type} record for the zone itself.`);
      } else if (!existing) problems.push(`Tried to delete resource record set ${label} but it was not found`);
      // API_ChangeResourceRecordSets.html: "To delete a resource record set, you must specify all the same values that you specified when you created it."
      else if (canonicalForm(existing) !== canonicalForm(rrset)) problems.push(`Tried to delete resource record set ${label} but the values provided do not match the current values`);
    } else {
      problems.push(`Invalid action ${String(change.Action)}`);
    }
    if (problems.length > 0) {
      messages.push(...problems);
      continue;
    }
    const atName = keysAt(rrset.Name);
    if (change.Action === "DELETE") {
      working.delete(key);
      atName.delete(key);
      continue;
    }
    working.set(key, rrset);
    atName.add(key);
    applySharedTtl(working, atName, key, rrset);
    messages.push(...nameProblems([...atName].map((k) => working.get(k)!), rrset.Name, zone));
  }
  if (messages.length > 0) throw new Route53ApiError("InvalidChangeBatch", `[${messages.join(", ")}]`, messages);
  return working;
}
