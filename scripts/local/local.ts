/**
 * The platform against a local AWS emulator, no AWS account needed.
 *
 *   npm run local:up     start the emulator if none answers, deploy every stack, print the outputs
 *   npm run local:plan   plan every stack as the Jenkins job does; after local:up each must say "no changes"
 *   npm run local:down   destroy every stack, stop the emulator local:up started
 *                        (`npm run local:down -- --keep-emulator` leaves it running)
 *
 * After the deploy, local:up runs the platform on the local Docker engine
 * (DOCKER_HOST, or the default socket): the services' tasks, the DNS agent as
 * the user data installs it, and the load balancer on 127.0.0.1:LOCAL_ALB_PORT
 * (local-platform.ts). local:down stops them before it destroys the stacks.
 *
 * The platform's variables work as usual (PLATFORM_CONFIG, TF_VAR_*); with
 * none, config/examples/local.json is used. LOCAL_EMULATOR_PORT (default 4566)
 * picks the emulator's port. The target is set to `local` here and only here.
 *
 * Where things go, per environment `<env>`:
 *   .local/cdktf.out/<env>   what local:up deployed (local:down destroys with it)
 *   .local/plan.out/<env>    what local:plan compares with the deployed state (and its saved plans)
 *   .local/state/            the stacks' state files
 *   .local/host/<env>/       the agent's bundle, its log and the load balancer's (host.log)
 */
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join, resolve } from "node:path";
import { SSMClient } from "@aws-sdk/client-ssm";
import { ConfigError, type ConfigProblem } from "../../config/config-error";
import { loadConfig } from "../../config/load-config";
import type { PlatformConfig } from "../../config/schema";
import { stackNames } from "../../stacks/platform";
import { handOnTfVars } from "../build/cdktf";
import { emulatorAnswers } from "../emulator/launch";
import { run, type RunResult } from "../lib/run";
import { terraformEnv } from "../lib/terraform-env";
import { planRound } from "../pipeline/plan";
import { describeOutcome } from "../pipeline/rounds";
import { ensureEmulator, stopEmulator } from "./emulator";
import { createMissingParameters } from "./emulator-secrets";
import { localDocker, runLocalPlatform, stopLocalPlatform } from "./local-platform";
import { describeServed } from "./platform-readiness";

const root = resolve(__dirname, "..", "..");
const workDir = join(root, ".local");
const stateDir = join(workDir, "state");
const cdktf = join(root, "node_modules", ".bin", "cdktf");
const startedAt = Date.now();

/** What one local command works with. */
interface Session {
  readonly config: PlatformConfig;
  readonly env: NodeJS.ProcessEnv;
  readonly stacks: string[];
  readonly port: number;
  readonly endpoint: string;
  /** The local load balancer's port on 127.0.0.1. */
  readonly albPort: number;
  /** The synthesized stacks that local:up deployed; local:down destroys with them. */
  readonly deployOutdir: string;
  /** local:plan's own synthesis of the current code, so a plan never changes what local:down destroys with. */
  readonly planOutdir: string;
}

function session(): Session {
  const problems: ConfigProblem[] = [];
  const port = portVariable("LOCAL_EMULATOR_PORT", 4566, problems);
  const albPort = portVariable("LOCAL_ALB_PORT", 8080, problems);
  const endpoint = `http://127.0.0.1:${port}`;
  const userChoseContainers = process.env.PLATFORM_CONFIG !== undefined || process.env.TF_VAR_container_name !== undefined;
  const env = terraformEnv({
    ...process.env,
    ...(userChoseContainers ? {} : { PLATFORM_CONFIG: join(root, "config", "examples", "local.json") }),
    TF_VAR_target: "local",
    TF_VAR_local_endpoint: endpoint,
    AWS_EC2_METADATA_DISABLED: "true",
  });
  // Validate before anything runs: every problem at once, no emulator started for nothing.
  let config: PlatformConfig | undefined;
  try {
    config = loadConfig(env);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    problems.push(...e.problems);
  }
  if (!config || problems.length > 0) throw new ConfigError(problems);
  return {
    config,
    env,
    stacks: stackNames(config),
    port,
    albPort,
    endpoint,
    deployOutdir: join(workDir, "cdktf.out", config.environment),
    planOutdir: join(workDir, "plan.out", config.environment),
  };
}

/** A port from the environment, or `fallback`; a bad value is added to `problems`. */
function portVariable(variable: string, fallback: number, problems: ConfigProblem[]): number {
  const text = process.env[variable];
  const value = Number(text ?? fallback);
  if (Number.isInteger(value) && value >= 1 && value <= 65535) return value;
  problems.push({ variable, value: text, message: "must be a port number (1-65535)" });
  return fallback;
}

async function cdktfCommand(s: Session, args: string[], outdir: string, echo = true): Promise<RunResult> {
  mkdirSync(outdir, { recursive: true }); // cdktf creates only the last level
  return run(cdktf, [...args, "--output", outdir], { env: handOnTfVars(s.env), cwd: root, echo });
}

function stateFiles(s: Session): string[] {
  return s.stacks.map((stack) => join(stateDir, `${stack}.tfstate`));
}

/** State files and their backups: after a destroy, or for an emulator that was restarted empty, they describe nothing. */
function removeState(s: Session): void {
  for (const file of stateFiles(s)) {
    rmSync(file, { force: true });
    rmSync(`${file}.backup`, { force: true });
  }
}

/**
 * Whether the stacks' state may hold resources. Local state files are read;
 * with a state bucket (S3 in the emulator) the answer is always yes.
 */
function mayHaveResources(s: Session): boolean {
  if (s.config.state_bucket) return true;
  return stateFiles(s).some((file) => {
    if (!existsSync(file)) return false;
    try {
      const state = JSON.parse(readFileSync(file, "utf8")) as { resources?: unknown[] };
      return (state.resources ?? []).length > 0;
    } catch {
      return true; // unreadable: let Terraform decide
    }
  });
}

async function up(s: Session): Promise<number> {
  const emulator = await ensureEmulator(s.port, workDir);
  // A freshly started emulator is empty: state files left from an earlier one describe nothing.
  if (emulator.startedHere) removeState(s);
  log(`${emulator.startedHere ? "started" : "using"} the emulator at ${emulator.url}`);
  const ssm = new SSMClient({ region: s.config.aws_region, endpoint: s.endpoint, credentials: { accessKeyId: "test", secretAccessKey: "test" } });
  try {
    await createMissingParameters(ssm, s.config, log);
  } finally {
    ssm.destroy();
  }
  const outputsFile = join(workDir, `outputs-${s.config.environment}.json`);
  // cdktf deploys stacks side by side as their dependencies allow (its --parallelism
  // defaults to unbounded), so nothing is gained by splitting this call.
  const logStart = emulatorLogSize(s);
  const deploy = await cdktfCommand(s, ["deploy", ...s.stacks, "--auto-approve", "--skip-provider-lock", "--outputs-file", outputsFile], s.deployOutdir);
  if (deploy.code !== 0) return fail(`deploy failed after ${seconds(deploy.ms)}${emulatorNotes(emulatorLog(s), logStart)}`);
  log(`deployed ${s.stacks.join(", ")} in ${seconds(deploy.ms)}`);
  printOutputs(s, outputsFile);
  return runPlatform(s, outputsFile);
}

/** Runs what was deployed on the local Docker engine, prints what to try, and adds the local endpoints to the outputs file. */
async function runPlatform(s: Session, outputsFile: string): Promise<number> {
  const outputs = JSON.parse(readFileSync(outputsFile, "utf8")) as Record<string, Record<string, unknown>>;
  const get = (stack: string, key: string) => String(outputs[`${s.config.environment}-${stack}`]?.[key]);
  const zone = { id: get("discovery", "zone_id"), name: get("discovery", "zone_name") };
  const local = await localDocker();
  if (!("docker" in local)) {
    log(`nothing runs: ${local.why}; start Docker (or set DOCKER_HOST) and run npm run local:up again`);
    return 0;
  }
  log(`running the platform on the local Docker engine: its tasks, the DNS agent as installed, the load balancer on 127.0.0.1:${s.albPort}`);
  let served;
  try {
    served = await runLocalPlatform(
      {
        environment: s.config.environment,
        region: s.config.aws_region,
        emulatorUrl: s.endpoint,
        clusterName: get("cluster", "cluster_name"),
        autoScalingGroupName: get("cluster", "autoscaling_group_name"),
        albDnsName: get("cluster", "alb_dns_name"),
        zoneId: zone.id,
        zoneName: zone.name,
        owner: s.config.dns_owner,
        albPort: s.albPort,
        workDir,
        log: (line) => log(line),
      },
      local.docker,
    );
  } catch (error) {
    return fail(`the platform is deployed, but running it failed: ${(error as Error).message}
(npm run local:down stops what started and destroys the stacks)`);
  }
  log(`every service is resolvable and answering, ${seconds(Date.now() - startedAt)} after local:up started`);
  for (const line of describeServed(served, zone, s.endpoint)) console.log(line);
  const localEndpoints = { local_alb_url: served.albUrl, aws_endpoint_url: s.endpoint, discovery_zone_id: zone.id, discovery_zone_name: zone.name };
  writeFileSync(outputsFile, `${JSON.stringify({ ...localEndpoints, ...outputs }, null, 2)}\n`);
  return 0;
}

/**
 * `cdktf synth`, then one round of the pipeline's plan (scripts/pipeline/plan.ts),
 * as the Jenkins job plans: the stacks in dependency order, each planned only
 * once the stacks it reads are applied with the outputs they will keep; the
 * others say after which stack they will be planned. After local:up every
 * stack says "no changes"; on a fresh environment, only the first one is planned.
 */
async function plan(s: Session): Promise<number> {
  if (!(await emulatorAnswers(s.endpoint))) return fail(`no emulator answers on port ${s.port}; run npm run local:up first`);
  const started = Date.now();
  const logStart = emulatorLogSize(s);
  const synth = await cdktfCommand(s, ["synth"], s.planOutdir, false);
  if (synth.code !== 0) return fail(`synth failed:\n${synth.output}`);
  const round = await planRound({ outdir: s.planOutdir, env: s.env, action: "deploy", parallelism: availableParallelism(), log: () => {} });
  const failed = round.stacks.filter((p) => p.outcome.kind === "failed").map((p) => p.name);
  if (failed.length > 0) return fail(`plan of ${failed.join(", ")} failed${emulatorNotes(emulatorLog(s), logStart)}`);
  const planned = round.stacks.filter((p) => p.outcome.kind === "planned").map((p) => p.name);
  log(`planned ${planned.join(", ")} in ${seconds(Date.now() - started)}`);
  log("plan summary:");
  for (const p of round.stacks) console.log(`  ${describeOutcome(p.name, p.outcome)}`);
  return 0;
}

/**
 * Whether local:up's synthesized stacks are there, for this emulator: then
 * local:down destroys with them (`--skip-synth`), so a destroy never depends
 * on code changed since the deploy (a stack that gained a cross-stack
 * reference cannot be planned against state written before it).
 */
export function deployedSynthFits(s: Pick<Session, "deployOutdir" | "stacks" | "endpoint">): boolean {
  const manifestFile = join(s.deployOutdir, "manifest.json");
  if (!existsSync(manifestFile)) return false;
  try {
    const manifest = JSON.parse(readFileSync(manifestFile, "utf8")) as { stacks?: Record<string, { synthesizedStackPath?: string }> };
    return s.stacks.every((stack) => {
      const file = join(s.deployOutdir, manifest.stacks?.[stack]?.synthesizedStackPath ?? `stacks/${stack}/cdk.tf.json`);
      return existsSync(file) && readFileSync(file, "utf8").includes(JSON.stringify(s.endpoint));
    });
  } catch {
    return false;
  }
}

async function down(s: Session, options: { keepEmulator: boolean }): Promise<number> {
  // What local:up runs goes first: the agent removes its records while the zone still exists.
  await stopLocalPlatform({ environment: s.config.environment, workDir, clusterName: `${s.config.resource_tag}-${s.config.environment}`, log });
  if (!(await emulatorAnswers(s.endpoint))) {
    log(`no emulator answers on port ${s.port}: nothing to destroy`);
  } else if (!mayHaveResources(s)) {
    // `cdktf destroy` of empty states would change nothing, in about a minute.
    log(`nothing is deployed for ${s.config.environment}: nothing to destroy`);
  } else {
    const skipSynth = deployedSynthFits(s) ? ["--skip-synth"] : [];
    const logStart = emulatorLogSize(s);
    const destroy = await cdktfCommand(s, ["destroy", ...s.stacks, "--auto-approve", "--skip-provider-lock", ...skipSynth], s.deployOutdir);
    if (destroy.code !== 0) return fail(`destroy failed after ${seconds(destroy.ms)}${emulatorNotes(emulatorLog(s), logStart)}`);
    log(`destroyed ${s.stacks.join(", ")} in ${seconds(destroy.ms)}`);
  }
  removeState(s);
  if (options.keepEmulator) log(`left the emulator on port ${s.port} running (--keep-emulator)`);
  else if (await stopEmulator(workDir, s.port)) log("stopped the emulator local:up started");
  return 0;
}

/**
 * What the emulator logged about retried requests and server errors
 * (scripts/emulator/request_log.py) after byte `since` of its log (see
 * {@link emulatorLogSize}), the last 10 lines, for a failure message: a create
 * the SDK sent twice explains a conflict such as `PriorityInUse`.
 */
export function emulatorNotes(logFile: string, since: number): string {
  if (!existsSync(logFile)) return "";
  const notes = readFileSync(logFile).subarray(since).toString("utf8").split("\n").filter((line) => line.startsWith("emulator: "));
  if (notes.length === 0) return "";
  return `\nthe emulator logged ${notes.length} retried or failed request(s)${notes.length > 10 ? ", the last 10" : ""} (${logFile}):\n  ${notes.slice(-10).join("\n  ")}`;
}

function emulatorLog(s: Session): string {
  return join(workDir, `emulator-${s.port}.log`);
}

/** Where the emulator's log ends now: what a command adds comes after it. */
function emulatorLogSize(s: Session): number {
  const logFile = emulatorLog(s);
  return existsSync(logFile) ? statSync(logFile).size : 0;
}

function printOutputs(s: Session, outputsFile: string): void {
  if (!existsSync(outputsFile)) return;
  const outputs = JSON.parse(readFileSync(outputsFile, "utf8")) as Record<string, Record<string, unknown>>;
  const env = s.config.environment;
  const get = (stack: string, key: string) => outputs[`${env}-${stack}`]?.[key];
  console.log("");
  console.log(`  ALB DNS name:   ${String(get("cluster", "alb_dns_name"))}`);
  console.log(`  ECS cluster:    ${String(get("cluster", "cluster_name"))}`);
  console.log(`  Hosted zone:    ${String(get("discovery", "zone_id"))} (${String(get("discovery", "zone_name"))})`);
  console.log("  Service URLs:");
  for (const [name, url] of Object.entries((get("services", "service_urls") as Record<string, string> | undefined) ?? {})) {
    console.log(`    ${name.padEnd(14)}${url}`);
  }
  console.log(`  (all outputs: ${outputsFile})`);
}

function log(message: string): void {
  console.log(`local: ${message}`);
}

function fail(message: string): number {
  console.error(`local: ${message}`);
  return 1;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

const USAGE = "usage: local.ts up | plan | down [--keep-emulator]";

async function main(): Promise<number> {
  // This tooling runs on whatever Node.js the user has; the programs it deploys run on Node.js 22.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const [command, ...flags] = process.argv.slice(2);
  const allowedFlags: Record<string, readonly string[]> = { up: [], plan: [], down: ["--keep-emulator"] };
  const known = command !== undefined && Object.hasOwn(allowedFlags, command);
  const unknown = known ? flags.filter((f) => !allowedFlags[command].includes(f)) : [];
  if (!known || unknown.length > 0) {
    console.error(unknown.length > 0 ? `local: unknown option ${unknown.join(" ")}\n${USAGE}` : USAGE);
    return 2;
  }
  let s: Session;
  try {
    s = session();
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    console.error(e.message);
    return 1;
  }
  if (command === "up") return up(s);
  if (command === "plan") return plan(s);
  return down(s, { keepEmulator: flags.includes("--keep-emulator") });
}

if (require.main === module) {
  main().then((code) => process.exit(code), (e) => {
    console.error(e);
    process.exit(1);
  });
}
