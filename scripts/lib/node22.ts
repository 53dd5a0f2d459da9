import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";

/**
 * The Node.js the hosts run the agent on (Amazon Linux 2023's `nodejs22`)
 * and the janitor's Lambda runtime (`nodejs22.x`). This machine's own node
 * may be another major version, so whatever runs a shipped program "as
 * deployed" (local:up, the end-to-end tests) runs it on this one.
 */
export const NODE22_VERSION = "22.23.5";

/** Set to a Node.js 22 binary to use it instead of the cached download. */
export const NODE22_ENV = "LOCAL_NODE22";

const ROOT = resolve(__dirname, "..", "..");

/**
 * The path of a Node.js 22 binary: `$LOCAL_NODE22` when set, else npm's
 * single-binary package `node-<platform>-<arch>@22.23.5`, fetched once
 * through npm (which checks the registry's integrity hash) into
 * `.cache/node-v22.23.5-<platform>-<arch>/`.
 *
 * @throws Error naming the variable or the package when neither gives a Node.js 22.
 */
export function node22(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const given = env[NODE22_ENV];
  if (given) {
    const version = nodeVersion(given);
    if (!version?.startsWith("v22.")) {
      throw new Error(`${NODE22_ENV}=${given}: expected a Node.js 22 binary, but it ${version ? `is ${version}` : "does not run"}`);
    }
    return given;
  }
  const pkg = `node-${process.platform}-${process.arch}`;
  const dir = join(ROOT, ".cache", `node-v${NODE22_VERSION}-${process.platform}-${process.arch}`);
  const binary = join(dir, "bin", "node");
  if (!existsSync(binary)) download(`${pkg}@${NODE22_VERSION}`, dir);
  const version = nodeVersion(binary);
  if (version !== `v${NODE22_VERSION}`) throw new Error(`${binary} ${version ? `is ${version}` : "does not run"}; remove ${dir} to fetch it again`);
  return binary;
}

/** `npm pack` the package into a scratch folder, unpack its bin/node, then move the folder into place whole. */
function download(spec: string, dir: string): void {
  mkdirSync(join(ROOT, ".cache"), { recursive: true });
  const scratch = mkdtempSync(join(ROOT, ".cache", "node22-"));
  try {
    let tarball: string;
    try {
      tarball = execFileSync("npm", ["pack", spec, "--silent", "--pack-destination", scratch], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim().split("\n").pop()!;
    } catch (error) {
      const stderr = String((error as { stderr?: unknown }).stderr ?? "").trim();
      throw new Error(`cannot fetch ${spec} from the npm registry (${stderr.split("\n").pop() || (error as Error).message}); set ${NODE22_ENV} to a Node.js 22 binary instead`);
    }
    const unpacked = join(scratch, "unpacked");
    mkdirSync(unpacked);
    execFileSync("tar", ["-xzf", join(scratch, tarball), "-C", unpacked, "--strip-components=1", "package/bin/node"]);
    try {
      renameSync(unpacked, dir);
    } catch (error) {
      // Another process (a parallel test) put it there first: theirs is as good.
      if (!existsSync(join(dir, "bin", "node"))) throw error;
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function nodeVersion(binary: string): string | undefined {
  try {
    return execFileSync(binary, ["--version"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return undefined;
  }
}
