/**
 * Tests that need a real part of the machine (Docker, moto, Terraform, the
 * AWS CLI, root for a mount namespace...). Under `CI=true` a missing part is
 * a failure that names it, never a skip: CI (.ci/run) provides every part.
 * Elsewhere such a test is skipped, and `npm test`'s closing line counts it
 * (`tests: N passed, N failed, N skipped`).
 */
import { spawnSync } from "node:child_process";

type Body = jest.ProvidesCallback;

/** `describe` and `test` for a block that needs a part; `missing` says what is missing (undefined: nothing). */
export interface PartGate {
  readonly describe: (name: string, fn: () => void) => void;
  readonly test: (name: string, fn: Body, timeout?: number) => void;
}

/** True when the tests run in CI (`CI=true`, as .ci/run and Jenkins set it). */
export function inCi(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.CI === "true";
}

/**
 * `describe`/`test` when nothing is missing; when something is, a failure
 * naming it under CI, a skip elsewhere.
 */
export function needs(missing: string | undefined, env: NodeJS.ProcessEnv = process.env): PartGate {
  if (missing === undefined) return { describe, test };
  if (inCi(env)) {
    const fail = (): never => {
      throw new Error(`missing: ${missing}. CI provides every real part the tests use (.ci/run installs them); a missing one is a failure, not a skip`);
    };
    // The block's own body is not run: it may need the missing part just to be defined.
    return { describe: (name) => describe(name, () => test(`needs ${missing}`, fail)), test: (name) => test(name, fail) };
  }
  const skipped = (name: string) => `${name} [skipped: needs ${missing}]`;
  return {
    // The block's tests are listed as skipped; a body that cannot even be defined without the part counts as one.
    describe: (name, fn) =>
      describe.skip(skipped(name), () => {
        try {
          fn();
        } catch {
          test.skip(`needs ${missing}`, () => undefined);
        }
      }),
    test: (name, fn, timeout) => test.skip(skipped(name), fn, timeout),
  };
}

/** `undefined` when `command` runs here, else what is missing and how to get it. */
export function missingCommand(command: string, howToGet: string, versionArgs: readonly string[] = ["--version"]): string | undefined {
  return spawnSync(command, [...versionArgs], { stdio: "ignore" }).error === undefined ? undefined : `${command} (${howToGet})`;
}

/** `undefined` when this process may make mount namespaces (root and `unshare -m`), else what is missing. */
export function missingMountNamespaces(): string | undefined {
  if (process.getuid?.() !== 0) return "root, to run the script in a mount namespace of its own (unshare -m)";
  return spawnSync("unshare", ["-m", "true"], { stdio: "ignore" }).status === 0 ? undefined : "unshare -m (util-linux; a kernel that allows mount namespaces)";
}
