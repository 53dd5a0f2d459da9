/**
 * Logging: pino JSON lines on stdout. The core depends only on the small
 * {@link AgentLogger} shape, which a pino logger satisfies and a test can
 * record.
 */
import pino from "pino";
import type { LogLevel } from "./config";

/** What the core needs from a logger. */
export interface AgentLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  child(bindings: Record<string, unknown>): AgentLogger;
}

/** A pino logger writing JSON lines to stdout (or `destination`); `app` names the program in every line. */
export function createLogger(level: LogLevel, destination?: pino.DestinationStream, app = "ecsdns-agent"): AgentLogger {
  return pino(
    {
      level,
      base: { app },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

/** A logger that drops everything. */
export const SILENT_LOGGER: AgentLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => SILENT_LOGGER,
};
