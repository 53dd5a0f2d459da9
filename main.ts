import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { startupSnapshot } from "node:v8";
import { App } from "cdktf";
import { tfVarsWithheldByCdktfCli } from "./config/cdktf-cli-env";
import { ConfigError } from "./config/config-error";
import { loadConfig } from "./config/load-config";
import type { PlatformConfig } from "./config/schema";
import { isRunningSnapshotStale, STALE_EXIT_CODE } from "./scripts/app-snapshot";
import { buildBundles, bundlePath, bundleZipPath } from "./scripts/bundles";
import { buildPlatform } from "./stacks/platform";

// cdktf records an unbounded stack trace for every token it creates (thousands
// per stack), kept only to explain a token that later fails to resolve. That
// was ~0.45 s of a 50-container synth, so the app skips it: cdktf calls the
// function through its module's exports, and errors keep their own traces.
require("cdktf/lib/tokens/private/stack-trace").captureStackTrace = () => [];

// The only place that reads the environment: validate once, then build.
// `bundlesChecked`: a snapshot has found the agent and janitor bundles fresh already.
async function main(bundlesChecked: boolean): Promise<void> {
  let config;
  try {
    config = loadConfig({ ...tfVarsWithheldByCdktfCli(process.env), ...process.env });
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    console.error(e.message);
    process.exit(1);
  }
  // The stacks publish the agent and the janitor: make sure they match the code.
  if (!bundlesChecked) await buildBundles({ onlyIfStale: true, log: (line) => console.error(line) });
  synthesize(config);
}

function synthesize(config: PlatformConfig, outdir?: string): void {
  const app = new App(outdir ? { outdir } : undefined);
  buildPlatform(app, config, {
    bundles: { agent: bundlePath("agent"), janitorZip: bundleZipPath("janitor") },
    localStateDirectory: resolve(".local", "state"),
  });
  app.synth();
}

function run(bundlesChecked = false): void {
  main(bundlesChecked).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}

if (startupSnapshot.isBuildingSnapshot()) {
  // Built into .gen/app.blob by scripts/app-snapshot.js. Every module is
  // loaded; one small synth, thrown away, compiles the code a synth runs.
  const warmUp = mkdtempSync(join(tmpdir(), "app-snapshot-warm-up-"));
  synthesize(loadConfig({ TF_VAR_container_name: "warm-up", TF_VAR_container_port: "8080" }), warmUp);
  rmSync(warmUp, { recursive: true, force: true });
  startupSnapshot.setDeserializeMainFunction(() => {
    process.chdir("."); // node keeps the working directory of the build until told it changed
    if (isRunningSnapshotStale()) process.exit(STALE_EXIT_CODE);
    run(true);
  });
} else {
  run();
}
