import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { StackOutcome } from "./rounds";
import type { StateVersion } from "./terraform-stack";

/** The file in the synthesized output folder that records a round's plans. */
export const SAVED_PLANS_FILE = "saved-plans.json";
/** One word for the Jenkinsfile: what the next step is (`approve`, `nothing-to-apply`, `plan`, `done`, `failed`). */
export const NEXT_STEP_FILE = "next-step";

/** What plan.ts saved: what was planned, and every stack's state version when it was planned. */
export interface SavedPlans {
  readonly action: "deploy" | "destroy";
  readonly round: number;
  /** In the order the plans are applied (destroy: reverse deployment order). */
  readonly stacks: readonly { readonly name: string; readonly outcome: StackOutcome }[];
  /** Every stack's state version when the round was planned (`null`: no state). */
  readonly states: Readonly<Record<string, StateVersion | null>>;
}

export function writeSavedPlans(outdir: string, plans: SavedPlans): void {
  writeFileSync(join(outdir, SAVED_PLANS_FILE), `${JSON.stringify(plans, null, 2)}\n`);
}

/** @throws Error saying what to run when there is no saved plan. */
export function readSavedPlans(outdir: string): SavedPlans {
  const file = join(outdir, SAVED_PLANS_FILE);
  if (!existsSync(file)) throw new Error(`no saved plans in ${outdir} (${SAVED_PLANS_FILE} is missing): run scripts/pipeline/plan.sh first`);
  return JSON.parse(readFileSync(file, "utf8")) as SavedPlans;
}

export function writeNextStep(outdir: string, step: string): void {
  writeFileSync(join(outdir, NEXT_STEP_FILE), `${step}\n`);
}

/**
 * The stacks whose state changed since the plans were made: each a sentence
 * saying how. Any of them makes the saved plans stale (a stack's own plan, or
 * a downstream plan that read its outputs).
 */
export function staleStates(saved: SavedPlans["states"], now: Readonly<Record<string, StateVersion | null>>): string[] {
  const describe = (v: StateVersion | null | undefined) => (v ? `serial ${v.serial}` : "no state");
  return Object.keys(saved)
    .filter((name) => saved[name]?.lineage !== now[name]?.lineage || saved[name]?.serial !== now[name]?.serial)
    .map((name) => `${name}: its state changed since the plan (${describe(saved[name])} then, ${describe(now[name])} now${saved[name] && now[name] && saved[name]!.lineage !== now[name]!.lineage ? ", another lineage" : ""})`);
}
