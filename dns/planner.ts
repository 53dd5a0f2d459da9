/**
 * The planner: desired records (from containers) + current records (the
 * whole zone, from Route53) + who we are → changes. Pure: no I/O, no clock.
 *
 * Records are matched by key = (name, type, set identifier). "Ours" means
 * the set identifier parses with our owner *and* our host id; nothing else
 * ever appears in the output. A "conflict" is a record that is not ours, has
 * the desired name, and makes a multivalue record set of that name and type
 * impossible in Route53: a simple/weighted/alias record of the same type, or
 * a CNAME.
 *
 * | desired | current, ours      | conflict at name | result                              |
 * | ------- | ------------------ | ---------------- | ----------------------------------- |
 * | -       | -                  | any              | nothing                             |
 * | D       | -                  | no               | create D                            |
 * | D       | -                  | yes              | nothing; conflict reported          |
 * | D       | C, same content    | any              | nothing                             |
 * | D       | C, other content   | no               | update C → D                        |
 * | D       | C, same routing    | yes              | update C → D                        |
 * | D       | C, other routing   | yes              | nothing; conflict reported          |
 * | -       | C                  | any              | delete C (with C's exact values)    |
 * | (any)   | not ours           | -                | never touched                       |
 *
 * "Same content" = same routing, TTL and set of values ({@link sameContent}),
 * with the TTL that {@link nameTtls} gives the name and type.
 *
 * One TTL per name and type. Route53 keeps one TTL for all multivalue record
 * sets of a name and type: "If you create two or more multivalue answer
 * records that have the same name and type, and you specify different values
 * for TTL, Route 53 changes the value of TTL for all of the records to the
 * last value that you specified"
 * (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/routing-policy-multivalue.html).
 * A TTL per record would make every write rewrite the others' TTL and every
 * resync fight over it. So, per name and type:
 * | at the name and type, besides this host's records | TTL written            | a different TTL is drift |
 * | -------------------------------------------------- | ---------------------- | ------------------------ |
 * | another owner's multivalue record sets             | theirs (the smallest)  | yes                      |
 * | only other hosts of our owner                      | ours (the smallest)    | no: the last writer's stays |
 * | nothing                                            | ours (the smallest)    | yes                      |
 * A record of another owner thus never has its TTL changed by us, and among
 * the hosts of one deployment a new TTL arrives with the next record written.
 * An existing record of ours is updated even when a conflict exists, as long
 * as its routing policy stays: Route53 already holds both, so the update
 * cannot create a new clash. A record carrying our set identifier with
 * another routing policy (say weighted, made by hand) next to a foreign
 * record of that policy cannot become multivalue (Route53 refuses the
 * DELETE + CREATE every time): that is a conflict, and the record stays.
 */
import {
  compareKeys,
  normalizeName,
  recordKey,
  sameContent,
  sortRecords,
  type ChangeSet,
  type DnsRecord,
  type RecordUpdate,
} from "./records";
import { isOwnedBy, parseSetIdentifier } from "./set-identifier";

/** Whose records the planner may change. */
export interface OwnerScope {
  readonly owner: string;
  readonly hostId: string;
}

/** A desired record that cannot be created because of a record we do not own. */
export interface Conflict {
  readonly desired: DnsRecord;
  readonly blocking: DnsRecord;
}

/** The planner's answer. */
export interface Plan {
  readonly changes: ChangeSet;
  readonly conflicts: readonly Conflict[];
  /** Records of ours currently in the zone, for the metrics gauge and the reconciler's cache. */
  readonly ownedCurrent: readonly DnsRecord[];
}

/**
 * Computes the changes that make the zone's records of ours equal to `desired`.
 *
 * @throws Error when a desired record is not ours: the caller built it wrong,
 * and writing it would hand it to another host.
 */
export function planChanges(desired: readonly DnsRecord[], current: readonly DnsRecord[], scope: OwnerScope): Plan {
  const ours = (r: DnsRecord): boolean => isOwnedBy(r.setIdentifier, scope.owner, scope.hostId);
  for (const d of desired) {
    if (!ours(d)) throw new Error(`planner: desired record ${recordKey(d)} does not carry this host's set identifier`);
  }

  const ownedCurrent = new Map<string, DnsRecord>();
  const foreignByName = new Map<string, DnsRecord[]>();
  for (const c of current) {
    if (ours(c)) ownedCurrent.set(recordKey(c), c);
    else {
      const name = normalizeName(c.name);
      const atName = foreignByName.get(name);
      if (atName) atName.push(c);
      else foreignByName.set(name, [c]);
    }
  }

  const create: DnsRecord[] = [];
  const update: RecordUpdate[] = [];
  const conflicts: Conflict[] = [];
  const desiredKeys = new Set<string>();
  const ttls = nameTtls(desired, current, scope);
  for (const wanted of sortRecords(desired)) {
    const key = recordKey(wanted);
    if (desiredKeys.has(key)) continue;
    desiredKeys.add(key);
    const ttl = ttls.get(nameTypeKey(wanted))!;
    const d = { ...wanted, ttlSeconds: ttl.ttlSeconds };
    const existing = ownedCurrent.get(key);
    const blocking = (foreignByName.get(d.name) ?? []).find((f) => blocks(f, d));
    if (existing) {
      if (sameContent(existing, ttl.isDrift ? d : { ...d, ttlSeconds: existing.ttlSeconds })) continue;
      if (blocking && changesRoutingPolicy(existing, d)) conflicts.push({ desired: d, blocking });
      else update.push({ from: existing, to: d });
      continue;
    }
    if (blocking) conflicts.push({ desired: d, blocking });
    else create.push(d);
  }

  const del = [...ownedCurrent.entries()]
    .filter(([key]) => !desiredKeys.has(key))
    .sort(([a], [b]) => compareKeys(a, b))
    .map(([, record]) => record);

  return {
    changes: { create, update, delete: del },
    conflicts,
    ownedCurrent: sortRecords([...ownedCurrent.values()]),
  };
}

/** The TTL that this host's records of one name and type get, and whether another TTL on them is drift. */
export interface NameTtl {
  readonly ttlSeconds: number;
  readonly isDrift: boolean;
}

const nameTypeKey = (r: Pick<DnsRecord, "name" | "type">): string => `${normalizeName(r.name)} ${r.type}`;

/** Per name and type of the desired records (`<name> <type>`): the TTL to write (see the table above). */
export function nameTtls(desired: readonly DnsRecord[], current: readonly DnsRecord[], scope: OwnerScope): Map<string, NameTtl> {
  const wanted = new Map<string, number>();
  for (const d of desired) wanted.set(nameTypeKey(d), Math.min(d.ttlSeconds, wanted.get(nameTypeKey(d)) ?? Infinity));
  const foreignTtl = new Map<string, number>();
  const peers = new Set<string>();
  for (const c of current) {
    const key = nameTypeKey(c);
    // Every multivalue record set counts; only the names and types we want are read below.
    if (c.routing !== "multivalue" || c.alias) continue;
    const id = parseSetIdentifier(c.setIdentifier);
    if (id?.owner === scope.owner) {
      if (id.hostId !== scope.hostId) peers.add(key);
    } else foreignTtl.set(key, Math.min(c.ttlSeconds, foreignTtl.get(key) ?? Infinity));
  }
  const ttls = new Map<string, NameTtl>();
  for (const [key, ttlSeconds] of wanted) {
    const theirs = foreignTtl.get(key);
    ttls.set(key, theirs !== undefined ? { ttlSeconds: theirs, isDrift: true } : { ttlSeconds, isDrift: !peers.has(key) });
  }
  return ttls;
}

/** True when `foreign` makes a multivalue record set `desired` impossible. */
export function blocks(foreign: DnsRecord, desired: DnsRecord): boolean {
  if (foreign.type === "CNAME" || desired.type === "CNAME") return true;
  return foreign.type === desired.type && (foreign.routing !== "multivalue" || Boolean(foreign.alias));
}

/** True when replacing `from` by `to` changes the routing policy (Route53: DELETE + CREATE, not UPSERT). */
export function changesRoutingPolicy(from: DnsRecord, to: DnsRecord): boolean {
  return from.routing !== to.routing || Boolean(from.alias) !== Boolean(to.alias);
}
