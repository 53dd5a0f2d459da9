import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { terraformEnv } from "../../scripts/lib/terraform-env";
import { jsonDocumentOf, resources, type StackJson } from "../helpers/synth";

/**
 * The contract, run literally from the project root as the README
 * says: `npm run synth`, the real cdktf CLI with the TF_VAR_* variables handed
 * on to the app (the CLI strips them: scripts/build/cdktf.js,
 * config/synth-environment.ts).
 */

const projectRoot = resolve(__dirname, "..", "..");
const stackNames = ["dev-network", "dev-discovery", "dev-cluster", "dev-services"];

let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), "cdktf-synth-test-"));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A Jenkins-like environment: no AWS credentials, no stray TF_VAR_*, no jest markers; telemetry off; the mirror's CLI config. */
function jobEnv(vars: Record<string, string>): NodeJS.ProcessEnv {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) => !/^(TF_VAR_|AWS_|JEST_)/.test(name) && !["PLATFORM_CONFIG", "NODE_ENV", "CDKTF_OUTDIR"].includes(name),
    ),
  );
  return { ...terraformEnv(inherited, join(scratch, "tf-cli")), CHECKPOINT_DISABLE: "1", ...vars };
}

function cdktfSynth(vars: Record<string, string>, args: string[] = [], command = ["npm", "run", "--silent", "synth", "--"]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(command[0], [...command.slice(1), ...args], { cwd: projectRoot, env: jobEnv(vars), stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", fail);
    child.on("close", (code) => done({ code, stdout, stderr }));
  });
}

describe("npm run synth", () => {
  test("TF_VAR_container_name=a,b,c TF_VAR_container_port=8000,8001,8002 synthesizes the 4 stacks into cdktf.out/stacks/*/cdk.tf.json, without AWS credentials", async () => {
    // GIVEN
    const started = Date.now() - 1000;
    // WHEN
    const result = await cdktfSynth({ TF_VAR_container_name: "a,b,c", TF_VAR_container_port: "8000,8001,8002" });
    // THEN
    expect({ code: result.code, stderr: result.code === 0 ? "" : result.stderr }).toEqual({ code: 0, stderr: "" });
    for (const name of stackNames) {
      const file = join(projectRoot, "cdktf.out", "stacks", name, "cdk.tf.json");
      expect(existsSync(file)).toBe(true);
      expect(statSync(file).mtimeMs).toBeGreaterThanOrEqual(started);
    }
    // ... and the containers are the ones the TF_VAR_* named (which the CLI withheld from the app)
    const services: StackJson = JSON.parse(readFileSync(join(projectRoot, "cdktf.out", "stacks", "dev-services", "cdk.tf.json"), "utf8"));
    const containers = resources(services, "aws_ecs_task_definition")
      .map((d) => jsonDocumentOf(d.values.container_definitions)[0])
      .map((c: { name: string; portMappings: { containerPort: number }[] }) => [c.name, c.portMappings[0].containerPort])
      .sort();
    expect(containers).toEqual([
      ["a", 8000],
      ["b", 8001],
      ["c", 8002],
    ]);
  }, 180_000);

  test("with a port out of range, exits non-zero, names TF_VAR_container_port and the value, and writes no stack", async () => {
    // GIVEN
    const output = join(scratch, "bad-port-out");
    // WHEN
    const result = await cdktfSynth({ TF_VAR_container_name: "a,b", TF_VAR_container_port: "8000,99999" }, ["--output", output]);
    // THEN
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("TF_VAR_container_port");
    expect(result.stderr).toContain("99999");
    expect(existsSync(join(output, "stacks"))).toBe(false);
  }, 180_000);

  test("with lists of different lengths (the seed wrapped them around), exits non-zero naming the variable and writes no stack", async () => {
    // GIVEN
    const output = join(scratch, "mismatch-out");
    // WHEN
    const result = await cdktfSynth({ TF_VAR_container_name: "a,b,c", TF_VAR_container_port: "8000,8001" }, ["--output", output]);
    // THEN
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('TF_VAR_container_port = "8000,8001"');
    expect(result.stderr).toMatch(/has 2 values but there are 3 containers/);
    expect(existsSync(join(output, "stacks"))).toBe(false);
  }, 180_000);

  test("a plain `npx cdktf synth`, whose app cannot see the TF_VAR_* it was given, refuses and says to use npm run synth, writing no stack", async () => {
    // GIVEN
    const output = join(scratch, "plain-cdktf-out");
    // WHEN
    const result = await cdktfSynth({ TF_VAR_container_name: "a,b", TF_VAR_container_port: "8000,8001" }, ["--output", output], ["npx", "cdktf", "synth"]);
    // THEN
    expect(result.code).not.toBe(0);
    expect(`${result.stdout}${result.stderr}`).toContain("npm run synth");
    expect(existsSync(join(output, "stacks"))).toBe(false);
  }, 180_000);
});
