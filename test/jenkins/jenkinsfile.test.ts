import { readFileSync } from "node:fs";
import { join } from "node:path";
import { knownTfVarNames } from "../../config/load-config";

// Jenkins cannot run here; these checks keep the Jenkinsfile true to the
// platform's variables and to the review-then-apply flow the issue asks for.
const jenkinsfile = readFileSync(join(__dirname, "..", "..", "Jenkinsfile"), "utf8");
const parameters = [...jenkinsfile.matchAll(/(?:string|booleanParam|choice)\(name: '([a-z_]+)'/g)].map((m) => m[1]);
const namesBlock = /def names = \[([\s\S]*?)\]/.exec(jenkinsfile)?.[1] ?? "";
const passedAsTfVars = [...namesBlock.matchAll(/'([a-z_]+)'/g)].map((m) => m[1]);
const code = jenkinsfile.replace(/^\s*\/\/.*$/gm, "");

test("offers the action (plan, deploy, destroy) and the environment as parameters", () => {
  expect(jenkinsfile).toContain("choice(name: 'action', choices: ['plan', 'deploy', 'destroy']");
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

test("plans, archives the plan, and applies only after approval, from the same synthesized code", () => {
  expect(jenkinsfile).toMatch(/cdktf diff "\$stack" --skip-synth/);
  expect(jenkinsfile).toContain("archiveArtifacts artifacts: 'plan/*.txt'");
  expect(jenkinsfile).toMatch(/stage\('Approve'\)[\s\S]*input message/);
  expect(jenkinsfile).toMatch(/cdktf deploy \$stacks --skip-synth [^\n]*--auto-approve/);
  expect(jenkinsfile).toMatch(/cdktf destroy \$stacks --skip-synth [^\n]*--auto-approve/);
  expect(jenkinsfile.indexOf("stage('Approve')")).toBeLessThan(jenkinsfile.indexOf("stage('Deploy')"));
});

test("never pipes yes into a command", () => {
  expect(code).not.toMatch(/yes\s*\|/);
  expect(code).toContain("--auto-approve");
});
