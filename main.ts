/**
 * The cdktf app: configuration → stacks → synth. The only place that reads
 * the environment. The agent and janitor bundles the stacks publish are
 * built before, by the app command (scripts/build/app.js) or `npm run build`.
 */
import "./patches/cdktf-token-stack-traces";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { App } from "cdktf";
import { ConfigError } from "./config/config-error";
import { loadConfig } from "./config/load-config";
import { synthEnvironment } from "./config/synth-environment";
import { buildPlatform } from "./stacks/platform";

const bundles = { agent: resolve("dist", "agent.js"), janitorZip: resolve("dist", "janitor.zip") };

try {
  const config = loadConfig(synthEnvironment(process.env));
  const missing = Object.values(bundles).filter((file) => !existsSync(file));
  if (missing.length > 0) throw new Error(`${missing.join(" and ")} missing: run npm run build (the cdktf app command builds them)`);
  const app = new App();
  buildPlatform(app, config, { bundles, localStateDirectory: resolve(".local", "state") });
  app.synth();
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
}
