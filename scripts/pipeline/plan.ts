import { copyFileSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { inPool } from "../lib/pool";
import { afterPlan, changesOutputs, describeOutcome, planSummary, upstreamsToWaitFor, type StackOutcome } from "./rounds";
import { writeNextStep, writeSavedPlans } from "./saved-plans";
import { synthesizedStacks } from "./stack-order";
import { hasResources, PLAN_FILE, PLAN_TEXT_FILE, planStack, stateVersion, type StackRun, type StateVersion } from "./terraform-stack";

/** Settings of {@link planRound}. */
export interface PlanRoundOptions {
  /** The synthesized output folder (cdktf's `--output`), holding `manifest.json`. */
  readonly outdir: string;
  readonly env: NodeJS.ProcessEnv;
  readonly action: "deploy" | "destroy";
  /** @default 1 */
  readonly round?: number;
  /**
   * A folder for the round's human-readable plans, to archive:
   * `<archiveDir>/round-<n>/<stack>.txt` and `summary.txt`.
   * @default - none (the texts stay next to the plans only)
   */
  readonly archiveDir?: string;
  /** Runs at most this many Terraform commands at once (a deploy plan goes in dependency order). @default 2 */
  readonly parallelism?: number;
  readonly log: (line: string) => void;
}

/** What one round planned. */
export interface PlanRound {
  readonly next: ReturnType<typeof afterPlan>;
  readonly stacks: readonly { readonly name: string; readonly outcome: StackOutcome }[];
  /** The summary, one line per stack (also `<outdir>/plan-summary.txt`). */
  readonly summary: string[];
}

/**
 * Plan one round (see rounds.ts): save each planned stack's plan as
 * `plan.tfplan` in its synthesized folder with Terraform's text of it as
 * `plan.txt` next to it, record every stack's state version
 * (saved-plans.json) so apply can refuse stale plans, and write the summary.
 */
export async function planRound(options: PlanRoundOptions): Promise<PlanRound> {
  const { outdir, env, action, log } = options;
  const round = options.round ?? 1;
  const ordered = synthesizedStacks(outdir);
  const stacks = action === "destroy" ? [...ordered].reverse() : ordered;
  const runs = new Map<string, StackRun>(stacks.map((s) => [s.name, { name: s.name, dir: s.dir, env }]));
  for (const s of stacks) {
    rmSync(join(s.dir, PLAN_FILE), { force: true });
    rmSync(join(s.dir, PLAN_TEXT_FILE), { force: true });
  }
  // Before any plan: a state written after this makes the plans stale.
  const versions = await inPool(ordered.map((s) => () => stateVersion(runs.get(s.name)!)), options.parallelism ?? 2);
  const states: Record<string, StateVersion | null> = Object.fromEntries(ordered.map((s, i) => [s.name, versions[i]]));

  const outcomes = new Map<string, StackOutcome>();
  const planOne = async (name: string, destroy: boolean): Promise<StackOutcome> => {
    const result = await planStack(runs.get(name)!, { destroy });
    if (result.code === 1) return { kind: "failed" };
    writeFileSync(join(runs.get(name)!.dir, PLAN_TEXT_FILE), result.output);
    return { kind: "planned", changes: result.code === 2, outputsChange: changesOutputs(result.output), summary: planSummary(result.output) };
  };
  if (action === "destroy") {
    const jobs = stacks.map((s) => async (): Promise<StackOutcome> => {
      if (states[s.name] === null || !(await hasResources(runs.get(s.name)!))) return { kind: "nothing-to-destroy" };
      return planOne(s.name, true);
    });
    const results = await inPool(jobs, options.parallelism ?? 2);
    stacks.forEach((s, i) => outcomes.set(s.name, results[i]));
  } else {
    for (const s of stacks) {
      const waitingFor = upstreamsToWaitFor(s.dependencies, outcomes);
      outcomes.set(s.name, waitingFor.length > 0 ? { kind: "waiting", waitingFor } : await planOne(s.name, false));
    }
  }

  const planned = stacks.map((s) => ({ name: s.name, outcome: outcomes.get(s.name)! }));
  const next = afterPlan(planned.map((p) => p.outcome));
  const summary = [
    `${action === "destroy" ? "destroy" : "deploy"} plan, round ${round}:`,
    ...planned.map((p) => `  ${describeOutcome(p.name, p.outcome)}`),
    nextStepLine(next, planned),
  ];
  writeSavedPlans(outdir, { action, round, stacks: planned, states });
  writeNextStep(outdir, next);
  writeFileSync(join(outdir, "plan-summary.txt"), `${summary.join("\n")}\n`);
  if (options.archiveDir) archive(options.archiveDir, round, planned, runs, summary);
  for (const line of summary) log(line);
  return { next, stacks: planned, summary };
}

function nextStepLine(next: PlanRound["next"], planned: PlanRound["stacks"]): string {
  if (next === "failed") return "a plan failed: nothing can be applied";
  if (next === "nothing-to-apply") return "nothing to apply";
  const applying = planned.filter((p) => p.outcome.kind === "planned" && p.outcome.changes).map((p) => p.name);
  return `approve to apply exactly these plans: ${applying.join(", ")}`;
}

function archive(dir: string, round: number, planned: PlanRound["stacks"], runs: Map<string, StackRun>, summary: string[]): void {
  const roundDir = join(dir, `round-${round}`);
  rmSync(roundDir, { recursive: true, force: true });
  mkdirSync(roundDir, { recursive: true });
  for (const p of planned) if (p.outcome.kind === "planned") copyFileSync(join(runs.get(p.name)!.dir, PLAN_TEXT_FILE), join(roundDir, `${p.name}.txt`));
  writeFileSync(join(roundDir, "summary.txt"), `${summary.join("\n")}\n`);
}
