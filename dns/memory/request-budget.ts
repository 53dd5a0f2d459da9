/**
 * Route53's account-wide request budget, for the in-memory fake: a token
 * bucket shared by every caller of the account (since 30 July 2026 a burst of
 * 50 and a refill of 10 requests/s), and a count of requests per API action
 * in every 10-second window. A request that finds the bucket empty is
 * answered as Route53 answers it: HTTP 400, code `Throttling`, message
 * `Rate exceeded`; it still counts, since it was sent.
 *
 * Kept apart from in-memory-dns.ts (which checks what a request says) so that
 * the fake's validation and its budget can change independently. The clock is
 * `Date.now`, so a virtual clock (fake timers) drives it in the fleet benchmark.
 */
import { Route53ApiError, type ListPage, type ListPageRequest, type Route53Api, type WireChange } from "../route53/route53-api";

/** The Route53 API actions the budget counts. */
export type Route53Action = "ListResourceRecordSets" | "ChangeResourceRecordSets" | "GetHostedZone";

/** Settings of {@link AccountRequestBudget}. */
export interface RequestBudgetOptions {
  /** Tokens the bucket holds when full. @default 50 */
  readonly burst?: number;
  /** Tokens added per second. @default 10 */
  readonly refillPerSecond?: number;
  /** Width of a counting window. @default 10,000 ms */
  readonly windowMs?: number;
  /** @default Date.now */
  readonly now?: () => number;
}

/** Requests of one action in one window. */
export interface ActionCount {
  accepted: number;
  throttled: number;
}

/** The account's bucket, and what was asked of it. */
export class AccountRequestBudget {
  readonly burst: number;
  readonly refillPerSecond: number;
  readonly windowMs: number;
  private readonly now: () => number;
  private tokens: number;
  private refilledAt: number;
  /** Window start (ms, a multiple of `windowMs`) → action → counts. */
  readonly windows = new Map<number, Map<Route53Action, ActionCount>>();

  constructor(options: RequestBudgetOptions = {}) {
    this.burst = options.burst ?? 50;
    this.refillPerSecond = options.refillPerSecond ?? 10;
    this.windowMs = options.windowMs ?? 10_000;
    this.now = options.now ?? Date.now;
    this.tokens = this.burst;
    this.refilledAt = this.now();
  }

  /**
   * Counts one request and takes a token for it.
   *
   * @throws Route53ApiError `Throttling` ("Rate exceeded", HTTP 400) when the bucket is empty.
   */
  take(action: Route53Action): void {
    const now = this.now();
    this.refill(now);
    const count = this.count(now, action);
    if (this.tokens < 1) {
      count.throttled += 1;
      throw throttling();
    }
    this.tokens -= 1;
    count.accepted += 1;
  }

  /** Another caller of the account spends every token left (fault cases). */
  drain(): void {
    this.refill(this.now());
    this.tokens = 0;
  }

  /** Every request (accepted and throttled) of `action` (all actions when absent) in [from, to). */
  requests(from: number, to: number, action?: Route53Action): number {
    let total = 0;
    for (const [start, byAction] of this.windows) {
      if (start < from || start >= to) continue;
      for (const [a, c] of byAction) if (!action || a === action) total += c.accepted + c.throttled;
    }
    return total;
  }

  /** Window starts in order, with their totals (accepted + throttled) and throttled counts. */
  series(): { start: number; requests: number; throttled: number; byAction: Record<string, number> }[] {
    return [...this.windows.entries()]
      .sort(([a], [b]) => a - b)
      .map(([start, byAction]) => {
        const perAction: Record<string, number> = {};
        let requests = 0;
        let throttled = 0;
        for (const [a, c] of byAction) {
          perAction[a] = c.accepted + c.throttled;
          requests += c.accepted + c.throttled;
          throttled += c.throttled;
        }
        return { start, requests, throttled, byAction: perAction };
      });
  }

  private refill(now: number): void {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.refilledAt) / 1000) * this.refillPerSecond);
    this.refilledAt = now;
  }

  private count(now: number, action: Route53Action): ActionCount {
    const start = Math.floor(now / this.windowMs) * this.windowMs;
    let byAction = this.windows.get(start);
    if (!byAction) this.windows.set(start, (byAction = new Map()));
    let count = byAction.get(action);
    if (!count) byAction.set(action, (count = { accepted: 0, throttled: 0 }));
    return count;
  }
}

/** Route53's answer to a request over the account's budget. */
export function throttling(): Route53ApiError {
  const error = new Route53ApiError("Throttling", "Rate exceeded");
  Object.assign(error, { $metadata: { httpStatusCode: 400 }, $fault: "client" });
  return error;
}

/** A Route53Api (the in-memory fake) behind the account's budget: every call takes a token first. */
export class BudgetedRoute53Api implements Route53Api {
  constructor(
    private readonly inner: Route53Api,
    readonly budget: AccountRequestBudget,
  ) {}

  async listRecordSets(request: ListPageRequest, signal?: AbortSignal): Promise<ListPage> {
    this.budget.take("ListResourceRecordSets");
    return this.inner.listRecordSets(request, signal);
  }

  async changeRecordSets(zoneId: string, changes: WireChange[], signal?: AbortSignal): Promise<void> {
    this.budget.take("ChangeResourceRecordSets");
    return this.inner.changeRecordSets(zoneId, changes, signal);
  }

  async getZoneName(zoneId: string, signal?: AbortSignal): Promise<string> {
    this.budget.take("GetHostedZone");
    return this.inner.getZoneName(zoneId, signal);
  }
}
