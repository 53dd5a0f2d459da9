import { readFileSync } from "node:fs";
import path from "node:path";
import { AGENT_PROGRAM, loadConfig, type AgentConfig } from "../../../agent/config";
import { envName, optionsOf } from "../../../cli/options";

const FLAGS = optionsOf(AGENT_PROGRAM).map(([name, spec]) => ({ name, defaultText: spec.defaultText }));

const ok = (argv: string[], env: Record<string, string> = {}): AgentConfig => {
  const result = loadConfig(argv, env);
  if (result.kind !== "ok") throw new Error(`expected a config, got ${JSON.stringify(result)}`);
  return result.config;
};
const problems = (argv: string[], env: Record<string, string> = {}): readonly string[] => {
  const result = loadConfig(argv, env);
  if (result.kind !== "error") throw new Error(`expected problems, got ${JSON.stringify(result)}`);
  return result.problems;
};

describe("agent configuration", () => {
  test("applies the documented defaults", () => {
    expect(ok(["--zone-id", "Z123"])).toEqual({
      zoneId: "Z123",
      ttlSeconds: 10,
      resyncSeconds: 500,
      zoneReads: "owned",
      route53Burst: 2,
      route53RefillSeconds: 30,
      once: false,
      dryRun: false,
      policy: "sync",
      deregisterOnExit: false,
      metricsPort: 7979,
      metricsHost: "0.0.0.0",
      owner: "ecsdns",
      debounceMs: 100,
      minIntervalMs: 1000,
      maxDelayMs: 10000,
      heartbeatSeconds: 60,
      logLevel: "info",
    });
  });

  test("reads every flag of the issue's interface", () => {
    const config = ok([
      "--zone-id", "/hostedzone/Z0ABC", "--zone-name", "Svc.Internal", "--host-id", "i-0abc", "--host-ip", "10.0.1.5",
      "--host-public-ip", "54.1.2.3", "--ttl", "30", "--resync-seconds", "120", "--once", "--dry-run",
      "--policy", "upsert-only", "--deregister-on-exit", "--metrics-port", "0", "--owner", "team-a",
    ]);
    expect(config).toMatchObject({
      zoneId: "Z0ABC", zoneName: "svc.internal.", hostId: "i-0abc", hostIp: "10.0.1.5", hostPublicIp: "54.1.2.3",
      ttlSeconds: 30, resyncSeconds: 120, once: true, dryRun: true, policy: "upsert-only", deregisterOnExit: true,
      metricsPort: 0, owner: "team-a",
    });
  });

  test("the configuration is frozen", () => {
    expect(Object.isFrozen(ok(["--zone-id", "Z123"]))).toBe(true);
  });

  test("takes values from ECSDNS_* environment variables; flags win", () => {
    const config = ok(["--ttl", "5"], { ECSDNS_ZONE_ID: "ZENV", ECSDNS_TTL: "99", ECSDNS_ONCE: "true" });
    expect(config).toMatchObject({ zoneId: "ZENV", ttlSeconds: 5, once: true });
  });

  test("--help wins over everything else and documents every flag and its variable", () => {
    const result = loadConfig(["--help", "--bogus"], {});
    expect(result.kind).toBe("help");
    if (result.kind !== "help") return;
    for (const flag of FLAGS) {
      expect(result.text).toContain(`--${flag.name}`);
      expect(result.text).toContain(envName(flag.name));
    }
  });

  test("reports every problem at once, naming the flag and the bad value", () => {
    expect(
      problems([
        "--zone-id", "not a zone", "--ttl", "-1", "--resync-seconds", "soon", "--policy", "delete-all", "--host-ip", "10.0.0",
        "--host-public-ip", "300.1.1.1", "--owner", "Team_A", "--metrics-port", "70000", "--host-id", "i_0abc", "--zone-name", "bad..name",
        "--log-level", "loud",
      ]),
    ).toEqual([
      '--zone-id: expected a hosted zone id like Z0123456789ABCDEFGHIJ (got "not a zone")',
      '--zone-name: expected a DNS name like internal.example.com (got "bad..name")',
      '--host-id: expected [A-Za-z0-9.-]{1,64} forming a DNS name (labels of 1-63 characters) (got "i_0abc")',
      '--host-ip: expected an IPv4 address like 10.0.1.23 (got "10.0.0")',
      '--host-public-ip: expected an IPv4 address like 10.0.1.23 (got "300.1.1.1")',
      '--ttl: expected seconds, a whole number 0-2147483647 (got "-1")',
      '--resync-seconds: expected seconds, a whole number 5-86400 (got "soon")',
      '--policy: expected one of sync, upsert-only (got "delete-all")',
      '--metrics-port: expected a port, a whole number 0-65535 (got "70000")',
      '--owner: expected [a-z0-9-]{1,20} (got "Team_A")',
      '--log-level: expected one of fatal, error, warn, info, debug, trace (got "loud")',
    ]);
  });

  test("a missing --zone-id is a problem", () => {
    expect(problems([])).toEqual(["--zone-id (or ECSDNS_ZONE_ID): is required"]);
  });

  test("unknown flags, missing values, values on switches and stray arguments are all reported", () => {
    expect(problems(["--zone-id", "Z1", "--zone", "x", "--once=yes", "stray", "--ttl"])).toEqual([
      "--zone: unknown flag (see --help)",
      'unexpected argument "x"',
      '--once: takes no value (got "yes")',
      'unexpected argument "stray"',
      "--ttl: needs a value <seconds>",
    ]);
  });

  test("a bad boolean in the environment names the variable", () => {
    expect(problems(["--zone-id", "Z1"], { ECSDNS_DRY_RUN: "maybe" })).toEqual(['ECSDNS_DRY_RUN: expected true or false (got "maybe")']);
  });

  test("a bad value from the environment names the variable", () => {
    expect(problems(["--zone-id", "Z1"], { ECSDNS_TTL: "ten" })).toEqual(['ECSDNS_TTL: expected seconds, a whole number 0-2147483647 (got "ten")']);
  });

  test("cross-field rules: the resync period must exceed the longest event delay", () => {
    expect(problems(["--zone-id", "Z1", "--resync-seconds", "5", "--max-delay-ms", "6000"])).toEqual(['--resync-seconds: must be longer than --max-delay-ms (got "5")']);
    expect(problems(["--zone-id", "Z1", "--debounce-ms", "500", "--max-delay-ms", "100", "--min-interval-ms", "50"])).toEqual(['--max-delay-ms: must be at least --debounce-ms and --min-interval-ms (got "100")']);
    expect(problems(["--zone-id", "Z1", "--min-interval-ms", "5000", "--max-delay-ms", "4000"])).toEqual(['--max-delay-ms: must be at least --debounce-ms and --min-interval-ms (got "4000")']);
  });

  test("agent/README.md documents every flag with its default", () => {
    const readme = readFileSync(path.join(__dirname, "../../../agent/README.md"), "utf8");
    for (const flag of FLAGS) {
      const row = readme.split("\n").find((line) => line.startsWith(`| \`--${flag.name}`));
      expect(row).toBeDefined();
      if (flag.defaultText !== undefined) expect(row).toContain(`\`${flag.defaultText}\``);
    }
  });
});
