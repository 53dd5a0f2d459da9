/**
 * The Jenkins job's scripts end to end, on the platform's own stacks against
 * a private emulator, as the Jenkinsfile runs them (scripts/pipeline/plan.sh
 * and apply.sh, the build parameters as TF_VAR_* in their environment): a
 * plan of a fresh environment → deploy, round after round, each applying
 * exactly the plans it saved → a plan that finds no change → the destroy
 * plan, applied → nothing of the environment is left in the emulator.
 *
 * The steps run in order; a step whose predecessor failed fails at once.
 * afterAll destroys what is left with the same scripts. Takes several
 * minutes: about one Terraform plan per stack and round, and the provider's
 * fixed waits (scripts/emulator/README.md).
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../config/load-config";
import { startEmulator, type Emulator } from "../../scripts/emulator/launch";
import { run, type RunResult } from "../../scripts/lib/run";
import { stackNames } from "../../stacks/platform";
import { destroyClients, emulatorClients, leftovers, type Clients } from "./helpers/platform-inventory";
import { errorSummary, localEnv, root } from "./helpers/local-commands";

jest.setTimeout(45 * 60_000);

const exampleFile = join(root, "config", "examples", "local.json");
const environment = `pl${randomBytes(4).toString("hex")}`;
const config = loadConfig({ PLATFORM_CONFIG: exampleFile, TF_VAR_environment: environment, TF_VAR_target: "local", TF_VAR_local_endpoint: "http://127.0.0.1:1" });
const stacks = stackNames(config);
const ours = { environment, namePrefix: `${config.resource_tag}-${environment}` };
const work = mkdtempSync(join(tmpdir(), "pipeline-lifecycle-"));
const outdir = join(work, "cdktf.out");
const archiveDir = join(work, "plans");

let emulator: Emulator;
let clients: Clients;
const passed = new Set<string>();
let runs = 0;

function requireStep(step: string): void {
  if (!passed.has(step)) throw new Error(`skipped: the "${step}" step did not pass`);
}

/** One pipeline script, as a Jenkins stage runs it; its output kept in `work`. */
async function pipelineStep(step: "plan" | "apply", extra: Record<string, string>): Promise<RunResult & { next: string }> {
  const env = localEnv({
    TF_VAR_environment: environment,
    TF_VAR_target: "local",
    TF_VAR_local_endpoint: emulator.url,
    PLATFORM_CONFIG: exampleFile,
    PIPELINE_OUTDIR: outdir,
    PIPELINE_ARCHIVE_DIR: archiveDir,
    CHECKPOINT_DISABLE: "1",
    TF_IN_AUTOMATION: "1",
    ...extra,
  });
  const result = await run("bash", [join(root, "scripts", "pipeline", `${step}.sh`)], { env, cwd: root });
  writeFileSync(join(work, `${String(++runs).padStart(2, "0")}-${step}-${extra.PIPELINE_ACTION ?? ""}${extra.PIPELINE_ROUND ?? ""}.log`), result.output);
  const nextFile = join(outdir, "next-step");
  const next = existsSync(nextFile) ? readFileSync(nextFile, "utf8").trim() : "";
  if (result.code !== 0) console.error(`pipeline lifecycle: ${step}.sh exited ${result.code}:\n  ${errorSummary(result).replace(/\n/g, "\n  ")}`);
  return { ...result, next };
}

/** The plan summary's line for each stack (`pipeline:   <stack>: <what>`). */
function summaryLines(output: string): Record<string, string> {
  return Object.fromEntries([...output.matchAll(/^pipeline: {3}(\S+): (.+)$/gm)].map((m) => [m[1], m[2]]));
}

beforeAll(async () => {
  // moto takes a few seconds to import on an idle machine, much longer on a busy one.
  emulator = await startEmulator({ logFile: join(work, "emulator.log"), startTimeoutMs: 180_000 });
  clients = emulatorClients(emulator.url, config.aws_region);
});

afterAll(async () => {
  if (!passed.has("destroy") && emulator) {
    const plan = await pipelineStep("plan", { PIPELINE_ACTION: "destroy" });
    if (plan.next === "approve") await pipelineStep("apply", {});
  }
  if (clients) destroyClients(clients);
  await emulator?.stop();
  for (const stack of stacks) for (const suffix of [".tfstate", ".tfstate.backup"]) rmSync(join(root, ".local", "state", `${stack}${suffix}`), { force: true });
  if (passed.has("destroy")) rmSync(work, { recursive: true, force: true });
  else console.error(`pipeline lifecycle: the scripts' output is in ${work}`);
}, 30 * 60_000);

describe(`the pipeline's scripts, environment ${environment}: ${stacks.join(", ")}`, () => {
  test("action plan on a fresh environment plans the first stack and says when each other one will be planned", async () => {
    // WHEN
    const plan = await pipelineStep("plan", { PIPELINE_ACTION: "plan" });
    // THEN
    expect({ code: plan.code, next: plan.next }).toEqual({ code: 0, next: "done" });
    const [first, ...rest] = stacks;
    const lines = summaryLines(plan.output);
    expect(lines[first]).toMatch(/^\d+ to add, 0 to change, 0 to destroy$/);
    for (const stack of rest) expect(lines[stack]).toMatch(/^not planned yet: it reads outputs of .*, not applied yet; it will be planned after (it is|they are) applied \(the next round\)$/);
    expect(plan.output).toContain("pipeline: action plan: nothing is applied");
    // AND the plan is saved in the stack's folder, its text next to it and in the archive
    const planText = readFileSync(join(outdir, "stacks", first, "plan.txt"), "utf8");
    expect(planText).toMatch(/# aws_vpc\.\S+ will be created/);
    expect(existsSync(join(outdir, "stacks", first, "plan.tfplan"))).toBe(true);
    expect(readFileSync(join(archiveDir, "round-1", `${first}.txt`), "utf8")).toBe(planText);
    expect(readFileSync(join(archiveDir, "round-1", "summary.txt"), "utf8")).toContain(`${first}: ${lines[first]}`);
    passed.add("plan");
  });

  test("deploy: one round per stack, each approving and applying exactly the next stack's saved plan", async () => {
    requireStep("plan");
    const appliedPerRound: string[][] = [];
    let next = "plan";
    for (let round = 1; next === "plan" && round <= stacks.length + 1; round++) {
      // WHEN the round is planned
      const plan = await pipelineStep("plan", { PIPELINE_ACTION: "deploy", PIPELINE_ROUND: String(round) });
      expect({ round, code: plan.code, next: plan.next }).toEqual({ round, code: 0, next: "approve" });
      // AND (approved) applied
      const apply = await pipelineStep("apply", {});
      expect({ round, code: apply.code }).toEqual({ round, code: 0 });
      appliedPerRound.push([...apply.output.matchAll(/^pipeline: applying the saved plan of (\S+) \(round \d+\)$/gm)].map((m) => m[1]));
      next = apply.next;
    }
    // THEN
    expect(next).toBe("done");
    expect(appliedPerRound).toEqual(stacks.map((stack) => [stack]));
    passed.add("deploy");
  });

  test("a plan after the deploy finds no change in any stack", async () => {
    requireStep("deploy");
    const plan = await pipelineStep("plan", { PIPELINE_ACTION: "plan" });
    expect({ code: plan.code, next: plan.next }).toEqual({ code: 0, next: "done" });
    expect(summaryLines(plan.output)).toEqual(Object.fromEntries(stacks.map((stack) => [stack, "no changes"])));
    passed.add("no changes");
  });

  test("destroy: its own destroy plan of every stack, applied in reverse order, leaves nothing of the environment", async () => {
    requireStep("deploy");
    // WHEN
    const plan = await pipelineStep("plan", { PIPELINE_ACTION: "destroy" });
    // THEN the plan destroys every stack
    expect({ code: plan.code, next: plan.next }).toEqual({ code: 0, next: "approve" });
    const lines = summaryLines(plan.output);
    for (const stack of stacks) expect(lines[stack]).toMatch(/^0 to add, 0 to change, [1-9]\d* to destroy$/);
    expect(readFileSync(join(outdir, "stacks", stacks[0], "plan.txt"), "utf8")).toMatch(/will be destroyed/);
    // WHEN approved and applied
    const apply = await pipelineStep("apply", {});
    // THEN
    expect({ code: apply.code, next: apply.next }).toEqual({ code: 0, next: "done" });
    expect([...apply.output.matchAll(/^pipeline: applying the saved plan of (\S+)/gm)].map((m) => m[1])).toEqual([...stacks].reverse());
    expect(await leftovers(clients, ours, { exclusive: true })).toEqual([]);
    passed.add("destroy");
  });
});
