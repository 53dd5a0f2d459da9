import { resolve } from "node:path";
import { App } from "cdktf";
import { tfVarsWithheldByCdktfCli } from "./config/cdktf-cli-env";
import { ConfigError } from "./config/config-error";
import { loadConfig } from "./config/load-config";
import { buildBundles, bundlePath, bundleZipPath } from "./scripts/bundles";
import { buildPlatform } from "./stacks/platform";

// The only place that reads the environment: validate once, then build.
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig({ ...tfVarsWithheldByCdktfCli(process.env), ...process.env });
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    console.error(e.message);
    process.exit(1);
  }
  // The stacks publish the agent and the janitor: make sure they match the code.
  await buildBundles({ onlyIfStale: true, log: (line) => console.error(line) });
  const app = new App();
  buildPlatform(app, config, {
    bundles: { agent: bundlePath("agent"), janitorZip: bundleZipPath("janitor") },
    localStateDirectory: resolve(".local", "state"),
  });
  app.synth();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
