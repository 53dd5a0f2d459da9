/**
 * The janitor as an AWS Lambda function (Node.js runtime, bundled into
 * dist/janitor/index.js). Triggered by:
 * - an EventBridge rule on EC2 instance state changes (shutting-down,
 *   terminated, stopping, stopped): removes that instance's records at once,
 *   once EC2 confirms it does not run (events arrive late and more than once,
 *   and a stopped instance may have been started again);
 * - a schedule (default every 5 minutes), the safety net: a full sweep;
 * - a schedule every minute whose input is `{"ecsdns": "heartbeat-check"}`:
 *   the heartbeat check (janitor/heartbeat-check.ts), which removes the
 *   records of running hosts whose agents stopped reporting.
 * Settings come from `ECSDNS_*` environment variables (see janitor/config.ts).
 * A sweep whose deletes failed throws, so Lambda retries it and, after the
 * retries, sends the event to the dead-letter queue: never silent.
 */
import { awsRegion } from "../cli/aws-environment";
import { createLogger, type Logger } from "../cli/logger";
import { Route53Provider, createSdkRoute53Api } from "../dns/route53/route53-provider";
import { loadJanitorConfig, type JanitorConfig } from "./config";
import { GONE_INSTANCE_STATES } from "../dns/gone-instance-states";
import { HEARTBEAT_CHECK_INPUT } from "../dns/agent-heartbeat";
import { runHeartbeatCheck, type HeartbeatCheckOptions, type HeartbeatCheckReport } from "./heartbeat-check";
import { CloudWatchHeartbeats } from "./heartbeats";
import { Ec2InstanceStates } from "./instance-states";
import { runJanitor, type JanitorOptions, type JanitorReport, type SweepScope } from "./janitor";

/** The janitor over the AWS SDK (standard credentials and endpoints): for the Lambda and the CLI. */
export function janitorOnAws(config: JanitorConfig, logger: Logger, region: string | undefined): JanitorOptions {
  return {
    dns: new Route53Provider({ api: createSdkRoute53Api({ region }), zoneId: config.zoneId }),
    instances: new Ec2InstanceStates({ region }),
    owner: config.owner,
    ...(config.zoneName ? { zoneName: config.zoneName } : {}),
    logger,
    dryRun: config.dryRun,
    healthCheck: config.healthCheck,
  };
}

/** The heartbeat check over the AWS SDK: for the Lambda and the CLI. */
export function heartbeatCheckOnAws(config: JanitorConfig, logger: Logger, region: string | undefined): HeartbeatCheckOptions {
  const { dns, instances } = janitorOnAws(config, logger, region);
  return {
    dns,
    instances,
    heartbeats: new CloudWatchHeartbeats({ zoneId: config.zoneId, owner: config.owner, region }),
    owner: config.owner,
    ...(config.zoneName ? { zoneName: config.zoneName } : {}),
    logger,
    dryRun: config.dryRun,
    silentAfterSeconds: config.silentAfterSeconds,
    maxSilentPercent: config.silentHostsMaxPercent,
  };
}

/** Whether the event is the heartbeat check's schedule (its target's input). */
export function isHeartbeatCheck(event: unknown): boolean {
  return (event as { ecsdns?: unknown } | null)?.ecsdns === HEARTBEAT_CHECK_INPUT.ecsdns;
}

/** The sweep an event asks for; `undefined` for a state change that needs none. */
export function scopeOf(event: unknown): SweepScope | undefined {
  const e = (event ?? {}) as { source?: string; "detail-type"?: string; detail?: { "instance-id"?: string; state?: string } };
  if (e.source === "aws.ec2" && e["detail-type"] === "EC2 Instance State-change Notification") {
    const instanceId = e.detail?.["instance-id"];
    const state = e.detail?.state ?? "";
    if (!instanceId || !(GONE_INSTANCE_STATES as readonly string[]).includes(state)) return undefined;
    return { kind: "instance-gone", instanceId };
  }
  return { kind: "all" };
}

/** The Lambda entry point. */
export async function handler(event: unknown): Promise<JanitorReport | HeartbeatCheckReport | { skipped: string }> {
  const loaded = loadJanitorConfig([], process.env);
  if (loaded.kind !== "ok") throw new Error(`janitor configuration: ${loaded.kind === "error" ? loaded.problems.join("; ") : "no --help in Lambda"}`);
  const { config } = loaded;
  const logger = createLogger(config.logLevel, { app: "ecsdns-janitor" });
  if (isHeartbeatCheck(event)) {
    const report = await runHeartbeatCheck(heartbeatCheckOnAws(config, logger, awsRegion(process.env)), AbortSignal.timeout(280_000));
    if (report.failed > 0) throw new Error(`janitor heartbeat check: ${report.failed} deletes failed; see the log lines above`);
    return report;
  }
  const scope = scopeOf(event);
  if (!scope) {
    logger.info({ event }, "instance state change needs no sweep");
    return { skipped: "instance still running" };
  }
  const report = await runJanitor(janitorOnAws(config, logger, awsRegion(process.env)), scope, AbortSignal.timeout(280_000));
  if (report.failed > 0) throw new Error(`janitor: ${report.failed} deletes failed; see the log lines above`);
  return report;
}
