// The app command of cdktf.json. It bundles main.ts with esbuild (packages stay
// external, so only our own code is transformed) and runs the bundle in this
// process: 2x faster than tsx and 6x faster than the template's type-checking
// ts-node (bench/results/synth.md). The bundle is rebuilt only when one of
// the files it was built from (or this one) changed.
const path = require("node:path");
const { isOutputStale, writeFileAtomically, writeInputsList } = require("./bundles");

const root = path.resolve(__dirname, "..");
const outfile = path.join(root, ".gen", "app.js");
if (isOutputStale(outfile, ["scripts/cdktf-app.js", "package-lock.json", "tsconfig.json"])) {
  const result = require("esbuild").buildSync({
    absWorkingDir: root,
    entryPoints: [path.join(root, "main.ts")],
    outfile,
    write: false, // written below, whole: two synths at once never read half a bundle
    bundle: true,
    packages: "external",
    platform: "node",
    target: "node20",
    format: "cjs",
    logLevel: "warning",
    metafile: true,
  });
  require("node:fs").mkdirSync(path.dirname(outfile), { recursive: true });
  writeFileAtomically(outfile, result.outputFiles[0].contents);
  writeInputsList(outfile, result.metafile);
}
// cdktf records an unbounded stack trace for every token it creates (thousands
// per stack), kept only to explain a token that later fails to resolve. That
// was ~0.45 s of a 50-container synth, so the app skips it: cdktf calls the
// function through its module's exports, and errors keep their own traces.
require("cdktf/lib/tokens/private/stack-trace").captureStackTrace = () => [];
require(outfile);
