/**
 * `npm run bench:deploy`: how long the local target's commands take, for 3
 * containers (config/examples/local.json) and for 20 (the same settings, 20
 * containers). Each run is a whole lifecycle in a fresh emulator on a port of
 * its own, with an environment name of its own:
 *
 *   npm run local:up → npm run local:plan → npm run local:down
 *
 * each timed from outside, as a user waits for it (tsx start, emulator start
 * and stop included). local:up runs the platform on a private dockerd
 * (scripts/test/test-env.sh, stopped at the end), each container on an image
 * built for it there (test-env.sh site-images): besides its total, the time
 * from its start to its line "every service is resolvable and answering".
 * After local:up the resources in each stack's state are counted. Also
 * measured in every run, right next to local:plan: the way local:plan worked
 * before (one `cdktf diff` per stack), for the before/after.
 *
 * Writes bench/results/deploy.md (the table) and bench/results/deploy.json
 * (every sample); `--report-only` writes the table again from deploy.json.
 * BENCH_RUNS (default 2) runs per size; BENCH_SIZES (default "3,20"). Needs
 * what local:up needs (moto, Terraform; TF_PROVIDER_MIRROR for offline
 * installs).
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { loadConfig } from "../../config/load-config";
import { handOnTfVars } from "../../scripts/build/cdktf";
import { run } from "../../scripts/lib/run";
import { terraformEnv } from "../../scripts/lib/terraform-env";
import { emulatorAnswers } from "../../scripts/emulator/launch";
import { stopEmulator } from "../../scripts/local/emulator";
import { stackNames } from "../../stacks/platform";
import { freePort } from "../../scripts/lib/free-port";
import { envDown, envUp, type BenchEnv } from "../agent/bench-env";
import { machine, writeReport, type Lifecycle, type StackTime, type Timed } from "./report";

const root = resolve(__dirname, "..", "..");
const workDir = join(root, ".local");
const RUNS = Number(process.env.BENCH_RUNS ?? 2);
const SIZES = (process.env.BENCH_SIZES ?? "3,20").split(",").map(Number);
const cdktf = join(root, "node_modules", ".bin", "cdktf");
const scratch = mkdtempSync(join(tmpdir(), "bench-deploy-"));

const say = (message: string) => process.stdout.write(`bench: ${message}\n`);

/** The line local:up prints once the platform runs. */
const SERVED_LINE = /local: every service is resolvable and answering/;

/** The example's settings with `count` containers (3: the example file itself). */
function configFile(count: number): string {
  const exampleFile = join(root, "config", "examples", "local.json");
  const example = JSON.parse(readFileSync(exampleFile, "utf8"));
  if (count === example.containers.length) return exampleFile;
  const containers = Array.from({ length: count }, (_, i) => ({ ...example.containers[i % example.containers.length], name: `svc${String(i).padStart(2, "0")}` }));
  const file = join(scratch, `platform-${count}.json`);
  writeFileSync(file, JSON.stringify({ ...example, containers }, null, 2));
  return file;
}

/**
 * Time one command; its output goes to `<scratch>/<label>.log`. With
 * `milestone`, also when a line matching it first appeared (ms from the start).
 */
async function timed(label: string, command: string, args: string[], env: NodeJS.ProcessEnv, stacks: string[] = [], milestone?: RegExp): Promise<Timed> {
  const load1 = loadavg()[0];
  const started = Date.now();
  const stopWatching = watchStates(stacks, started);
  let milestoneMs: number | undefined;
  let recent = ""; // the end of the output: a line may come in two chunks
  const onOutput = milestone
    ? (chunk: string) => {
        recent = (recent + chunk).slice(-4096);
        if (milestoneMs === undefined && milestone.test(recent)) milestoneMs = Date.now() - started;
      }
    : undefined;
  const result = await run(command, args, { env, cwd: root, onOutput });
  const stackTimes = stopWatching();
  const logFile = join(scratch, `${label}.log`);
  writeFileSync(logFile, result.output);
  const reached = milestoneMs === undefined ? "" : `, milestone at ${(milestoneMs / 1000).toFixed(1)} s`;
  say(`${label}: exit ${result.code} in ${(result.ms / 1000).toFixed(1)} s${reached} (load ${load1.toFixed(1)})`);
  return { ms: result.ms, code: result.code, load1, output: result.output, logFile, stackTimes, ...(milestoneMs !== undefined ? { milestoneMs } : {}) };
}

/**
 * When each stack's state file changed first and last while a command ran
 * (ms from `started`, polled every 250 ms): Terraform writes a stack's state
 * as resources are created or destroyed, so these bracket the stack's changes
 * and show which stacks ran side by side and which waited.
 */
function watchStates(stacks: string[], started: number): () => Record<string, StackTime> {
  const initial = new Map(stacks.map((stack) => [stack, mtime(stack)]));
  const times: Record<string, StackTime> = {};
  const poll = () => {
    for (const stack of stacks) {
      const changed = mtime(stack);
      if (changed === undefined || changed === initial.get(stack)) continue;
      const at = Math.max(0, changed - started);
      times[stack] = { firstMs: times[stack]?.firstMs ?? at, lastMs: at };
    }
  };
  const timer = setInterval(poll, 250);
  return () => {
    clearInterval(timer);
    poll();
    return times;
  };
}

function mtime(stack: string): number | undefined {
  try {
    return statSync(join(workDir, "state", `${stack}.tfstate`)).mtimeMs;
  } catch {
    return undefined;
  }
}

/** Managed resources (instances) in each stack's local state. */
function resourceCounts(stacks: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const stack of stacks) {
    const state = JSON.parse(readFileSync(join(workDir, "state", `${stack}.tfstate`), "utf8")) as {
      resources: { mode: string; instances: unknown[] }[];
    };
    counts[stack] = state.resources.filter((r) => r.mode === "managed").reduce((sum, r) => sum + r.instances.length, 0);
  }
  return counts;
}

/**
 * local:plan as it was before: `cdktf synth`, then one `cdktf diff` per stack,
 * one after the other. In a folder of its own, like the new local:plan's, so
 * both start from a fresh `terraform init`; `--skip-provider-lock` as in the
 * Jenkinsfile (a fresh folder would otherwise ask the registry for checksums).
 */
async function planWithCdktfDiff(label: string, env: NodeJS.ProcessEnv, environment: string, stacks: string[]): Promise<Timed> {
  const outdir = join(workDir, "bench-diff.out", environment);
  mkdirSync(outdir, { recursive: true });
  const started = Date.now();
  const load1 = loadavg()[0];
  let code = (await run(cdktf, ["synth", "--output", outdir], { env, cwd: root })).code;
  let output = "";
  for (const stack of stacks) {
    if (code !== 0) break;
    const diff = await run(cdktf, ["diff", stack, "--skip-synth", "--skip-provider-lock", "--no-color", "--output", outdir], { env, cwd: root });
    code = diff.code;
    output += diff.output;
  }
  const ms = Date.now() - started;
  const logFile = join(scratch, `${label}.log`);
  writeFileSync(logFile, output);
  say(`${label}: exit ${code} in ${(ms / 1000).toFixed(1)} s (load ${load1.toFixed(1)})`);
  return { ms, code, load1, output, logFile };
}

async function lifecycle(containers: number, runIndex: number, docker: BenchEnv): Promise<Lifecycle> {
  const port = await freePort();
  const environment = `bench${containers}r${runIndex}${randomBytes(2).toString("hex")}`;
  const platformConfig = configFile(containers);
  const names = loadConfig({ PLATFORM_CONFIG: platformConfig }).containers.map((c) => c.name);
  await run("bash", ["scripts/test/test-env.sh", "site-images", ...names], { env: { ...process.env, DOCKER_HOST: docker.dockerHost }, cwd: root });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PLATFORM_CONFIG: platformConfig,
    TF_VAR_container_image: names.map((name) => `ecsdns-test/${name}:1`).join(","),
    TF_VAR_environment: environment,
    LOCAL_EMULATOR_PORT: String(port),
    LOCAL_ALB_PORT: String(await freePort()),
    DOCKER_HOST: docker.dockerHost,
    CHECKPOINT_DISABLE: "1",
  };
  // What local.ts gives cdktf, for the before/after of local:plan.
  const cdktfEnv = handOnTfVars(terraformEnv({ ...env, TF_VAR_target: "local", TF_VAR_local_endpoint: `http://127.0.0.1:${port}`, AWS_EC2_METADATA_DISABLED: "true" }));
  const stacks = stackNames(loadConfig({ PLATFORM_CONFIG: platformConfig, TF_VAR_environment: environment }));
  const tag = `${containers}c-run${runIndex}`;
  const result: Lifecycle = { containers, run: runIndex, environment, port };
  try {
    result.up = await timed(`${tag}-up`, "npm", ["run", "--silent", "local:up"], env, stacks, SERVED_LINE);
    if (result.up.code !== 0) return result;
    result.resources = resourceCounts(stacks);
    // Alternate which plan goes first, so a drift in the machine's load favours neither.
    const planNow = () => timed(`${tag}-plan`, "npm", ["run", "--silent", "local:plan"], env);
    const planBefore = () => planWithCdktfDiff(`${tag}-plan-cdktf-diff`, cdktfEnv, environment, stacks);
    if (runIndex % 2 === 1) {
      result.plan = await planNow();
      result.planBefore = await planBefore();
    } else {
      result.planBefore = await planBefore();
      result.plan = await planNow();
    }
    result.down = await timed(`${tag}-down`, "npm", ["run", "--silent", "local:down"], env, stacks);
    return result;
  } finally {
    if (await emulatorAnswers(`http://127.0.0.1:${port}`)) {
      say(`${tag}: cleaning up after a failure`);
      await run("npm", ["run", "--silent", "local:down"], { env, cwd: root });
      await stopEmulator(workDir, port);
    }
    for (const dir of ["cdktf.out", "plan.out", "bench-diff.out", "host"]) rmSync(join(workDir, dir, environment), { recursive: true, force: true });
    rmSync(join(workDir, `outputs-${environment}.json`), { force: true });
    rmSync(join(workDir, `emulator-${port}.log`), { force: true });
  }
}

/** deploy.md again from deploy.json, after a change to the report's layout. */
function reportOnly(): void {
  const dir = join(root, "bench", "results");
  const saved = JSON.parse(readFileSync(join(dir, "deploy.json"), "utf8"));
  const { markdown } = writeReport(dir, { ...saved, started: new Date(saved.started), finished: new Date(saved.finished) });
  process.stdout.write(`${markdown}\n`);
  rmSync(scratch, { recursive: true, force: true });
}

async function main(): Promise<void> {
  if (process.argv.includes("--report-only")) return reportOnly();
  const started = new Date();
  const about = await machine();
  say(`${about.cpus}, ${about.memory}; sizes ${SIZES.join(", ")}; ${RUNS} run(s) each; logs in ${scratch}`);
  const lifecycles: Lifecycle[] = [];
  say("starting a private dockerd for the tasks");
  const docker = await envUp();
  try {
    for (let runIndex = 1; runIndex <= RUNS; runIndex++) {
      for (const containers of SIZES) lifecycles.push(await lifecycle(containers, runIndex, docker));
    }
  } finally {
    await envDown(docker).catch((e: unknown) => say(`stopping the dockerd failed: ${String(e)}`));
  }
  const { markdown } = writeReport(join(root, "bench", "results"), { started, finished: new Date(), machine: about, runs: RUNS, lifecycles });
  process.stdout.write(`\n${markdown}\n`);
  const failed = lifecycles.filter((l) => [l.up, l.plan, l.down].some((t) => !t || t.code !== 0));
  if (failed.length > 0) {
    say(`${failed.length} lifecycle(s) failed; logs kept in ${scratch}`);
    process.exitCode = 1;
  } else {
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
