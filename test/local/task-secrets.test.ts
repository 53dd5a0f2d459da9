/**
 * Container secrets on the local platform, against moto's SSM and Secrets
 * Manager: read at task start as the ECS agent reads them
 * (scripts/local/task-secrets.ts), and the SSM parameters local:up creates
 * because the emulator starts empty (scripts/local/emulator-secrets.ts).
 */
import { CreateSecretCommand, DeleteSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { DeleteParameterCommand, GetParameterCommand, PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { createMissingParameters, parameterNameOf } from "../../scripts/local/emulator-secrets";
import { resolveSecrets } from "../../scripts/local/task-secrets";
import { configFrom } from "../helpers/synth";
import { testEnv, uniqueSuffix } from "../agent/helpers/test-env";

const env = testEnv();
const clientConfig = { region: "us-east-1", endpoint: env.motoUrl, credentials: { accessKeyId: "test", secretAccessKey: "test" } };
const ssm = new SSMClient(clientConfig);
const secretsManager = new SecretsManagerClient(clientConfig);
const sources = { ssm, secretsManager };
const suffix = uniqueSuffix();
const parameterName = `/local-secrets-${suffix}/greeting`;
const parameterArn = `arn:aws:ssm:us-east-1:123456789012:parameter${parameterName}`;
let secretArn: string;

beforeAll(async () => {
  await ssm.send(new PutParameterCommand({ Name: parameterName, Value: "hello", Type: "SecureString" }));
  const secret = await secretsManager.send(new CreateSecretCommand({ Name: `local-secrets-${suffix}/db`, SecretString: JSON.stringify({ password: "s3cret", port: 5432 }) }));
  secretArn = secret.ARN!;
});

afterAll(async () => {
  await ssm.send(new DeleteParameterCommand({ Name: parameterName })).catch(() => undefined);
  await secretsManager.send(new DeleteSecretCommand({ SecretId: secretArn, ForceDeleteWithoutRecovery: true })).catch(() => undefined);
  ssm.destroy();
  secretsManager.destroy();
});

describe("resolveSecrets", () => {
  test("reads a parameter by its ARN, a whole secret, and one key of a secret's JSON", async () => {
    // GIVEN / WHEN
    const env = await resolveSecrets(
      sources,
      [
        { name: "GREETING", valueFrom: parameterArn },
        { name: "DB", valueFrom: secretArn },
        { name: "DB_PASSWORD", valueFrom: `${secretArn}:password::` },
        { name: "DB_PORT", valueFrom: `${secretArn}:port:AWSCURRENT:` },
      ],
      "api (service api)",
    );
    // THEN
    expect(env).toEqual(["GREETING=hello", `DB=${JSON.stringify({ password: "s3cret", port: 5432 })}`, "DB_PASSWORD=s3cret", "DB_PORT=5432"]);
  });

  test("a secret that cannot be read stops the task, naming the container, the variable and the ARN", async () => {
    // GIVEN
    const missing = `arn:aws:ssm:us-east-1:123456789012:parameter/local-secrets-${suffix}/missing`;
    // WHEN / THEN
    await expect(resolveSecrets(sources, [{ name: "TOKEN", valueFrom: missing }], "api (service api)")).rejects.toThrow(
      `container api (service api): cannot read secret TOKEN from ${missing}: no such parameter`,
    );
    await expect(resolveSecrets(sources, [{ name: "DB_USER", valueFrom: `${secretArn}:user::` }], "api")).rejects.toThrow("the secret's JSON has no key user");
  });

  test("without sources, a container with secrets does not start", async () => {
    await expect(resolveSecrets(undefined, [{ name: "A", valueFrom: parameterArn }], "api")).rejects.toThrow("container api has secrets, but no secret sources");
    expect(await resolveSecrets(undefined, [], "api")).toEqual([]);
  });
});

describe("createMissingParameters (local:up, before the deploy)", () => {
  test("parameterNameOf: a hierarchical name keeps its leading slash, a flat one has none", () => {
    expect(parameterNameOf("arn:aws:ssm:us-east-1:123456789012:parameter/a/b")).toBe("/a/b");
    expect(parameterNameOf("arn:aws:ssm:us-east-1:123456789012:parameter/flat")).toBe("flat");
  });

  test("creates each missing SSM parameter with a placeholder, leaves existing ones and secrets alone, and says what it created", async () => {
    // GIVEN
    const missingName = `/local-secrets-${suffix}/token`;
    const config = configFrom({}, {
      containers: [
        {
          name: "api",
          secrets: {
            GREETING: parameterArn,
            TOKEN: `arn:aws:ssm:us-east-1:123456789012:parameter${missingName}`,
            DB: "arn:aws:secretsmanager:us-east-1:123456789012:secret:elsewhere-AbCdEf",
          },
        },
      ],
    });
    const lines: string[] = [];
    try {
      // WHEN
      const created = await createMissingParameters(ssm, config, (l) => lines.push(l));
      // THEN
      expect(created).toEqual([missingName]);
      expect((await ssm.send(new GetParameterCommand({ Name: missingName, WithDecryption: true }))).Parameter?.Value).toBe("local-placeholder-TOKEN");
      expect((await ssm.send(new GetParameterCommand({ Name: parameterName, WithDecryption: true }))).Parameter?.Value).toBe("hello");
      expect(lines).toEqual([expect.stringContaining(`created SSM parameter ${missingName} in the emulator for api's TOKEN`)]);
    } finally {
      await ssm.send(new DeleteParameterCommand({ Name: missingName })).catch(() => undefined);
    }
  });
});
