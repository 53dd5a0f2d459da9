/**
 * Flags and environment → a frozen, typed {@link AgentConfig}.
 *
 * Every problem is reported at once, naming the flag (or its environment
 * variable) and the bad value, before anything touches AWS or Docker.
 */
import { parseArgs } from "node:util";
import * as z from "zod/mini";
import { FLAGS, envName, helpText } from "./flags";
import { POLICIES, type Policy } from "./policy";
import { isIpv4, isValidDnsName, normalizeName } from "./records";
import { DEFAULT_OWNER, HOST_ID_PATTERN, OWNER_PATTERN } from "./set-identifier";

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
  readonly logLevel: LogLevel;
}

/** pino's levels. */
export type LogLevel = "fatal" | "error" | "warn" | "info" | "debug" | "trace";
const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace"] as const;

/** What {@link loadConfig} found. */
export type ConfigResult =
  | { readonly kind: "help"; readonly text: string }
  | { readonly kind: "ok"; readonly config: AgentConfig }
  | { readonly kind: "error"; readonly problems: readonly string[] };

// zod/mini, not zod: the same checks at a fraction of the size (about 10 MiB
// less RSS in the bundle, which has to stay under 64 MiB).
const whole = (min: number, max: number, what: string) => {
  const message = `expected ${what}, a whole number ${min}-${max}`;
  return z.pipe(
    z.string().check(z.regex(/^\d{1,10}$/, message)),
    z.pipe(
      z.transform((s: string) => Number(s)),
      z.number().check(z.refine((n: number) => n >= min && n <= max, message)),
    ),
  );
};
const ipv4 = z.string().check(z.refine(isIpv4, "expected an IPv4 address like 10.0.1.23"));

const schema = z
  .object({
    "zone-id": z.pipe(
      z.string({ error: "is required" }),
      z.pipe(
        z.transform((s: string) => s.replace(/^\/?hostedzone\//, "")),
        z.string().check(z.regex(/^[A-Z0-9]{1,32}$/, "expected a hosted zone id like Z0123456789ABCDEFGHIJ")),
      ),
    ),
    "zone-name": z.optional(
      z.pipe(z.string().check(z.refine(isValidDnsName, "expected a DNS name like internal.example.com")), z.transform(normalizeName)),
    ),
    "host-id": z.optional(
      z.string().check(z.refine((s) => HOST_ID_PATTERN.test(s) && isValidDnsName(s), "expected [A-Za-z0-9.-]{1,64} forming a DNS name (labels of 1-63 characters)")),
    ),
    "host-ip": z.optional(ipv4),
    "host-public-ip": z.optional(ipv4),
    ttl: whole(0, 2_147_483_647, "seconds"),
    "resync-seconds": whole(5, 86_400, "seconds"),
    once: z.boolean(),
    "dry-run": z.boolean(),
    policy: z.enum(POLICIES as [Policy, ...Policy[]], { error: `expected one of ${POLICIES.join(", ")}` }),
    "deregister-on-exit": z.boolean(),
    "metrics-port": whole(0, 65_535, "a port"),
    "metrics-host": z.string().check(z.minLength(1, "expected an address")),
    owner: z.string().check(z.regex(OWNER_PATTERN, "expected [a-z0-9-]{1,20}")),
    "debounce-ms": whole(0, 60_000, "milliseconds"),
    "min-interval-ms": whole(0, 600_000, "milliseconds"),
    "max-delay-ms": whole(0, 600_000, "milliseconds"),
    "log-level": z.enum(LOG_LEVELS, { error: `expected one of ${LOG_LEVELS.join(", ")}` }),
  })
  .check(
    z.superRefine((c, ctx) => {
      // A resync that fires before an event burst may even be flushed would only add load.
      if (c["resync-seconds"] * 1000 <= c["max-delay-ms"]) {
        ctx.addIssue({ code: "custom", path: ["resync-seconds"], message: "must be longer than --max-delay-ms", input: c["resync-seconds"] });
      }
      if (c["max-delay-ms"] < c["debounce-ms"] || c["max-delay-ms"] < c["min-interval-ms"]) {
        ctx.addIssue({ code: "custom", path: ["max-delay-ms"], message: "must be at least --debounce-ms and --min-interval-ms", input: c["max-delay-ms"] });
      }
    }),
  );

/**
 * Parses the command line (without `node` and the script) and the environment.
 */
export function loadConfig(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): ConfigResult {
  const problems: string[] = [];
  // Not strict: node's strict mode stops at the first unknown flag, and we
  // want to report every problem at once.
  const parsed = parseArgs({
    args: [...argv],
    options: Object.fromEntries(FLAGS.map((f) => [f.name, { type: f.kind }])),
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  if (parsed.values.help === true) return { kind: "help", text: helpText() };
  const known = new Map(FLAGS.map((f) => [f.name, f]));
  for (const token of parsed.tokens ?? []) {
    if (token.kind === "positional") problems.push(`unexpected argument ${JSON.stringify(token.value)}`);
    if (token.kind !== "option") continue;
    const spec = known.get(token.name);
    if (!spec) problems.push(`${token.rawName}: unknown flag (see --help)`);
    else if (spec.kind === "string" && token.value === undefined) problems.push(`${token.rawName}: needs a value ${spec.valueName ?? ""}`.trimEnd());
    else if (spec.kind === "boolean" && token.value !== undefined) problems.push(`${token.rawName}: takes no value (got ${JSON.stringify(token.value)})`);
  }

  const raw: Record<string, string | boolean | undefined> = {};
  const origin: Record<string, string> = {};
  for (const f of FLAGS) {
    if (f.name === "help") continue;
    // A flag of the wrong shape was reported above; fall back to env or default.
    const given = parsed.values[f.name];
    const fromFlag = typeof given === (f.kind === "boolean" ? "boolean" : "string") ? given : undefined;
    const fromEnv = env[envName(f.name)];
    if (fromFlag !== undefined) {
      raw[f.name] = fromFlag;
      origin[f.name] = `--${f.name}`;
    } else if (fromEnv !== undefined && fromEnv !== "") {
      origin[f.name] = envName(f.name);
      if (f.kind === "boolean") {
        const b = parseBoolean(fromEnv);
        if (b === undefined) problems.push(`${envName(f.name)}: expected true or false (got ${JSON.stringify(fromEnv)})`);
        raw[f.name] = b ?? false;
      } else raw[f.name] = fromEnv;
    } else {
      origin[f.name] = `--${f.name}`;
      raw[f.name] = f.kind === "boolean" ? false : f.defaultText;
    }
  }
  if (raw.owner === undefined) raw.owner = DEFAULT_OWNER;

  const result = schema.safeParse(raw);
  if (!result.success) {
    for (const issue of result.error.issues) {
      const flag = String(issue.path[0]);
      const value = raw[flag];
      const got = value === undefined ? "" : ` (got ${JSON.stringify(value)})`;
      problems.push(`${origin[flag] ?? `--${flag}`}: ${issue.message}${got}`);
    }
  }
  if (problems.length > 0 || !result.success) return { kind: "error", problems };

  const v = result.data;
  const config: AgentConfig = {
    zoneId: v["zone-id"],
    ...(v["zone-name"] !== undefined ? { zoneName: v["zone-name"] } : {}),
    ...(v["host-id"] !== undefined ? { hostId: v["host-id"] } : {}),
    ...(v["host-ip"] !== undefined ? { hostIp: v["host-ip"] } : {}),
    ...(v["host-public-ip"] !== undefined ? { hostPublicIp: v["host-public-ip"] } : {}),
    ttlSeconds: v.ttl,
    resyncSeconds: v["resync-seconds"],
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
    logLevel: v["log-level"],
  };
  return { kind: "ok", config: Object.freeze(config) };
}

function parseBoolean(text: string): boolean | undefined {
  const t = text.trim().toLowerCase();
  if (["1", "true", "yes", "on"].includes(t)) return true;
  if (["0", "false", "no", "off"].includes(t)) return false;
  return undefined;
}
