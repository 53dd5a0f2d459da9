/**
 * Logging for both programs: pino JSON lines on stdout. Their cores depend
 * only on the small {@link Logger} shape, which a pino logger satisfies and a
 * test can record.
 */
import pino from "pino";

/** pino's levels, most severe first. */
export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** What the programs' cores need from a logger. */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  child(bindings: Record<string, unknown>): Logger;
}

/** Where a logger writes and how it names its program. */
export interface LoggerOptions {
  /** The program's name in every line (`app`). */
  readonly app: string;
  /** @default - stdout, written synchronously */
  readonly destination?: pino.DestinationStream;
}

/** A pino logger writing JSON lines. */
export function createLogger(level: LogLevel, options: LoggerOptions): Logger {
  return pino(
    {
      level,
      base: { app: options.app },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

/** A logger that drops everything. */
export const SILENT_LOGGER: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => SILENT_LOGGER,
};
