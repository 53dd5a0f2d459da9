import { AssetType, Fn, TerraformAsset, Token } from "cdktf";
import { Construct } from "constructs";
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { LambdaFunctionEventInvokeConfig } from "@cdktf/provider-aws/lib/lambda-function-event-invoke-config";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { GONE_INSTANCE_STATES } from "../dns/gone-instance-states";
import { AgentHeartbeatCheck, heartbeatCheckStatements } from "./agent-heartbeat-check";
import { assumeRolePolicy, policyDocument, type PolicyStatement } from "./iam-documents";
import { boundedName } from "./naming";
import { route53RecordStatements } from "./route53-record-statements";
import { suppressPolicyRule } from "./policy-checks";

/** Properties of {@link DnsJanitor}. */
export interface DnsJanitorProps {
  /** Prefix of every name, e.g. `ecs-platform-dev`. */
  readonly namePrefix: string;
  /** The function's code: a zip holding the bundled handler as `index.js` (dist/janitor.zip). */
  readonly codeZip: string;
  readonly zoneId: string;
  /**
   * The zone's name (without the trailing dot): an instance event then costs
   * one Route53 call for an instance that never ran an agent, and a few for
   * one that did, whatever the zone's size.
   * @default - instance events list the whole zone
   */
  readonly zoneName?: string;
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
  /** @default "ecsdns" */
  readonly owner?: string;
  /** Safety-net sweep period. @default 5 */
  readonly scheduleMinutes?: number;
  /** @default 30 */
  readonly logRetentionDays?: number;
  /**
   * HTTP health checks of the SRV targets whose containers asked for them
   * (`SERVICE_CHECK_HTTP=<path>`, probed at that path; agent/README.md). The
   * function then runs in the VPC's private subnets (it must reach the
   * instances' private addresses).
   * @default - no health checks; the function runs outside the VPC
   */
  readonly healthCheck?: {
    readonly timeoutMs: number;
    readonly tries: number;
    readonly vpcId: string;
    readonly subnetIds: readonly string[];
  };
  /**
   * SNS topic the janitor's alarms notify (alarm and back to OK).
   * @default - the alarms exist, in the console and the API, without actions
   */
  readonly alarmTopicArn?: string;
}

/** How long the janitor's Errors alarm looks: errors in this many 5-minute periods in a row. */
export const JANITOR_ERROR_PERIODS = 2;

/**
 * The janitor: a Lambda function that removes the DNS records of hosts that
 * died (their agents cannot). It runs on every EC2 instance state change to
 * shutting-down, terminated, stopping or stopped (that instance at once) and
 * on a schedule (every host of the owner). Failed invocations land in a
 * queue after Lambda's retries; its role may read and change only the
 * records of one zone (A and SRV) and describe instances. Two alarms watch
 * it: a message in that queue (an invocation that exhausted its retries), and
 * errors in {@link JANITOR_ERROR_PERIODS} 5-minute periods in a row (a
 * janitor that keeps failing; one error that Lambda's retry fixes does not
 * count).
 */
export class DnsJanitor extends Construct {
  readonly functionName: string;
  readonly functionArn: string;
  readonly failureQueueArn: string;
  /** Only with health checks: the function's security group, for the instances' ingress. */
  readonly securityGroupId?: string;
  /** The alarms' names: a failed invocation in the queue; the function's errors. */
  readonly alarmNames: { readonly failures: string; readonly errors: string };
  /** The heartbeat check: its schedule and its alarms (silent agents). */
  readonly heartbeatCheck: AgentHeartbeatCheck;

  constructor(scope: Construct, id: string, props: DnsJanitorProps) {
    super(scope, id);
    const topic = props.alarmTopicArn;
    if (topic !== undefined && !Token.isUnresolved(topic) && !/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/.test(topic)) {
      throw new Error(`DnsJanitor: alarmTopicArn must be the ARN of a standard SNS topic (arn:aws:sns:<region>:<account>:<name>), got ${JSON.stringify(topic)}`);
    }
    const name = boundedName([props.namePrefix, "dns-janitor"], 64);
    const logGroup = new CloudwatchLogGroup(this, "log-group", { name: `/aws/lambda/${name}`, retentionInDays: props.logRetentionDays ?? 30 });
    const failuresQueueName = boundedName([props.namePrefix, "dns-janitor-failures"], 80);
    const failures = new SqsQueue(this, "failures", {
      name: failuresQueueName,
      sqsManagedSseEnabled: true,
      messageRetentionSeconds: 14 * 24 * 3600,
    });
    this.failureQueueArn = failures.arn;

    const statements: PolicyStatement[] = [
      { actions: ["logs:CreateLogStream", "logs:PutLogEvents"], resources: [`${logGroup.arn}:*`] },
      // The janitor knows hosts by their SRV targets and A records (it never needs the zone's name), and only deletes.
      ...route53RecordStatements({ partition: props.partition, zoneId: props.zoneId, actions: ["DELETE"] }),
      // DescribeInstances supports no resource-level permissions.
      { actions: ["ec2:DescribeInstances"], resources: ["*"] },
      { actions: ["sqs:SendMessage"], resources: [failures.arn] },
      // The heartbeat check (modules/agent-heartbeat-check.ts).
      ...heartbeatCheckStatements(),
    ];
    if (props.healthCheck) {
      // Elastic network interfaces in the VPC, which also support no resource-level permissions.
      statements.push({
        actions: ["ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"],
        resources: ["*"],
      });
    }
    const role = new IamRole(this, "role", {
      name: boundedName([props.namePrefix, "dns-janitor"], 64),
      assumeRolePolicy: assumeRolePolicy("lambda.amazonaws.com", { StringEquals: { "aws:SourceAccount": props.accountId } }),
    });
    const rolePolicy = new IamRolePolicy(this, "permissions", { role: role.id, name: "dns-janitor", policy: policyDocument(statements) });
    suppressPolicyRule(
      rolePolicy,
      "iam-wildcard",
      `ec2:DescribeInstances, cloudwatch:ListMetrics, cloudwatch:GetMetricData and cloudwatch:PutMetricData (kept to the janitor's namespace by cloudwatch:namespace)${props.healthCheck ? " and the Lambda's VPC network-interface actions" : ""} support no resource-level permissions, so they take Resource "*"; every other statement names its resources`,
    );

    let vpcConfig: { subnetIds: string[]; securityGroupIds: string[] } | undefined;
    if (props.healthCheck) {
      const group = new SecurityGroup(this, "security-group", {
        name: boundedName([props.namePrefix, "dns-janitor"], 255),
        description: "DNS janitor: health checks of SRV targets, AWS APIs through NAT",
        vpcId: props.healthCheck.vpcId,
      });
      new VpcSecurityGroupEgressRule(this, "egress-all", { securityGroupId: group.id, ipProtocol: "-1", cidrIpv4: "0.0.0.0/0", description: "Health checks and AWS APIs" });
      this.securityGroupId = group.id;
      vpcConfig = { subnetIds: [...props.healthCheck.subnetIds], securityGroupIds: [group.id] };
    }

    const code = new TerraformAsset(this, "code", { path: props.codeZip, type: AssetType.FILE });
    const fn = new LambdaFunction(this, "function", {
      functionName: name,
      description: "Removes the DNS records of hosts that no longer run",
      role: role.arn,
      runtime: "nodejs22.x",
      handler: "index.handler",
      filename: code.path,
      sourceCodeHash: Fn.filebase64sha256(code.path),
      timeout: 300,
      memorySize: 256,
      vpcConfig,
      environment: {
        variables: {
          ECSDNS_ZONE_ID: props.zoneId,
          ...(props.zoneName ? { ECSDNS_ZONE_NAME: props.zoneName } : {}),
          ECSDNS_OWNER: props.owner ?? "ecsdns",
          ...(props.healthCheck
            ? {
                ECSDNS_HEALTH_CHECKS: "true",
                ECSDNS_HEALTH_CHECK_TIMEOUT_MS: String(props.healthCheck.timeoutMs),
                ECSDNS_HEALTH_CHECK_TRIES: String(props.healthCheck.tries),
              }
            : {}),
        },
      },
      dependsOn: [logGroup, rolePolicy],
    });
    this.functionName = fn.functionName;
    this.functionArn = fn.arn;
    new LambdaFunctionEventInvokeConfig(this, "async-invocations", {
      functionName: fn.functionName,
      maximumRetryAttempts: 2,
      maximumEventAgeInSeconds: 3600,
      destinationConfig: { onFailure: { destination: failures.arn } },
    });

    const actions = topic ? { alarmActions: [topic], okActions: [topic] } : {};
    const failuresAlarm = new CloudwatchMetricAlarm(this, "failures-alarm", {
      alarmName: boundedName([props.namePrefix, "dns-janitor-failed-invocations"], 255),
      alarmDescription: `The DNS janitor failed an invocation after Lambda's retries: dead hosts' records may remain. The event is in SQS queue ${failuresQueueName}; the function's logs say why.`,
      namespace: "AWS/SQS",
      metricName: "ApproximateNumberOfMessagesVisible",
      dimensions: { QueueName: failures.name },
      statistic: "Maximum",
      period: 300,
      evaluationPeriods: 1,
      threshold: 0,
      comparisonOperator: "GreaterThanThreshold",
      // SQS publishes nothing for a queue that holds no message and sees no call: nothing waits.
      treatMissingData: "notBreaching",
      ...actions,
    });
    const errorsAlarm = new CloudwatchMetricAlarm(this, "errors-alarm", {
      alarmName: boundedName([props.namePrefix, "dns-janitor-errors"], 255),
      alarmDescription: `The DNS janitor has failed in ${JANITOR_ERROR_PERIODS} 5-minute periods in a row: dead hosts' records may remain. See log group /aws/lambda/${name}.`,
      namespace: "AWS/Lambda",
      metricName: "Errors",
      dimensions: { FunctionName: fn.functionName },
      statistic: "Sum",
      period: 300,
      evaluationPeriods: JANITOR_ERROR_PERIODS,
      datapointsToAlarm: JANITOR_ERROR_PERIODS,
      threshold: 0,
      comparisonOperator: "GreaterThanThreshold",
      treatMissingData: "notBreaching",
      ...actions,
    });
    this.alarmNames = { failures: failuresAlarm.alarmName, errors: errorsAlarm.alarmName };
    this.heartbeatCheck = new AgentHeartbeatCheck(this, "heartbeat-check", {
      namePrefix: props.namePrefix,
      functionName: fn.functionName,
      functionArn: fn.arn,
      zoneId: props.zoneId,
      owner: props.owner ?? "ecsdns",
      alarmTopicArn: topic,
    });

    const triggers = {
      "instance-gone": new CloudwatchEventRule(this, "instance-gone", {
        name: boundedName([props.namePrefix, "instance-gone"], 64),
        description: "An EC2 instance stopped or terminated: remove its DNS records now",
        eventPattern: JSON.stringify({
          source: ["aws.ec2"],
          "detail-type": ["EC2 Instance State-change Notification"],
          detail: { state: [...GONE_INSTANCE_STATES] },
        }),
      }),
      schedule: new CloudwatchEventRule(this, "schedule", {
        name: boundedName([props.namePrefix, "dns-janitor-sweep"], 64),
        description: "Safety net: sweep the records of every host",
        scheduleExpression: rateExpression(props.scheduleMinutes ?? 5),
      }),
    };
    for (const [key, rule] of Object.entries(triggers)) {
      new CloudwatchEventTarget(this, `${key}-target`, { rule: rule.name, arn: fn.arn });
      new LambdaPermission(this, `${key}-permission`, {
        statementId: `invoke-from-${key}`,
        action: "lambda:InvokeFunction",
        functionName: fn.functionName,
        principal: "events.amazonaws.com",
        sourceArn: rule.arn,
      });
    }
  }
}

/**
 * An EventBridge rate expression: the unit is singular for 1 (`rate(1 minute)`)
 * and plural otherwise; EventBridge refuses `rate(1 minutes)`
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html#eb-rate-expressions).
 */
export function rateExpression(minutes: number): string {
  return `rate(${minutes} ${minutes === 1 ? "minute" : "minutes"})`;
}
