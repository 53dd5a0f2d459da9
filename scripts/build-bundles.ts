/**
 * Single-file bundles for hosts: `dist/<name>.js`, minified, for Node 20,
 * runnable as `node dist/<name>.js` or directly (shebang, executable bit).
 *
 *   npm run build:agent                      builds every entry below
 *   tsx scripts/build-bundles.ts agent       builds the named entries only
 *
 * A new program is one line in BUNDLES.
 */
import { chmodSync, statSync } from "node:fs";
import path from "node:path";
import { build, type Plugin } from "esbuild";

/** One program to bundle. */
interface BundleEntry {
  /** Output `dist/<name>.js`. */
  readonly name: string;
  /** Entry file, relative to the repository root. */
  readonly entry: string;
}

const BUNDLES: readonly BundleEntry[] = [
  { name: "agent", entry: "agent/main.ts" },
  // { name: "janitor", entry: "janitor/main.ts" },
];

const ROOT = path.resolve(__dirname, "..");

/**
 * Packages that dockerode loads eagerly for features these programs never
 * use. Each is replaced in the bundle by a stand-in that throws if used:
 * - ssh2: docker-modem's `ssh://` DOCKER_HOST; it instantiates a WebAssembly
 *   module on load. Docker is reached over a unix socket or TCP here.
 * - @grpc/grpc-js, @grpc/proto-loader: BuildKit sessions for image builds.
 * - tar-fs: build contexts for image builds.
 * Together about 40 % of the bundle and a third of the agent's memory.
 */
const UNUSED_PACKAGES: Readonly<Record<string, string>> = {
  ssh2: "ssh:// DOCKER_HOST is not supported by this bundle; use unix:// or tcp://",
  "@grpc/grpc-js": "BuildKit sessions (image builds) are not supported by this bundle",
  "@grpc/proto-loader": "BuildKit sessions (image builds) are not supported by this bundle",
  "tar-fs": "image build contexts are not supported by this bundle",
};

const stubUnusedPackages: Plugin = {
  name: "stub-unused-packages",
  setup(b) {
    const filter = new RegExp(`^(${Object.keys(UNUSED_PACKAGES).map((n) => n.replace(/[/.]/g, "\\$&")).join("|")})$`);
    b.onResolve({ filter }, (args) => ({ path: args.path, namespace: "unused-package" }));
    b.onLoad({ filter: /.*/, namespace: "unused-package" }, (args) => ({
      loader: "js",
      contents: `const message = ${JSON.stringify(UNUSED_PACKAGES[args.path])};
module.exports = new Proxy({}, { get(_t, key) { if (key === "__esModule") return false; return function unsupported() { throw new Error(message); }; } });`,
    }));
  },
};

async function buildBundle(bundle: BundleEntry): Promise<void> {
  const outfile = path.join(ROOT, "dist", `${bundle.name}.js`);
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: [bundle.entry],
    outfile,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    minify: true,
    sourcemap: false,
    legalComments: "none",
    banner: { js: "#!/usr/bin/env node" },
    plugins: [stubUnusedPackages],
    logLevel: "warning",
    metafile: true,
  });
  chmodSync(outfile, 0o755);
  const inputs = Object.keys(result.metafile.inputs).length;
  const sizeKiB = Math.round(statSync(outfile).size / 1024);
  process.stdout.write(`built dist/${bundle.name}.js: ${sizeKiB} KiB from ${inputs} files\n`);
}

async function main(names: readonly string[]): Promise<void> {
  const unknown = names.filter((n) => !BUNDLES.some((b) => b.name === n));
  if (unknown.length > 0) throw new Error(`unknown bundle(s) ${unknown.join(", ")}; known: ${BUNDLES.map((b) => b.name).join(", ")}`);
  const selected = names.length > 0 ? BUNDLES.filter((b) => names.includes(b.name)) : BUNDLES;
  for (const bundle of selected) await buildBundle(bundle);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`build-bundles: ${(error as Error).message}\n`);
  process.exit(1);
});
