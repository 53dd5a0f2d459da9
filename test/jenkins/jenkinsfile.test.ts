import { readFileSync } from "node:fs";
import { join } from "node:path";
import { knownTfVarNames } from "../../config/load-config";

// Jenkins cannot run here: these checks keep the Jenkinsfile true to the
// platform's variables and to the plan-approve-apply rounds the pipeline
// scripts implement; jenkinsfile-lint.test.ts parses it with npm-groovy-lint,
// and test/deploy/pipeline-lifecycle.test.ts runs the scripts its stages run.
const jenkinsfile = readFileSync(join(__dirname, "..", "..", "Jenkinsfile"), "utf8");
const code = jenkinsfile.replace(/^\s*\/\/.*$/gm, "");
const parameters = [...code.matchAll(/(?:string|booleanParam|choice)\(name: '([a-z_]+)'/g)].map((m) => m[1]);
const namesBlock = /List names = \[([\s\S]*?)\]/.exec(code)?.[1] ?? "";
const passedAsTfVars = [...namesBlock.matchAll(/'([a-z_]+)'/g)].map((m) => m[1]);

/** The [start, end) offsets of every `<keyword> {` block in `text`, braces matched. */
function blocks(text: string, keyword: RegExp): [number, number][] {
  const found: [number, number][] = [];
  for (const match of text.matchAll(new RegExp(`${keyword.source}\\s*\\{`, "g"))) {
    let depth = 0;
    for (let i = match.index! + match[0].length - 1; i < text.length; i++) {
      if (text[i] === "{") depth++;
      if (text[i] === "}" && --depth === 0) {
        found.push([match.index!, i + 1]);
        break;
      }
    }
  }
  return found;
}

test("offers the action (plan, deploy, destroy) and the environment as parameters", () => {
  expect(code).toContain("choice(name: 'action', choices: ['plan', 'deploy', 'destroy']");
  expect(parameters).toContain("environment");
});

test("every other parameter is a platform variable, passed as TF_VAR_<name>", () => {
  const known = knownTfVarNames();
  const platformParameters = parameters.filter((p) => p !== "action" && p !== "environment");
  expect(platformParameters.length).toBeGreaterThan(20);
  for (const name of platformParameters) expect(known).toContain(`TF_VAR_${name}`);
  expect(passedAsTfVars.sort()).toEqual([...platformParameters].sort());
});

test("keeps the seed's container-list parameter names", () => {
  const seed = ["container_name", "container_port", "desired_count", "version_tag", "health_check", "env_key", "env_value", "add_aws_policy", "aws_policy", "registry_url", "namespace", "internal_elb"];
  expect(parameters).toEqual(expect.arrayContaining(seed));
});

test("every shell step is npm ci or one of the project's pipeline scripts", () => {
  const steps = [...code.matchAll(/\bsh\s+(['"])(.*?)\1/g)].map((m) => m[2]);
  expect(steps).toEqual(["npm ci --no-audit --no-fund", "scripts/pipeline/${step}.sh"]);
  expect([...code.matchAll(/runOnAgent\('([a-z]+)'/g)].map((m) => m[1]).sort()).toEqual(["apply", "plan"]);
});

test("holds no agent at the top, and waits for approval outside any node", () => {
  expect(code).toMatch(/pipeline \{\s*agent none/);
  const nodes = blocks(code, /\bnode/);
  expect(nodes.length).toBeGreaterThan(0);
  const inputs = [...code.matchAll(/\binput message:/g)].map((m) => m.index!);
  expect(inputs).toHaveLength(1);
  for (const at of inputs) expect(nodes.filter(([start, end]) => start < at && at < end)).toEqual([]);
});

test("approves between the plan and the apply of each round, and moves the saved plans by stash, not by planning again", () => {
  const plan = code.indexOf("runOnAgent('plan', round)");
  const approve = code.indexOf("input message:");
  const apply = code.indexOf("runOnAgent('apply', round)");
  expect(plan).toBeGreaterThan(0);
  expect(plan).toBeLessThan(approve);
  expect(approve).toBeLessThan(apply);
  expect(code).toMatch(/stash name: 'saved-plans', includes: 'cdktf\.out\/\*\*', excludes: '\*\*\/\.terraform\/\*\*'/);
  expect(code).toContain("unstash 'saved-plans'");
  expect(code).toContain("archiveArtifacts artifacts: 'plans/**'");
  expect(code).toContain("readFile('cdktf.out/next-step')");
});

test("never pipes yes into a command, nor auto-approves", () => {
  expect(code).not.toMatch(/yes\s*\|/);
  expect(code).not.toContain("auto-approve");
});
