/**
 * The code of an error, for logs and retry decisions: the AWS SDK's (and the
 * strict fake's) error name, or a Node network error's code. Not Route53
 * specific, so the agent's reconciler can name any failure without
 * knowing which adapter threw it.
 */

/** The AWS error code of an SDK or fake error (`Throttling`), or the Node code of a network error (`ECONNREFUSED`); `Unknown` otherwise. */
export function errorCode(error: unknown): string {
  if (error && typeof error === "object") {
    const e = error as { name?: unknown; code?: unknown };
    if (typeof e.code === "string" && e.code.length > 0) return e.code;
    if (typeof e.name === "string") return e.name;
  }
  return "Unknown";
}
