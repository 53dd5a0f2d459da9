/**
 * The platform against a local AWS emulator, no AWS account needed.
 *
 *   npm run local:up     start the emulator if none answers, deploy every stack, print the outputs
 *   npm run local:plan   plan every stack; after local:up each must say "no changes"
 *   npm run local:down   destroy every stack, stop the emulator local:up started
 *
 * The platform's variables work as usual (PLATFORM_CONFIG, TF_VAR_*); with
 * none, config/examples/local.json is used. LOCAL_EMULATOR_PORT (default 4566)
 * picks the emulator's port. The target is set to `local` here and only here.
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { ConfigError } from "../../config/config-error";
import { loadConfig } from "../../config/load-config";
import type { PlatformConfig } from "../../config/schema";
import { stackNames } from "../../stacks/platform";
import { run } from "../lib/run";
import { terraformEnv } from "../lib/terraform-env";
import { emulatorAnswers, ensureEmulator, stopEmulator } from "./emulator";

const root = resolve(__dirname, "..", "..");
const workDir = join(root, ".local");
const cdktf = join(root, "node_modules", ".bin", "cdktf");

/** What one local command works with. */
interface Session {
  readonly config: PlatformConfig;
  readonly env: NodeJS.ProcessEnv;
  readonly stacks: string[];
  readonly outdir: string;
  readonly port: number;
}

function session(): Session {
  const port = Number(process.env.LOCAL_EMULATOR_PORT ?? 4566);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new ConfigError([{ variable: "LOCAL_EMULATOR_PORT", value: process.env.LOCAL_EMULATOR_PORT, message: "must be a port number (1-65535)" }]);
  }
  const userChoseContainers = process.env.PLATFORM_CONFIG !== undefined || process.env.TF_VAR_container_name !== undefined;
  const env = terraformEnv({
    ...process.env,
    ...(userChoseContainers ? {} : { PLATFORM_CONFIG: join(root, "config", "examples", "local.json") }),
    TF_VAR_target: "local",
    TF_VAR_local_endpoint: `http://127.0.0.1:${port}`,
    AWS_EC2_METADATA_DISABLED: "true",
  });
  // Validate before anything runs: every problem at once, no emulator started for nothing.
  const config = loadConfig(env);
  return { config, env, stacks: stackNames(config), outdir: join(workDir, "cdktf.out", config.environment), port };
}

async function cdktfCommand(s: Session, args: string[], echo = true) {
  mkdirSync(s.outdir, { recursive: true }); // cdktf creates only the last level
  const result = await run(cdktf, [...args, "--output", s.outdir], { env: s.env, cwd: root, echo });
  return result;
}

function removeState(s: Session): void {
  for (const stack of s.stacks) rmSync(join(workDir, "state", `${stack}.tfstate`), { force: true });
}

async function up(s: Session): Promise<number> {
  const emulator = await ensureEmulator(s.port, workDir);
  // A freshly started emulator is empty: state files left from an earlier one describe nothing.
  if (emulator.startedHere) removeState(s);
  log(`${emulator.startedHere ? "started" : "using"} the emulator at ${emulator.url}`);
  const outputsFile = join(workDir, `outputs-${s.config.environment}.json`);
  const deploy = await cdktfCommand(s, ["deploy", ...s.stacks, "--auto-approve", "--skip-provider-lock", "--outputs-file", outputsFile]);
  if (deploy.code !== 0) return fail(`deploy failed after ${seconds(deploy.ms)}`);
  log(`deployed ${s.stacks.join(", ")} in ${seconds(deploy.ms)}`);
  printOutputs(s, outputsFile);
  return 0;
}

async function plan(s: Session): Promise<number> {
  if (!(await emulatorAnswers(`http://127.0.0.1:${s.port}`))) return fail(`no emulator answers on port ${s.port}; run npm run local:up first`);
  const synth = await cdktfCommand(s, ["synth"], false);
  if (synth.code !== 0) return fail(`synth failed:\n${synth.output}`);
  const summaries: string[] = [];
  for (const stack of s.stacks) {
    const diff = await cdktfCommand(s, ["diff", stack, "--skip-synth", "--no-color"]);
    if (diff.code !== 0) return fail(`plan of ${stack} failed`);
    summaries.push(`${stack}: ${planSummary(diff.output)}`);
  }
  log("plan summary:");
  for (const line of summaries) console.log(`  ${line}`);
  return 0;
}

/** "no changes" or Terraform's "N to add, N to change, N to destroy". */
export function planSummary(output: string): string {
  if (/No changes\./.test(output)) return "no changes";
  const counts = /Plan: (\d+) to add, (\d+) to change, (\d+) to destroy/.exec(output);
  return counts ? `${counts[1]} to add, ${counts[2]} to change, ${counts[3]} to destroy` : "unknown (see the plan above)";
}

async function down(s: Session): Promise<number> {
  if (await emulatorAnswers(`http://127.0.0.1:${s.port}`)) {
    const destroy = await cdktfCommand(s, ["destroy", ...s.stacks, "--auto-approve", "--skip-provider-lock"]);
    if (destroy.code !== 0) return fail(`destroy failed after ${seconds(destroy.ms)}`);
    log(`destroyed ${s.stacks.join(", ")} in ${seconds(destroy.ms)}`);
  } else {
    log(`no emulator answers on port ${s.port}: nothing to destroy`);
  }
  removeState(s);
  if (await stopEmulator(workDir)) log("stopped the emulator local:up started");
  return 0;
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

async function main(): Promise<number> {
  const command = process.argv[2];
  const commands: Record<string, (s: Session) => Promise<number>> = { up, plan, down };
  if (!commands[command]) {
    console.error("usage: local.ts up|plan|down");
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
  return commands[command](s);
}

if (require.main === module) {
  main().then((code) => process.exit(code), (e) => {
    console.error(e);
    process.exit(1);
  });
}
