/**
 * Values of a synthesized stack as Terraform itself renders them, for tests
 * that run what a host receives (the instances' user data): `terraform plan`
 * of the stack folder cdktf wrote, and the planned output from `terraform
 * show -json`. Terraform does the rendering (its string escapes such as
 * `$${X}` → `${X}`, its functions, every interpolation), not a look-alike.
 *
 * What only an apply would know (a bucket name AWS derives from its prefix)
 * is given in an override file (Terraform's `*_override.tf.json`, merged into
 * the configuration), with the provider set to make no AWS call while it plans.
 * The provider comes from the machine's mirror when TF_PROVIDER_MIRROR is set.
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { terraformEnv } from "../../scripts/lib/terraform-env";

/** An override of the stack's configuration (the JSON form of a Terraform override file). */
export type TerraformOverride = Record<string, unknown>;

/** Settings that keep the aws provider from calling AWS while it plans. */
export const OFFLINE_AWS_PROVIDER = {
  access_key: "test",
  secret_key: "test",
  skip_credentials_validation: true,
  skip_requesting_account_id: true,
  skip_metadata_api_check: true,
  skip_region_validation: true,
} as const;

/**
 * The planned values of the outputs of the stack in `stackDir` (a folder with
 * cdktf's `cdk.tf.json`), with `override` merged into its configuration.
 *
 * @throws Error when an output is not known at plan time (override what makes it unknown).
 */
export function plannedOutputs(stackDir: string, override: TerraformOverride): Record<string, unknown> {
  writeFileSync(join(stackDir, "render_override.tf.json"), JSON.stringify(override, null, 2));
  const env = { ...terraformEnv(), TF_IN_AUTOMATION: "1", TF_INPUT: "0" };
  const terraform = (...args: string[]) => execFileSync("terraform", args, { cwd: stackDir, env, encoding: "utf8", timeout: 300_000, maxBuffer: 256 * 1024 * 1024 });
  terraform("init", "-no-color", "-input=false");
  terraform("plan", "-no-color", "-input=false", "-refresh=false", "-lock=false", "-out=render.tfplan");
  const plan = JSON.parse(terraform("show", "-json", "render.tfplan")) as {
    planned_values: { outputs?: Record<string, { value?: unknown }> };
    output_changes?: Record<string, { after_unknown?: unknown }>;
  };
  const outputs: Record<string, unknown> = {};
  for (const [name, change] of Object.entries(plan.output_changes ?? {})) {
    if (change.after_unknown === true) throw new Error(`output ${name} is not known until apply: override what it refers to`);
    outputs[name] = plan.planned_values.outputs?.[name]?.value;
  }
  return outputs;
}

/** An override that names an `aws_s3_bucket` (made with `bucket_prefix`) as AWS would once it exists. */
export function bucketNamed(stackJson: { resource?: Record<string, Record<string, unknown>> }, bucket: string): TerraformOverride {
  const buckets = Object.keys(stackJson.resource?.aws_s3_bucket ?? {});
  if (buckets.length !== 1) throw new Error(`expected one aws_s3_bucket in the stack, found ${buckets.length}`);
  return { resource: { aws_s3_bucket: { [buckets[0]]: { bucket, bucket_prefix: null } } } };
}
