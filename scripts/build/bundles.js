// The programs shipped as single-file bundles, and how they are built.
// Plain JavaScript because the cdktf app command (scripts/build/app.js) uses
// it before anything TypeScript runs; build-bundles.ts is its CLI.
//
// Every synth makes sure the bundles match the code (the stacks publish them,
// content-addressed), but rebuilds only what is stale: esbuild's list of a
// bundle's inputs is kept next to it, and a bundle is rebuilt when any input
// (or this file) is newer than the bundle.
const { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } = require("node:fs");
const path = require("node:path");

const ROOT = path.resolve(__dirname, "..", "..");
const NPM_INSTALL_RECORD = "node_modules/.package-lock.json";

/**
 * @typedef {object} Bundle
 * @property {string} name
 * @property {string} entry relative to the repository root
 * @property {string} outfile relative to the repository root
 * @property {string} [banner] first line, e.g. a shebang
 * @property {boolean} [executable]
 * @property {string} [zipfile] also write this zip holding the bundle as index.js (a Lambda function's code)
 */

/** @type {readonly Bundle[]} */
const BUNDLES = [
  // The host agent: `node dist/agent.js`, or run directly.
  { name: "agent", entry: "agent/main.ts", outfile: "dist/agent.js", banner: "#!/usr/bin/env node", executable: true },
  // The agent's read-only door to Docker, a unit of its own on every host: `node dist/docker-proxy.js`.
  { name: "docker-proxy", entry: "agent/docker-proxy/main.ts", outfile: "dist/docker-proxy.js" },
  // The janitor Lambda: its code is dist/janitor.zip holding index.js, handler `index.handler`.
  { name: "janitor", entry: "janitor/handler.ts", outfile: "dist/janitor/index.js", zipfile: "dist/janitor.zip" },
];

// Packages that dockerode loads eagerly for features these programs never use.
// Each is replaced by a stand-in that throws if used:
// - ssh2: docker-modem's ssh:// DOCKER_HOST; it instantiates WebAssembly on load.
// - @grpc/grpc-js, @grpc/proto-loader: BuildKit sessions for image builds.
// - tar-fs: build contexts for image builds.
// Together about 40 % of the agent bundle and a third of its memory.
const UNUSED_PACKAGES = {
  ssh2: "ssh:// DOCKER_HOST is not supported by this bundle; use unix:// or tcp://",
  "@grpc/grpc-js": "BuildKit sessions (image builds) are not supported by this bundle",
  "@grpc/proto-loader": "BuildKit sessions (image builds) are not supported by this bundle",
  "tar-fs": "image build contexts are not supported by this bundle",
};

/** @type {import("esbuild").Plugin} */
const stubUnusedPackages = {
  name: "stub-unused-packages",
  setup(b) {
    const names = Object.keys(UNUSED_PACKAGES).map((n) => n.replace(/[/.]/g, "\\$&"));
    b.onResolve({ filter: new RegExp(`^(${names.join("|")})$`) }, (args) => ({ path: args.path, namespace: "unused-package" }));
    b.onLoad({ filter: /.*/, namespace: "unused-package" }, (args) => ({
      loader: "js",
      contents: `const message = ${JSON.stringify(UNUSED_PACKAGES[args.path])};
module.exports = new Proxy({}, { get(_t, key) { if (key === "__esModule") return false; return function unsupported() { throw new Error(message); }; } });`,
    }));
  },
};

/** True when the bundle is missing or any of its inputs changed after it was built. */
function isBundleStale(bundle) {
  if (bundle.zipfile && !existsSync(path.join(ROOT, bundle.zipfile))) return true;
  return isOutputStale(path.join(ROOT, bundle.outfile), ["package-lock.json", "scripts/build/bundles.js"]);
}

/**
 * True when esbuild's output `outfile` is missing, or older than one of the
 * inputs recorded next to it (`<outfile>.inputs.json`, see
 * {@link writeInputsList}) or than one of `alsoDependsOn`. Inputs are relative
 * to `root` (esbuild's working directory).
 * @param {string} outfile
 * @param {readonly string[]} alsoDependsOn
 * @param {string} [root]
 */
function isOutputStale(outfile, alsoDependsOn, root = ROOT) {
  const inputsFile = `${outfile}.inputs.json`;
  if (!existsSync(outfile) || !existsSync(inputsFile)) return true;
  const builtAt = statSync(outfile).mtimeMs;
  const inputs = [...JSON.parse(readFileSync(inputsFile, "utf8")), ...alsoDependsOn];
  return inputs.some((input) => {
    const file = path.join(root, input);
    return !existsSync(file) || statSync(file).mtimeMs > builtAt;
  });
}

/**
 * Record the files esbuild read for `outfile` (from its metafile), for
 * {@link isOutputStale}. Files under node_modules are stood for by npm's
 * record of the install, node_modules/.package-lock.json, which every
 * `npm ci` or `npm install` rewrites: a check then stats one file for them,
 * not hundreds (the agent bundle alone reads 800).
 * Written last: with it, the output counts as built.
 * @param {string} outfile
 * @param {import("esbuild").Metafile} metafile
 * @returns {number} how many files esbuild read
 */
function writeInputsList(outfile, metafile) {
  const inputs = Object.keys(metafile.inputs).filter((i) => !i.includes(":"));
  const own = inputs.filter((i) => !i.split("/").includes("node_modules"));
  const listed = own.length < inputs.length ? [...own, NPM_INSTALL_RECORD] : own;
  writeFileAtomically(`${outfile}.inputs.json`, JSON.stringify(listed));
  return inputs.length;
}

/**
 * Build bundles.
 * @param {{ names?: readonly string[], onlyIfStale?: boolean, log?: (line: string) => void }} [options]
 * @returns {Promise<string[]>} the names built
 */
async function buildBundles(options = {}) {
  const names = options.names ?? [];
  const unknown = names.filter((n) => !BUNDLES.some((b) => b.name === n));
  if (unknown.length > 0) throw new Error(`unknown bundle(s) ${unknown.join(", ")}; known: ${BUNDLES.map((b) => b.name).join(", ")}`);
  const selected = (names.length > 0 ? BUNDLES.filter((b) => names.includes(b.name)) : BUNDLES).filter((b) => !options.onlyIfStale || isBundleStale(b));
  if (selected.length === 0) return [];
  const { build } = require("esbuild"); // here: most synths build nothing
  await Promise.all(
    selected.map(async (bundle) => {
      const outfile = path.join(ROOT, bundle.outfile);
      mkdirSync(path.dirname(outfile), { recursive: true });
      const result = await build({
        absWorkingDir: ROOT,
        entryPoints: [bundle.entry],
        outfile,
        write: false, // written below, whole or not at all
        bundle: true,
        platform: "node",
        target: "node20",
        format: "cjs",
        minify: true,
        sourcemap: false,
        legalComments: "none",
        banner: bundle.banner ? { js: bundle.banner } : undefined,
        plugins: [stubUnusedPackages],
        logLevel: "warning",
        metafile: true,
      });
      const code = result.outputFiles[0].contents;
      writeFileAtomically(outfile, code, bundle.executable ? 0o755 : 0o644);
      if (bundle.zipfile) writeZip(path.join(ROOT, bundle.zipfile), { "index.js": code });
      const inputCount = writeInputsList(outfile, result.metafile);
      options.log?.(`built ${bundle.outfile}: ${Math.round(statSync(outfile).size / 1024)} KiB from ${inputCount} files`);
    }),
  );
  return selected.map((b) => b.name);
}

// Every entry gets this time, so the zip's bytes (and the Lambda's
// source_code_hash) change only when the code does, not when it is rebuilt.
const ZIP_ENTRY_TIME = new Date("2020-01-01T00:00:00Z");

/**
 * Write a zip of `files` (name → content) whose bytes depend on the content
 * only. Built here, once per bundle build, and not by cdktf's archive asset,
 * which zips with a child process on every synth (~0.2 s) and records the
 * files' modification times.
 * @param {string} file
 * @param {Record<string, Uint8Array>} files
 */
function writeZip(file, files) {
  const { zipSync } = require("fflate"); // here: most synths build nothing
  const entries = Object.fromEntries(Object.entries(files).map(([name, data]) => [name, [data, { level: 9, mtime: ZIP_ENTRY_TIME }]]));
  writeFileAtomically(file, zipSync(entries));
}

/**
 * Write `file` through a temporary file and a rename, so that a reader (a
 * test, a synth running beside this one) sees the old file or the new one,
 * never half of one. Two builds at once both write whole files.
 * @param {string} file
 * @param {string | Uint8Array} data
 * @param {number} [mode]
 */
function writeFileAtomically(file, data, mode = 0o644) {
  const temporary = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(temporary, data, { mode });
  renameSync(temporary, file);
}

/** Absolute path of a bundle's output file. */
function bundlePath(name) {
  const bundle = BUNDLES.find((b) => b.name === name);
  if (!bundle) throw new Error(`unknown bundle ${name}`);
  return path.join(ROOT, bundle.outfile);
}

/** Absolute path of a bundle's zip (see {@link Bundle.zipfile}). */
function bundleZipPath(name) {
  const bundle = BUNDLES.find((b) => b.name === name);
  if (!bundle?.zipfile) throw new Error(`bundle ${name} has no zip`);
  return path.join(ROOT, bundle.zipfile);
}

module.exports = { BUNDLES, buildBundles, isBundleStale, bundlePath, bundleZipPath, isOutputStale, writeFileAtomically, writeInputsList, writeZip };
