import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Fn, TerraformLocal, TerraformOutput, Token } from "cdktf";
import type { Construct } from "constructs";
import { jsonDocument } from "../../modules/json-document";
import { terraformEnv } from "../../scripts/lib/terraform-env";
import { jsonDocumentOf, synthConstruct } from "../helpers/synth";

/** The document as synthesized: built in a stack, read back from an output. */
const synthesized = (build: (scope: Construct) => string) =>
  synthConstruct((scope) => new TerraformOutput(scope, "doc", { value: build(scope) }));

/** What Terraform itself makes of the synthesized stack: `terraform apply` (no provider needed), then the output. */
function appliedByTerraform(stackJson: object): unknown {
  const dir = mkdtempSync(join(tmpdir(), "json-document-"));
  try {
    const { terraform: _ignored, ...withoutBackend } = stackJson as Record<string, unknown>;
    writeFileSync(join(dir, "main.tf.json"), JSON.stringify(withoutBackend));
    const env = terraformEnv();
    const tf = (...args: string[]) => execFileSync("terraform", args, { cwd: dir, env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    tf("init", "-input=false", "-no-color");
    tf("apply", "-auto-approve", "-input=false", "-no-color");
    return JSON.parse(JSON.parse(tf("output", "-json", "doc")));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("jsonDocument", () => {
  test("writes references as interpolations inside the JSON text", () => {
    // GIVEN / WHEN
    const stack = synthesized((scope) => jsonDocument({ Resource: [new TerraformLocal(scope, "arn", "arn:aws:s3:::b").asString], Version: 1 }));
    // THEN
    expect(jsonDocumentOf(stack.output?.doc.value)).toEqual({ Resource: ["${local.arn}"], Version: 1 });
  });

  test("Terraform renders the references, and literal ${ and %{ arrive unchanged", () => {
    // GIVEN: an environment-like document mixing literals that look like templates with references
    const stack = synthesized((scope) => {
      const region = new TerraformLocal(scope, "region", "eu-west-1").asString;
      return jsonDocument([
        { name: "HOME_DIR", value: "${HOME}/data" },
        { name: "DIRECTIVE", value: "%{if x}y%{endif}" },
        { name: "MIXED", value: `${region}:\${NOT_A_REFERENCE}` },
        { name: "QUOTES", value: 'say "hi" \\ bye' },
      ]);
    });
    // WHEN
    const applied = appliedByTerraform(stack);
    // THEN
    expect(applied).toEqual([
      { name: "HOME_DIR", value: "${HOME}/data" },
      { name: "DIRECTIVE", value: "%{if x}y%{endif}" },
      { name: "MIXED", value: "eu-west-1:${NOT_A_REFERENCE}" },
      { name: "QUOTES", value: 'say "hi" \\ bye' },
    ]);
  }, 60_000);

  test("refuses a number, list or map reference, naming the key", () => {
    // GIVEN
    const numberRef = Fn.lengthOf(["a"]);
    const listRef = Token.asList(Fn.split(",", "a,b"));
    const mapRef = Token.asStringMap(Fn.tomap({ a: "b" }));
    // WHEN / THEN
    expect(() => jsonDocument({ cpu: numberRef })).toThrow(/"cpu" is a number, list or map reference/);
    expect(() => jsonDocument({ Resource: listRef })).toThrow(/"0" is a number, list or map reference/);
    expect(() => jsonDocument({ tags: mapRef })).toThrow(/"tags" is a number, list or map reference/);
  });
});
