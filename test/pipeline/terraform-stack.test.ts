/**
 * The pipeline's Terraform steps (scripts/pipeline/plan.ts, apply.ts) with
 * the real Terraform, on stacks that need no provider download: each holds a
 * `terraform_data` resource and outputs, keeps local state, and the second
 * reads the first's outputs through `terraform_remote_state`, as cdktf's
 * cross-stack references do. What the rounds do on the platform's own stacks
 * against the emulator: test/deploy/pipeline-lifecycle.test.ts.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { applyRound } from "../../scripts/pipeline/apply";
import { planRound } from "../../scripts/pipeline/plan";
import { planStack, stateVersion } from "../../scripts/pipeline/terraform-stack";
import { run } from "../../scripts/lib/run";
import { terraformEnv } from "../../scripts/lib/terraform-env";

jest.setTimeout(120_000);

let outdir: string;
let lines: string[];
const env = terraformEnv();
const log = (line: string) => lines.push(line);
const state = (name: string) => join(outdir, `${name}.tfstate`);
const dir = (name: string) => join(outdir, "stacks", name);

beforeEach(() => {
  outdir = mkdtempSync(join(tmpdir(), "pipeline-rounds-"));
  lines = [];
});
afterEach(() => rmSync(outdir, { recursive: true, force: true }));

/** `upstream` (a resource and an output) and `downstream`, which reads that output; with cdktf's manifest. */
function writeStacks(greeting = "hello"): void {
  const stacks: Record<string, object> = {
    upstream: {
      terraform: { backend: { local: { path: state("upstream") } } },
      resource: { terraform_data: { greeting: { input: greeting } } },
      output: { greeting: { value: "${terraform_data.greeting.output}" } },
    },
    downstream: {
      terraform: { backend: { local: { path: state("downstream") } } },
      data: { terraform_remote_state: { upstream: { backend: "local", config: { path: state("upstream") } } } },
      resource: { terraform_data: { echo: { input: "${data.terraform_remote_state.upstream.outputs.greeting}" } } },
      output: { echo: { value: "${terraform_data.echo.output}" } },
    },
  };
  for (const [name, stack] of Object.entries(stacks)) {
    mkdirSync(dir(name), { recursive: true });
    writeFileSync(join(dir(name), "cdk.tf.json"), JSON.stringify(stack));
  }
  const manifest = {
    stacks: {
      downstream: { dependencies: ["upstream"], workingDirectory: "stacks/downstream" },
      upstream: { dependencies: [], workingDirectory: "stacks/upstream" },
    },
  };
  writeFileSync(join(outdir, "manifest.json"), JSON.stringify(manifest));
}

const summaryOf = (r: { stacks: readonly { name: string; outcome: { kind: string } }[] }) => Object.fromEntries(r.stacks.map((s) => [s.name, s.outcome.kind]));
const echoed = () => JSON.parse(readFileSync(state("downstream"), "utf8")).outputs.echo.value;

test("a fresh pair deploys in two rounds: the downstream stack waits until its upstream is applied, then reads its output", async () => {
  // GIVEN two stacks never applied
  writeStacks();
  // WHEN round 1 is planned
  const first = await planRound({ outdir, env, action: "deploy", log });
  // THEN only the upstream is planned, with its plan and its text saved in its folder
  expect(summaryOf(first)).toEqual({ upstream: "planned", downstream: "waiting" });
  expect(first.next).toBe("approve");
  expect(existsSync(join(dir("upstream"), "plan.tfplan"))).toBe(true);
  expect(readFileSync(join(dir("upstream"), "plan.txt"), "utf8")).toContain("terraform_data.greeting will be created");
  expect(existsSync(join(dir("downstream"), "plan.tfplan"))).toBe(false);
  expect(first.summary).toContain("  downstream: not planned yet: it reads outputs of upstream, not applied yet; it will be planned after it is applied (the next round)");
  expect(readFileSync(join(outdir, "next-step"), "utf8")).toBe("approve\n");
  // WHEN round 1 is applied
  expect(await applyRound({ outdir, env, log })).toEqual({ next: "plan", applied: ["upstream"] });
  // AND round 2 is planned and applied
  const second = await planRound({ outdir, env, action: "deploy", round: 2, log });
  expect(second.stacks.map((s) => s.outcome)).toEqual([
    { kind: "planned", changes: false, outputsChange: false, summary: "no changes" },
    { kind: "planned", changes: true, outputsChange: true, summary: "1 to add, 0 to change, 0 to destroy" },
  ]);
  expect(await applyRound({ outdir, env, log })).toEqual({ next: "done", applied: ["downstream"] });
  // THEN
  expect(echoed()).toBe("hello");
  // AND a third plan finds nothing to do
  expect((await planRound({ outdir, env, action: "deploy", round: 3, log })).next).toBe("nothing-to-apply");
});

test("apply refuses every saved plan, applying nothing, when a stack's state changed since the plan", async () => {
  // GIVEN both stacks deployed, then a change planned in the downstream only
  writeStacks();
  await planRound({ outdir, env, action: "deploy", log });
  await applyRound({ outdir, env, log });
  await planRound({ outdir, env, action: "deploy", round: 2, log });
  await applyRound({ outdir, env, log });
  writeStacks("hello");
  const changed = JSON.parse(readFileSync(join(dir("downstream"), "cdk.tf.json"), "utf8"));
  changed.resource.terraform_data.echo.input = "${data.terraform_remote_state.upstream.outputs.greeting}!";
  writeFileSync(join(dir("downstream"), "cdk.tf.json"), JSON.stringify(changed));
  expect(summaryOf(await planRound({ outdir, env, action: "deploy", round: 3, log }))).toEqual({ upstream: "planned", downstream: "planned" });
  // WHEN someone applies a change to the upstream stack before the approved plans are applied
  writeStacks("bonjour");
  expect((await run("terraform", ["apply", "-auto-approve", "-input=false", "-no-color"], { env, cwd: dir("upstream") })).code).toBe(0);
  lines = [];
  const applied = await applyRound({ outdir, env, log });
  // THEN nothing is applied, and it says why and what to do
  expect(applied).toEqual({ next: "refused", applied: [] });
  expect(lines).toEqual([
    "refusing to apply the saved plans: they are stale, not what was approved",
    expect.stringMatching(/^ {2}upstream: its state changed since the plan \(serial \d+ then, serial \d+ now\)$/),
    "plan again (run the job again) and approve the new plans",
  ]);
  expect(echoed()).toBe("hello");
  expect(readFileSync(join(outdir, "next-step"), "utf8")).toBe("refused\n");
});

test("a saved plan is applied once: applying the round again is refused", async () => {
  writeStacks();
  await planRound({ outdir, env, action: "deploy", log });
  expect((await applyRound({ outdir, env, log })).next).toBe("plan");
  lines = [];
  expect((await applyRound({ outdir, env, log })).next).toBe("refused");
  expect(lines.join("\n")).toMatch(/upstream: its state changed since the plan \(no state then, serial \d+ now\)/);
});

test("destroy plans every deployed stack in one round, applies in reverse order, and says when nothing is deployed", async () => {
  // GIVEN both stacks deployed
  writeStacks();
  await planRound({ outdir, env, action: "deploy", log });
  await applyRound({ outdir, env, log });
  await planRound({ outdir, env, action: "deploy", round: 2, log });
  await applyRound({ outdir, env, log });
  // WHEN
  const destroy = await planRound({ outdir, env, action: "destroy", log });
  // THEN its own destroy plan, for approval
  expect(destroy.stacks.map((s) => [s.name, s.outcome.kind === "planned" && s.outcome.summary])).toEqual([
    ["downstream", "0 to add, 0 to change, 1 to destroy"],
    ["upstream", "0 to add, 0 to change, 1 to destroy"],
  ]);
  expect(readFileSync(join(dir("upstream"), "plan.txt"), "utf8")).toContain("terraform_data.greeting will be destroyed");
  expect(await applyRound({ outdir, env, log })).toEqual({ next: "done", applied: ["downstream", "upstream"] });
  expect(await stateVersion({ name: "upstream", dir: dir("upstream"), env })).toMatchObject({ serial: expect.any(Number) });
  // AND a second destroy finds nothing
  const again = await planRound({ outdir, env, action: "destroy", log });
  expect(summaryOf(again)).toEqual({ downstream: "nothing-to-destroy", upstream: "nothing-to-destroy" });
  expect(again.next).toBe("nothing-to-apply");
});

test("planStack initializes again when the backend changed since the folder was initialized", async () => {
  // GIVEN a folder initialized for one state file, whose stack now names another
  writeStacks();
  const upstream = { name: "upstream", dir: dir("upstream"), env };
  expect((await planStack(upstream)).code).toBe(2);
  const stack = JSON.parse(readFileSync(join(dir("upstream"), "cdk.tf.json"), "utf8"));
  stack.terraform.backend.local.path = join(outdir, "elsewhere.tfstate");
  writeFileSync(join(dir("upstream"), "cdk.tf.json"), JSON.stringify(stack));
  // WHEN
  const result = await planStack(upstream);
  // THEN: not Terraform's "Backend initialization required" failure (exit 1)
  expect(result.code).toBe(2);
  expect(result.output).toContain("Changes to Outputs");
});
