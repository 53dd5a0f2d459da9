import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

/** Names the root of a Terraform filesystem mirror (the folder holding `registry.terraform.io/`). */
export const MIRROR_VARIABLE = "TF_PROVIDER_MIRROR";

const projectRoot = resolve(__dirname, "..", "..");

/**
 * The environment for `terraform` and `cdktf`. With `TF_PROVIDER_MIRROR` set,
 * `TF_CLI_CONFIG_FILE` points at a generated CLI config that installs
 * hashicorp providers from that mirror only (offline; Terraform symlinks the
 * unpacked provider, it does not copy it). Without it, Terraform uses the
 * public registry, as on any user's machine. Telemetry is off either way.
 */
export function terraformEnv(env: NodeJS.ProcessEnv = process.env, configDir = join(projectRoot, ".gen")): NodeJS.ProcessEnv {
  const result: NodeJS.ProcessEnv = { ...env, CHECKPOINT_DISABLE: "1" };
  const mirror = env[MIRROR_VARIABLE];
  if (!mirror) return result;
  mkdirSync(configDir, { recursive: true });
  const file = join(configDir, "terraform-mirror.tfrc");
  // Write then rename: concurrent runs never read a half-written file.
  const partial = `${file}.${process.pid}`;
  writeFileSync(partial, mirrorCliConfig(resolve(mirror)));
  renameSync(partial, file);
  result.TF_CLI_CONFIG_FILE = file;
  // cdktf points Terraform at a plugin cache, which would copy the mirror's
  // ~700 MB provider binary instead of linking it.
  result.CDKTF_DISABLE_PLUGIN_CACHE_ENV = "true";
  return result;
}

/** A Terraform CLI config that takes hashicorp providers from `mirrorRoot` and everything else from the registry. */
export function mirrorCliConfig(mirrorRoot: string): string {
  return [
    "provider_installation {",
    "  filesystem_mirror {",
    `    path    = ${JSON.stringify(mirrorRoot)}`,
    '    include = ["registry.terraform.io/hashicorp/*"]',
    "  }",
    "  direct {",
    '    exclude = ["registry.terraform.io/hashicorp/*"]',
    "  }",
    "}",
    "",
  ].join("\n");
}
