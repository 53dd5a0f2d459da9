import { existsSync } from "node:fs";
import { join } from "node:path";
import { run, type RunResult } from "../lib/run";

/** The saved plan's file name, in the synthesized stack's folder. */
export const PLAN_FILE = "plan.tfplan";
/** The saved plan as Terraform printed it, next to {@link PLAN_FILE}. */
export const PLAN_TEXT_FILE = "plan.txt";

/** Where and how Terraform runs for one synthesized stack. */
export interface StackRun {
  /** The stack's name, put before every echoed line. */
  readonly name: string;
  /** The synthesized stack's folder (`<outdir>/stacks/<name>`). */
  readonly dir: string;
  readonly env: NodeJS.ProcessEnv;
}

/** A stack's state version: Terraform bumps `serial` on every write; `lineage` names the state. */
export interface StateVersion {
  readonly lineage: string;
  readonly serial: number;
}

function terraform(stack: StackRun, args: string[], echo = true): Promise<RunResult> {
  return run("terraform", [...args, "-no-color"], { env: stack.env, cwd: stack.dir, echo, prefix: `${stack.name}  ` });
}

/**
 * `terraform init`, when the folder is not initialized yet. `-reconfigure`:
 * these folders only use the state where the backend says it is, they never
 * migrate it.
 */
export async function initStack(stack: StackRun, again = false): Promise<RunResult | undefined> {
  if (!again && existsSync(join(stack.dir, ".terraform", "terraform.tfstate"))) return undefined;
  return terraform(stack, ["init", "-input=false", "-reconfigure"]);
}

/**
 * `terraform plan -out=plan.tfplan` (with `-destroy` for a destroy plan), the
 * folder initialized first. Exit code 0: no changes, 2: changes, 1: failed.
 */
export async function planStack(stack: StackRun, options: { destroy?: boolean; out?: boolean } = {}): Promise<RunResult> {
  const initialized = await initStack(stack);
  if (initialized && initialized.code !== 0) return initialized;
  const args = ["plan", "-input=false", "-detailed-exitcode", ...(options.out === false ? [] : [`-out=${PLAN_FILE}`]), ...(options.destroy ? ["-destroy"] : [])];
  const result = await terraform(stack, args);
  // A changed backend or provider requirement asks for `terraform init`: do it once and plan again.
  if (result.code === 1 && /terraform init/.test(result.output)) {
    const again = await initStack(stack, true);
    if (again && again.code !== 0) return again;
    return terraform(stack, args);
  }
  return result;
}

/** The stack's state version now, or `null` when it has no state (never applied, or destroyed and removed). */
export async function stateVersion(stack: StackRun): Promise<StateVersion | null> {
  const initialized = await initStack(stack);
  if (initialized && initialized.code !== 0) throw new Error(`${stack.name}: terraform init failed:\n${initialized.output}`);
  const pulled = await run("terraform", ["state", "pull"], { env: stack.env, cwd: stack.dir });
  if (pulled.code !== 0) throw new Error(`${stack.name}: terraform state pull failed:\n${pulled.output}`);
  const text = pulled.output.trim();
  if (text === "") return null;
  const state = JSON.parse(text) as { lineage: string; serial: number; resources?: unknown[] };
  return { lineage: state.lineage, serial: state.serial };
}

/** Whether the stack's state holds any resource (a destroy has something to do). */
export async function hasResources(stack: StackRun): Promise<boolean> {
  const list = await run("terraform", ["state", "list"], { env: stack.env, cwd: stack.dir });
  if (list.code !== 0) throw new Error(`${stack.name}: terraform state list failed:\n${list.output}`);
  return list.output.trim() !== "";
}

/** `terraform apply plan.tfplan`: exactly the saved plan; Terraform refuses it when the state changed since. */
export async function applyStack(stack: StackRun): Promise<RunResult> {
  return terraform(stack, ["apply", "-input=false", PLAN_FILE]);
}

/** Terraform's refusal of a saved plan whose state changed after it was made. */
export function isStalePlanError(output: string): boolean {
  return /Saved plan is stale/.test(output);
}
