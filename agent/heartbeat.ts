/**
 * The agent's heartbeat: every `periodMs`, while the agent works, one sample
 * to CloudWatch (agent/cloudwatch-heartbeat.ts), which the janitor's
 * heartbeat check reads; a running host whose agent stops sending them has
 * its records removed (janitor/heartbeat-check.ts). Nothing here reads or
 * writes the zone: a heartbeat costs Route53 nothing.
 *
 * "Works" ({@link isWorking}) is decided at each tick:
 * - a pass has ended, and the last one to end succeeded (every change
 *   accepted): an agent that fails every pass (say, AccessDenied) is silent
 *   from its first failure on; a pass that Route53 throttled counts as
 *   neither (the state of the pass before it holds), so a spent account
 *   budget never makes the janitor take live hosts' records;
 * - no pass has been running for longer than one period: a hung pass
 *   silences it one period after it began (the watchdog restarts it later,
 *   at 180 s).
 * A dead agent sends nothing, and a blocked event loop fires no timer.
 *
 * A put that fails is logged and counted, never retried beyond the SDK's
 * own retries, and never stops the agent: the next tick tries again.
 */
import type { Logger } from "../cli/logger";
import { errorCode } from "../dns/error-code";
import { isThrottling } from "../dns/route53/route53-api";
import type { PassOutcome, ReconcilePass } from "./reconcile-pass";

/** Sends one heartbeat; rejects when it could not. */
export type HeartbeatPublisher = (signal: AbortSignal) => Promise<void>;

/** What the heartbeat knows of the loop. */
export interface LoopState {
  /** When the pass in flight began; absent when none runs. */
  readonly passStartedAtMs?: number;
  /** Whether the last pass to end succeeded; absent before the first one ends. */
  readonly lastPassSucceeded?: boolean;
}

/** Pure: whether the agent counts as working at `nowMs`. */
export function isWorking(state: LoopState, nowMs: number, periodMs: number): boolean {
  if (state.lastPassSucceeded !== true) return false;
  return state.passStartedAtMs === undefined || nowMs - state.passStartedAtMs <= periodMs;
}

/** Settings of {@link AgentHeartbeat}. */
export interface AgentHeartbeatOptions {
  readonly publish: HeartbeatPublisher;
  readonly periodMs: number;
  readonly logger: Logger;
  /** Called after each put: `sent`, `failed`, or `skipped` (not working). */
  readonly onBeat?: (result: "sent" | "failed" | "skipped") => void;
  readonly now?: () => number;
}

/** The pass as the loop sees it. */
export type TrackedPass = Pick<ReconcilePass, "run">;

/** Tracks the loop's passes and sends heartbeats while it works. */
export class AgentHeartbeat {
  private state: LoopState = {};
  private timer?: NodeJS.Timeout;
  private sending = false;
  private readonly stopped = new AbortController();
  private readonly now: () => number;

  constructor(private readonly options: AgentHeartbeatOptions) {
    this.now = options.now ?? Date.now;
  }

  /** `pass`, with its runs observed; a pass succeeds when it returns with no failed change. */
  track(pass: TrackedPass): TrackedPass {
    return {
      run: async (...args: Parameters<TrackedPass["run"]>): Promise<PassOutcome> => {
        this.state = { ...this.state, passStartedAtMs: this.now() };
        let succeeded = false;
        let throttled = false;
        try {
          const outcome = await pass.run(...args);
          succeeded = (outcome.result?.failed.length ?? 0) === 0;
          return outcome;
        } catch (error) {
          throttled = isThrottling(error);
          throw error;
        } finally {
          const wasFirst = this.state.lastPassSucceeded === undefined;
          // A throttled pass proves nothing either way: the account's budget is
          // spent, not this agent broken, and the janitor removing a live host's
          // records would take its services off the air (and spend more budget).
          this.state = { lastPassSucceeded: throttled ? this.state.lastPassSucceeded : succeeded };
          // The first heartbeat follows the first successful pass at once, not a period later.
          if (wasFirst && succeeded && this.timer) void this.tick();
        }
      },
    };
  }

  /** Starts the timer (unref'd: it never keeps the process alive). */
  start(): void {
    this.options.logger.info({ periodMs: this.options.periodMs }, "heartbeat to CloudWatch on");
    this.timer = setInterval(() => void this.tick(), this.options.periodMs);
    this.timer.unref();
  }

  /** Stops the timer and abandons a put in flight. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.stopped.abort();
  }

  /** One heartbeat, if working; public for tests with a fake clock. */
  async tick(): Promise<void> {
    if (!isWorking(this.state, this.now(), this.options.periodMs)) {
      this.options.onBeat?.("skipped");
      return;
    }
    // One at a time: a put that hangs must not pile up requests.
    if (this.sending) return;
    this.sending = true;
    try {
      await this.options.publish(AbortSignal.any([this.stopped.signal, AbortSignal.timeout(this.options.periodMs)]));
      this.options.onBeat?.("sent");
    } catch (error) {
      this.options.logger.warn({ err: error, code: errorCode(error) }, "heartbeat to CloudWatch failed");
      this.options.onBeat?.("failed");
    } finally {
      this.sending = false;
    }
  }
}
