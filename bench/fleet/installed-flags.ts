/**
 * The agent's flags as the cluster stack installs it: the unit's ExecStart,
 * read back from the synthesized user data, without the node binary, its V8
 * options and the bundle path. The fleet benchmark parses them with the
 * agent's own loadConfig, so its agents run with the unit's flags and the
 * agent's defaults, not with tuned ones.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App, TerraformOutput, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { DnsAgentInstall } from "../../modules/dns-agent-install";
import { installedAgentFromUserData } from "../../scripts/local/installed-agent";
import { execStart, serviceEnvironment } from "../../scripts/local/systemd-unit";
import { joinedText } from "../../test/helpers/synth";

/** The installed unit's agent arguments for a zone (the zone's id and name as given). */
export function installedAgentArgs(zone: { id: string; name: string }): string[] {
  const outdir = mkdtempSync(join(tmpdir(), "fleet-flags-"));
  try {
    const bundle = join(outdir, "agent.js");
    writeFileSync(bundle, "// stand-in: only the unit's flags are read\n");
    writeFileSync(join(outdir, "docker-proxy.js"), "// stand-in: the Docker proxy's bundle, published next to the agent's\n");
    const app = new App({ outdir, stackTraces: false });
    const stack = new TerraformStack(app, "cluster");
    new AwsProvider(stack, "aws", { region: "us-east-1" });
    const install = new DnsAgentInstall(stack, "dns-agent", {
      namePrefix: "fleet-bench",
      bundlePath: bundle,
      zoneId: zone.id,
      zoneName: zone.name.replace(/\.$/, ""),
      region: "us-east-1",
      partition: "aws",
    });
    new TerraformOutput(stack, "user_data", { value: install.userData });
    app.synth();
    const json = JSON.parse(readFileSync(join(outdir, "stacks", "cluster", "cdk.tf.json"), "utf8"));
    const userData = joinedText(json.output.user_data.value).replace(/\$\{aws_s3_bucket\.[\w-]+\.bucket\}/g, "fleet-bench-artifacts");
    const agent = installedAgentFromUserData(userData);
    const argv = execStart(agent.unit, serviceEnvironment(agent.unit));
    return argv.slice(argv.indexOf(agent.installPath) + 1);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
