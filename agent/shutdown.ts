/**
 * Signals → two abort signals (graphile/worker and close-with-grace
 * semantics): the first SIGTERM/SIGINT aborts `stop` (finish the pass in
 * flight, optionally deregister, exit 0); a second signal, or the grace
 * period running out, aborts `hard` and exits 1 at once.
 */
import type { Logger } from "../cli/logger";

/** What {@link installSignalHandlers} gives the composition root. */
export interface ShutdownSignals {
  /** Aborted by the first signal: stop scheduling work. */
  readonly stop: AbortSignal;
  /** Aborted by the second signal or the deadline: abandon work in flight. */
  readonly hard: AbortSignal;
  /** Removes the handlers and the deadline timer. */
  dispose(): void;
}

/** SIGTERM is what ECS, systemd and `docker stop` send; SIGINT is Ctrl-C. */
export const SHUTDOWN_SIGNALS: readonly NodeJS.Signals[] = ["SIGTERM", "SIGINT"];

/**
 * Installs the handlers.
 *
 * @param graceMs - time allowed after the first signal. @default 25 s, inside ECS's default 30 s stop timeout
 * @param exit - process.exit, replaceable in tests
 */
export function installSignalHandlers(
  logger: Logger,
  graceMs = 25_000,
  exit: (code: number) => void = (code) => process.exit(code),
): ShutdownSignals {
  const stop = new AbortController();
  const hard = new AbortController();
  let deadline: NodeJS.Timeout | undefined;
  const handler = (signal: NodeJS.Signals): void => {
    if (!stop.signal.aborted) {
      logger.info({ signal, graceMs }, "shutting down: finishing the pass in flight");
      stop.abort();
      deadline = setTimeout(() => {
        logger.error({ graceMs }, "shutdown took too long; exiting");
        hard.abort();
        exit(1);
      }, graceMs);
      deadline.unref();
      return;
    }
    logger.warn({ signal }, "second signal: exiting at once");
    hard.abort();
    exit(1);
  };
  for (const s of SHUTDOWN_SIGNALS) process.on(s, handler);
  return {
    stop: stop.signal,
    hard: hard.signal,
    dispose: () => {
      for (const s of SHUTDOWN_SIGNALS) process.off(s, handler);
      if (deadline) clearTimeout(deadline);
    },
  };
}
