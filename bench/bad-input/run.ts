/**
 * `npm run bench:bad-input` (R2, bad input): generated input, lots of it.
 * - The agent's container convention: containers with any env and labels
 *   (the property tests' generators) → desired records. Counts crashes,
 *   records Route53 would refuse or that fall outside the zone (both must
 *   be 0) and problems reported, and the parse rate.
 * - The platform's configuration: environments with random TF_VAR_ values
 *   of real variable names, and unknown names → loadConfig. Counts
 *   crashes other than ConfigError and problems that do not name a variable
 *   (both must be 0), and the rate.
 * - The inputs that synth once accepted and Terraform, AWS or ECS then
 *   refused, or accepted and never ran (issue 16): each must be refused,
 *   naming its variable (misses must be 0).
 * Writes bench/results/bad-input.md and bad-input.json.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join, resolve } from "node:path";
import fc from "fast-check";
import { MAX_TTL_SECONDS } from "../../agent/container-conventions";
import { computeDesiredRecords, hostRecordName } from "../../agent/desired-records";
import { isInZone, isValidDnsName } from "../../dns/records";
import { parseSetIdentifier } from "../../dns/set-identifier";
import { ConfigError } from "../../config/config-error";
import { knownTfVarNames, loadConfig } from "../../config/load-config";
import { container, host, inZone, zoneName } from "../../test/properties/arbitraries";
import { markdownTable } from "../lib/stats";

const root = resolve(__dirname, "..", "..");
const CONTAINER_SETS = Number(process.env.BENCH_BAD_INPUT_CONTAINERS ?? 20_000);
const CONFIGS = Number(process.env.BENCH_BAD_INPUT_CONFIGS ?? 5_000);

function agentConvention() {
  const inputs = fc.sample(
    fc
      .record({ zone: zoneName, host, containers: fc.array(container, { minLength: 1, maxLength: 4 }) })
      .filter(({ zone, host: h }) => isValidDnsName(hostRecordName(h.hostId, zone)))
      .map((i) => ({ ...i, containers: i.containers.map((c) => inZone(c, i.zone)) })),
    { numRuns: CONTAINER_SETS, seed: 20261122 },
  );
  let containers = 0;
  let records = 0;
  let problems = 0;
  let crashes = 0;
  let invalid = 0;
  const started = performance.now();
  for (const { zone, host: h, containers: cs } of inputs) {
    containers += cs.length;
    try {
      const out = computeDesiredRecords({ containers: cs, host: h, zoneName: zone, defaultTtlSeconds: 10 });
      records += out.records.length;
      problems += out.problems.length;
      for (const r of out.records) {
        const ok =
          isValidDnsName(r.name) &&
          isInZone(r.name, zone) &&
          r.ttlSeconds >= 0 &&
          r.ttlSeconds <= MAX_TTL_SECONDS &&
          r.values.length === 1 &&
          parseSetIdentifier(r.setIdentifier)?.hostId === h.hostId;
        if (!ok) invalid += 1;
      }
    } catch {
      crashes += 1;
    }
  }
  const ms = performance.now() - started;
  return { containerSets: inputs.length, containers, records, problems, crashes, invalid, ms, perSecond: Math.round((containers / ms) * 1000) };
}

function platformConfig() {
  const names = knownTfVarNames();
  const value = fc.oneof(
    fc.string({ maxLength: 12 }),
    fc.integer({ min: -5, max: 100_000 }).map(String),
    fc.array(fc.oneof(fc.string({ maxLength: 6 }), fc.integer({ min: -1, max: 70_000 }).map(String)), { maxLength: 5 }).map((a) => a.join(",")),
    fc.constantFrom("true", "false", "yes", "", "10.0.0.0/8", "0.0.0.0/0", "vpc-0abc", "Z123"),
    // Near misses that only deploying used to reveal (issue 16).
    fc.constantFrom("10.10.5.0/16", "203.0.113.7/24", "internal", "t4g.small", "m7g.large", "4096", "ELBSecurityPolicy-2016-08", "elbsecuritypolicy-tls13-1-2-2021-06"),
  );
  const env = fc.record({
    known: fc.dictionary(fc.constantFrom(...names), value, { maxKeys: 6 }),
    unknown: fc.dictionary(fc.stringMatching(/^TF_VAR_[a-z_]{1,12}$/), value, { maxKeys: 1 }),
  });
  const inputs = fc.sample(env, { numRuns: CONFIGS, seed: 20261122 });
  let accepted = 0;
  let rejected = 0;
  let problems = 0;
  let crashes = 0;
  let unnamed = 0;
  const started = performance.now();
  for (const { known, unknown } of inputs) {
    try {
      loadConfig({ TF_VAR_container_name: "web", ...known, ...unknown });
      accepted += 1;
    } catch (e) {
      if (!(e instanceof ConfigError)) {
        crashes += 1;
        continue;
      }
      rejected += 1;
      problems += e.problems.length;
      unnamed += e.problems.filter((p) => !p.variable || p.variable === "configuration").length;
    }
  }
  const ms = performance.now() - started;
  return { environments: inputs.length, accepted, rejected, problems, crashes, unnamed, ms, perSecond: Math.round((inputs.length / ms) * 1000) };
}

/** One input synth once accepted: what to set, and the variable the refusal must name. */
interface DeployabilityCase {
  readonly what: string;
  readonly env: Record<string, string>;
  readonly variable: string;
}

const certificate = (region: string) => `arn:aws:acm:${region}:123456789012:certificate/0b1c2d3e-aaaa-bbbb-cccc-111122223333`;
const existingVpc = { TF_VAR_vpc_id: "vpc-0abc12345def67890", TF_VAR_public_subnet_ids: "subnet-0aaa1111,subnet-0bbb2222", TF_VAR_private_subnet_ids: "subnet-0ccc3333,subnet-0ddd4444" };

/** Issue 16's list, and their neighbours. */
const DEPLOYABILITY_CASES: readonly DeployabilityCase[] = [
  { what: "resource_tag=internal (ALB name internal-...)", env: { TF_VAR_resource_tag: "internal" }, variable: "TF_VAR_resource_tag" },
  { what: "resource_tag=internal-tools", env: { TF_VAR_resource_tag: "internal-tools" }, variable: "TF_VAR_resource_tag" },
  { what: "cidr_block=10.10.5.0/16 (host bits)", env: { TF_VAR_cidr_block: "10.10.5.0/16" }, variable: "TF_VAR_cidr_block" },
  { what: "admin_cidr_ingress=203.0.113.7/24 (host bits)", env: { TF_VAR_key_name: "ops", TF_VAR_admin_cidr_ingress: "203.0.113.7/24" }, variable: "TF_VAR_admin_cidr_ingress" },
  { what: "alb_ingress_cidrs with host bits", env: { TF_VAR_alb_ingress_cidrs: "192.168.1.1/16" }, variable: "TF_VAR_alb_ingress_cidrs" },
  { what: "certificate_arn from another region", env: { TF_VAR_certificate_arn: certificate("eu-west-1") }, variable: "TF_VAR_certificate_arn" },
  { what: "unknown ssl_policy", env: { TF_VAR_ssl_policy: "TLS1.3-only" }, variable: "TF_VAR_ssl_policy" },
  { what: "ssl_policy in the wrong case", env: { TF_VAR_ssl_policy: "elbsecuritypolicy-tls13-1-2-2021-06" }, variable: "TF_VAR_ssl_policy" },
  { what: "two identical private subnets with vpc_id", env: { ...existingVpc, TF_VAR_private_subnet_ids: "subnet-0ccc3333,subnet-0ccc3333" }, variable: "TF_VAR_private_subnet_ids" },
  { what: "two identical public subnets with vpc_id", env: { ...existingVpc, TF_VAR_public_subnet_ids: "subnet-0aaa1111,subnet-0aaa1111" }, variable: "TF_VAR_public_subnet_ids" },
  { what: "discovery_zone_associated without discovery_zone_id", env: { ...existingVpc, TF_VAR_discovery_zone_associated: "true" }, variable: "TF_VAR_discovery_zone_associated" },
  { what: "discovery_zone_associated with a VPC the stack creates", env: { TF_VAR_discovery_zone_id: "Z0123456789ABCDEFGHIJ", TF_VAR_discovery_zone_associated: "true" }, variable: "TF_VAR_discovery_zone_associated" },
  { what: "container memory above a t3.small", env: { TF_VAR_container_memory: "4096" }, variable: "TF_VAR_container_memory" },
  { what: "container cpu above a t3.small", env: { TF_VAR_container_cpu: "4096" }, variable: "TF_VAR_container_cpu" },
  { what: "container memory above an m7g.large", env: { TF_VAR_instance_type: "m7g.large", TF_VAR_container_memory: "8192" }, variable: "TF_VAR_container_memory" },
  { what: "t4g.small with the x86 AMI parameter", env: { TF_VAR_instance_type: "t4g.small", TF_VAR_ami_parameter: "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id" }, variable: "TF_VAR_ami_parameter" },
  { what: "m7i.large with the arm64 AMI parameter", env: { TF_VAR_instance_type: "m7i.large", TF_VAR_ami_parameter: "/aws/service/ecs/optimized-ami/amazon-linux-2023/arm64/recommended/image_id" }, variable: "TF_VAR_ami_parameter" },
  { what: "wait_for_steady_state=true with target=local", env: { TF_VAR_target: "local", TF_VAR_wait_for_steady_state: "true" }, variable: "TF_VAR_wait_for_steady_state" },
];

/** Each case refused with a problem naming its variable; the long environment name (made to work) synthesizes. */
function deployabilityCases() {
  const missed: string[] = [];
  for (const c of DEPLOYABILITY_CASES) {
    try {
      loadConfig({ TF_VAR_container_name: "web", ...c.env });
      missed.push(`${c.what}: accepted`);
    } catch (e) {
      if (!(e instanceof ConfigError)) missed.push(`${c.what}: crashed (${String(e)})`);
      else if (!e.problems.some((p) => p.variable.startsWith(c.variable))) missed.push(`${c.what}: refused without naming ${c.variable}`);
    }
  }
  return { cases: DEPLOYABILITY_CASES.length, refusedNamingTheVariable: DEPLOYABILITY_CASES.length - missed.length, missed };
}

function main(): void {
  const agent = agentConvention();
  const config = platformConfig();
  const deployability = deployabilityCases();
  const verdict = (n: number) => (n === 0 ? "met" : "**missed**");
  const lines = [
    "# Bad input (R2)",
    "",
    `Machine: ${cpus().length} × ${cpus()[0]?.model ?? "unknown CPU"}, Node ${process.version}. Inputs generated with fast-check (fixed seed), measured in one run of \`npm run bench:bad-input\`.`,
    "",
    markdownTable(
      ["figure", "measured", "target", ""],
      [
        ["agent: generated containers (env + labels from the convention's keys, near misses and anything)", agent.containers.toLocaleString("en"), "-", ""],
        ["  crashes", agent.crashes, "0", verdict(agent.crashes)],
        ["  records Route53 would refuse, outside the zone or not this host's", agent.invalid, "0", verdict(agent.invalid)],
        ["  records published / problems logged and skipped", `${agent.records.toLocaleString("en")} / ${agent.problems.toLocaleString("en")}`, "-", ""],
        ["  containers parsed per second", agent.perSecond.toLocaleString("en"), "-", ""],
        ["platform: generated environments (random TF_VAR_ values, unknown names)", config.environments.toLocaleString("en"), "-", ""],
        ["  accepted / refused with every problem listed", `${config.accepted.toLocaleString("en")} / ${config.rejected.toLocaleString("en")} (${config.problems.toLocaleString("en")} problems)`, "-", ""],
        ["  crashes (anything but a configuration error)", config.crashes, "0", verdict(config.crashes)],
        ["  problems that do not name their variable", config.unnamed, "0", verdict(config.unnamed)],
        ["  environments checked per second", config.perSecond.toLocaleString("en"), "-", ""],
        ["platform: inputs synth once accepted that Terraform, AWS or ECS refused or never ran (issue 16)", deployability.cases, "-", ""],
        ["  refused, naming their variable", `${deployability.refusedNamingTheVariable} / ${deployability.cases}`, `${deployability.cases} / ${deployability.cases}`, verdict(deployability.missed.length)],
      ],
    ),
    ...(deployability.missed.length > 0 ? ["", "Missed:", ...deployability.missed.map((m) => `- ${m}`)] : []),
    "",
  ];
  const results = join(root, "bench", "results");
  mkdirSync(results, { recursive: true });
  writeFileSync(join(results, "bad-input.md"), lines.join("\n"));
  writeFileSync(join(results, "bad-input.json"), JSON.stringify({ agent, config, deployability }, null, 2));
  process.stdout.write(lines.join("\n"));
  if (agent.crashes + agent.invalid + config.crashes + config.unnamed + deployability.missed.length > 0) process.exitCode = 1;
}

main();
