import { createHash } from "node:crypto";

/**
 * Names that fit AWS's length limits and stay stable: the same inputs always
 * give the same name, so a plan never renames (and replaces) a resource.
 */

/** Six hex characters of SHA-256 over the parts: a stable, short discriminator. */
export function shortHash(...parts: readonly (string | number)[]): string {
  return createHash("sha256").update(parts.join("\u0000")).digest("hex").slice(0, 6);
}

/**
 * `parts` joined with `-`, or, if that is longer than `maxLength`, cut and
 * suffixed with a hash of the whole, so distinct inputs keep distinct names.
 */
export function boundedName(parts: readonly string[], maxLength: number): string {
  const full = parts.filter((p) => p !== "").join("-");
  if (full.length <= maxLength) return full;
  return `${trimHyphens(full.slice(0, maxLength - 7))}-${shortHash(full)}`;
}

/**
 * A name that always carries a hash suffix of `hashOf`, e.g. target groups,
 * whose name must change when a property that forces replacement changes
 * (so `create_before_destroy` can run both side by side).
 */
export function hashedName(parts: readonly string[], hashOf: readonly (string | number)[], maxLength: number): string {
  const base = trimHyphens(parts.filter((p) => p !== "").join("-").slice(0, maxLength - 7));
  return `${base}-${shortHash(...hashOf)}`;
}

function trimHyphens(s: string): string {
  return s.replace(/-+$/, "");
}
