/**
 * systemd's watchdog for the agent's loop (`Type=notify`, `WatchdogSec=`,
 * `NotifyAccess=all` in the unit the cluster stack installs): READY=1 once
 * the first pass has ended, then WATCHDOG=1 every half `WATCHDOG_USEC`, but
 * only while the loop makes progress. A pass that never returns (a Route53
 * or Docker socket that hangs: neither has a request timeout) or a loop that
 * stops scheduling passes stops the pings, and systemd kills and restarts
 * the agent, whose first pass then puts the host's records right. A blocked
 * event loop stops them too, since the timer cannot fire. Nothing here reads
 * the zone: the check costs Route53 nothing.
 *
 * Node has no `sd_notify` (no AF_UNIX datagram sockets), so each message is
 * one `systemd-notify` process; it waits until PID 1 has read the message
 * (systemd-notify(1): a helper that exits at once may not be attributed to
 * the unit), hence `NotifyAccess=all` and no `--no-block`. Outside systemd
 * (`NOTIFY_SOCKET` unset: tests, `npm run agent`, the local target's
 * supervisor) nothing is sent and nothing is spawned.
 * https://www.freedesktop.org/software/systemd/man/latest/sd_notify.html
 */
import { spawn } from "node:child_process";
import type { Logger } from "../cli/logger";
import type { PassOutcome, ReconcilePass } from "./reconcile-pass";

/** The longest a pass may run before the agent counts as hung (a throttled 10,000-record zone reads in well under this). */
export const DEFAULT_MAX_PASS_MS = 180_000;
/** Slack after a resync was due before an idle loop counts as stalled. */
export const IDLE_SLACK_MS = 60_000;

/** Sends one message to the service manager; rejects when it could not. */
export type NotifyFunction = (message: "READY=1" | "WATCHDOG=1") => Promise<void>;

/** What the watchdog needs. */
export interface WatchdogOptions {
  /** `NOTIFY_SOCKET`, `WATCHDOG_USEC` and `WATCHDOG_PID`, as systemd sets them. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly logger: Logger;
  /** The loop's full resync period: an idle loop runs a pass at least this often. */
  readonly resyncSeconds: number;
  /** @default {@link DEFAULT_MAX_PASS_MS} */
  readonly maxPassMs?: number;
  /** @default process.pid */
  readonly pid?: number;
  /** @default runs `systemd-notify <message>` */
  readonly notify?: NotifyFunction;
  readonly now?: () => number;
}

/** The pass as the loop sees it. */
export type LoopPass = Pick<ReconcilePass, "run">;

/**
 * Tracks the loop's passes and tells systemd about them. Without
 * `NOTIFY_SOCKET` every method is a no-op and {@link track} returns the pass
 * itself.
 */
export class ServiceWatchdog {
  private readonly now: () => number;
  private readonly maxPassMs: number;
  private readonly idleLimitMs: number;
  private readonly notify?: NotifyFunction;
  /** Half of `WATCHDOG_USEC`; absent when systemd watches nothing. */
  readonly pingIntervalMs?: number;
  private passStartedAt?: number;
  private lastPassEndedAt: number;
  private ready = false;
  private sending = false;
  private timer?: NodeJS.Timeout;

  constructor(private readonly options: WatchdogOptions) {
    this.now = options.now ?? Date.now;
    this.maxPassMs = options.maxPassMs ?? DEFAULT_MAX_PASS_MS;
    this.idleLimitMs = options.resyncSeconds * 1000 + IDLE_SLACK_MS;
    this.lastPassEndedAt = this.now();
    if (!options.env.NOTIFY_SOCKET) return;
    this.notify = options.notify ?? ((message) => systemdNotify(message));
    this.pingIntervalMs = watchdogIntervalMs(options.env, options.pid ?? process.pid);
  }

  /** Whether a service manager listens (`NOTIFY_SOCKET` is set). */
  get enabled(): boolean {
    return this.notify !== undefined;
  }

  /** `pass`, with its runs timed; the first run that ends (either way) sends READY=1. */
  track(pass: LoopPass): LoopPass {
    if (!this.enabled) return pass;
    return {
      run: async (...args: Parameters<LoopPass["run"]>): Promise<PassOutcome> => {
        this.passStartedAt = this.now();
        try {
          return await pass.run(...args);
        } finally {
          this.passStartedAt = undefined;
          this.lastPassEndedAt = this.now();
          if (!this.ready) {
            this.ready = true;
            void this.send("READY=1");
          }
        }
      },
    };
  }

  /** Whether the loop progresses: no pass runs longer than `maxPassMs`, and an idle loop ran one within resync + slack. */
  isAlive(now = this.now()): boolean {
    if (this.passStartedAt !== undefined) return now - this.passStartedAt <= this.maxPassMs;
    return now - this.lastPassEndedAt <= this.idleLimitMs;
  }

  /** Starts the pings (when systemd set a watchdog). */
  start(): void {
    if (!this.enabled || this.pingIntervalMs === undefined) return;
    this.options.logger.info({ pingIntervalMs: this.pingIntervalMs, maxPassMs: this.maxPassMs, idleLimitMs: this.idleLimitMs }, "systemd watchdog on");
    this.timer = setInterval(() => this.tick(), this.pingIntervalMs);
    this.timer.unref();
  }

  /** One ping, if ready and alive; public for tests with a fake clock. */
  tick(): void {
    if (!this.ready) return;
    if (!this.isAlive()) {
      this.options.logger.error(
        { passRunningMs: this.passStartedAt === undefined ? null : this.now() - this.passStartedAt, sinceLastPassMs: this.now() - this.lastPassEndedAt },
        "the reconcile loop is stuck: not pinging systemd's watchdog, which will restart the agent",
      );
      return;
    }
    void this.send("WATCHDOG=1");
  }

  /** Stops the pings (systemd watches no service that is stopping). */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private async send(message: "READY=1" | "WATCHDOG=1"): Promise<void> {
    // One at a time: a ping that cannot get through must not pile up processes.
    if (this.sending && message === "WATCHDOG=1") return;
    this.sending = true;
    try {
      await this.notify!(message);
      if (message === "READY=1") this.options.logger.info({}, "told systemd the agent is ready");
    } catch (error) {
      this.options.logger.error({ err: error, message }, "cannot notify systemd");
    } finally {
      this.sending = false;
    }
  }
}

/**
 * Half the watchdog period systemd asks for (sd_watchdog_enabled(3)):
 * `WATCHDOG_USEC` set and, when `WATCHDOG_PID` is set, naming this process.
 */
export function watchdogIntervalMs(env: Readonly<Record<string, string | undefined>>, pid: number): number | undefined {
  const usec = Number(env.WATCHDOG_USEC);
  if (!env.WATCHDOG_USEC || !Number.isFinite(usec) || usec <= 0) return undefined;
  if (env.WATCHDOG_PID && Number(env.WATCHDOG_PID) !== pid) return undefined;
  return Math.max(Math.floor(usec / 2000), 100);
}

/** `systemd-notify <message>` (from `env`'s PATH), killed if it takes over 10 s; rejects on failure. */
export function systemdNotify(message: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("systemd-notify", [message], { env, stdio: ["ignore", "ignore", "pipe"], timeout: 10_000 });
    let stderr = "";
    child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`systemd-notify ${message} ${signal ? `killed by ${signal}` : `exited ${code}`}: ${stderr.trim()}`)),
    );
  });
}
