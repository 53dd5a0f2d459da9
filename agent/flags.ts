/**
 * The agent's flags as data: one table drives parsing, `--help` and the
 * README, so they cannot drift apart. Every flag may also come from an
 * environment variable (`ECSDNS_<FLAG>`, e.g. `ECSDNS_ZONE_ID`); a flag on
 * the command line wins.
 */

/** One command-line flag. */
export interface FlagSpec {
  /** Long name without dashes, e.g. `zone-id`. */
  readonly name: string;
  readonly kind: "string" | "boolean";
  /** Placeholder in `--help`, e.g. `<id>`. */
  readonly valueName?: string;
  /** Default as text; absent means "no default". */
  readonly defaultText?: string;
  readonly description: string;
}

/** Every flag, in `--help` order. */
export const FLAGS: readonly FlagSpec[] = [
  { name: "zone-id", kind: "string", valueName: "<id>", description: "Route53 hosted zone id (required), with or without the /hostedzone/ prefix." },
  { name: "zone-name", kind: "string", valueName: "<name>", description: "The zone's name. Given: no GetHostedZone call (and no IAM permission for it). Absent: read once at start." },
  { name: "host-id", kind: "string", valueName: "<id>", description: "This host's id in set identifiers and in the host record <host-id>.<zone>. Default: the EC2 instance id (IMDSv2)." },
  { name: "host-ip", kind: "string", valueName: "<ipv4>", description: "Private IPv4 for the host record and SERVICE_FQDN_LOCAL. Default: IMDSv2 local-ipv4." },
  { name: "host-public-ip", kind: "string", valueName: "<ipv4>", description: "Public IPv4 for SERVICE_FQDN. Default: IMDSv2 public-ipv4 when --host-id and --host-ip are not both given; without one, SERVICE_FQDN gets the private IPv4." },
  { name: "ttl", kind: "string", valueName: "<seconds>", defaultText: "10", description: "TTL of every record unless a container sets SERVICE_TTL." },
  { name: "resync-seconds", kind: "string", valueName: "<seconds>", defaultText: "60", description: "Full resync period: lists the zone and repairs anything an event missed." },
  { name: "once", kind: "boolean", description: "Reconcile once and exit: 0 when the zone is in sync afterwards, 1 when a change failed." },
  { name: "dry-run", kind: "boolean", description: "Log the changes that would be made; make none." },
  { name: "policy", kind: "string", valueName: "sync|upsert-only", defaultText: "sync", description: "sync deletes records of stopped containers; upsert-only never deletes." },
  { name: "deregister-on-exit", kind: "boolean", description: "On SIGTERM/SIGINT delete every record of this host before exiting." },
  { name: "metrics-port", kind: "string", valueName: "<port>", defaultText: "7979", description: "Port of /healthz and /metrics; 0 turns the server off." },
  { name: "metrics-host", kind: "string", valueName: "<address>", defaultText: "0.0.0.0", description: "Address the metrics server listens on." },
  { name: "owner", kind: "string", valueName: "<prefix>", defaultText: "ecsdns", description: "Owner prefix of set identifiers ([a-z0-9-]{1,20}); agents and janitor of one deployment share it." },
  { name: "debounce-ms", kind: "string", valueName: "<ms>", defaultText: "100", description: "Quiet time after a Docker event before reconciling." },
  { name: "min-interval-ms", kind: "string", valueName: "<ms>", defaultText: "1000", description: "Quiet time once a burst is under way (an event pass ran less than this ago); also the least time between two event passes." },
  { name: "max-delay-ms", kind: "string", valueName: "<ms>", defaultText: "10000", description: "Longest a burst of events that never pauses may postpone a reconcile." },
  { name: "log-level", kind: "string", valueName: "<level>", defaultText: "info", description: "fatal, error, warn, info, debug or trace." },
  { name: "help", kind: "boolean", description: "Print this help and exit." },
];

/** The environment variable of a flag: `zone-id` → `ECSDNS_ZONE_ID`. */
export function envName(flag: string): string {
  return `ECSDNS_${flag.toUpperCase().replace(/-/g, "_")}`;
}

/** The `--help` text. */
export function helpText(): string {
  const lines = [
    "ecsdns agent: keeps Route53 A and SRV records in sync with this host's containers.",
    "",
    "Usage: npm run agent -- --zone-id <id> [options]",
    "       node dist/agent.js --zone-id <id> [options]",
    "",
    "Options (each also from the environment variable shown):",
  ];
  for (const f of FLAGS) {
    const head = `  --${f.name}${f.valueName ? ` ${f.valueName}` : ""}`;
    const def = f.defaultText !== undefined ? ` [default: ${f.defaultText}]` : "";
    lines.push(head, `      ${f.description}${def}`, `      env: ${envName(f.name)}`);
  }
  lines.push(
    "",
    "Environment:",
    "  DOCKER_HOST                  Docker engine (default: the local socket)",
    "  AWS_REGION, AWS_PROFILE, AWS_ACCESS_KEY_ID, ...   the AWS SDK's standard credential chain",
    "  AWS_ENDPOINT_URL_ROUTE_53, AWS_ENDPOINT_URL       point Route53 calls at an emulator",
    "  AWS_EC2_METADATA_SERVICE_ENDPOINT                 instance metadata endpoint (default http://169.254.169.254)",
    "",
    "Container convention (env or Docker labels, labels win): SERVICE_FQDN, SERVICE_FQDN_LOCAL,",
    "SERVICE_PORT_<port>, SERVICE_<port>_NAME, SERVICE_<port>_IGNORE, SERVICE_TTL, SERVICE_IGNORE.",
    "See agent/README.md.",
  );
  return lines.join("\n");
}
