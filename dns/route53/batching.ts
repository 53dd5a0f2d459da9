/**
 * Change sets → Route53 actions → change batches within Route53's limits.
 * Pure.
 *
 * Route53 limits one ChangeResourceRecordSets request to 1,000 changes,
 * 1,000 ResourceRecord elements and 32,000 characters of values, where an
 * UPSERT counts twice for records and characters
 * (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/DNSLimitations.html#limits-api-requests).
 * All changes of one name stay in one batch, so a batch rejected by Route53
 * can be split by name and a DELETE+CREATE pair is never torn apart.
 */
import { compareKeys, type ChangeSet, type DnsRecord } from "../records";
import type { Route53Action } from "./route53-api";

/** One Route53 action, remembering which planned change it implements. */
export interface ActionChange {
  readonly action: Route53Action;
  readonly record: DnsRecord;
  readonly origin: "create" | "update" | "delete";
  /** For an update, the record it replaces (reported back to the caller). */
  readonly previous?: DnsRecord;
}

/** Per-request limits. */
export interface BatchLimits {
  readonly maxChanges: number;
  readonly maxRecords: number;
  readonly maxValueChars: number;
}

/** Route53's documented limits. */
export const ROUTE53_LIMITS: BatchLimits = Object.freeze({ maxChanges: 1000, maxRecords: 1000, maxValueChars: 32_000 });

/** Batches to send, and name groups that cannot fit in any request. */
export interface BatchPlan {
  readonly batches: readonly (readonly ActionChange[])[];
  readonly oversized: readonly (readonly ActionChange[])[];
}

/**
 * Maps planned changes to Route53 actions: create and update become UPSERT
 * (idempotent, so a record that already exists is no error); an update that
 * changes routing policy becomes DELETE + CREATE, because Route53 refuses to
 * UPSERT across routing policies; delete becomes DELETE with the current values.
 * Deletes come first: a write of a multivalue record set sets the TTL of the
 * others of its name and type, after which a DELETE later in the same batch,
 * carrying the TTL read before, would no longer match.
 */
export function toActions(changes: ChangeSet): ActionChange[] {
  const actions: ActionChange[] = [];
  for (const record of changes.delete) actions.push({ action: "DELETE", record, origin: "delete" });
  for (const record of changes.create) actions.push({ action: "UPSERT", record, origin: "create" });
  for (const { from, to } of changes.update) {
    if (from.routing === to.routing && Boolean(from.alias) === Boolean(to.alias)) {
      actions.push({ action: "UPSERT", record: to, origin: "update", previous: from });
    } else {
      actions.push({ action: "DELETE", record: from, origin: "update", previous: from });
      actions.push({ action: "CREATE", record: to, origin: "update", previous: from });
    }
  }
  return actions;
}

/** What one change costs against the limits. */
export function changeWeight(change: ActionChange): { records: number; chars: number } {
  const factor = change.action === "UPSERT" ? 2 : 1;
  const records = change.record.alias ? 1 : change.record.values.length;
  const chars = change.record.values.reduce((sum, v) => sum + v.length, 0);
  return { records: records * factor, chars: chars * factor };
}

/** Groups actions by record name, names in order, DELETEs before CREATE/UPSERT within a name. */
export function groupByName(changes: readonly ActionChange[]): ActionChange[][] {
  const groups = new Map<string, ActionChange[]>();
  for (const c of changes) groups.set(c.record.name, [...(groups.get(c.record.name) ?? []), c]);
  return [...groups.entries()]
    .sort(([a], [b]) => compareKeys(a, b))
    .map(([, group]) => [...group].sort((a, b) => rank(a) - rank(b)));
}

function rank(change: ActionChange): number {
  return change.action === "DELETE" ? 0 : 1;
}

/**
 * Packs name groups greedily into as few requests as the limits allow.
 *
 * @param isolate - names that failed in an earlier pass: each goes into a
 * request of its own, after all others, so it cannot block them again.
 */
export function planBatches(
  changes: readonly ActionChange[],
  limits: BatchLimits = ROUTE53_LIMITS,
  isolate: ReadonlySet<string> = new Set(),
): BatchPlan {
  const batches: ActionChange[][] = [];
  const oversized: ActionChange[][] = [];
  const isolated: ActionChange[][] = [];
  let current: ActionChange[] = [];
  let used = { changes: 0, records: 0, chars: 0 };

  for (const group of groupByName(changes)) {
    const cost = groupCost(group);
    if (cost.changes > limits.maxChanges || cost.records > limits.maxRecords || cost.chars > limits.maxValueChars) {
      oversized.push(group);
      continue;
    }
    if (isolate.has(group[0].record.name)) {
      isolated.push(group);
      continue;
    }
    const fits =
      used.changes + cost.changes <= limits.maxChanges &&
      used.records + cost.records <= limits.maxRecords &&
      used.chars + cost.chars <= limits.maxValueChars;
    if (!fits) {
      batches.push(current);
      current = [];
      used = { changes: 0, records: 0, chars: 0 };
    }
    current.push(...group);
    used = { changes: used.changes + cost.changes, records: used.records + cost.records, chars: used.chars + cost.chars };
  }
  if (current.length > 0) batches.push(current);
  return { batches: [...batches, ...isolated], oversized };
}

function groupCost(group: readonly ActionChange[]): { changes: number; records: number; chars: number } {
  return group.reduce(
    (sum, c) => {
      const w = changeWeight(c);
      return { changes: sum.changes + 1, records: sum.records + w.records, chars: sum.chars + w.chars };
    },
    { changes: 0, records: 0, chars: 0 },
  );
}
