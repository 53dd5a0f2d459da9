/**
 * Composition root: flags → logger → host identity → adapters → reconciler
 * → signals. Nothing here decides what a record should be.
 *
 * Exit codes: 0 done (or `--once` in sync), 1 runtime failure (`--once` not
 * in sync, zone unreadable, forced shutdown), 2 bad configuration.
 */
import { awsRegion } from "../cli/aws-environment";
import { createLogger, type Logger } from "../cli/logger";
import { errorCode } from "../dns/error-code";
import { isValidDnsName, normalizeName } from "../dns/records";
import { createSdkRoute53Api } from "../dns/route53/route53-provider";
import { assembleLoop, assemblePass, limitedApi, type AgentParts } from "./assemble";
import type { RateLimitedRoute53Api } from "../dns/route53/rate-limited-api";
import { loadConfig, type AgentConfig } from "./config";
import { hostRecordName } from "./desired-records";
import { cloudWatchHeartbeat } from "./cloudwatch-heartbeat";
import { DockerodeSource } from "./docker/dockerode-source";
import { AgentHeartbeat } from "./heartbeat";
import { startHttpServer, type RunningHttpServer } from "./http-server";
import { IMDS_ENDPOINT_ENV, readInstanceMetadata, resolveHostIdentity } from "./instance-metadata";
import { AgentMetrics } from "./metrics";
import type { ReconcilePass } from "./reconcile-pass";
import { RESYNC_JITTER } from "./reconciler";
import { installSignalHandlers } from "./shutdown";
import { ServiceWatchdog } from "./watchdog";

/** Runs the agent; resolves to the process exit code. */
export async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const loaded = loadConfig(argv, env);
  if (loaded.kind === "help") {
    process.stdout.write(`${loaded.text}\n`);
    return 0;
  }
  if (loaded.kind === "error") {
    for (const problem of loaded.problems) process.stderr.write(`ecsdns agent: ${problem}\n`);
    process.stderr.write("ecsdns agent: see --help\n");
    return 2;
  }
  const config = loaded.config;
  const logger = createLogger(config.logLevel, { app: "ecsdns-agent" });

  const identity = await resolveHostIdentity(config, () => readInstanceMetadata({ endpoint: env[IMDS_ENDPOINT_ENV] }));
  if ("problems" in identity) {
    for (const problem of identity.problems) logger.error({ problem }, "configuration error");
    return 2;
  }

  const metrics = new AgentMetrics(true);
  const api = createSdkRoute53Api({ region: awsRegion(env), onCall: (operation, outcome) => metrics.observeRoute53Call(operation, outcome) });
  let zoneName: string;
  try {
    zoneName = config.zoneName ?? normalizeName(await api.getZoneName(config.zoneId));
  } catch (error) {
    logger.error({ err: error, code: errorCode(error), zoneId: config.zoneId }, "cannot read the hosted zone");
    return 1;
  }
  if (!isValidDnsName(hostRecordName(identity.hostId, zoneName))) {
    logger.error({ hostId: identity.hostId, zoneName }, "configuration error: <host-id>.<zone> is not a valid DNS name");
    return 2;
  }
  logger.info({ zoneId: config.zoneId, zoneName, hostId: identity.hostId, privateIpv4: identity.privateIpv4, publicIpv4: identity.publicIpv4 ?? null, owner: config.owner, policy: config.policy, dryRun: config.dryRun }, "ecsdns agent starting");

  const docker = new DockerodeSource();
  const parts: AgentParts = { config, identity, zoneName, api, docker, logger, metrics };
  const limited = limitedApi(parts);
  const pass = assemblePass(parts, limited);
  return config.once ? runOnce(pass, config, logger) : runDaemon(pass, limited, parts, env);
}

async function runOnce(pass: ReconcilePass, config: AgentConfig, logger: Logger): Promise<number> {
  try {
    const outcome = await pass.run(new AbortController().signal, true);
    logger.info({ inSync: outcome.inSync, dryRun: config.dryRun }, "single pass done");
    return outcome.inSync || config.dryRun ? 0 : 1;
  } catch (error) {
    logger.error({ err: error, code: errorCode(error) }, "single pass failed");
    return 1;
  }
}

async function runDaemon(pass: ReconcilePass, api: RateLimitedRoute53Api, parts: AgentParts, env: NodeJS.ProcessEnv): Promise<number> {
  const { config, identity, logger } = parts;
  const metrics = parts.metrics!;
  const signals = installSignalHandlers(logger);
  // systemd's Type=notify and watchdog, when it runs the agent (NOTIFY_SOCKET set).
  const watchdog = new ServiceWatchdog({ env, logger: logger.child({ component: "watchdog" }), resyncSeconds: config.resyncSeconds * (1 + RESYNC_JITTER) });
  let lastSuccessAt: number | undefined;
  let lastError: string | undefined;
  // Healthy while a pass succeeded recently: one resync may fail without flapping.
  const healthWindowMs = (2 * config.resyncSeconds + 30) * 1000;
  let server: RunningHttpServer | undefined;
  if (config.metricsPort !== 0) {
    server = await startHttpServer({
      host: config.metricsHost,
      port: config.metricsPort,
      registry: metrics.registry,
      health: () => ({
        healthy: lastSuccessAt !== undefined && Date.now() - lastSuccessAt <= healthWindowMs,
        detail: { lastSuccess: lastSuccessAt ? new Date(lastSuccessAt).toISOString() : null, lastError: lastError ?? null },
      }),
    });
    logger.info({ port: server.port, host: config.metricsHost }, "serving /healthz and /metrics");
  }

  // The heartbeat the janitor's check reads (agent/heartbeat.ts); nothing with --heartbeat-seconds 0.
  const heartbeat =
    config.heartbeatSeconds > 0
      ? new AgentHeartbeat({
          publish: cloudWatchHeartbeat({ zoneId: config.zoneId, owner: config.owner, hostId: identity.hostId, region: awsRegion(env) }),
          periodMs: config.heartbeatSeconds * 1000,
          logger: logger.child({ component: "heartbeat" }),
          onBeat: (result) => metrics.heartbeats.inc({ result }),
        })
      : undefined;
  const tracked = watchdog.track(pass);
  const reconciler = assembleLoop(parts, heartbeat ? heartbeat.track(tracked) : tracked, api, (outcome, error) => {
    if (outcome && (outcome.result?.failed.length ?? 0) === 0) {
      lastSuccessAt = Date.now();
      lastError = undefined;
    } else lastError = error ? `${errorCode(error)}: ${(error as Error).message}` : "some changes failed";
  });
  watchdog.start();
  heartbeat?.start();
  await reconciler.run(signals.stop, signals.hard);
  heartbeat?.stop();
  watchdog.stop();

  let code = 0;
  if (config.deregisterOnExit) {
    // The last call: it must not wait for a token past the unit's stop timeout.
    api.release();
    try {
      const outcome = await pass.run(signals.hard, true, []);
      logger.info({ deleted: outcome.result?.applied.delete.length ?? 0, hostId: identity.hostId }, "deregistered this host's records");
      if (!outcome.inSync && !config.dryRun) code = 1;
    } catch (error) {
      logger.error({ err: error, code: errorCode(error) }, "deregistration failed");
      code = 1;
    }
  }
  await server?.close();
  signals.dispose();
  logger.info({ code }, "ecsdns agent stopped");
  return code;
}

if (require.main === module) {
  main(process.argv.slice(2), process.env).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`ecsdns agent: ${(error as Error)?.stack ?? String(error)}\n`);
      process.exit(1);
    },
  );
}
