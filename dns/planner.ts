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
 * "Same content" = same routing, TTL and set of values ({@link sameContent}).
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
import { isOwnedBy } from "./set-identifier";

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
  for (const d of sortRecords(desired)) {
    const key = recordKey(d);
    if (desiredKeys.has(key)) continue;
    desiredKeys.add(key);
    const existing = ownedCurrent.get(key);
    const blocking = (foreignByName.get(d.name) ?? []).find((f) => blocks(f, d));
    if (existing) {
      if (sameContent(existing, d)) continue;
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

/** True when `foreign` makes a multivalue record set `desired` impossible. */
export function blocks(foreign: DnsRecord, desired: DnsRecord): boolean {
  if (foreign.type === "CNAME" || desired.type === "CNAME") return true;
  return foreign.type === desired.type && (foreign.routing !== "multivalue" || Boolean(foreign.alias));
}

/** True when replacing `from` by `to` changes the routing policy (Route53: DELETE + CREATE, not UPSERT). */
export function changesRoutingPolicy(from: DnsRecord, to: DnsRecord): boolean {
  return from.routing !== to.routing || Boolean(from.alias) !== Boolean(to.alias);
}
