/**
 * cdktf records an unbounded stack trace for every token it creates
 * (thousands per stack), kept only to explain a token that later fails to
 * resolve. That was about 0.45 s of a 50-container synth. This replaces the
 * function that records them with one that records nothing; errors keep their
 * own stack traces.
 *
 * It replaces `captureStackTrace` of cdktf 0.21.0's
 * `lib/tokens/private/stack-trace.ts`
 * (https://github.com/hashicorp/terraform-cdk/blob/v0.21.0/packages/cdktf/lib/tokens/private/stack-trace.ts),
 * which cdktf's tokens call through that module's exports
 * (`(0, stack_trace_1.captureStackTrace)()` in intrinsic.js, lazy.js, ...).
 * test/patches/cdktf-token-stack-traces.test.ts fails if that changes.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const stackTrace = require("cdktf/lib/tokens/private/stack-trace") as { captureStackTrace?: unknown };

if (typeof stackTrace.captureStackTrace !== "function") {
  throw new Error("cdktf/lib/tokens/private/stack-trace no longer exports captureStackTrace: see patches/cdktf-token-stack-traces.ts");
}
stackTrace.captureStackTrace = (): string[] => [];
