import { ConfigError } from "./config-error";

/** Carries the TF_VAR_* variables past the cdktf CLI (set by scripts/build/cdktf.js, `npm run cdktf`). */
export const HANDED_ON_VARIABLE = "PLATFORM_TF_VARS";

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The environment the platform's variables are read from. cdktf-cli 0.21
 * removes every TF_VAR_* from the app's environment; `npm run cdktf -- …`
 * hands them on in PLATFORM_TF_VARS. Run by the CLI without them, the app
 * cannot tell which variables were set, so it refuses instead of building
 * the defaults.
 *
 * @throws ConfigError saying how to run it, or naming a PLATFORM_TF_VARS it cannot read.
 */
export function synthEnvironment(env: Env): Env {
  const runByCdktfCli = env.CDKTF_OUTDIR !== undefined;
  const handedOn = env[HANDED_ON_VARIABLE];
  if (handedOn === undefined) {
    if (!runByCdktfCli) return env; // run directly: the TF_VAR_* are there
    throw new ConfigError([
      {
        variable: "TF_VAR_*",
        value: undefined,
        message:
          "the cdktf CLI hides TF_VAR_* variables from the app (cdktf-cli 0.21); run it through npm, which hands them on: " +
          "npm run synth, or npm run cdktf -- <command> (e.g. npm run cdktf -- deploy dev-network)",
      },
    ]);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(handedOn);
  } catch {
    parsed = undefined;
  }
  const entries = parsed !== null && typeof parsed === "object" && !Array.isArray(parsed) ? Object.entries(parsed) : undefined;
  if (!entries || entries.some(([name, value]) => !name.startsWith("TF_VAR_") || typeof value !== "string")) {
    throw new ConfigError([{ variable: HANDED_ON_VARIABLE, value: handedOn, message: 'must be a JSON object of TF_VAR_* names and string values, e.g. {"TF_VAR_container_name":"web"}' }]);
  }
  return { ...env, ...Object.fromEntries(entries as [string, string][]) };
}
