/**
 * The agents' heartbeats as CloudWatch holds them, and the janitor's counts:
 * the only file of the janitor that imports @aws-sdk/client-cloudwatch.
 *
 * - Which hosts ever reported: ListMetrics of the heartbeat metric with this
 *   zone's and owner's dimensions (metrics with data in the last two weeks;
 *   a new one may take up to 15 minutes to be listed, which the look-back
 *   window of {@link HEARTBEAT_LOOK_BACK_SECONDS} covers).
 * - Their latest heartbeat: one GetMetricData per 500 hosts, `SampleCount`
 *   in 10-second periods (the agents publish at 1-second resolution), from a
 *   start aligned to the minute (CloudWatch rounds it down there anyway).
 */
import { CloudWatchClient, GetMetricDataCommand, ListMetricsCommand, PutMetricDataCommand, type MetricDataQuery } from "@aws-sdk/client-cloudwatch";
import {
  AGENT_HEARTBEAT_METRIC,
  AGENT_HEARTBEAT_NAMESPACE,
  HELD_SILENT_HOSTS_METRIC,
  JANITOR_NAMESPACE,
  SILENT_HOSTS_METRIC,
  heartbeatDimensions,
} from "../dns/agent-heartbeat";

/** How far back the janitor looks for a host's last heartbeat: a host silent longer is "long silent" (janitor/silent-agents.ts). */
export const HEARTBEAT_LOOK_BACK_SECONDS = 1800;
/** GetMetricData's period: a heartbeat's time is known to within this. */
export const HEARTBEAT_PERIOD_SECONDS = 10;
/** GetMetricData takes at most 500 queries per call. */
export const QUERIES_PER_CALL = 500;

/** The latest heartbeats, and whether CloudWatch answered all of them. */
export interface LastHeartbeats {
  readonly lastAtMs: Map<string, number>;
  readonly complete: boolean;
}

/** The janitor's narrow view of CloudWatch. */
export interface HeartbeatStore {
  /** Host ids with a heartbeat metric of this zone and owner. */
  reportingHosts(signal?: AbortSignal): Promise<string[]>;
  /** Each host's latest heartbeat since `sinceMs`, as the end of its period. */
  lastHeartbeats(hostIds: readonly string[], sinceMs: number, nowMs: number, signal?: AbortSignal): Promise<LastHeartbeats>;
  /** Publishes the check's counts (standard resolution, one sample each). */
  publishCounts(counts: { readonly silent: number; readonly held: number }, signal?: AbortSignal): Promise<void>;
}

/** Settings of {@link CloudWatchHeartbeats}. */
export interface CloudWatchHeartbeatsOptions {
  readonly zoneId: string;
  readonly owner: string;
  /** @default - the SDK's own choice */
  readonly region?: string;
}

/** {@link HeartbeatStore} over the AWS SDK (standard credentials and endpoints). */
export class CloudWatchHeartbeats implements HeartbeatStore {
  /** CloudWatch calls made so far, by operation (for the report and tests). */
  readonly calls = { ListMetrics: 0, GetMetricData: 0, PutMetricData: 0 };
  private readonly client: CloudWatchClient;

  constructor(private readonly options: CloudWatchHeartbeatsOptions) {
    this.client = new CloudWatchClient({ ...(options.region ? { region: options.region } : {}), maxAttempts: 8, retryMode: "adaptive" });
  }

  async reportingHosts(signal?: AbortSignal): Promise<string[]> {
    const hosts = new Set<string>();
    const filter = heartbeatDimensions(this.options.zoneId, this.options.owner, "").slice(0, 2);
    let nextToken: string | undefined;
    do {
      this.calls.ListMetrics += 1;
      const page = await this.client.send(
        new ListMetricsCommand({ Namespace: AGENT_HEARTBEAT_NAMESPACE, MetricName: AGENT_HEARTBEAT_METRIC, Dimensions: filter, NextToken: nextToken }),
        { abortSignal: signal },
      );
      for (const metric of page.Metrics ?? []) {
        const dims = new Map((metric.Dimensions ?? []).map((d) => [d.Name, d.Value]));
        const hostId = dims.get("HostId");
        // Exactly our three dimensions: a metric with more is another series.
        if (hostId && dims.size === 3 && dims.get("ZoneId") === this.options.zoneId && dims.get("Owner") === this.options.owner) hosts.add(hostId);
      }
      nextToken = page.NextToken;
    } while (nextToken);
    return [...hosts].sort();
  }

  async lastHeartbeats(hostIds: readonly string[], sinceMs: number, nowMs: number, signal?: AbortSignal): Promise<LastHeartbeats> {
    const lastAtMs = new Map<string, number>();
    let complete = true;
    const periodMs = HEARTBEAT_PERIOD_SECONDS * 1000;
    const start = new Date(Math.floor(sinceMs / 60_000) * 60_000);
    const end = new Date(Math.ceil((nowMs + 1) / periodMs) * periodMs);
    for (let i = 0; i < hostIds.length; i += QUERIES_PER_CALL) {
      const chunk = hostIds.slice(i, i + QUERIES_PER_CALL);
      const queries: MetricDataQuery[] = chunk.map((hostId, index) => ({
        Id: `h${index}`,
        ReturnData: true,
        MetricStat: {
          Metric: { Namespace: AGENT_HEARTBEAT_NAMESPACE, MetricName: AGENT_HEARTBEAT_METRIC, Dimensions: heartbeatDimensions(this.options.zoneId, this.options.owner, hostId) },
          Period: HEARTBEAT_PERIOD_SECONDS,
          Stat: "SampleCount",
        },
      }));
      let nextToken: string | undefined;
      do {
        this.calls.GetMetricData += 1;
        const page = await this.client.send(
          new GetMetricDataCommand({ MetricDataQueries: queries, StartTime: start, EndTime: end, ScanBy: "TimestampDescending", NextToken: nextToken }),
          { abortSignal: signal },
        );
        for (const result of page.MetricDataResults ?? []) {
          const hostId = chunk[Number(result.Id?.slice(1))];
          if (hostId === undefined) continue;
          if (result.StatusCode !== "Complete") complete = false;
          (result.Timestamps ?? []).forEach((timestamp, n) => {
            if (!((result.Values?.[n] ?? 0) > 0)) return;
            const at = Math.min(timestamp.getTime() + periodMs, nowMs);
            if (at > (lastAtMs.get(hostId) ?? -Infinity)) lastAtMs.set(hostId, at);
          });
        }
        nextToken = page.NextToken;
      } while (nextToken);
    }
    return { lastAtMs, complete };
  }

  async publishCounts(counts: { readonly silent: number; readonly held: number }, signal?: AbortSignal): Promise<void> {
    const dimensions = heartbeatDimensions(this.options.zoneId, this.options.owner, "").slice(0, 2);
    this.calls.PutMetricData += 1;
    await this.client.send(
      new PutMetricDataCommand({
        Namespace: JANITOR_NAMESPACE,
        MetricData: [
          { MetricName: SILENT_HOSTS_METRIC, Dimensions: dimensions, Value: counts.silent, Unit: "Count" },
          { MetricName: HELD_SILENT_HOSTS_METRIC, Dimensions: dimensions, Value: counts.held, Unit: "Count" },
        ],
      }),
      { abortSignal: signal },
    );
  }
}
