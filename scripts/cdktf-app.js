// Builds the app (and the agent and janitor bundles) when stale, then runs
// it: from its startup snapshot, or in this process when snapshots are off or
// could not be built. cdktf.json runs scripts/cdktf-app.sh, which comes here
// only when the snapshot is missing, stale or off; `node scripts/cdktf-app.js`
// also works on its own.
const { spawnSync } = require("node:child_process");
const { buildApp, NODE_SNAPSHOT_MISMATCH_EXIT_CODE, snapshotsEnabled, STALE_EXIT_CODE } = require("./app-snapshot");
const { buildBundles } = require("./bundles");

async function main() {
  const log = (line) => console.error(line);
  let snapshot;
  try {
    snapshot = snapshotsEnabled();
  } catch (error) {
    log(error.message);
    process.exit(2);
  }
  await buildBundles({ onlyIfStale: true, log });
  // --rebuild-snapshot: node refused the snapshot (scripts/cdktf-app.sh).
  let app = buildApp({ log, snapshot, rebuildSnapshot: process.argv.includes("--rebuild-snapshot") });
  for (let attempt = 1; app.snapshot; attempt++) {
    const run = spawnSync(process.execPath, ["--snapshot-blob", app.snapshot], { stdio: "inherit" });
    if (run.status !== STALE_EXIT_CODE && run.status !== NODE_SNAPSHOT_MISMATCH_EXIT_CODE) process.exit(run.status ?? 1);
    if (attempt === 2) {
      log(`warning: the fresh startup snapshot would not run (exit ${run.status}); running the app without it`);
      break;
    }
    // Built by another node version, or with other V8 flags (NODE_OPTIONS): build it for this one.
    app = buildApp({ log, snapshot: true, rebuildSnapshot: true });
  }
  require(app.bundle);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
