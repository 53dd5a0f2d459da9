/**
 * The shipped bundles work on their own, as on a clean host: the agent's
 * single file answers --help with nothing else installed (no node_modules,
 * no AWS, no Docker), and the janitor's zip is a Lambda handler.
 */
import { execFile } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { unzipSync } from "fflate";
import { buildBundles, bundlePath, bundleZipPath, writeZip } from "../../scripts/build/bundles";

const run = promisify(execFile);

beforeAll(async () => {
  await buildBundles({ onlyIfStale: true });
}, 120_000);

test("the agent bundle, copied alone to an empty folder, starts and answers --help", async () => {
  // GIVEN dist/agent.js alone, far from node_modules, with an empty environment
  const dir = mkdtempSync(join(tmpdir(), "clean-host-"));
  copyFileSync(bundlePath("agent"), join(dir, "agent.js"));
  // WHEN
  const { stdout } = await run(process.execPath, [join(dir, "agent.js"), "--help"], { cwd: dir, env: { PATH: "/usr/bin:/bin" } });
  // THEN
  expect(stdout).toContain("Usage:");
  for (const flag of ["--zone-id", "--zone-name", "--ttl", "--resync-seconds", "--deregister-on-exit", "--owner"]) expect(stdout).toContain(flag);
});

/** The janitor's zip unpacked alone into an empty folder, as Lambda does. */
function unpackedJanitor(): string {
  const dir = mkdtempSync(join(tmpdir(), "lambda-"));
  const files = unzipSync(readFileSync(bundleZipPath("janitor")));
  expect(Object.keys(files)).toEqual(["index.js"]);
  writeFileSync(join(dir, "index.js"), files["index.js"]);
  return dir;
}

test("the janitor's zip holds the bundle alone, as index.js, which exports the Lambda handler", async () => {
  // GIVEN / WHEN
  const dir = unpackedJanitor();
  // THEN
  expect(readFileSync(join(dir, "index.js")).equals(readFileSync(bundlePath("janitor")))).toBe(true); // a diff of 1.6 MB would take minutes
  const { stdout } = await run(process.execPath, ["-e", "process.stdout.write(typeof require('./index.js').handler)"], { cwd: dir, env: { PATH: "/usr/bin:/bin" } });
  expect(stdout).toBe("function");
});

test("the janitor's zip depends on the code only: zipped again now, its bytes are the same", () => {
  // GIVEN the zip built with the bundle, at some earlier time
  const built = readFileSync(bundleZipPath("janitor"));
  // WHEN the same code is zipped again
  const again = join(mkdtempSync(join(tmpdir(), "zip-")), "janitor.zip");
  writeZip(again, { "index.js": readFileSync(bundlePath("janitor")) });
  // THEN the Lambda's source_code_hash would not change
  expect(readFileSync(again).equals(built)).toBe(true);
});

test("the Lambda handler refuses to run without its zone, naming the variable", async () => {
  const dir = unpackedJanitor();
  const script = "require('./index.js').handler({}).then(() => process.exit(0), (e) => { process.stdout.write(e.message); process.exit(0); })";
  const { stdout } = await run(process.execPath, ["-e", script], { cwd: dir, env: { PATH: "/usr/bin:/bin" } });
  expect(stdout).toContain("ECSDNS_ZONE_ID");
});
