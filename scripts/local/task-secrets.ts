/**
 * Container `secrets` read the way the ECS agent reads them at task start:
 * `valueFrom` names an SSM parameter (`GetParameters` with decryption) or a
 * Secrets Manager secret (`GetSecretValue`), optionally followed by
 * `:json-key:version-stage:version-id`, in which case the value is that key of
 * the secret's JSON. Every secret of a container must be read, or the task
 * does not start (ECS: ResourceInitializationError).
 */
import { GetSecretValueCommand, type SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { GetParametersCommand, type SSMClient } from "@aws-sdk/client-ssm";

/** The parameter name an SSM parameter ARN names: `parameter/a/b` is `/a/b`, `parameter/a` is `a`. */
export function parameterNameOf(arn: string): string {
  const rest = arn.slice(arn.indexOf(":parameter/") + ":parameter/".length);
  return rest.includes("/") ? `/${rest}` : rest;
}

/** The clients secrets are read through (the emulator's, for the local platform). */
export interface SecretSources {
  readonly ssm: SSMClient;
  readonly secretsManager: SecretsManagerClient;
}

/** `NAME=value` for each of a container's secrets; throws naming the container, the variable and the ARN when one cannot be read. */
export async function resolveSecrets(sources: SecretSources | undefined, secrets: readonly { name?: string; valueFrom?: string }[], container: string): Promise<string[]> {
  const env: string[] = [];
  if (secrets.length > 0 && !sources) throw new Error(`container ${container} has secrets, but no secret sources were given to read them from`);
  for (const { name, valueFrom } of secrets) {
    try {
      env.push(`${name}=${await readSecret(sources!, valueFrom ?? "")}`);
    } catch (error) {
      throw new Error(`container ${container}: cannot read secret ${name} from ${valueFrom}: ${(error as Error).message}`);
    }
  }
  return env;
}

async function readSecret(sources: SecretSources, valueFrom: string): Promise<string> {
  const parts = valueFrom.split(":");
  if (parts[2] === "ssm") {
    // By name: moto 5.2's GetParameters does not resolve ARNs (AWS's does, and ECS sends the ARN).
    const { Parameters = [], InvalidParameters = [] } = await sources.ssm.send(new GetParametersCommand({ Names: [parameterNameOf(valueFrom)], WithDecryption: true }));
    if (InvalidParameters.length > 0 || Parameters.length === 0) throw new Error("no such parameter");
    return Parameters[0].Value ?? "";
  }
  if (parts[2] === "secretsmanager") {
    const [jsonKey, versionStage, versionId] = parts.slice(7);
    const secret = await sources.secretsManager.send(
      new GetSecretValueCommand({ SecretId: parts.slice(0, 7).join(":"), VersionStage: versionStage || undefined, VersionId: versionId || undefined }),
    );
    const text = secret.SecretString ?? "";
    if (!jsonKey) return text;
    const value = (JSON.parse(text) as Record<string, unknown>)[jsonKey];
    if (value === undefined) throw new Error(`the secret's JSON has no key ${jsonKey}`);
    return typeof value === "string" ? value : JSON.stringify(value);
  }
  throw new Error("is neither an SSM parameter nor a Secrets Manager secret ARN");
}
