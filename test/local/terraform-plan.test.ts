/**
 * local:plan's `terraform plan` of one stack (scripts/local/local.ts), on a
 * stack that needs no provider: a local backend and one output.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { terraformEnv } from "../../scripts/lib/terraform-env";
import { terraformPlan } from "../../scripts/local/local";

let planOutdir: string;
beforeEach(() => {
  planOutdir = mkdtempSync(join(tmpdir(), "terraform-plan-test-"));
});
afterEach(() => rmSync(planOutdir, { recursive: true, force: true }));

/** Write stack `name` as cdktf would: `stacks/<name>/cdk.tf.json`, state in `statePath`. */
function writeStack(name: string, statePath: string): void {
  const dir = join(planOutdir, "stacks", name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, "cdk.tf.json"),
    JSON.stringify({ terraform: { backend: { local: { path: statePath } } }, output: { greeting: { value: "hello" } } }),
  );
}

test("initializes a new stack folder, then plans: exit 2 for changes", async () => {
  // GIVEN
  writeStack("dev-network", join(planOutdir, "a.tfstate"));
  // WHEN
  const result = await terraformPlan({ planOutdir, env: terraformEnv() }, "dev-network");
  // THEN
  expect(result.code).toBe(2);
  expect(result.output).toContain("Changes to Outputs");
}, 60_000);

test("when the backend changed since the folder was initialized, initializes it again and plans", async () => {
  // GIVEN: a folder initialized for one state file, whose stack now names another
  writeStack("dev-network", join(planOutdir, "a.tfstate"));
  expect((await terraformPlan({ planOutdir, env: terraformEnv() }, "dev-network")).code).toBe(2);
  writeStack("dev-network", join(planOutdir, "b.tfstate"));
  // WHEN
  const result = await terraformPlan({ planOutdir, env: terraformEnv() }, "dev-network");
  // THEN: not Terraform's "Backend initialization required" failure (exit 1)
  expect(result.code).toBe(2);
  expect(result.output).toContain("Changes to Outputs");
}, 60_000);
