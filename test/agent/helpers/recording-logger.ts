/**
 * A logger that keeps every line, for assertions on what the agent reports.
 */
import type { Logger } from "../../../cli/logger";

/** One recorded line. */
export interface LogLine {
  readonly level: "debug" | "info" | "warn" | "error";
  readonly msg?: string;
  readonly [field: string]: unknown;
}

/** Records lines; children share the parent's list and add their bindings. */
export class RecordingLogger implements Logger {
  constructor(
    readonly lines: LogLine[] = [],
    private readonly bindings: Record<string, unknown> = {},
  ) {}

  debug(obj: object, msg?: string): void {
    this.lines.push({ ...this.bindings, ...obj, level: "debug", msg });
  }
  info(obj: object, msg?: string): void {
    this.lines.push({ ...this.bindings, ...obj, level: "info", msg });
  }
  warn(obj: object, msg?: string): void {
    this.lines.push({ ...this.bindings, ...obj, level: "warn", msg });
  }
  error(obj: object, msg?: string): void {
    this.lines.push({ ...this.bindings, ...obj, level: "error", msg });
  }
  child(bindings: Record<string, unknown>): Logger {
    return new RecordingLogger(this.lines, { ...this.bindings, ...bindings });
  }

  /** Lines at a level. */
  at(level: LogLine["level"]): LogLine[] {
    return this.lines.filter((l) => l.level === level);
  }
}
