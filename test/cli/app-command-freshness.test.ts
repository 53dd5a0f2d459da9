/**
 * The cdktf app command (scripts/build/app.js) rebuilds `.gen/app.js`, like
 * the shipped bundles, only when a file it was built from changed:
 * `isOutputStale` over the inputs esbuild recorded.
 * Shown here on files in a temporary folder, with set times.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isOutputStale, writeInputsList } from "../../scripts/build/bundles";

let root: string;
const outfile = () => join(root, ".gen", "app.js");
const at = (file: string, secondsAgo: number) => {
  const time = new Date(Date.now() - secondsAgo * 1000);
  utimesSync(join(root, file), time, time);
};

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "app-freshness-"));
  mkdirSync(join(root, ".gen"));
  mkdirSync(join(root, "stacks"));
  for (const file of ["main.ts", "stacks/network.ts", "package-lock.json"]) writeFileSync(join(root, file), "x");
  writeFileSync(outfile(), "built");
  // esbuild's metafile names what it read, relative to its working directory; "<stdin>"-like names are not files.
  writeInputsList(outfile(), { inputs: { "main.ts": {}, "stacks/network.ts": {}, "ns:virtual": {} } });
  for (const file of ["main.ts", "stacks/network.ts", "package-lock.json"]) at(file, 60);
  at(".gen/app.js", 30);
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

test("a bundle newer than every input is fresh", () => {
  expect(isOutputStale(outfile(), ["package-lock.json"], root)).toBe(false);
});

test("an input changed after the build makes it stale", () => {
  at("stacks/network.ts", 10);
  expect(isOutputStale(outfile(), ["package-lock.json"], root)).toBe(true);
});

test("a changed file named in alsoDependsOn makes it stale", () => {
  at("package-lock.json", 10);
  expect(isOutputStale(outfile(), ["package-lock.json"], root)).toBe(true);
});

test("a deleted input makes it stale", () => {
  rmSync(join(root, "stacks/network.ts"));
  expect(isOutputStale(outfile(), [], root)).toBe(true);
});

test("without the inputs list (an older build, or one that stopped half way) it is stale", () => {
  rmSync(`${outfile()}.inputs.json`);
  expect(isOutputStale(outfile(), [], root)).toBe(true);
});

test("without the bundle it is stale", () => {
  rmSync(outfile());
  expect(isOutputStale(outfile(), [], root)).toBe(true);
});

test("files under node_modules are recorded as npm's install record, which a new install makes newer", () => {
  // GIVEN: a build that read two files of installed packages
  mkdirSync(join(root, "node_modules", "cdktf"), { recursive: true });
  writeFileSync(join(root, "node_modules", ".package-lock.json"), "{}");
  at("node_modules/.package-lock.json", 60);
  writeInputsList(outfile(), { inputs: { "main.ts": {}, "node_modules/cdktf/index.js": {}, "node_modules/zod/index.js": {} } });
  at(".gen/app.js", 30);
  // WHEN / THEN
  expect(JSON.parse(readFileSync(`${outfile()}.inputs.json`, "utf8"))).toEqual(["main.ts", "node_modules/.package-lock.json"]);
  expect(isOutputStale(outfile(), [], root)).toBe(false);
  at("node_modules/.package-lock.json", 10); // npm ci or npm install
  expect(isOutputStale(outfile(), [], root)).toBe(true);
});
