/**
 * A client-side token bucket in front of one agent's Route53 calls.
 *
 * Route53's budget (a burst of 50, 10 requests/s) is the whole account's:
 * every agent, the janitor, Terraform and people share it. An agent holds at
 * most `burst` tokens and gets one back every `refillMs`; each call takes
 * one, waiting when there is none. With the defaults (2 tokens, one per
 * 30 s) an agent can never spend more than 0.033 requests/s once its burst
 * is gone, whatever Docker does: 200 agents booting together stay within a
 * third of the account's budget. A lone change (a container start) finds a
 * full bucket and goes at once; a booting host spends its 2 tokens on
 * reading its host record's name and writing it, and what its tasks start
 * in the next 30 s goes in one call. The loop asks {@link RateLimitedRoute53Api.readyAt}
 * before a pass, so that a pass waits for its token before it lists the
 * containers, and the events that came meanwhile go into its one call.
 */
import type { ListPage, ListPageRequest, Route53Api, WireChange } from "./route53-api";

/** Settings of the bucket. */
export interface CallBucketOptions {
  /** Tokens when full; 0 turns the bucket off. */
  readonly burst: number;
  /** One token comes back every this many ms. */
  readonly refillMs: number;
  /** @default Date.now */
  readonly now?: () => number;
}

/** A Route53Api whose calls wait for a token. */
export class RateLimitedRoute53Api implements Route53Api {
  private tokens: number;
  private released = false;
  private refilledAt: number;
  private readonly now: () => number;

  constructor(
    private readonly inner: Route53Api,
    private readonly options: CallBucketOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.tokens = options.burst;
    this.refilledAt = this.now();
  }

  /**
   * Lets every later call go at once: for the agent's last call, the
   * deregistration on SIGTERM, which must not wait for a token past the
   * unit's stop timeout. It makes no call after that one.
   */
  release(): void {
    this.released = true;
  }

  /** When the next call may go without waiting (now, or when a token comes back). */
  readyAt(): number {
    if (this.options.burst <= 0 || this.released) return -Infinity;
    this.refill();
    return this.tokens >= 1 ? this.now() : this.refilledAt + this.options.refillMs;
  }

  async listRecordSets(request: ListPageRequest, signal?: AbortSignal): Promise<ListPage> {
    await this.take(signal);
    return this.inner.listRecordSets(request, signal);
  }

  async changeRecordSets(zoneId: string, changes: WireChange[], signal?: AbortSignal): Promise<void> {
    await this.take(signal);
    return this.inner.changeRecordSets(zoneId, changes, signal);
  }

  async getZoneName(zoneId: string, signal?: AbortSignal): Promise<string> {
    await this.take(signal);
    return this.inner.getZoneName(zoneId, signal);
  }

  private refill(): void {
    const { burst, refillMs } = this.options;
    const now = this.now();
    const earned = Math.floor((now - this.refilledAt) / refillMs);
    if (earned <= 0) return;
    this.tokens = Math.min(burst, this.tokens + earned);
    // A full bucket earns nothing more: its clock restarts now.
    this.refilledAt = this.tokens >= burst ? now : this.refilledAt + earned * refillMs;
  }

  private async take(signal?: AbortSignal): Promise<void> {
    if (this.options.burst <= 0 || this.released) return;
    for (;;) {
      signal?.throwIfAborted();
      this.refill();
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await waitFor(this.refilledAt + this.options.refillMs - this.now(), signal);
    }
  }
}

function waitFor(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, Math.max(0, ms));
    signal?.addEventListener("abort", done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
  });
}
