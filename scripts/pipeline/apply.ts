import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterApply } from "./rounds";
import { readSavedPlans, staleStates, writeNextStep } from "./saved-plans";
import { synthesizedStacks } from "./stack-order";
import { applyStack, initStack, isStalePlanError, PLAN_FILE, stateVersion, type StackRun, type StateVersion } from "./terraform-stack";

/** Settings of {@link applyRound}. */
export interface ApplyRoundOptions {
  /** The synthesized output folder that plan.ts planned in. */
  readonly outdir: string;
  readonly env: NodeJS.ProcessEnv;
  readonly log: (line: string) => void;
}

/** What a round's apply did. */
export interface AppliedRound {
  /** `plan`: stacks wait for another round; `done`; `refused`: stale plans, nothing applied; `failed`: an apply failed. */
  readonly next: "plan" | "done" | "refused" | "failed";
  readonly applied: readonly string[];
}

/**
 * Apply exactly the saved plans of the last round, in their order, and
 * nothing else. Refuses, before applying anything, when any stack's state
 * changed since the round was planned: its own plan, or a plan that read its
 * outputs, would no longer be what was approved.
 */
export async function applyRound(options: ApplyRoundOptions): Promise<AppliedRound> {
  const { outdir, env, log } = options;
  const saved = readSavedPlans(outdir);
  const dirs = new Map(synthesizedStacks(outdir).map((s) => [s.name, s.dir]));
  const runOf = (name: string): StackRun => {
    const dir = dirs.get(name);
    if (!dir) throw new Error(`the saved plans name ${name}, which ${outdir}/manifest.json does not hold: plan again`);
    return { name, dir, env };
  };
  // A fresh agent: the folders come from the plan step without .terraform/.
  for (const name of dirs.keys()) {
    const init = await initStack(runOf(name));
    if (init && init.code !== 0) {
      log(`terraform init of ${name} failed: nothing applied`);
      writeNextStep(outdir, "failed");
      return { next: "failed", applied: [] };
    }
  }
  const now: Record<string, StateVersion | null> = {};
  for (const name of Object.keys(saved.states)) now[name] = await stateVersion(runOf(name));
  const stale = staleStates(saved.states, now);
  const toApply = saved.stacks.filter((s) => s.outcome.kind === "planned" && s.outcome.changes).map((s) => s.name);
  const missing = toApply.filter((name) => !existsSync(join(runOf(name).dir, PLAN_FILE)));
  if (stale.length > 0 || missing.length > 0) {
    return refuse(outdir, log, [...stale, ...missing.map((name) => `${name}: its saved plan ${PLAN_FILE} is missing (already applied?)`)]);
  }

  const applied: string[] = [];
  for (const name of toApply) {
    log(`applying the saved plan of ${name} (round ${saved.round})`);
    const result = await applyStack(runOf(name));
    // Applied or not, a saved plan is never applied twice.
    rmSync(join(runOf(name).dir, PLAN_FILE), { force: true });
    if (result.code !== 0) {
      if (isStalePlanError(result.output)) return refuse(outdir, log, [`${name}: its state changed after the plan (Terraform: "Saved plan is stale")`], applied);
      log(`the apply of ${name} failed${applied.length > 0 ? ` (applied before it: ${applied.join(", ")})` : ""}`);
      writeNextStep(outdir, "failed");
      return { next: "failed", applied };
    }
    applied.push(name);
  }
  const next = afterApply(saved.stacks.map((s) => s.outcome));
  const waiting = saved.stacks.filter((s) => s.outcome.kind === "waiting").map((s) => s.name);
  log(applied.length > 0 ? `applied ${applied.join(", ")}` : "nothing to apply");
  if (next === "plan") log(`${waiting.join(", ")} ${waiting.length > 1 ? "wait" : "waits"} for what this round applied: plan again (round ${saved.round + 1}) and approve`);
  else log(saved.action === "destroy" ? "the environment is destroyed" : "every stack is applied");
  writeNextStep(outdir, next);
  return { next, applied };
}

function refuse(outdir: string, log: (line: string) => void, reasons: string[], applied: string[] = []): AppliedRound {
  log(`refusing to apply the saved plans${applied.length > 0 ? ` after ${applied.join(", ")}` : ""}: they are stale, not what was approved`);
  for (const reason of reasons) log(`  ${reason}`);
  log("plan again (run the job again) and approve the new plans");
  writeNextStep(outdir, "refused");
  return { next: "refused", applied };
}
