/**
 * The tree's dependency rules. The app (main.ts) → stacks/ → modules/ goes
 * one way and never reaches into the programs it deploys (agent/, janitor/)
 * or the tooling (scripts/). The two programs stand on the shared DNS core
 * (dns/) and CLI toolkit (cli/), never on each other; the core stands on
 * nothing of ours. Imports are read from the source text.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const root = resolve(__dirname, "..", "..");

/** Every .ts file under `dir` (or the file itself). */
function sources(path: string): string[] {
  const full = join(root, path);
  if (!statSync(full).isDirectory()) return [path];
  return readdirSync(full).flatMap((entry) => (entry.endsWith(".ts") || statSync(join(full, entry)).isDirectory() ? sources(join(path, entry)) : []));
}

/** The repository files a source file imports (relative specifiers), as paths from the root. */
function localImports(file: string): string[] {
  const text = readFileSync(join(root, file), "utf8");
  const specifiers = [...text.matchAll(/(?:from|import|require\()\s*["'](\.{1,2}\/[^"']+)["']/g)].map((m) => m[1]);
  return specifiers.map((s) => relative(root, resolve(root, dirname(file), s)));
}

const layers = { app: ["main.ts"], stacks: ["stacks"], modules: ["modules"], config: ["config"], patches: ["patches"] };

test.each(Object.entries(layers))("%s imports nothing from scripts/, agent/, janitor/ or cli/", (_layer, paths) => {
  const offending = paths
    .flatMap(sources)
    .flatMap((file) => localImports(file).map((target) => `${file} -> ${target}`))
    .filter((edge) => /-> (scripts|agent|janitor|cli)\//.test(edge));
  expect(offending).toEqual([]);
});

/** Each program folder, and the folders of ours it must not import. */
const programRules: Record<string, RegExp> = {
  agent: /-> (janitor|scripts|stacks|modules|config)\//,
  janitor: /-> (agent|scripts|stacks|modules|config)\//,
  cli: /-> (agent|janitor|scripts|stacks|modules|config)\//,
  dns: /-> (?!dns\/)/,
};

test.each(Object.entries(programRules))("%s/ stands on the shared core only", (folder, forbidden) => {
  const offending = sources(folder)
    .flatMap((file) => localImports(file).map((target) => `${file} -> ${target}`))
    .filter((edge) => forbidden.test(edge));
  expect(offending).toEqual([]);
});

test("modules/ imports no stack, and stacks/ nothing of the app", () => {
  const edges = [...sources("modules"), ...sources("stacks")].flatMap((file) => localImports(file).map((target) => `${file} -> ${target}`));
  expect(edges.filter((e) => /^modules\/.* -> stacks\//.test(e) || / -> main$/.test(e))).toEqual([]);
});

test("the scanner sees imports (a rule that reads nothing would pass anything)", () => {
  expect(localImports("main.ts")).toEqual(expect.arrayContaining(["stacks/platform", "config/load-config", "patches/cdktf-token-stack-traces"]));
  expect(localImports("modules/dns-janitor.ts")).toContain("dns/gone-instance-states");
  expect(localImports("janitor/handler.ts")).toEqual(expect.arrayContaining(["dns/route53/route53-provider", "cli/logger"]));
});
