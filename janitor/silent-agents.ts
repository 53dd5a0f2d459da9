/**
 * Which running hosts' agents stopped reporting, and whether to remove their
 * records. Pure: no I/O, no clock (the caller passes `nowMs`).
 *
 * A host is judged only when it is an EC2 instance EC2 lists as running and
 * its agent has published a heartbeat to CloudWatch at some time (so a host
 * whose agent predates heartbeats, or a laptop's `--host-id`, is never
 * judged). Of those, per host:
 *
 * | last heartbeat seen                         | verdict      | its records        |
 * | ------------------------------------------- | ------------ | ------------------ |
 * | within `silentAfterMs`                      | reporting    | left alone         |
 * | older, but within the look-back window      | newly silent | removed (guard)    |
 * | none within the look-back window            | long silent  | left alone: removed while it was newly silent; still counted and alarmed |
 *
 * The guard: when more than `maxSilentPercent` of the hosts that reported
 * within the window fell newly silent at once, or CloudWatch answered only
 * part of the data, the cause is more likely CloudWatch, the network or the
 * agents' permissions than every agent at once, and deleting would take the
 * records of live services: nothing is deleted, the hosts are reported as
 * held, and an alarm pages an operator.
 */
import { INSTANCE_ID_PATTERN } from "./dead-host-records";

/** What the janitor learned from EC2 and CloudWatch. */
export interface HeartbeatObservations {
  /** Hosts of this zone and owner that have published a heartbeat (CloudWatch ListMetrics). */
  readonly reportingHostIds: readonly string[];
  /** The instances among them that EC2 lists as running. */
  readonly running: ReadonlySet<string>;
  /**
   * Latest heartbeat per host within the look-back window, in ms since the
   * epoch, as the end of its period (never later than it was sent, rounded
   * up by at most one period); absent when none.
   */
  readonly lastHeartbeatAtMs: ReadonlyMap<string, number>;
  /** CloudWatch returned every series whole (StatusCode `Complete`). */
  readonly complete: boolean;
}

/** The rules. */
export interface SilenceRules {
  readonly nowMs: number;
  /** A heartbeat older than this makes a host silent. */
  readonly silentAfterMs: number;
  /** Guard: above this share (0-100) of newly silent hosts, delete nothing. */
  readonly maxSilentPercent: number;
}

/** Why nothing is deleted although hosts are newly silent. */
export type HoldReason = "too-many-silent" | "incomplete-data";

/** The verdict. */
export interface SilenceVerdict {
  /** Running hosts that have reported at some time: the ones judged. */
  readonly checked: readonly string[];
  /** Every silent host (newly and long silent), sorted. */
  readonly silent: readonly string[];
  /** Newly silent hosts whose records are to be removed. */
  readonly clean: readonly string[];
  /** Newly silent hosts the guard kept, with why. */
  readonly held: readonly string[];
  readonly holdReason?: HoldReason;
}

/** Judges the hosts; see the file comment. */
export function judgeSilentAgents(observed: HeartbeatObservations, rules: SilenceRules): SilenceVerdict {
  const checked = [...new Set(observed.reportingHostIds)].filter((id) => INSTANCE_ID_PATTERN.test(id) && observed.running.has(id)).sort();
  const silent: string[] = [];
  const newlySilent: string[] = [];
  let inWindow = 0;
  for (const hostId of checked) {
    const last = observed.lastHeartbeatAtMs.get(hostId);
    if (last !== undefined) inWindow += 1;
    if (last !== undefined && rules.nowMs - last <= rules.silentAfterMs) continue;
    silent.push(hostId);
    if (last !== undefined) newlySilent.push(hostId);
  }
  if (newlySilent.length === 0) return { checked, silent, clean: [], held: [] };
  const holdReason: HoldReason | undefined = !observed.complete
    ? "incomplete-data"
    : newlySilent.length * 100 > rules.maxSilentPercent * inWindow
      ? "too-many-silent"
      : undefined;
  return holdReason ? { checked, silent, clean: [], held: newlySilent, holdReason } : { checked, silent, clean: newlySilent, held: [] };
}
