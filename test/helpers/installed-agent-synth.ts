/**
 * The DNS agent's install as the cluster stack synthesizes it, for one hosted
 * zone: the user data rendered by Terraform (test/helpers/terraform-render.ts,
 * the bucket named as AWS would name it) and the bundle from the synthesized asset. For the end-to-end test and the
 * agent benchmark, which run it as a host would (scripts/local/installed-agent.ts).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App, TerraformOutput, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { DnsAgentInstall } from "../../modules/dns-agent-install";
import { bundlePath } from "../../scripts/build/bundles";
import { installedAgentFromUserData, type InstalledAgent } from "../../scripts/local/installed-agent";
import { bucketNamed, OFFLINE_AWS_PROVIDER, plannedOutputs } from "./terraform-render";

/** A synthesized install; `dispose` removes its files. */
export interface SynthesizedInstall {
  readonly installed: InstalledAgent;
  /** The bundle as the stack publishes it (its asset in the synthesized output). */
  readonly bundle: string;
  /** The Docker proxy's bundle, likewise. */
  readonly dockerProxyBundle: string;
  dispose(): void;
}

/** Synthesizes the agent's install for `zone`, its AWS calls going to `awsEndpointUrl` (the local target's setting). */
export function synthesizeAgentInstall(zone: { id: string; name: string }, awsEndpointUrl: string, region = "us-east-1"): SynthesizedInstall {
  const outdir = mkdtempSync(join(tmpdir(), "installed-agent-"));
  const app = new App({ outdir, stackTraces: false });
  const stack = new TerraformStack(app, "cluster");
  new AwsProvider(stack, "aws", { region });
  const install = new DnsAgentInstall(stack, "dns-agent", {
    namePrefix: "installed-test",
    bundlePath: bundlePath("agent"),
    dockerProxyBundlePath: bundlePath("docker-proxy"),
    zoneId: zone.id,
    zoneName: zone.name.replace(/\.$/, ""),
    region,
    partition: "aws",
    awsEndpointUrl,
  });
  new TerraformOutput(stack, "user_data", { value: install.userData });
  app.synth();
  const stackDir = join(outdir, "stacks", "cluster");
  const json = JSON.parse(readFileSync(join(stackDir, "cdk.tf.json"), "utf8"));
  const objects = Object.values(json.resource.aws_s3_object as Record<string, { key: string; source: string }>);
  const published = (name: string) => {
    const found = objects.find((o) => o.key.endsWith(`/${name}`));
    if (!found) throw new Error(`the stack publishes no ${name}: ${objects.map((o) => o.key).join(", ")}`);
    return join(stackDir, found.source);
  };
  const outputs = plannedOutputs(stackDir, { ...bucketNamed(json, "installed-test-artifacts"), provider: { aws: [{ region, ...OFFLINE_AWS_PROVIDER }] } });
  const userData = String(outputs.user_data);
  return {
    installed: installedAgentFromUserData(userData),
    bundle: published("agent.js"),
    dockerProxyBundle: published("docker-proxy.js"),
    dispose: () => rmSync(outdir, { recursive: true, force: true }),
  };
}
