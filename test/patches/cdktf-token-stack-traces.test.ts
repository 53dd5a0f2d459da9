/**
 * patches/cdktf-token-stack-traces.ts replaces a function inside cdktf. These
 * tests fail when cdktf changes under it: the function gone, or no longer
 * called through its module's exports (the patch would then do nothing).
 */
type Cdktf = typeof import("cdktf");

/** A fresh copy of cdktf (and of its stack-trace module), with or without the patch. */
function freshCdktf(patched: boolean): Cdktf {
  let cdktf: Cdktf | undefined;
  jest.isolateModules(() => {
    if (patched) require("../../patches/cdktf-token-stack-traces");
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    cdktf = require("cdktf") as Cdktf;
  });
  return cdktf!;
}

test("cdktf 0.21's stack-trace module exports captureStackTrace, the function the patch replaces", () => {
  const original = jest.requireActual("cdktf/lib/tokens/private/stack-trace") as { captureStackTrace?: unknown };
  expect(typeof original.captureStackTrace).toBe("function");
});

test("without the patch, every token records the stack trace of its creation", () => {
  const cdktf = freshCdktf(false);
  expect(cdktf.Lazy.anyValue({ produce: () => 1 }).creationStack.length).toBeGreaterThan(0);
});

test("with the patch, the tokens cdktf creates record none", () => {
  const cdktf = freshCdktf(true);
  expect(cdktf.Lazy.anyValue({ produce: () => 1 }).creationStack).toEqual([]);
});
