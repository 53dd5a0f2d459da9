/**
 * Policies filter a change set after planning (external-dns `plan/policy.go`).
 */
import type { ChangeSet } from "./records";

/** `sync` applies everything; `upsert-only` never deletes (records of stopped containers stay). */
export type Policy = "sync" | "upsert-only";

/** The policies `--policy` accepts. */
export const POLICIES: readonly Policy[] = ["sync", "upsert-only"];

/** Applies a policy to a change set. */
export function applyPolicy(changes: ChangeSet, policy: Policy): ChangeSet {
  switch (policy) {
    case "sync":
      return changes;
    case "upsert-only":
      return { create: changes.create, update: changes.update, delete: [] };
  }
}
