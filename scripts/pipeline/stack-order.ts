import { readFileSync } from "node:fs";
import { join } from "node:path";

/** A synthesized stack, as cdktf's manifest describes it. */
export interface SynthesizedStack {
  readonly name: string;
  /** The stacks whose outputs it reads (cdktf's cross-stack references). */
  readonly dependencies: readonly string[];
  /** Absolute folder of its `cdk.tf.json`: where Terraform runs and the plan is saved. */
  readonly dir: string;
}

interface Manifest {
  readonly stacks: Record<string, { readonly dependencies?: readonly string[]; readonly workingDirectory: string }>;
}

/** The stacks of `<outdir>/manifest.json`, every stack after the stacks it reads (see {@link dependencyOrder}). */
export function synthesizedStacks(outdir: string): SynthesizedStack[] {
  const manifest = JSON.parse(readFileSync(join(outdir, "manifest.json"), "utf8")) as Manifest;
  const stacks = Object.entries(manifest.stacks).map(([name, s]) => ({ name, dependencies: s.dependencies ?? [], dir: join(outdir, s.workingDirectory) }));
  return dependencyOrder(stacks);
}

/**
 * `stacks` in deployment order: each after every stack it depends on, ties
 * in the order given. Destroy goes in reverse.
 *
 * @throws Error naming the stacks of a cycle or a dependency that is not among them.
 */
export function dependencyOrder<T extends Pick<SynthesizedStack, "name" | "dependencies">>(stacks: readonly T[]): T[] {
  const names = new Set(stacks.map((s) => s.name));
  for (const s of stacks) {
    const unknown = s.dependencies.filter((d) => !names.has(d));
    if (unknown.length > 0) throw new Error(`stack ${s.name} depends on ${unknown.join(", ")}, which is not synthesized`);
  }
  const ordered: T[] = [];
  const placed = new Set<string>();
  while (ordered.length < stacks.length) {
    const next = stacks.find((s) => !placed.has(s.name) && s.dependencies.every((d) => placed.has(d)));
    if (!next) {
      const left = stacks.filter((s) => !placed.has(s.name)).map((s) => s.name);
      throw new Error(`the stacks ${left.join(", ")} depend on each other in a cycle`);
    }
    ordered.push(next);
    placed.add(next.name);
  }
  return ordered;
}
