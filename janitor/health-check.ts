/**
 * Optional HTTP health checks of SRV targets (off by default), of the
 * containers that asked for them.
 *
 * A container asks with registrator's `SERVICE_CHECK_HTTP=<path>` (or
 * `SERVICE_<port>_CHECK_HTTP`); its agent writes the path into the SRV
 * record's set identifier (dns/set-identifier.ts), where the janitor reads
 * it. An SRV record without a path is never probed: gRPC, raw TCP and UDP
 * services cannot answer HTTP, and a janitor that probed them removed their
 * records on every sweep.
 *
 * An SRV value `<priority> <weight> <port> <target>` whose slot carries
 * `<path>` is checked at `http://<address of target>:<port><path>`, where the
 * address is the value of the host A record `<target>` in the same zone. A
 * target is unhealthy only when every try fails (no answer in time, or a
 * status outside 200-399); then its SRV record set is removed. Tasks are
 * never stopped (the seed's Lambda stopped healthy tasks that had no /health
 * endpoint).
 *
 * A container that keeps running is published again by its agent at the
 * next resync, so a removal lasts until the agent's next pass: health checks
 * shorten an outage's impact, they do not replace the container's own
 * health check.
 */
import type { DnsRecord } from "../dns/records";
import { describeSlot, parseSetIdentifier } from "../dns/set-identifier";

/** Settings of the health checks. */
export interface HealthCheckOptions {
  /** Per try. */
  readonly timeoutMs: number;
  /** Tries before a target counts as unhealthy. */
  readonly tries: number;
  /** Pause between tries. @default 1000 */
  readonly retryDelayMs?: number;
}

/** One SRV target: where to probe and which record set it is. */
export interface SrvTarget {
  readonly record: DnsRecord;
  readonly url: string;
}

/** Answers true when the URL answered 200-399 within the timeout. */
export type Probe = (url: string, timeoutMs: number) => Promise<boolean>;

/** The SRV record sets of our owner that asked for an HTTP check and have a resolvable target, and the URL of each. */
export function srvTargets(records: readonly DnsRecord[], owner: string): SrvTarget[] {
  const addresses = new Map<string, string>();
  for (const r of records) if (r.type === "A" && r.values.length === 1) addresses.set(r.name, r.values[0]);
  const targets: SrvTarget[] = [];
  for (const record of records) {
    const parts = parseSetIdentifier(record.setIdentifier);
    if (record.type !== "SRV" || parts?.owner !== owner) continue;
    const slot = describeSlot(parts.slot);
    if (slot.kind !== "srv" || slot.httpCheckPath === undefined) continue;
    const [, , port, target] = (record.values[0] ?? "").split(/\s+/);
    const address = target ? addresses.get(target.toLowerCase().replace(/\.?$/, ".")) : undefined;
    if (address && port) targets.push({ record, url: `http://${address}:${port}${slot.httpCheckPath}` });
  }
  return targets;
}

/** The targets whose every try failed. */
export async function unhealthyTargets(targets: readonly SrvTarget[], options: HealthCheckOptions, probe: Probe = httpProbe): Promise<SrvTarget[]> {
  const results = await Promise.all(
    targets.map(async (target) => {
      for (let attempt = 1; attempt <= options.tries; attempt++) {
        if (await probe(target.url, options.timeoutMs)) return undefined;
        if (attempt < options.tries) await new Promise((r) => setTimeout(r, options.retryDelayMs ?? 1000));
      }
      return target;
    }),
  );
  return results.filter((t): t is SrvTarget => t !== undefined);
}

/** GET `url`; true for 200-399 within `timeoutMs`. */
export async function httpProbe(url: string, timeoutMs: number): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: "manual" });
    await response.body?.cancel();
    return response.status >= 200 && response.status < 400;
  } catch {
    return false;
  }
}
