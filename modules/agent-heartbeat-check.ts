import { Construct } from "constructs";
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import {
  AGENT_HEARTBEAT_NAMESPACE,
  HEARTBEAT_CHECK_INPUT,
  HEARTBEAT_CHECK_MINUTES,
  HELD_SILENT_HOSTS_METRIC,
  JANITOR_NAMESPACE,
  SILENT_HOSTS_METRIC,
} from "../dns/agent-heartbeat";
import type { PolicyStatement } from "./iam-documents";
import { boundedName } from "./naming";

/** Properties of {@link AgentHeartbeatCheck}. */
export interface AgentHeartbeatCheckProps {
  /** Prefix of every name, e.g. `ecs-platform-dev`. */
  readonly namePrefix: string;
  /** The janitor's function, which runs the check. */
  readonly functionName: string;
  readonly functionArn: string;
  readonly zoneId: string;
  readonly owner: string;
  /**
   * SNS topic the alarms notify (alarm and back to OK).
   * @default - the alarms exist without actions
   */
  readonly alarmTopicArn?: string;
}

/** Minutes in a row a host must stay silent before the silent-hosts alarm pages. */
export const SILENT_HOSTS_ALARM_MINUTES = 5;

/**
 * Statements the janitor's role needs for the check: read the agents'
 * heartbeats, publish its own counts. ListMetrics and GetMetricData support
 * no resource-level permissions; PutMetricData neither, and the
 * `cloudwatch:namespace` condition keeps it to the janitor's namespace.
 */
export function heartbeatCheckStatements(): PolicyStatement[] {
  return [
    { actions: ["cloudwatch:ListMetrics", "cloudwatch:GetMetricData"], resources: ["*"] },
    { actions: ["cloudwatch:PutMetricData"], resources: ["*"], conditions: { StringEquals: { "cloudwatch:namespace": JANITOR_NAMESPACE } } },
  ];
}

/**
 * The statement the instances' role needs for the agents' heartbeats:
 * PutMetricData (no resource-level permissions) in the agents' namespace only.
 */
export function agentHeartbeatStatement(): PolicyStatement {
  return { actions: ["cloudwatch:PutMetricData"], resources: ["*"], conditions: { StringEquals: { "cloudwatch:namespace": AGENT_HEARTBEAT_NAMESPACE } } };
}

/**
 * The janitor's heartbeat check (janitor/heartbeat-check.ts): a schedule
 * every {@link HEARTBEAT_CHECK_MINUTES} minute that invokes the janitor with
 * `{"ecsdns": "heartbeat-check"}`, and two alarms on the counts it publishes
 * (namespace `ECSDNS/Janitor`, dimensions ZoneId and Owner):
 * - *silent hosts*: a running host's agent has not reported for
 *   {@link SILENT_HOSTS_ALARM_MINUTES} checks in a row (its records are gone,
 *   the agent is not back, and the instance has not been replaced);
 * - *held silent hosts*: the guard kept the records of newly silent hosts
 *   (too many at once, or CloudWatch answered in part): pages at once, since
 *   nobody removes those records.
 * A janitor that publishes nothing is its own alarms' business
 * (modules/dns-janitor.ts): missing data here is not breaching.
 */
export class AgentHeartbeatCheck extends Construct {
  /** The alarms' names. */
  readonly alarmNames: { readonly silent: string; readonly held: string };
  /** The schedule rule's name. */
  readonly ruleName: string;

  constructor(scope: Construct, id: string, props: AgentHeartbeatCheckProps) {
    super(scope, id);
    const rule = new CloudwatchEventRule(this, "rule", {
      name: boundedName([props.namePrefix, "dns-heartbeat-check"], 64),
      description: "Remove the DNS records of running hosts whose agents stopped reporting",
      scheduleExpression: HEARTBEAT_CHECK_MINUTES === 1 ? "rate(1 minute)" : `rate(${HEARTBEAT_CHECK_MINUTES} minutes)`,
    });
    this.ruleName = rule.name;
    new CloudwatchEventTarget(this, "target", { rule: rule.name, arn: props.functionArn, input: JSON.stringify(HEARTBEAT_CHECK_INPUT) });
    new LambdaPermission(this, "permission", {
      statementId: "invoke-from-heartbeat-check",
      action: "lambda:InvokeFunction",
      functionName: props.functionName,
      principal: "events.amazonaws.com",
      sourceArn: rule.arn,
    });

    const actions = props.alarmTopicArn ? { alarmActions: [props.alarmTopicArn], okActions: [props.alarmTopicArn] } : {};
    const common = {
      namespace: JANITOR_NAMESPACE,
      dimensions: { ZoneId: props.zoneId, Owner: props.owner },
      statistic: "Maximum",
      period: 60,
      threshold: 0,
      comparisonOperator: "GreaterThanThreshold",
      treatMissingData: "notBreaching",
      ...actions,
    };
    const silent = new CloudwatchMetricAlarm(this, "silent-alarm", {
      ...common,
      alarmName: boundedName([props.namePrefix, "dns-agents-silent"], 255),
      alarmDescription: `A running ECS host's DNS agent has sent no heartbeat for ${SILENT_HOSTS_ALARM_MINUTES} minutes and more: its records were removed, and it publishes nothing. See the janitor's "heartbeat check done" log lines (silentHosts), then the host's journal (journalctl -u ecsdns-agent).`,
      metricName: SILENT_HOSTS_METRIC,
      evaluationPeriods: SILENT_HOSTS_ALARM_MINUTES,
      datapointsToAlarm: SILENT_HOSTS_ALARM_MINUTES,
    });
    const held = new CloudwatchMetricAlarm(this, "held-alarm", {
      ...common,
      alarmName: boundedName([props.namePrefix, "dns-agents-silent-held"], 255),
      alarmDescription:
        "DNS agents stopped reporting on most hosts at once (or CloudWatch answered in part): the janitor deleted nothing, so their records stay and may point at reused ports. Check CloudWatch, the instances' role and the agents (journalctl -u ecsdns-agent).",
      metricName: HELD_SILENT_HOSTS_METRIC,
      evaluationPeriods: 1,
    });
    this.alarmNames = { silent: silent.alarmName, held: held.alarmName };
  }
}
