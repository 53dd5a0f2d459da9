/**
 * `npm run bench:synth`: what synthesizing the platform costs, for 1, 10, 50
 * and 100 containers. Writes bench/results/synth.md (the table) and
 * bench/results/synth.json (every sample).
 *
 * - app only: `node scripts/build/app.js` (the cdktf.json app command: the
 *   app bundled by esbuild, built before measuring), wall time, peak RSS
 *   (VmHWM, read by a script every node process preloads, in a second run)
 *   and the size of the JSON it writes;
 * - whole synth as `npm run synth` runs it (`node scripts/build/cdktf.js
 *   synth`, without npm's own start), against the CLI's own floor: the same
 *   CLI synthesizing an app with one empty stack;
 * - with BENCH_BEFORE=<another checkout> (e.g. a `git worktree` of an earlier
 *   commit, its node_modules linked to this one's): that checkout's whole
 *   `cdktf synth`, in turn with this one's, for a before/after;
 * - the app command's alternatives at 50 containers, run in turn: tsx and ts-node.
 *
 * BENCH_RUNS sets the runs per figure (default 5; 3 for whole-CLI figures).
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { handOnTfVars } from "../../scripts/build/cdktf";
import { terraformEnv } from "../../scripts/lib/terraform-env";
import { formatMs, markdownTable, median, medianPairedRatio } from "../lib/stats";

const root = resolve(__dirname, "..", "..");
const SIZES = [1, 10, 50, 100];
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const CLI_RUNS = Math.max(3, Math.ceil(RUNS / 2));
const TARGET = { containers: 50, appSeconds: 0.6, appMiB: 150, cliOverFloor: 1.2 };

interface Sample {
  readonly ms: number;
  readonly peakMiB?: number;
}

function containersEnv(count: number): Record<string, string> {
  const names = Array.from({ length: count }, (_, i) => `svc${String(i).padStart(3, "0")}`);
  return { TF_VAR_container_name: names.join(","), TF_VAR_container_port: names.map((_, i) => 8000 + i).join(",") };
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv, cwd = root): Sample {
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, { cwd, env, encoding: "utf8" });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(" ")} failed (${result.status}):\n${result.stderr}\n${result.stdout}`);
  }
  // Every process that preloads the reporter prints its peak (tsx runs the app in a child): the largest counts.
  const peaks = [...result.stderr.matchAll(/PEAK_RSS_KIB=(\d+)/g)].map((m) => Number(m[1]));
  return { ms, peakMiB: peaks.length > 0 ? Math.max(...peaks) / 1024 : undefined };
}

function repeat(times: number, measure: () => Sample): Sample[] {
  return Array.from({ length: times }, measure);
}

function jsonBytes(outdir: string): number {
  const stacks = join(outdir, "stacks");
  return readdirSync(stacks).reduce((sum, stack) => sum + statSync(join(stacks, stack, "cdk.tf.json")).size, 0);
}

const baseEnv = terraformEnv({ ...process.env, AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined });
const preload = join(root, "bench", "synth", "report-peak-rss.js");
const cdktf = join(root, "node_modules", ".bin", "cdktf");
const scratch = mkdtempSync(join(tmpdir(), "bench-synth-"));

/** The cdktf.json app command. */
const APP = { command: process.execPath, args: ["scripts/build/app.js"] };
/** `npm run synth` without npm's own start: the cdktf CLI with the TF_VAR_* handed on. */
const SYNTH = { command: process.execPath, args: [join(root, "scripts", "build", "cdktf.js"), "synth"] };
const BEFORE = process.env.BENCH_BEFORE;
/** How the report names the other checkout: its commit, when it is a git checkout. */
const BEFORE_NAME = BEFORE ? (spawnSync("git", ["-C", BEFORE, "rev-parse", "--short", "HEAD"], { encoding: "utf8" }).stdout.trim() || BEFORE) : undefined;
const preloaded = (env: NodeJS.ProcessEnv): NodeJS.ProcessEnv => ({ ...env, NODE_OPTIONS: `-r ${preload}` });

/**
 * One sample: the wall time of a plain run, and the peak RSS of a second run
 * in which every node process preloads the reporter. The preload stays out of
 * the timed run: loading a file costs a node started from a snapshot ~80 ms.
 */
function measure(command: string, args: string[], env: NodeJS.ProcessEnv): Sample {
  const timed = run(command, args, env);
  return { ms: timed.ms, peakMiB: run(command, args, preloaded(env)).peakMiB };
}

/** App only: the cdktf.json app command, as cdktf runs it (CDKTF_OUTDIR set). */
function appOnly(count: number): { samples: Sample[]; bytes: number } {
  let bytes = 0;
  const samples = repeat(RUNS, () => {
    const outdir = mkdtempSync(join(scratch, "app-"));
    const sample = measure(APP.command, APP.args, { ...handOnTfVars({ ...baseEnv, ...containersEnv(count) }), CDKTF_OUTDIR: outdir });
    bytes = jsonBytes(outdir);
    return sample;
  });
  return { samples, bytes };
}

/**
 * Whole `cdktf synth` for each size, and the CLI's floor: the same CLI
 * synthesizing one empty stack. Each size's run follows a floor run, so a
 * machine that slows down for a while slows both. The ratio to the floor is
 * the median of each run's ratio to the floor run just before it.
 */
function wholeSynthAndFloor(sizes: readonly number[]): { count: number; samples: Sample[]; floors: Sample[]; before: Sample[] }[] {
  const dir = join(root, ".gen", "bench-empty-app");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "cdktf.json"), JSON.stringify({ language: "typescript", app: "node empty-app.js", terraformProviders: [], sendCrashReports: "false" }));
  writeFileSync(join(dir, "empty-app.js"), 'const { App, TerraformStack } = require("cdktf");\nconst app = new App();\nnew TerraformStack(app, "empty");\napp.synth();\n');
  const cli = sizes.map((count) => ({ count, samples: [] as Sample[], floors: [] as Sample[], before: [] as Sample[] }));
  for (let i = 0; i < CLI_RUNS; i++) {
    for (const size of cli) {
      size.floors.push(run(cdktf, ["synth", "--output", mkdtempSync(join(scratch, "floor-"))], baseEnv, dir));
      size.samples.push(run(SYNTH.command, [...SYNTH.args, "--output", mkdtempSync(join(scratch, "cli-"))], { ...baseEnv, ...containersEnv(size.count) }));
      if (BEFORE) size.before.push(run(join(BEFORE, "node_modules", ".bin", "cdktf"), ["synth", "--output", mkdtempSync(join(scratch, "before-"))], { ...baseEnv, ...containersEnv(size.count) }, BEFORE));
    }
  }
  return cli;
}

/** The app command's alternatives, each run in turn so that a slow spell of the machine slows them all. */
function appCommands(count: number): { name: string; samples: Sample[] }[] {
  const node = process.execPath;
  const variants: { name: string; command: string; args: string[]; env?: NodeJS.ProcessEnv }[] = [
    { name: "node scripts/build/app.js (cdktf.json: the app bundled by esbuild)", command: APP.command, args: APP.args },
    { name: "tsx main.ts", command: node, args: [join(root, "node_modules", "tsx", "dist", "cli.mjs"), "main.ts"] },
    { name: "ts-node --transpile-only main.ts", command: node, args: [join(root, "node_modules", "ts-node", "dist", "bin.js"), "--transpile-only", "main.ts"] },
    { name: "ts-node main.ts (the cdktf template; type-checks)", command: node, args: [join(root, "node_modules", "ts-node", "dist", "bin.js"), "main.ts"] },
  ];
  const samples = variants.map(() => [] as Sample[]);
  for (let i = 0; i < RUNS; i++) {
    variants.forEach(({ command, args, env }, v) => {
      const outdir = mkdtempSync(join(scratch, "variant-"));
      samples[v].push(measure(command, args, { ...handOnTfVars({ ...baseEnv, ...containersEnv(count) }), ...env, CDKTF_OUTDIR: outdir }));
    });
  }
  return variants.map(({ name }, v) => ({ name, samples: samples[v] }));
}

/** The provider binding's barrel import against the deep imports the stacks use (one file each). */
function providerImports(): { name: string; samples: Sample[] }[] {
  const sources = ["modules", "stacks"].flatMap((dir) => readdirSync(join(root, dir)).map((file) => join(root, dir, file)));
  const deep = sources.flatMap((file) => [...readFileSync(file, "utf8").matchAll(/from "(@cdktf\/provider-aws\/lib\/[a-z0-9-]+)"/g)].map((m) => m[1]));
  const modules = [...new Set(deep)];
  const variants = [
    { name: `deep imports of the ${modules.length} modules the stacks use`, code: modules.map((m) => `require(${JSON.stringify(m)});`).join("") },
    { name: "the barrel import (require(\"@cdktf/provider-aws\"))", code: 'require("@cdktf/provider-aws");' },
  ];
  return variants.map(({ name, code }) => ({
    name,
    samples: repeat(Math.min(RUNS, 3), () => run(process.execPath, ["-r", preload, "-e", code], baseEnv)),
  }));
}

function main(): void {
  const medianMs = (s: Sample[]) => median(s.map((x) => x.ms));
  const medianMiB = (s: Sample[]) => median(s.map((x) => x.peakMiB ?? NaN));

  run(APP.command, [...APP.args, "--build-only"], baseEnv); // builds what is stale
  const app = SIZES.map((count) => ({ count, ...appOnly(count) }));
  const cli = wholeSynthAndFloor(SIZES);
  const variants = appCommands(TARGET.containers);
  const imports = providerImports();
  const floorMs = medianMs(cli.flatMap((c) => c.floors));
  const overFloor = (c: (typeof cli)[number]) => medianPairedRatio(c.samples.map((x) => x.ms), c.floors.map((x) => x.ms));

  const at50 = app.find((a) => a.count === TARGET.containers)!;
  const cliAt50 = cli.find((c) => c.count === TARGET.containers)!;
  const verdict = (ok: boolean) => (ok ? "met" : "**missed**");
  const lines = [
    "# Synth benchmark (P1)",
    "",
    `Machine: ${cpus().length} × ${cpus()[0]?.model ?? "unknown CPU"}, Node ${process.version}. ` +
      `Medians of ${RUNS} runs (${CLI_RUNS} for whole-CLI figures; the CLI floor's ${CLI_RUNS * SIZES.length} runs alternate with them), measured in one run of \`npm run bench:synth\`.`,
    "",
    "## App only (`node scripts/build/app.js`, the cdktf.json app command) and whole synth (`npm run synth`)",
    "",
    markdownTable(
      ["containers", "app time", "app peak RSS", "JSON size", "whole synth", "÷ CLI floor", ...(BEFORE ? ["before: whole `cdktf synth`", "before ÷ CLI floor", "now − before"] : [])],
      app.map((a, i) => [
        a.count,
        formatMs(medianMs(a.samples)),
        `${medianMiB(a.samples).toFixed(0)} MiB`,
        `${(a.bytes / 1024).toFixed(0)} KiB`,
        formatMs(medianMs(cli[i].samples)),
        overFloor(cli[i]).toFixed(2),
        ...(BEFORE
          ? [
              formatMs(medianMs(cli[i].before)),
              medianPairedRatio(cli[i].before.map((x) => x.ms), cli[i].floors.map((x) => x.ms)).toFixed(2),
              formatMs(median(cli[i].samples.map((x, r) => x.ms - cli[i].before[r].ms))),
            ]
          : []),
      ]),
    ),
    "",
    `CLI floor (the same CLI, one empty stack): ${formatMs(floorMs)}. ÷ CLI floor: the median of each run's ratio to the floor run just before it.` +
      (BEFORE ? ` Before: \`cdktf synth\` of ${BEFORE_NAME}, run in turn with this checkout's; now − before: the median of the paired differences.` : ""),
    "",
    "## Targets at 50 containers",
    "",
    markdownTable(
      ["figure", "target", "measured", ""],
      [
        ["app time", `≤ ${TARGET.appSeconds} s`, formatMs(medianMs(at50.samples)), verdict(medianMs(at50.samples) <= TARGET.appSeconds * 1000)],
        ["app peak RSS", `≤ ${TARGET.appMiB} MiB`, `${medianMiB(at50.samples).toFixed(0)} MiB`, verdict(medianMiB(at50.samples) <= TARGET.appMiB)],
        [
          "whole `cdktf synth` ÷ CLI floor",
          `≤ ${TARGET.cliOverFloor}`,
          overFloor(cliAt50).toFixed(2),
          verdict(overFloor(cliAt50) <= TARGET.cliOverFloor),
        ],
      ],
    ),
    "",
    "## The app command, 50 containers",
    "",
    markdownTable(
      ["app command", "time", "peak RSS", "vs cdktf.json's"],
      variants.map((v) => [
        v.name,
        formatMs(medianMs(v.samples)),
        `${medianMiB(v.samples).toFixed(0)} MiB`,
        `${medianPairedRatio(v.samples.map((x) => x.ms), variants[0].samples.map((x) => x.ms)).toFixed(2)}×`,
      ]),
    ),
    "",
    "vs cdktf.json's: the median of each run's ratio to the cdktf.json command's run in the same round.",
    "",
    "## Loading the aws provider binding",
    "",
    markdownTable(
      ["import", "time", "peak RSS"],
      imports.map((v) => [v.name, formatMs(medianMs(v.samples)), `${medianMiB(v.samples).toFixed(0)} MiB`]),
    ),
    "",
  ];
  const results = join(root, "bench", "results");
  mkdirSync(results, { recursive: true });
  writeFileSync(join(results, "synth.md"), lines.join("\n"));
  writeFileSync(
    join(results, "synth.json"),
    JSON.stringify({ runs: RUNS, app, cli, variants: variants.map((v) => ({ name: v.name, samples: v.samples })), imports }, null, 2),
  );
  rmSync(scratch, { recursive: true, force: true });
  process.stdout.write(lines.join("\n"));
}

main();
