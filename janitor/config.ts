/**
 * The janitor's settings, from flags (command line) or `ECSDNS_*` environment
 * variables (the Lambda); a flag wins. Every problem is reported at once.
 */
import { parseArgs } from "node:util";
import { DEFAULT_OWNER, OWNER_PATTERN } from "../agent/set-identifier";
import type { HealthCheckOptions } from "./health-check";

/** The janitor's validated configuration. */
export interface JanitorConfig {
  /** Without the `/hostedzone/` prefix. */
  readonly zoneId: string;
  readonly owner: string;
  readonly dryRun: boolean;
  /** Sweep once and exit (command line). */
  readonly once: boolean;
  /** Between sweeps when not `once` (command line). */
  readonly intervalSeconds: number;
  readonly healthCheck?: HealthCheckOptions;
  readonly logLevel: string;
}

/** Flags, their environment variables and defaults, in `--help` order. */
export const JANITOR_FLAGS = [
  { name: "zone-id", value: "<id>", help: "Route53 hosted zone id (required)." },
  { name: "owner", value: "<prefix>", default: DEFAULT_OWNER, help: "Owner prefix of the agents' set identifiers; other records are never touched." },
  { name: "once", help: "Sweep once and exit (0 when every delete succeeded)." },
  { name: "interval-seconds", value: "<s>", default: "300", help: "Time between sweeps without --once." },
  { name: "dry-run", help: "Log what would be deleted; delete nothing." },
  { name: "health-check-path", value: "<path>", default: "", help: "HTTP path to check on every SRV target; empty: no health checks." },
  { name: "health-check-timeout-ms", value: "<ms>", default: "2000", help: "Timeout of one health check try." },
  { name: "health-check-tries", value: "<n>", default: "3", help: "Tries before a target counts as unhealthy and its SRV record is removed." },
  { name: "log-level", value: "<level>", default: "info", help: "fatal, error, warn, info, debug or trace." },
  { name: "help", help: "Print this help and exit." },
] as const;

/** `zone-id` → `ECSDNS_ZONE_ID`. */
export const envNameOf = (flag: string): string => `ECSDNS_${flag.toUpperCase().replace(/-/g, "_")}`;

/** The `--help` text. */
export function janitorHelp(): string {
  const lines = [
    "ecsdns janitor: removes the DNS records of hosts that no longer run.",
    "",
    "Usage: npm run janitor -- --zone-id <id> [options]",
    "",
    "Options (each also from the environment variable shown):",
  ];
  for (const f of JANITOR_FLAGS) {
    const def = "default" in f && f.default !== "" ? ` [default: ${f.default}]` : "";
    lines.push(`  --${f.name}${"value" in f ? ` ${f.value}` : ""}`, `      ${f.help}${def}`, `      env: ${envNameOf(f.name)}`);
  }
  lines.push("", "AWS credentials, region and endpoints come from the SDK's standard chain", "(AWS_ENDPOINT_URL points Route53 and EC2 calls at an emulator).");
  return lines.join("\n");
}

/** What {@link loadJanitorConfig} found. */
export type JanitorConfigResult =
  | { readonly kind: "help"; readonly text: string }
  | { readonly kind: "ok"; readonly config: JanitorConfig }
  | { readonly kind: "error"; readonly problems: readonly string[] };

/** Flags and environment → configuration, or every problem. */
export function loadJanitorConfig(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): JanitorConfigResult {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: [...argv],
      options: Object.fromEntries(JANITOR_FLAGS.map((f) => [f.name, { type: "value" in f ? "string" : "boolean" }])) as never,
      strict: true,
      allowPositionals: false,
    }).values as Record<string, string | boolean | undefined>;
  } catch (e) {
    return { kind: "error", problems: [(e as Error).message] };
  }
  if (values.help) return { kind: "help", text: janitorHelp() };

  const problems: string[] = [];
  const text = (flag: string): string => {
    const fromFlag = values[flag];
    if (typeof fromFlag === "string") return fromFlag;
    const fromEnv = env[envNameOf(flag)];
    if (fromEnv !== undefined) return fromEnv;
    const spec = JANITOR_FLAGS.find((f) => f.name === flag);
    return spec && "default" in spec ? spec.default : "";
  };
  const flag = (name: string): boolean => values[name] === true || /^(1|true)$/i.test(env[envNameOf(name)] ?? "");
  const where = (name: string) => (typeof values[name] === "string" ? `--${name}` : envNameOf(name));
  const whole = (name: string, min: number, max: number): number => {
    const raw = text(name);
    const n = /^\d{1,9}$/.test(raw) ? Number(raw) : NaN;
    if (!(n >= min && n <= max)) problems.push(`${where(name)} = ${JSON.stringify(raw)}: expected a whole number ${min}-${max}`);
    return n;
  };

  const zoneId = text("zone-id").replace(/^\/?hostedzone\//, "");
  if (zoneId === "") problems.push("--zone-id (or ECSDNS_ZONE_ID) is required");
  else if (!/^[A-Z0-9]{1,32}$/.test(zoneId)) problems.push(`${where("zone-id")} = ${JSON.stringify(zoneId)}: expected a hosted zone id like Z0123456789ABCDEFGHIJ`);
  const owner = text("owner");
  if (!OWNER_PATTERN.test(owner)) problems.push(`${where("owner")} = ${JSON.stringify(owner)}: expected [a-z0-9-]{1,20}`);
  const intervalSeconds = whole("interval-seconds", 10, 86400);
  const path = text("health-check-path");
  if (path !== "" && !/^\/[\x21-\x7e]*$/.test(path)) problems.push(`${where("health-check-path")} = ${JSON.stringify(path)}: expected a URL path such as /health`);
  const timeoutMs = whole("health-check-timeout-ms", 100, 60000);
  const tries = whole("health-check-tries", 1, 10);
  const logLevel = text("log-level");
  if (!["fatal", "error", "warn", "info", "debug", "trace"].includes(logLevel)) problems.push(`${where("log-level")} = ${JSON.stringify(logLevel)}: expected fatal, error, warn, info, debug or trace`);

  if (problems.length > 0) return { kind: "error", problems };
  return {
    kind: "ok",
    config: Object.freeze({
      zoneId,
      owner,
      dryRun: flag("dry-run"),
      once: flag("once"),
      intervalSeconds,
      healthCheck: path === "" ? undefined : { path, timeoutMs, tries },
      logLevel,
    }),
  };
}
