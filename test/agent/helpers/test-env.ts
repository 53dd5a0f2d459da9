/**
 * The real parts `npm test` started (scripts/test/test.sh): moto as Route53 and a
 * private dockerd with the busybox test image.
 */

/** Environment of the integration tests. */
export interface TestEnv {
  readonly motoUrl: string;
  readonly dockerHost: string;
  readonly image: string;
  readonly envDir: string;
}

/** Reads the environment, failing loudly when the tests run outside `npm test`. */
export function testEnv(): TestEnv {
  const { MOTO_URL, DOCKER_HOST, TEST_IMAGE, TEST_ENV_DIR } = process.env;
  if (!MOTO_URL || !DOCKER_HOST || !TEST_IMAGE || !TEST_ENV_DIR) {
    throw new Error("integration tests need MOTO_URL, DOCKER_HOST, TEST_IMAGE and TEST_ENV_DIR: run them with `npm test -- test/agent`");
  }
  // The SDK warns on every client under Node 20; the tests know.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
  return { motoUrl: MOTO_URL, dockerHost: DOCKER_HOST, image: TEST_IMAGE, envDir: TEST_ENV_DIR };
}

/** AWS settings that point the SDK at moto with dummy credentials. */
export function awsEnv(env: TestEnv): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_REGION: "us-east-1",
    AWS_ENDPOINT_URL: env.motoUrl,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
  };
}

/** Polls `probe` until it returns something other than undefined/false, or fails after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 20_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** A short random suffix for names that must not collide across runs. */
export function uniqueSuffix(): string {
  return `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
}
