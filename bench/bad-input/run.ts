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

function main(): void {
  const agent = agentConvention();
  const config = platformConfig();
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
      ],
    ),
    "",
  ];
  const results = join(root, "bench", "results");
  mkdirSync(results, { recursive: true });
  writeFileSync(join(results, "bad-input.md"), lines.join("\n"));
  writeFileSync(join(results, "bad-input.json"), JSON.stringify({ agent, config }, null, 2));
  process.stdout.write(lines.join("\n"));
  if (agent.crashes + agent.invalid + config.crashes + config.unnamed > 0) process.exitCode = 1;
}

main();
