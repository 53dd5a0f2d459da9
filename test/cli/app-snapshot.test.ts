/**
 * The app command (cdktf.json: `sh scripts/cdktf-app.sh`) runs the app from
 * a V8 startup snapshot, .gen/app.blob (scripts/app-snapshot.js). These tests
 * run it for real in this checkout: the snapshot must synthesize exactly what
 * the app does without it, and must never run when it is out of date.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { APP_SNAPSHOT, STALE_EXIT_CODE } from "../../scripts/app-snapshot";

const projectRoot = resolve(__dirname, "..", "..");
const appCommand = ["sh", join(projectRoot, "scripts", "cdktf-app.sh")];
// A literal ${...} in an environment value: it must survive every path.
const containers = {
  TF_VAR_container_name: "web,api,admin",
  TF_VAR_container_port: "8080,8081,8082",
  TF_VAR_env_key: "HOME_DIR",
  TF_VAR_env_value: "${HOME}/data",
};

let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), "app-snapshot-test-"));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Environment of a synth run writing to a fresh folder (CDKTF_OUTDIR, as the CLI sets it), without stray TF_VAR_* or PLATFORM_*. */
function runEnv(extra: Record<string, string> = {}): { env: NodeJS.ProcessEnv; outdir: string } {
  const outdir = mkdtempSync(join(scratch, "out-"));
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(TF_VAR_|PLATFORM_|NODE_OPTIONS$)/.test(name)));
  return { env: { ...inherited, ...containers, CDKTF_OUTDIR: outdir, ...extra }, outdir };
}

function run(command: string[], extra: Record<string, string> = {}, cwd = projectRoot) {
  const { env, outdir } = runEnv(extra);
  const result = spawnSync(command[0], command.slice(1), { cwd, env, encoding: "utf8" });
  return { status: result.status, stderr: result.stderr, outdir };
}

/** Every file under `dir`, by relative path. */
function tree(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (d: string) =>
    readdirSync(d, { withFileTypes: true }).forEach((e) => (e.isDirectory() ? walk(join(d, e.name)) : (files[relative(dir, join(d, e.name))] = readFileSync(join(d, e.name), "utf8"))));
  walk(dir);
  return files;
}

/** The app command, run until it leaves a fresh snapshot (the first run may build one). */
function ensureSnapshot(): void {
  const first = run(appCommand);
  expect({ status: first.status, stderr: first.status === 0 ? "" : first.stderr }).toEqual({ status: 0, stderr: "" });
}

const snapshotMtime = () => statSync(APP_SNAPSHOT).mtimeMs;

test("the snapshot synthesizes byte for byte what the app writes without it", () => {
  // GIVEN
  ensureSnapshot();
  // WHEN
  const fromSnapshot = run(["node", "--snapshot-blob", APP_SNAPSHOT]);
  const withoutSnapshot = run(appCommand, { PLATFORM_APP_SNAPSHOT: "off" });
  // THEN
  expect([fromSnapshot.status, withoutSnapshot.status]).toEqual([0, 0]);
  const files = tree(fromSnapshot.outdir);
  expect(Object.keys(files)).toContain(join("stacks", "dev-services", "cdk.tf.json"));
  expect(files).toEqual(tree(withoutSnapshot.outdir));
  expect(files[join("stacks", "dev-services", "cdk.tf.json")]).toContain("$${HOME}/data");
}, 120_000);

test("the snapshot uses the working directory it runs in, not the one it was built in", () => {
  // GIVEN: cdktf's local backend keeps state in the working directory
  ensureSnapshot();
  const elsewhere = mkdtempSync(join(scratch, "cwd-"));
  // WHEN
  const result = run(["node", "--snapshot-blob", APP_SNAPSHOT], {}, elsewhere);
  // THEN
  expect(result.status).toBe(0);
  const network = JSON.parse(readFileSync(join(result.outdir, "stacks", "dev-network", "cdk.tf.json"), "utf8"));
  expect(network.terraform.backend.local.path).toBe(join(elsewhere, "terraform.dev-network.tfstate"));
}, 120_000);

test("a snapshot older than its code refuses to run, and the app command builds it again", () => {
  // GIVEN: a source file the app is built from changes after the snapshot was built
  ensureSnapshot();
  const builtAt = snapshotMtime();
  const source = join(projectRoot, "stacks", "platform.ts");
  const now = new Date();
  utimesSync(source, now, now);
  // WHEN
  const stale = run(["node", "--snapshot-blob", APP_SNAPSHOT]);
  const appCommandRun = run(appCommand);
  // THEN
  expect(stale.status).toBe(STALE_EXIT_CODE);
  expect(tree(stale.outdir)).toEqual({}); // nothing written
  expect(appCommandRun.status).toBe(0);
  expect(snapshotMtime()).toBeGreaterThan(builtAt);
  expect(Object.keys(tree(appCommandRun.outdir))).toContain(join("stacks", "dev-services", "cdk.tf.json"));
}, 120_000);

test("a snapshot copied out of its checkout refuses to run", () => {
  // GIVEN
  ensureSnapshot();
  const copy = join(scratch, "app.blob");
  copyFileSync(APP_SNAPSHOT, copy);
  // WHEN
  const result = run(["node", "--snapshot-blob", copy]);
  // THEN
  expect(result.status).toBe(STALE_EXIT_CODE);
  expect(tree(result.outdir)).toEqual({});
}, 120_000);

test("a snapshot node cannot load (other V8 flags) is built again for the node that runs it", () => {
  // GIVEN: a snapshot built without extra V8 flags
  ensureSnapshot();
  const builtAt = snapshotMtime();
  // WHEN: NODE_OPTIONS changes a V8 flag, which node refuses the snapshot for (exit status 14)
  const result = run(appCommand, { NODE_OPTIONS: "--max-semi-space-size=32" });
  // THEN
  expect({ status: result.status, stderr: result.status === 0 ? "" : result.stderr }).toEqual({ status: 0, stderr: "" });
  expect(result.stderr).toContain("Failed to load the startup snapshot"); // node's words
  expect(result.stderr).toContain(".gen/app.blob was built by another node or with other V8 flags; building it again");
  expect(snapshotMtime()).toBeGreaterThan(builtAt);
  expect(Object.keys(tree(result.outdir))).toContain(join("stacks", "dev-services", "cdk.tf.json"));
  // ... and back: the next plain run builds it for plain node again
  ensureSnapshot();
}, 120_000);

test("PLATFORM_APP_SNAPSHOT other than on or off is refused, by name", () => {
  // GIVEN / WHEN
  const viaShell = run(appCommand, { PLATFORM_APP_SNAPSHOT: "disabled" });
  const viaNode = run(["node", join(projectRoot, "scripts", "cdktf-app.js")], { PLATFORM_APP_SNAPSHOT: "disabled" });
  // THEN
  for (const result of [viaShell, viaNode]) {
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain("PLATFORM_APP_SNAPSHOT=disabled: expected on or off");
    expect(tree(result.outdir)).toEqual({});
  }
}, 120_000);
