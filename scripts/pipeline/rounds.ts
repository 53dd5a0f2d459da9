/**
 * Which stacks a round plans: the pure rule behind scripts/pipeline/plan.ts.
 *
 * Every stack after the network stack reads its upstream stacks' outputs
 * (cdktf's cross-stack references are `terraform_remote_state` data sources).
 * A plan of a stack is only true when those outputs are what they will be
 * when it is applied. So a round plans a stack only when every stack it reads
 * is planned in the same round and its plan leaves its outputs as they are;
 * any other stack waits for the next round, after its upstream is applied.
 * A fresh environment deploys in one round per layer; a change that leaves
 * every output alone, in one round.
 *
 * Destroy plans every stack that holds anything, in one round: destroying a
 * stack changes nothing another stack reads before it is applied, in reverse order.
 */

/** What a round found for one stack. */
export type StackOutcome =
  | {
      readonly kind: "planned";
      /** The plan changes something (Terraform's exit code 2), resources or outputs. */
      readonly changes: boolean;
      /** The plan changes an output, which a downstream stack may read. */
      readonly outputsChange: boolean;
      /** "no changes" or Terraform's "N to add, N to change, N to destroy". */
      readonly summary: string;
    }
  | {
      readonly kind: "waiting";
      /** The upstream stacks that must be applied first. */
      readonly waitingFor: readonly string[];
    }
  | { readonly kind: "nothing-to-destroy" }
  | { readonly kind: "failed" };

/**
 * The upstream stacks `dependencies` that a stack must wait for, given the
 * outcomes of the stacks planned before it in this round: those not planned
 * (waiting or failed) and those whose plan changes their outputs.
 */
export function upstreamsToWaitFor(dependencies: readonly string[], outcomes: ReadonlyMap<string, StackOutcome>): string[] {
  return dependencies.filter((name) => {
    const outcome = outcomes.get(name);
    return outcome === undefined || outcome.kind !== "planned" || outcome.outputsChange;
  });
}

/** What comes after a round's plan: an approval, or nothing (no stack has a change to apply). */
export function afterPlan(outcomes: readonly StackOutcome[]): "approve" | "nothing-to-apply" | "failed" {
  if (outcomes.some((o) => o.kind === "failed")) return "failed";
  return outcomes.some((o) => o.kind === "planned" && o.changes) ? "approve" : "nothing-to-apply";
}

/** What comes after a round's apply: another round while stacks wait, else done. */
export function afterApply(outcomes: readonly StackOutcome[]): "plan" | "done" {
  return outcomes.some((o) => o.kind === "waiting") ? "plan" : "done";
}

/** One line of the plan summary for a stack: what will happen to it, and when. */
export function describeOutcome(stack: string, outcome: StackOutcome): string {
  switch (outcome.kind) {
    case "planned":
      return `${stack}: ${outcome.summary}`;
    case "waiting":
      return `${stack}: not planned yet: it reads outputs of ${outcome.waitingFor.join(", ")}, not applied yet; it will be planned after ${outcome.waitingFor.length > 1 ? "they are" : "it is"} applied (the next round)`;
    case "nothing-to-destroy":
      return `${stack}: nothing deployed, nothing to destroy`;
    case "failed":
      return `${stack}: the plan failed (see its output above)`;
  }
}

/** "no changes" or Terraform's "N to add, N to change, N to destroy", from a plan's output. */
export function planSummary(output: string): string {
  if (/No changes\./.test(output)) return "no changes";
  const counts = /Plan: (\d+) to add, (\d+) to change, (\d+) to destroy/.exec(output);
  if (counts) return `${counts[1]} to add, ${counts[2]} to change, ${counts[3]} to destroy`;
  if (/Changes to Outputs:/.test(output)) return "0 to add, 0 to change, 0 to destroy; outputs change";
  return "unknown (see the plan above)";
}

/** Whether a plan's output changes an output value (Terraform prints the section "Changes to Outputs:"). */
export function changesOutputs(output: string): boolean {
  return /^Changes to Outputs:/m.test(output);
}
