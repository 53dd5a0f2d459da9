/**
 * The agent's loop: when to run a {@link ReconcilePass}. No SDK imports.
 *
 * - Docker events only *schedule* a pass, after a quiet period: `debounceMs`
 *   normally, so a lone start is published at once; `minIntervalMs` while a
 *   burst is under way (the pending events began less than `minIntervalMs`
 *   after an event pass), so 100 starts become a few change batches; and never later than
 *   `maxDelayMs` after the first pending event, so a burst that never pauses
 *   is still flushed. Two event passes are thus at least `minIntervalMs` apart.
 * - A full pass runs at start, every `resyncSeconds` (each period drawn
 *   at random within ±{@link RESYNC_JITTER}, so that agents started together
 *   drift apart instead of resyncing in step), and after the event stream
 *   reconnects.
 * - The event stream is opened before the first pass (registrator's lesson)
 *   and reopened with backoff when Docker goes away; the loop never exits
 *   because of Docker.
 * - A failed pass is retried with exponential backoff (throttling included);
 *   events do not hurry a retry, and a retry reads the zone only when the
 *   failed pass could not.
 * - Passes never overlap; `stop` ends the loop after the pass in flight,
 *   which only `hard` interrupts.
 */
import { backoffDelayMs, sleep, type BackoffOptions } from "./backoff";
import type { Logger } from "../cli/logger";
import type { AgentMetrics } from "./metrics";
import type { DockerSource } from "./ports";
import type { PassOutcome, ReconcilePass } from "./reconcile-pass";
import { errorCode } from "../dns/error-code";

/** Each resync period is `resyncSeconds` × (1 ± this), drawn at random. */
export const RESYNC_JITTER = 0.1;

/** Timing and dependencies of the loop. */
export interface ReconcilerOptions {
  readonly pass: Pick<ReconcilePass, "run">;
  readonly docker: Pick<DockerSource, "subscribe">;
  readonly logger: Logger;
  readonly metrics?: AgentMetrics;
  readonly resyncSeconds: number;
  readonly debounceMs: number;
  readonly minIntervalMs: number;
  readonly maxDelayMs: number;
  /** Backoff of failed passes. @default 1 s doubling to 60 s */
  readonly retryBackoff?: BackoffOptions;
  /** Backoff of event stream reconnects. @default 250 ms doubling to 10 s */
  readonly reconnectBackoff?: BackoffOptions;
  /** A stream that lived this long resets the reconnect backoff. @default 30 s */
  readonly healthyStreamMs?: number;
  readonly random?: () => number;
  /**
   * When the next Route53 call may go (the agent's client-side token
   * bucket): a pass waits for it before it lists the containers, so the
   * events that arrive meanwhile join its change batch. @default always
   */
  readonly readyAt?: () => number;
  /** Called after every pass, successful or not (the health endpoint uses it). */
  readonly onPass?: (outcome: PassOutcome | undefined, error: unknown) => void;
}

interface Pending {
  /** When events want a pass (debounced); absent without events. */
  eventDueAt?: number;
  firstEventAt?: number;
  /** The pending events began less than `minIntervalMs` after an event pass. */
  inBurst?: boolean;
  /** When a full pass was asked for (start, resync, reconnect); absent otherwise. */
  fullDueAt?: number;
  /** When a failed pass is retried; the pass reads the zone only if it has no view of it. */
  retryDueAt?: number;
}

/** Schedules passes; see the file comment. */
export class Reconciler {
  private pending?: Pending;
  private wake?: () => void;
  private lastEventPassAt = -Infinity;
  private nextResyncAt = Infinity;
  private failures = 0;
  private retryAt = -Infinity;

  constructor(private readonly options: ReconcilerOptions) {}

  /**
   * Runs until `stop` aborts, then returns after the pass in flight.
   *
   * @param hard - aborts the pass in flight (second signal, deadline).
   */
  async run(stop: AbortSignal, hard: AbortSignal): Promise<void> {
    const events = this.watchEvents(stop);
    stop.addEventListener("abort", () => this.wake?.(), { once: true });
    while (!stop.aborted) {
      const now = Date.now();
      const due = Math.min(this.dueAt(), this.nextResyncAt);
      const next = due === Infinity ? due : Math.max(due, this.options.readyAt?.() ?? -Infinity);
      if (next > now) {
        await this.waitUntil(next, stop);
        continue;
      }
      const full = now >= this.nextResyncAt || this.pending?.fullDueAt !== undefined;
      const fromEvent = this.pending?.firstEventAt !== undefined;
      this.pending = undefined;
      if (fromEvent) this.lastEventPassAt = now;
      await this.runPass(full, hard);
    }
    await events;
  }

  /** Asks for a pass because of a Docker event. */
  notifyEvent(now = Date.now()): void {
    const { debounceMs, maxDelayMs, minIntervalMs } = this.options;
    const firstEventAt = this.pending?.firstEventAt ?? now;
    // A burst lasts until its pass, however long the events keep coming.
    const inBurst = this.pending?.inBurst ?? now - this.lastEventPassAt < minIntervalMs;
    const eventDueAt = Math.min(now + (inBurst ? minIntervalMs : debounceMs), firstEventAt + maxDelayMs);
    this.pending = { ...this.pending, eventDueAt, firstEventAt, inBurst };
    this.wake?.();
  }

  /** Asks for a full pass at `at` (default: now). */
  requestFullPass(at = Date.now()): void {
    this.pending = { ...this.pending, fullDueAt: Math.min(at, this.pending?.fullDueAt ?? Infinity) };
    this.wake?.();
  }

  /** When the pending pass is due; while failing, nothing runs before the backoff ends. */
  private dueAt(): number {
    if (!this.pending) return Infinity;
    const due = Math.min(this.pending.eventDueAt ?? Infinity, this.pending.fullDueAt ?? Infinity, this.pending.retryDueAt ?? Infinity);
    return Math.max(due, this.retryAt);
  }

  private async runPass(full: boolean, hard: AbortSignal): Promise<void> {
    const { logger, metrics, resyncSeconds } = this.options;
    const kind = full ? "full" : "incremental";
    const started = Date.now();
    const end = metrics?.reconcileDuration.startTimer({ kind });
    if (full) this.nextResyncAt = started + Math.round(resyncSeconds * 1000 * (1 - RESYNC_JITTER + 2 * RESYNC_JITTER * (this.options.random ?? Math.random)()));
    try {
      const outcome = await this.options.pass.run(hard, full);
      end?.();
      // Conflicts are reported, not failures: retrying cannot fix someone else's record.
      const ok = (outcome.result?.failed.length ?? 0) === 0;
      metrics?.reconciles.inc({ result: ok ? "success" : "partial", kind });
      if (ok) {
        this.failures = 0;
        this.retryAt = -Infinity;
        metrics?.lastSuccess.set(Date.now() / 1000);
      } else this.fail();
      this.options.onPass?.(outcome, undefined);
    } catch (error) {
      end?.();
      metrics?.reconciles.inc({ result: "error", kind });
      const delayMs = this.fail();
      logger.error({ err: error, code: errorCode(error), retryInMs: delayMs }, "reconcile failed");
      this.options.onPass?.(undefined, error);
    }
  }

  /**
   * Counts a failure and schedules a retry after backoff; returns the delay.
   * The retry is not a full pass: when Route53 throttles, reading a large
   * zone again is the last thing to do.
   */
  private fail(): number {
    const delayMs = backoffDelayMs(this.failures, this.options.retryBackoff ?? { baseMs: 1000, maxMs: 60_000 }, this.options.random);
    this.failures += 1;
    this.retryAt = Date.now() + delayMs;
    this.pending = { ...this.pending, retryDueAt: this.retryAt };
    return delayMs;
  }

  private waitUntil(at: number, stop: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = at === Infinity ? undefined : setTimeout(done, Math.ceil(at - Date.now()));
      this.wake = done;
      function done(): void {
        if (timer) clearTimeout(timer);
        resolve();
      }
      if (stop.aborted) done();
    }).then(() => {
      this.wake = undefined;
    });
  }

  /** Keeps an event subscription open until `stop`; each (re)connect asks for a full pass. */
  private async watchEvents(stop: AbortSignal): Promise<void> {
    const { logger, metrics } = this.options;
    const reconnect = this.options.reconnectBackoff ?? { baseMs: 250, maxMs: 10_000 };
    let attempt = 0;
    let connectedBefore = false;
    while (!stop.aborted) {
      let openedAt: number | undefined;
      try {
        const stream = await this.options.docker.subscribe(stop);
        openedAt = Date.now();
        if (connectedBefore) logger.info({}, "Docker event stream reopened");
        connectedBefore = true;
        // Subscribed first, so the full pass's container list cannot miss an event.
        // Docker is back: a pass that failed because it was away may retry now.
        this.retryAt = -Infinity;
        this.requestFullPass();
        for await (const event of stream) {
          logger.debug({ action: event.action, containerId: event.containerId, ...(event.healthStatus ? { healthStatus: event.healthStatus } : {}) }, "docker event");
          this.notifyEvent();
        }
        if (stop.aborted) return;
        logger.warn({}, "Docker event stream ended");
      } catch (error) {
        if (stop.aborted) return;
        logger.warn({ err: error, code: errorCode(error) }, openedAt === undefined ? "cannot subscribe to Docker events" : "Docker event stream failed");
      }
      metrics?.dockerReconnects.inc();
      if (openedAt !== undefined && Date.now() - openedAt >= (this.options.healthyStreamMs ?? 30_000)) attempt = 0;
      await sleep(backoffDelayMs(attempt++, reconnect, this.options.random), stop);
    }
  }
}
