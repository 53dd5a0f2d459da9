/**
 * The janitor's options (one table: parsing and `--help`) and their
 * conversion into a frozen {@link JanitorConfig}. Flags come from the command
 * line, `ECSDNS_*` environment variables from the Lambda; a flag wins. Every
 * problem is reported at once.
 */
import { LOG_LEVEL_OPTION, OWNER_OPTION, ZONE_ID_OPTION, switchOption, wholeNumber } from "../cli/common-options";
import type { LogLevel } from "../cli/logger";
import { parseCommandLine, type OptionTable, type Program } from "../cli/options";
import { DEFAULT_SILENT_AFTER_SECONDS, DEFAULT_SILENT_HOSTS_MAX_PERCENT } from "../dns/agent-heartbeat";
import * as z from "zod/mini";
import { isValidDnsName, normalizeName } from "../dns/records";
import type { HealthCheckOptions } from "./health-check";

/** The janitor's validated configuration. */
export interface JanitorConfig {
  /** Without the `/hostedzone/` prefix. */
  readonly zoneId: string;
  /** Normalized; lets an instance event cost one Route53 call (its name index). Absent: such events list the zone. */
  readonly zoneName?: string;
  readonly owner: string;
  readonly dryRun: boolean;
  /** Sweep once and exit (command line). */
  readonly once: boolean;
  /** Between sweeps when not `once` (command line). */
  readonly intervalSeconds: number;
  readonly healthCheck?: HealthCheckOptions;
  /** Run the heartbeat check (janitor/heartbeat-check.ts) instead of the sweep (command line). */
  readonly heartbeatCheck: boolean;
  readonly silentAfterSeconds: number;
  readonly silentHostsMaxPercent: number;
  readonly logLevel: LogLevel;
}

/** The janitor's options, in `--help` order. */
export const JANITOR_OPTIONS = {
  "zone-id": ZONE_ID_OPTION,
  "zone-name": {
    kind: "string",
    valueName: "<name>",
    description: "The zone's name. Given: an instance event reads only that instance's names (its name index, dns/name-index.ts), not the whole zone.",
    schema: z.optional(z.pipe(z.string().check(z.refine(isValidDnsName, "expected a DNS name like internal.example.com")), z.transform(normalizeName))),
  },
  owner: OWNER_OPTION,
  once: switchOption("Sweep once and exit (0 when every delete succeeded)."),
  "interval-seconds": { kind: "string", valueName: "<s>", defaultText: "300", description: "Time between sweeps without --once.", schema: wholeNumber(10, 86_400, "seconds") },
  "dry-run": switchOption("Log what would be deleted; delete nothing."),
  "health-checks": switchOption(
    "Probe over HTTP the SRV targets whose containers asked for it (SERVICE_CHECK_HTTP=<path>, at that path); remove the SRV record of one that fails every try.",
  ),
  "health-check-timeout-ms": { kind: "string", valueName: "<ms>", defaultText: "2000", description: "Timeout of one health check try.", schema: wholeNumber(100, 60_000, "milliseconds") },
  "health-check-tries": {
    kind: "string",
    valueName: "<n>",
    defaultText: "3",
    description: "Tries before a target counts as unhealthy and its SRV record is removed.",
    schema: wholeNumber(1, 10, "tries"),
  },
  "heartbeat-check": switchOption(
    "Run the heartbeat check instead of the sweep: remove the records of running hosts whose agents stopped reporting to CloudWatch (the Lambda runs it every minute).",
  ),
  "silent-after-seconds": {
    kind: "string",
    valueName: "<s>",
    defaultText: String(DEFAULT_SILENT_AFTER_SECONDS),
    description: "A running host whose agent sent no heartbeat for this long is silent, and its records are removed.",
    schema: wholeNumber(30, 1_200, "seconds"),
  },
  "silent-hosts-max-percent": {
    kind: "string",
    valueName: "<n>",
    defaultText: String(DEFAULT_SILENT_HOSTS_MAX_PERCENT),
    description: "When more than this share of hosts falls silent at once, delete nothing and raise the held-silent-hosts alarm instead.",
    schema: wholeNumber(0, 100, "percent"),
  },
  "log-level": LOG_LEVEL_OPTION,
} satisfies OptionTable;

/** The janitor as a command-line program. */
export const JANITOR_PROGRAM: Program<typeof JANITOR_OPTIONS> = {
  summary: "ecsdns janitor: removes the DNS records of hosts that no longer run.",
  usage: ["npm run janitor -- --zone-id <id> [options]"],
  options: JANITOR_OPTIONS,
  notes: ["AWS credentials, region and endpoints come from the SDK's standard chain", "(AWS_ENDPOINT_URL points Route53 and EC2 calls at an emulator)."],
};

/** What {@link loadJanitorConfig} found. */
export type JanitorConfigResult =
  | { readonly kind: "help"; readonly text: string }
  | { readonly kind: "ok"; readonly config: JanitorConfig }
  | { readonly kind: "error"; readonly problems: readonly string[] };

/** Flags and environment → configuration, or every problem. */
export function loadJanitorConfig(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): JanitorConfigResult {
  const parsed = parseCommandLine(JANITOR_PROGRAM, argv, env);
  if (parsed.kind !== "ok") return parsed;
  const v = parsed.values;
  return {
    kind: "ok",
    config: Object.freeze({
      zoneId: v["zone-id"],
      ...(v["zone-name"] !== undefined ? { zoneName: v["zone-name"] } : {}),
      owner: v.owner,
      dryRun: v["dry-run"],
      once: v.once,
      intervalSeconds: v["interval-seconds"],
      healthCheck: v["health-checks"] ? { timeoutMs: v["health-check-timeout-ms"], tries: v["health-check-tries"] } : undefined,
      heartbeatCheck: v["heartbeat-check"],
      silentAfterSeconds: v["silent-after-seconds"],
      silentHostsMaxPercent: v["silent-hosts-max-percent"],
      logLevel: v["log-level"],
    }),
  };
}
