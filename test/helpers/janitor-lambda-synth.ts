/**
 * The janitor's Lambda function as the discovery stack synthesizes it, with
 * the real bundles (not the test stand-ins of synth.ts): the
 * `aws_lambda_function`'s settings and its code, the zip in cdktf's output
 * folder that its `filename` names. For the end-to-end test that runs it as
 * Lambda would (scripts/local/lambda-runtime-stand-in.ts).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve, sep } from "node:path";
import { App } from "cdktf";
import { bundlePath, bundleZipPath } from "../../scripts/build/bundles";
import { buildPlatform } from "../../stacks/platform";
import { configFrom, resourceAt, type StackJson } from "./synth";

/** A synthesized janitor function; `dispose` removes cdktf's output folder. */
export interface SynthesizedJanitorLambda {
  /** The `aws_lambda_function` resource's arguments, as synthesized. */
  readonly resource: Record<string, any>;
  /** Its `filename`, resolved against the stack's folder (where Terraform reads it). */
  readonly codeZip: string;
  /** cdktf's output folder. */
  readonly outdir: string;
  /** The region of the discovery stack's AWS provider. */
  readonly region: string;
  /** The stack's whole Terraform JSON. */
  readonly stack: StackJson;
  dispose(): void;
}

/** Synthesizes the platform with the real bundles and returns the janitor's function. `env` adds `TF_VAR_*` settings. */
export function synthesizeJanitorLambda(env: Record<string, string> = {}): SynthesizedJanitorLambda {
  const config = configFrom({ TF_VAR_container_name: "web", TF_VAR_container_port: "80", ...env });
  const outdir = mkdtempSync(join(tmpdir(), "janitor-lambda-synth-"));
  try {
    const app = new App({ outdir, stackTraces: false });
    buildPlatform(app, config, { bundles: { agent: bundlePath("agent"), janitorZip: bundleZipPath("janitor") } });
    app.synth();
    const stackDir = join(outdir, "stacks", `${config.environment}-discovery`);
    const stack = JSON.parse(readFileSync(join(stackDir, "cdk.tf.json"), "utf8")) as StackJson;
    const resource = resourceAt(stack, "aws_lambda_function", "janitor/function").values;
    // Terraform resolves a relative `filename` against the stack's folder, the working directory of `terraform apply`.
    const codeZip = resolve(stackDir, String(resource.filename));
    if (!codeZip.startsWith(outdir + sep) || !existsSync(codeZip)) throw new Error(`the function's filename ${resource.filename} is not a file in ${outdir}`);
    const region = String(stack.provider?.aws?.[0]?.region ?? config.aws_region);
    return { resource, codeZip, outdir, region, stack, dispose: () => rmSync(outdir, { recursive: true, force: true }) };
  } catch (error) {
    rmSync(outdir, { recursive: true, force: true });
    throw error;
  }
}
