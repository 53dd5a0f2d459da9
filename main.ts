import { resolve } from "node:path";
import { App } from "cdktf";
import { tfVarsWithheldByCdktfCli } from "./config/cdktf-cli-env";
import { ConfigError } from "./config/config-error";
import { loadConfig } from "./config/load-config";
import { buildPlatform } from "./stacks/platform";

// The only place that reads the environment: validate once, then build.
let config;
try {
  config = loadConfig({ ...tfVarsWithheldByCdktfCli(process.env), ...process.env });
} catch (e) {
  if (!(e instanceof ConfigError)) throw e;
  console.error(e.message);
  process.exit(1);
}
const app = new App();
buildPlatform(app, config, { localStateDirectory: resolve(".local", "state") });
app.synth();
