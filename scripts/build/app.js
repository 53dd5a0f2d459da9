// The cdktf app command (cdktf.json: `node scripts/build/app.js`). It builds
// what synth needs, when a file it comes from changed, then runs the app:
// - dist/agent.js and dist/janitor.zip, the programs the stacks publish (bundles.js);
// - .gen/app.js: main.ts and what it imports, bundled whole by esbuild, which
//   starts about three times sooner than running main.ts through tsx
//   (bench/results/synth.md).
// `npm run build` builds the same without synthesizing.
const path = require("node:path");
const { buildBundles, isOutputStale, writeFileAtomically, writeInputsList } = require("./bundles");

const ROOT = path.resolve(__dirname, "..", "..");
const APP_BUNDLE = path.join(ROOT, ".gen", "app.js");
// Besides the files esbuild read: how it was built.
const BUILT_WITH = ["scripts/build/app.js", "package-lock.json", "tsconfig.json"];

/** Brings .gen/app.js up to date; returns its path. */
function buildApp() {
  if (!isOutputStale(APP_BUNDLE, BUILT_WITH)) return APP_BUNDLE;
  const result = require("esbuild").buildSync({ // here: most synths build nothing
    absWorkingDir: ROOT,
    entryPoints: [path.join(ROOT, "main.ts")],
    outfile: APP_BUNDLE,
    write: false, // written below, whole: two synths at once never read half a bundle
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    logLevel: "warning",
    metafile: true,
  });
  require("node:fs").mkdirSync(path.dirname(APP_BUNDLE), { recursive: true });
  writeFileAtomically(APP_BUNDLE, result.outputFiles[0].contents);
  writeInputsList(APP_BUNDLE, result.metafile);
  return APP_BUNDLE;
}

/** Builds the bundles and the app when stale. */
async function buildAll(log) {
  await buildBundles({ onlyIfStale: true, log });
  return buildApp();
}

module.exports = { buildAll, buildApp };

if (require.main === module) {
  const synth = !process.argv.includes("--build-only");
  buildAll((line) => console.error(line)).then(
    (app) => {
      if (synth) require(app);
    },
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
