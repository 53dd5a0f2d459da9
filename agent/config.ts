/**
 * The agent's options (one table: parsing, `--help`, agent/README.md) and
 * their conversion into a frozen, typed {@link AgentConfig}. Every problem is
 * reported at once, naming the flag (or its environment variable) and the bad
 * value, before anything touches AWS or Docker.
 */
import * as z from "zod/mini";
import { LOG_LEVEL_OPTION, OWNER_OPTION, ZONE_ID_OPTION, switchOption, wholeNumber } from "../cli/common-options";
import type { LogLevel } from "../cli/logger";
import { parseCommandLine, type OptionSpec, type OptionTable, type Program } from "../cli/options";
import { DEFAULT_HEARTBEAT_SECONDS } from "../dns/agent-heartbeat";
import { POLICIES, type Policy } from "../dns/policy";
import { isIpv4, isValidDnsName, normalizeName } from "../dns/records";
import { HOST_ID_PATTERN } from "../dns/set-identifier";
import { ZONE_READS, type ZoneReads } from "./reconcile-pass";

/**
 * Default full pass period: 500 s, so that with ±10 % jitter (550 s at most)
 * and a wait for the agent's token (30 s at most) a record deleted behind the
 * agent's back is back within 10 minutes, while 200 hosts spend 200 / 500 =
 * 0.4 requests/s on it (agent/README.md, "Route53's budget").
 */
export const DEFAULT_RESYNC_SECONDS = 500;

/** The agent's validated configuration. */
export interface AgentConfig {
  /** Hosted zone id without the `/hostedzone/` prefix. */
  readonly zoneId: string;
  /** Zone name, normalized; absent means "read it with GetHostedZone". */
  readonly zoneName?: string;
  /** Absent means "from instance metadata". */
  readonly hostId?: string;
  readonly hostIp?: string;
  readonly hostPublicIp?: string;
  readonly ttlSeconds: number;
  readonly resyncSeconds: number;
  /** What full passes read of the zone (agent/reconcile-pass.ts). */
  readonly zoneReads: ZoneReads;
  /** The agent's own token bucket for Route53 calls: size (0 = none) and refill period. */
  readonly route53Burst: number;
  readonly route53RefillSeconds: number;
  readonly once: boolean;
  readonly dryRun: boolean;
  readonly policy: Policy;
  readonly deregisterOnExit: boolean;
  /** 0 = no metrics server. */
  readonly metricsPort: number;
  readonly metricsHost: string;
  readonly owner: string;
  readonly debounceMs: number;
  readonly minIntervalMs: number;
  readonly maxDelayMs: number;
  /** Period of the heartbeat to CloudWatch (agent/heartbeat.ts); 0 = none. */
  readonly heartbeatSeconds: number;
  readonly logLevel: LogLevel;
}

/** What {@link loadConfig} found. */
export type ConfigResult =
  | { readonly kind: "help"; readonly text: string }
  | { readonly kind: "ok"; readonly config: AgentConfig }
  | { readonly kind: "error"; readonly problems: readonly string[] };

const ipv4 = z.optional(z.string().check(z.refine(isIpv4, "expected an IPv4 address like 10.0.1.23")));
const text = <S extends z.ZodMiniType>(valueName: string, description: string, schema: S, defaultText?: string): OptionSpec<S> => ({
  kind: "string",
  valueName,
  description,
  schema,
  ...(defaultText !== undefined ? { defaultText } : {}),
});

/** The agent's options, in `--help` order. */
export const AGENT_OPTIONS = {
  "zone-id": ZONE_ID_OPTION,
  "zone-name": {
    kind: "string",
    valueName: "<name>",
    description: "The zone's name. Given: no GetHostedZone call (and no IAM permission for it). Absent: read once at start.",
    schema: z.optional(z.pipe(z.string().check(z.refine(isValidDnsName, "expected a DNS name like internal.example.com")), z.transform(normalizeName))),
  },
  "host-id": {
    kind: "string",
    valueName: "<id>",
    description: "This host's id in set identifiers and in the host record <host-id>.<zone>. Default: the EC2 instance id (IMDSv2).",
    schema: z.optional(
      z.string().check(z.refine((s) => HOST_ID_PATTERN.test(s) && isValidDnsName(s), "expected [A-Za-z0-9.-]{1,64} forming a DNS name (labels of 1-63 characters)")),
    ),
  },
  "host-ip": { kind: "string", valueName: "<ipv4>", description: "Private IPv4 for the host record and SERVICE_FQDN_LOCAL. Default: IMDSv2 local-ipv4.", schema: ipv4 },
  "host-public-ip": {
    kind: "string",
    valueName: "<ipv4>",
    description: "Public IPv4 for SERVICE_FQDN. Default: IMDSv2 public-ipv4 when --host-id and --host-ip are not both given; without one, SERVICE_FQDN gets the private IPv4.",
    schema: ipv4,
  },
  ttl: text("<seconds>", "TTL of every record unless a container sets SERVICE_TTL.", wholeNumber(0, 2_147_483_647, "seconds"), "10"),
  "resync-seconds": text(
    "<seconds>",
    "Full pass period, each drawn at random within ±10 %: rewrites this host's records (--zone-reads owned) or lists the zone (all), repairing what was deleted behind the agent's back.",
    wholeNumber(5, 86_400, "seconds"),
    String(DEFAULT_RESYNC_SECONDS),
  ),
  "zone-reads": text(
    "owned|all",
    "owned: read only this host's names (its host record's at start, a name whose change failed); all: list the whole zone at start and every full pass (one call per 300 record sets).",
    z.enum(ZONE_READS as [ZoneReads, ...ZoneReads[]], { error: `expected one of ${ZONE_READS.join(", ")}` }),
    "owned",
  ),
  "route53-burst": text(
    "<calls>",
    "This agent's token bucket for Route53 calls: at most this many at once (0: no bucket). The account's 10 requests/s are shared by every agent.",
    wholeNumber(0, 1000, "calls"),
    "2",
  ),
  "route53-refill-seconds": text("<seconds>", "One Route53 call token comes back this often (at most one call per this many seconds once the burst is spent).", wholeNumber(1, 3600, "seconds"), "30"),
  once: switchOption("Reconcile once and exit: 0 when the zone is in sync afterwards, 1 when a change failed."),
  "dry-run": switchOption("Log the changes that would be made; make none."),
  policy: text(
    "sync|upsert-only",
    "sync deletes records of stopped containers; upsert-only never deletes.",
    z.enum(POLICIES as [Policy, ...Policy[]], { error: `expected one of ${POLICIES.join(", ")}` }),
    "sync",
  ),
  "deregister-on-exit": switchOption("On SIGTERM/SIGINT delete every record of this host before exiting."),
  "metrics-port": text("<port>", "Port of /healthz and /metrics; 0 turns the server off.", wholeNumber(0, 65_535, "a port"), "7979"),
  "metrics-host": text("<address>", "Address the metrics server listens on.", z.string().check(z.minLength(1, "expected an address")), "0.0.0.0"),
  owner: OWNER_OPTION,
  "debounce-ms": text("<ms>", "Quiet time after a Docker event before reconciling.", wholeNumber(0, 60_000, "milliseconds"), "100"),
  "min-interval-ms": text(
    "<ms>",
    "Quiet time once a burst is under way (an event pass ran less than this ago); also the least time between two event passes.",
    wholeNumber(0, 600_000, "milliseconds"),
    "1000",
  ),
  "max-delay-ms": text("<ms>", "Longest a burst of events that never pauses may postpone a reconcile.", wholeNumber(0, 600_000, "milliseconds"), "10000"),
  "heartbeat-seconds": text(
    "<seconds>",
    "Period of the heartbeat to CloudWatch (namespace ECSDNS/Agent) while passes succeed; the janitor removes the records of a running host whose agent stops sending it. 0 turns it off.",
    z.pipe(wholeNumber(0, 3_600, "seconds"), z.number().check(z.refine((n: number) => n === 0 || n >= 10, "expected 0 (off) or 10-3600 seconds"))),
    String(DEFAULT_HEARTBEAT_SECONDS),
  ),
  "log-level": LOG_LEVEL_OPTION,
} satisfies OptionTable;

/** The agent as a command-line program. */
export const AGENT_PROGRAM: Program<typeof AGENT_OPTIONS> = {
  summary: "ecsdns agent: keeps Route53 A and SRV records in sync with this host's containers.",
  usage: ["npm run agent -- --zone-id <id> [options]", "node dist/agent.js --zone-id <id> [options]"],
  options: AGENT_OPTIONS,
  notes: [
    "Environment:",
    "  DOCKER_HOST                  Docker engine (default: the local socket)",
    "  AWS_REGION, AWS_PROFILE, AWS_ACCESS_KEY_ID, ...   the AWS SDK's standard credential chain",
    "  AWS_ENDPOINT_URL_ROUTE_53, AWS_ENDPOINT_URL       point Route53 calls at an emulator",
    "  AWS_EC2_METADATA_SERVICE_ENDPOINT                 instance metadata endpoint (default http://169.254.169.254)",
    "",
    "Container convention (env or Docker labels, labels win): SERVICE_FQDN, SERVICE_FQDN_LOCAL,",
    "SERVICE_PORT_<port>, SERVICE_<port>_NAME, SERVICE_<port>_IGNORE, SERVICE_TTL, SERVICE_IGNORE.",
    "See agent/README.md.",
  ],
  crossChecks: (v) => [
    // A resync that fires before an event burst may even be flushed would only add load.
    ...(v["resync-seconds"] * 1000 <= v["max-delay-ms"] ? [{ option: "resync-seconds" as const, message: "must be longer than --max-delay-ms" }] : []),
    ...(v["max-delay-ms"] < v["debounce-ms"] || v["max-delay-ms"] < v["min-interval-ms"]
      ? [{ option: "max-delay-ms" as const, message: "must be at least --debounce-ms and --min-interval-ms" }]
      : []),
  ],
};

/** Parses the command line (without `node` and the script) and the environment. */
export function loadConfig(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): ConfigResult {
  const parsed = parseCommandLine(AGENT_PROGRAM, argv, env);
  if (parsed.kind !== "ok") return parsed;
  const v = parsed.values;
  const config: AgentConfig = {
    zoneId: v["zone-id"],
    ...(v["zone-name"] !== undefined ? { zoneName: v["zone-name"] } : {}),
    ...(v["host-id"] !== undefined ? { hostId: v["host-id"] } : {}),
    ...(v["host-ip"] !== undefined ? { hostIp: v["host-ip"] } : {}),
    ...(v["host-public-ip"] !== undefined ? { hostPublicIp: v["host-public-ip"] } : {}),
    ttlSeconds: v.ttl,
    resyncSeconds: v["resync-seconds"],
    zoneReads: v["zone-reads"],
    route53Burst: v["route53-burst"],
    route53RefillSeconds: v["route53-refill-seconds"],
    once: v.once,
    dryRun: v["dry-run"],
    policy: v.policy,
    deregisterOnExit: v["deregister-on-exit"],
    metricsPort: v["metrics-port"],
    metricsHost: v["metrics-host"],
    owner: v.owner,
    debounceMs: v["debounce-ms"],
    minIntervalMs: v["min-interval-ms"],
    maxDelayMs: v["max-delay-ms"],
    heartbeatSeconds: v["heartbeat-seconds"],
    logLevel: v["log-level"],
  };
  return { kind: "ok", config: Object.freeze(config) };
}
