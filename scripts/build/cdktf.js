// `npm run cdktf -- <command> [args]` (and `npm run synth`): the cdktf CLI,
// with the TF_VAR_* variables handed on to the app.
//
// cdktf-cli 0.21 removes every TF_VAR_* from the environment of the app it
// runs (@cdktf/cli-core synth-stack.ts: "should only be used at execution
// time"), and the seed's variables are exactly those. This passes them to the
// app as one JSON variable, PLATFORM_TF_VARS, which the CLI leaves alone
// (config/synth-environment.ts reads it). Works the same on Linux and macOS,
// from a shell and from Jenkins.
const { spawnSync } = require("node:child_process");
const path = require("node:path");

/** The variable that carries the TF_VAR_* variables past the cdktf CLI. */
const HANDED_ON_VARIABLE = "PLATFORM_TF_VARS";

/** `env` plus PLATFORM_TF_VARS holding its TF_VAR_* variables. */
function handOnTfVars(env) {
  const tfVars = Object.fromEntries(Object.entries(env).filter(([name, value]) => name.startsWith("TF_VAR_") && value !== undefined));
  return { ...env, [HANDED_ON_VARIABLE]: JSON.stringify(tfVars) };
}

module.exports = { HANDED_ON_VARIABLE, handOnTfVars };

if (require.main === module) {
  const cdktf = path.resolve(__dirname, "..", "..", "node_modules", ".bin", "cdktf");
  const result = spawnSync(cdktf, process.argv.slice(2), { stdio: "inherit", env: handOnTfVars(process.env) });
  if (result.error) {
    console.error(`cannot run ${cdktf}: ${result.error.message} (run npm ci first)`);
    process.exit(1);
  }
  process.exit(result.status ?? 1);
}
