/**
 * The janitor from the command line, with the Lambda's code:
 *
 *   npm run janitor -- --zone-id <id> [--once] [--dry-run] [--owner <prefix>]
 *
 * AWS endpoints come from the SDK's standard variables, so it runs against
 * the emulator too. Exit codes: 0 done, 1 a sweep failed, 2 bad configuration.
 */
import { awsRegion } from "../cli/aws-environment";
import { createLogger, type Logger } from "../cli/logger";
import { loadJanitorConfig, type JanitorConfig } from "./config";
import { heartbeatCheckOnAws, janitorOnAws } from "./handler";
import { runHeartbeatCheck } from "./heartbeat-check";
import { runJanitor } from "./janitor";

async function sweep(config: JanitorConfig, logger: Logger, region: string | undefined, signal: AbortSignal): Promise<boolean> {
  try {
    const report = config.heartbeatCheck
      ? await runHeartbeatCheck(heartbeatCheckOnAws(config, logger, region), signal)
      : await runJanitor(janitorOnAws(config, logger, region), { kind: "all" }, signal);
    return report.failed === 0;
  } catch (error) {
    logger.error({ err: error }, "janitor sweep failed");
    return false;
  }
}

/** Runs the janitor; resolves to the exit code. */
export async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const loaded = loadJanitorConfig(argv, env);
  if (loaded.kind === "help") {
    process.stdout.write(`${loaded.text}\n`);
    return 0;
  }
  if (loaded.kind === "error") {
    for (const problem of loaded.problems) process.stderr.write(`ecsdns janitor: ${problem}\n`);
    return 2;
  }
  const { config } = loaded;
  const logger = createLogger(config.logLevel, { app: "ecsdns-janitor" });
  const stop = new AbortController();
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => stop.abort());
  if (config.once) return (await sweep(config, logger, awsRegion(env), stop.signal)) ? 0 : 1;
  while (!stop.signal.aborted) {
    await sweep(config, logger, awsRegion(env), stop.signal);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, config.intervalSeconds * 1000);
      stop.signal.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
    });
  }
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2), process.env).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`ecsdns janitor: ${(error as Error).stack ?? String(error)}\n`);
      process.exit(1);
    },
  );
}
