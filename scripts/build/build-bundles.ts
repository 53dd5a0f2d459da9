/**
 * Builds the single-file bundles of scripts/build/bundles.js: `dist/agent.js` (the
 * host agent, executable) and `dist/janitor/index.js` with `dist/janitor.zip` (the janitor Lambda).
 *
 *   npm run build:agent                      builds every bundle
 *   tsx scripts/build/build-bundles.ts agent builds the named bundles only
 *
 * `cdktf synth` builds the stale ones itself (scripts/build/app.js).
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { buildBundles } = require("./bundles.js") as {
  buildBundles(options: { names?: readonly string[]; log?: (line: string) => void }): Promise<string[]>;
};

buildBundles({ names: process.argv.slice(2), log: (line) => process.stdout.write(`${line}\n`) }).catch((error: unknown) => {
  process.stderr.write(`build-bundles: ${(error as Error).message}\n`);
  process.exit(1);
});
