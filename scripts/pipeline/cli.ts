/**
 * The pipeline's steps, as the Jenkinsfile runs them (one script per stage)
 * and as the tests run them:
 *
 *   scripts/pipeline/plan.sh    synthesize, then plan one round (plan.ts), saving each stack's plan
 *   scripts/pipeline/apply.sh   apply exactly the saved plans of that round (apply.ts)
 *
 * Each writes `<outdir>/next-step`, one word for the Jenkinsfile: after plan
 * `approve`, `nothing-to-apply`, `done` (action `plan`) or `failed`; after
 * apply `plan` (stacks wait for another round), `done`, `refused` (stale
 * plans) or `failed`.
 *
 * Environment: the platform's variables (TF_VAR_*, PLATFORM_CONFIG) and
 *   PIPELINE_ACTION        plan | deploy | destroy (default plan)
 *   PIPELINE_ROUND         the round's number, for the archive (default 1)
 *   PIPELINE_OUTDIR        the synthesized output folder (default cdktf.out)
 *   PIPELINE_ARCHIVE_DIR   where each round's plan texts are copied to archive (default plans)
 *   TF_PROVIDER_MIRROR     a Terraform provider mirror (scripts/lib/terraform-env.ts)
 */
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { ConfigError, type ConfigProblem } from "../../config/config-error";
import { loadConfig } from "../../config/load-config";
import { run } from "../lib/run";
import { terraformEnv } from "../lib/terraform-env";
import { applyRound } from "./apply";
import { planRound } from "./plan";
import { writeNextStep } from "./saved-plans";

const root = resolve(__dirname, "..", "..");
const ACTIONS = ["plan", "deploy", "destroy"] as const;

/** The pipeline's own settings, every problem at once. */
export function pipelineSettings(env: NodeJS.ProcessEnv): { action: (typeof ACTIONS)[number]; round: number; outdir: string; archiveDir: string } {
  const problems: ConfigProblem[] = [];
  const action = env.PIPELINE_ACTION ?? "plan";
  if (!(ACTIONS as readonly string[]).includes(action)) problems.push({ variable: "PIPELINE_ACTION", value: action, message: `must be one of ${ACTIONS.join(", ")}` });
  const round = Number(env.PIPELINE_ROUND ?? "1");
  if (!Number.isInteger(round) || round < 1) problems.push({ variable: "PIPELINE_ROUND", value: env.PIPELINE_ROUND, message: "must be a whole number from 1" });
  try {
    loadConfig(env);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    problems.push(...e.problems);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    action: action as (typeof ACTIONS)[number],
    round,
    outdir: resolve(root, env.PIPELINE_OUTDIR || "cdktf.out"),
    archiveDir: resolve(root, env.PIPELINE_ARCHIVE_DIR || "plans"),
  };
}

const log = (line: string) => console.log(`pipeline: ${line}`);

async function plan(): Promise<number> {
  const settings = pipelineSettings(process.env);
  const env = terraformEnv(process.env);
  mkdirSync(settings.outdir, { recursive: true });
  log(`synthesizing into ${settings.outdir}`);
  const synth = await run("node", [join(root, "scripts", "build", "cdktf.js"), "synth", "--output", settings.outdir], { env, cwd: root, echo: true });
  if (synth.code !== 0) {
    writeNextStep(settings.outdir, "failed");
    log("synth failed: nothing planned");
    return 1;
  }
  const planned = await planRound({ outdir: settings.outdir, env, action: settings.action === "destroy" ? "destroy" : "deploy", round: settings.round, archiveDir: settings.archiveDir, log });
  if (planned.next === "failed") return 1;
  if (settings.action === "plan") {
    writeNextStep(settings.outdir, "done");
    log("action plan: nothing is applied");
  }
  return 0;
}

async function apply(): Promise<number> {
  const outdir = resolve(root, process.env.PIPELINE_OUTDIR || "cdktf.out");
  const applied = await applyRound({ outdir, env: terraformEnv(process.env), log });
  return applied.next === "plan" || applied.next === "done" ? 0 : 1;
}

async function main(): Promise<number> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const command = process.argv[2];
  try {
    if (command === "plan") return await plan();
    if (command === "apply") return await apply();
  } catch (e) {
    console.error(e instanceof ConfigError ? e.message : `pipeline: ${(e as Error).message}`);
    return 1;
  }
  console.error("usage: cli.ts plan | apply");
  return 2;
}

if (require.main === module) {
  main().then((code) => process.exit(code), (e) => {
    console.error(e);
    process.exit(1);
  });
}
