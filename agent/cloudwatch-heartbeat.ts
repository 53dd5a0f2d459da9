/**
 * The heartbeat's CloudWatch adapter: the only file of the agent that
 * imports @aws-sdk/client-cloudwatch. One PutMetricData of one sample, at
 * 1-second resolution (the janitor reads it in 10-second periods), in
 * {@link AGENT_HEARTBEAT_NAMESPACE}, the one namespace the instance role may
 * write (`cloudwatch:namespace`).
 */
import { CloudWatchClient, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { AGENT_HEARTBEAT_METRIC, AGENT_HEARTBEAT_NAMESPACE, heartbeatDimensions } from "../dns/agent-heartbeat";
import type { HeartbeatPublisher } from "./heartbeat";

/** Who the heartbeat speaks for. */
export interface CloudWatchHeartbeatOptions {
  readonly zoneId: string;
  readonly owner: string;
  readonly hostId: string;
  /** @default - the SDK's own choice (AWS_REGION, the profile) */
  readonly region?: string;
}

/** A {@link HeartbeatPublisher} over the AWS SDK (standard credentials and endpoints, `AWS_ENDPOINT_URL` included). */
export function cloudWatchHeartbeat(options: CloudWatchHeartbeatOptions): HeartbeatPublisher {
  // Few attempts: a heartbeat that cannot get through in one period is worth nothing.
  const client = new CloudWatchClient({ ...(options.region ? { region: options.region } : {}), maxAttempts: 2 });
  const dimensions = heartbeatDimensions(options.zoneId, options.owner, options.hostId);
  return async (signal) => {
    await client.send(
      new PutMetricDataCommand({
        Namespace: AGENT_HEARTBEAT_NAMESPACE,
        MetricData: [{ MetricName: AGENT_HEARTBEAT_METRIC, Dimensions: dimensions, Value: 1, Unit: "Count", StorageResolution: 1, Timestamp: new Date() }],
      }),
      { abortSignal: signal },
    );
  };
}
