/**
 * The emulator starts empty, so the SSM parameters that the configuration's
 * `secrets` name do not exist there; on AWS you create them yourself. Before
 * local:up deploys, this creates each missing one with a placeholder value,
 * `local-placeholder-<VARIABLE>`, and says so. Secrets Manager secrets
 * cannot be created under a given ARN (the emulator picks the 6-character
 * suffix), so those must be created first (`aws secretsmanager create-secret`
 * against the emulator); their tasks do not start otherwise.
 */
import { GetParametersCommand, PutParameterCommand, type SSMClient } from "@aws-sdk/client-ssm";
import type { PlatformConfig } from "../../config/schema";
import { parameterNameOf } from "./task-secrets";

export { parameterNameOf } from "./task-secrets";

/** Creates the missing SSM parameters that containers' `secrets` name; returns their names. */
export async function createMissingParameters(ssm: SSMClient, config: Pick<PlatformConfig, "containers">, log: (line: string) => void): Promise<string[]> {
  const created: string[] = [];
  for (const container of config.containers) {
    for (const [variable, arn] of Object.entries(container.secrets)) {
      if (arn.split(":")[2] !== "ssm") continue;
      const name = parameterNameOf(arn);
      const { Parameters = [] } = await ssm.send(new GetParametersCommand({ Names: [name] }));
      if (Parameters.length > 0) continue;
      await ssm.send(new PutParameterCommand({ Name: name, Value: `local-placeholder-${variable}`, Type: "SecureString" }));
      log(`created SSM parameter ${name} in the emulator for ${container.name}'s ${variable} (the emulator starts empty; on AWS you create it)`);
      created.push(name);
    }
  }
  return created;
}
