/**
 * Sends change batches and survives rejected ones.
 *
 * Route53 applies a batch all or nothing, so one bad change would block every
 * other. Route53's rejection names each change it refused (one message per
 * change, with its DNS name): the rest is sent again in one call and each
 * named name alone, so one bad name costs two extra calls. A rejection that
 * names none of the batch's names is split in halves by name until the
 * failing names are alone (external-dns splits by name too, PR #1209;
 * halving keeps the extra calls near 2·log2(names) instead of one per name). A rejected name group whose DELETE no longer matches is
 * repaired by reading the record: gone counts as done, other values are
 * deleted with the values Route53 has. What still fails is reported and
 * retried in its own batch next pass.
 */
import { groupByName, planBatches, type ActionChange, type BatchLimits } from "./batching";
import { normalizeName, recordKey, sameContent, type DnsRecord } from "../records";
import { fromWire, toWire } from "./record-mapping";
import { MAX_LIST_PAGE_SIZE, errorMessages, isBatchRejection, type Route53Api } from "./route53-api";

/** What happened to a list of actions. */
export interface SubmitResult {
  readonly applied: ActionChange[];
  readonly failed: { change: ActionChange; reason: string }[];
  /** Name groups larger than one request allows; never sent. */
  readonly oversized: ActionChange[];
  changeCalls: number;
}

/** Dependencies and settings of {@link submitChanges}. */
export interface SubmitOptions {
  readonly api: Route53Api;
  readonly zoneId: string;
  readonly limits: BatchLimits;
  /** Names that failed last pass; sent alone. */
  readonly isolate: ReadonlySet<string>;
  readonly signal: AbortSignal;
}

/**
 * Sends `changes` in as few batches as the limits allow.
 *
 * @throws the API's error for anything that is not a rejected batch
 * (throttling after the SDK's retries, network, missing zone, access denied):
 * the reconciler retries the whole pass later.
 */
export async function submitChanges(changes: readonly ActionChange[], options: SubmitOptions): Promise<SubmitResult> {
  const result: SubmitResult = { applied: [], failed: [], oversized: [], changeCalls: 0 };
  const plan = planBatches(changes, options.limits, options.isolate);
  for (const group of plan.oversized) result.oversized.push(...group);
  for (const batch of plan.batches) await submitBatch(batch, options, result);
  return result;
}

async function submitBatch(batch: readonly ActionChange[], options: SubmitOptions, result: SubmitResult): Promise<void> {
  const error = await send(batch, options, result);
  if (!error) {
    result.applied.push(...batch);
    return;
  }
  const groups = groupByName(batch);
  const messages = errorMessages(error);
  const named = groups.filter((g) => messages.some((m) => namesIn(m).has(g[0].record.name)));
  if (named.length > 0 && named.length < groups.length) {
    await submitBatch(groups.filter((g) => !named.includes(g)).flat(), options, result);
    // Each named group alone: a name a message merely mentions (say, an SRV target) still goes through.
    for (const group of named) await submitBatch(group, options, result);
    return;
  }
  if (groups.length > 1) {
    const half = Math.ceil(groups.length / 2);
    await submitBatch(groups.slice(0, half).flat(), options, result);
    await submitBatch(groups.slice(half).flat(), options, result);
    return;
  }
  await retryRepaired(batch, error, options, result);
}

/** The DNS names a rejection message mentions, normalized (`[name='a.example.', type='A']`, `DNS name a.example.`). */
function namesIn(message: string): Set<string> {
  return new Set((message.match(/[A-Za-z0-9_*-]+(?:\.[A-Za-z0-9_*-]+)+\.?/g) ?? []).map(normalizeName));
}

/** Sends one batch; returns the rejection, throws anything else. */
async function send(batch: readonly ActionChange[], options: SubmitOptions, result: SubmitResult): Promise<unknown> {
  if (batch.length === 0) return undefined;
  result.changeCalls += 1;
  try {
    await options.api.changeRecordSets(
      options.zoneId,
      batch.map((c) => ({ Action: c.action, ResourceRecordSet: toWire(c.record) })),
      options.signal,
    );
    return undefined;
  } catch (error) {
    if (isBatchRejection(error)) return error;
    throw error;
  }
}

/** One name group was rejected: fix its DELETEs from what Route53 holds, then try once more. */
async function retryRepaired(
  group: readonly ActionChange[],
  error: unknown,
  options: SubmitOptions,
  result: SubmitResult,
): Promise<void> {
  const reason = errorMessages(error).join("; ");
  const repaired: ActionChange[] = [];
  const alreadyDone: ActionChange[] = [];
  let changed = false;
  for (const change of group) {
    if (change.action !== "DELETE") {
      repaired.push(change);
      continue;
    }
    const actual = await findRecord(change.record, options);
    if (!actual) {
      alreadyDone.push(change); // a DELETE of something already gone counts as done
      changed = true;
    } else if (!sameContent(actual, change.record) || actual.values.join() !== change.record.values.join()) {
      repaired.push({ ...change, record: actual });
      changed = true;
    } else {
      repaired.push(change);
    }
  }
  result.applied.push(...alreadyDone);
  if (!changed) {
    for (const change of group) result.failed.push({ change, reason });
    return;
  }
  const retryError = await send(repaired, options, result);
  if (!retryError) {
    result.applied.push(...repaired);
    return;
  }
  const retryReason = errorMessages(retryError).join("; ");
  for (const change of repaired) result.failed.push({ change, reason: retryReason });
}

/**
 * Reads one record set by key. Starts the listing at its name and type and
 * stops at the first other name or type; bounded because Route53 allows at
 * most 100 multivalue record sets per name and type.
 */
export async function findRecord(record: DnsRecord, options: SubmitOptions): Promise<DnsRecord | undefined> {
  const page = await options.api.listRecordSets(
    { zoneId: options.zoneId, startName: record.name, startType: record.type, maxItems: MAX_LIST_PAGE_SIZE },
    options.signal,
  );
  const key = recordKey(record);
  return page.recordSets.map(fromWire).find((r) => recordKey(r) === key);
}
