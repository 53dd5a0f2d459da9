// The cdktf app, prepared to start fast (cdktf.json runs scripts/cdktf-app.sh).
//
// Loading cdktf, the provider bindings and zod is a third of a synth. The app
// is bundled whole by esbuild into .gen/app.js, and node builds a V8 startup
// snapshot of it, .gen/app.blob: the heap after every module was loaded and
// one small synth warmed the code up. `node --snapshot-blob .gen/app.blob`
// starts there and only synthesizes (bench/results/synth.md).
//
// Both are rebuilt when a file they were built from changed, like the agent
// and janitor bundles (scripts/bundles.js). A snapshot holds the state of the
// process that built it, so main.ts re-reads what node caches (the working
// directory) and refuses to run a snapshot built elsewhere (STALE_EXIT_CODE).
// PLATFORM_APP_SNAPSHOT=off runs the bundle without a snapshot.
const { existsSync, mkdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync } = require("node:fs");
const path = require("node:path");
const { BUNDLES, isBundleStale, isOutputStale, writeFileAtomically, writeInputsList } = require("./bundles");

const ROOT = path.resolve(__dirname, "..");
const APP_BUNDLE = path.join(ROOT, ".gen", "app.js");
const APP_SNAPSHOT = path.join(ROOT, ".gen", "app.blob");
// Besides the files esbuild read: how it was built.
const BUILT_WITH = ["scripts/app-snapshot.js", "scripts/bundles.js", "package-lock.json", "tsconfig.json"];

/** The snapshot's exit status when it was built from older code or another checkout: build it again. */
const STALE_EXIT_CODE = 75;
/** node's exit status when it cannot load a snapshot built by another node version or with other V8 flags. */
const NODE_SNAPSHOT_MISMATCH_EXIT_CODE = 14;

/** PLATFORM_APP_SNAPSHOT: on (the default) or off. */
function snapshotsEnabled(env = process.env) {
  const value = env.PLATFORM_APP_SNAPSHOT ?? "on";
  if (value !== "on" && value !== "off") throw new Error(`PLATFORM_APP_SNAPSHOT=${value}: expected on or off`);
  return value === "on";
}

/**
 * True when the running snapshot must not be used: the code, the lockfile or
 * a shipped bundle changed after it was built, or it is not the snapshot of
 * this checkout (a copied or moved folder; node passes its path in execArgv).
 */
function isRunningSnapshotStale() {
  const flag = process.execArgv.indexOf("--snapshot-blob");
  const runningBlob = flag >= 0 ? realpathSync(process.execArgv[flag + 1]) : undefined;
  if (runningBlob !== APP_SNAPSHOT) return true;
  return isOutputStale(APP_SNAPSHOT, BUILT_WITH) || BUNDLES.some(isBundleStale);
}

/**
 * Bring .gen/app.js and (unless disabled) .gen/app.blob up to date.
 * @param {{ log?: (line: string) => void, snapshot?: boolean, rebuildSnapshot?: boolean }} [options]
 * @returns {{ bundle: string, snapshot?: string }} what to run; no snapshot when it is disabled or could not be built
 */
function buildApp(options = {}) {
  const log = options.log ?? (() => {});
  if (isOutputStale(APP_BUNDLE, BUILT_WITH)) {
    const result = require("esbuild").buildSync({
      absWorkingDir: ROOT,
      entryPoints: [path.join(ROOT, "main.ts")],
      outfile: APP_BUNDLE,
      write: false, // written below, whole: two synths at once never read half a bundle
      bundle: true,
      external: ["esbuild"], // it runs its own binary; only needed when a bundle is rebuilt
      platform: "node",
      target: "node20",
      format: "cjs",
      // Names stay; whitespace goes: the snapshot holds the source, 12 MiB instead of 18, and starts ~10 % sooner.
      minifyWhitespace: true,
      logLevel: "warning",
      metafile: true,
    });
    mkdirSync(path.dirname(APP_BUNDLE), { recursive: true });
    writeFileAtomically(APP_BUNDLE, result.outputFiles[0].contents);
    writeInputsList(APP_BUNDLE, result.metafile);
  }
  if (options.snapshot === false) return { bundle: APP_BUNDLE };
  if (options.rebuildSnapshot || isOutputStale(APP_SNAPSHOT, BUILT_WITH)) {
    const started = Date.now();
    const partial = `${APP_SNAPSHOT}.${process.pid}.tmp`;
    // From the repository root: the snapshot keeps the working directory it was built in.
    const built = require("node:child_process").spawnSync(process.execPath, ["--snapshot-blob", partial, "--build-snapshot", APP_BUNDLE], { cwd: ROOT, encoding: "utf8" });
    if (built.status !== 0 || !existsSync(partial)) {
      rmSync(partial, { force: true });
      log(`warning: no startup snapshot (node --build-snapshot exited with ${built.status}); running the app without one:\n${built.stderr}`);
      return { bundle: APP_BUNDLE };
    }
    renameSync(partial, APP_SNAPSHOT);
    // Built from exactly the bundle's inputs; written last, as for a bundle.
    writeFileAtomically(`${APP_SNAPSHOT}.inputs.json`, readFileSync(`${APP_BUNDLE}.inputs.json`));
    log(`built .gen/app.blob: ${Math.round(statSync(APP_SNAPSHOT).size / 1048576)} MiB in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  return { bundle: APP_BUNDLE, snapshot: APP_SNAPSHOT };
}

module.exports = {
  APP_SNAPSHOT,
  NODE_SNAPSHOT_MISMATCH_EXIT_CODE,
  STALE_EXIT_CODE,
  buildApp,
  isRunningSnapshotStale,
  snapshotsEnabled,
};
