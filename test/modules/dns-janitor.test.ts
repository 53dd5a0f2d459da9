import { GONE_INSTANCE_STATES } from "../../dns/gone-instance-states";
import { DnsJanitor, JANITOR_ERROR_PERIODS, type DnsJanitorProps } from "../../modules/dns-janitor";
import { jsonDocumentOf, ref, resources, soleResource, synthConstruct, TEST_BUNDLES, type StackJson } from "../helpers/synth";

const baseProps: DnsJanitorProps = {
  namePrefix: "shop-dev",
  codeZip: TEST_BUNDLES.janitorZip,
  zoneId: "Z0123456789ABCDEFGHIJ",
  partition: "aws",
  region: "us-west-2",
  accountId: "123456789012",
};
const zoneArn = "arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ";

const synthJanitor = (props: Partial<DnsJanitorProps> = {}): StackJson => synthConstruct((scope) => new DnsJanitor(scope, "janitor", { ...baseProps, ...props }));
const statementsOf = (stack: StackJson) =>
  jsonDocumentOf(soleResource(stack, "aws_iam_role_policy").policy).Statement as { Effect: string; Action: string[]; Resource: string[]; Condition?: unknown }[];
const ruleNamed = (stack: StackJson, id: string) => resources(stack, "aws_cloudwatch_event_rule").find((r) => r.name.includes(id))!;

describe("DnsJanitor", () => {
  test("is a Node.js Lambda function whose code is the bundled handler, zipped", () => {
    const stack = synthJanitor();
    expect(soleResource(stack, "aws_lambda_function")).toMatchObject({
      function_name: "shop-dev-dns-janitor",
      runtime: "nodejs22.x",
      handler: "index.handler",
      filename: expect.stringMatching(/assets\/.*\.zip$/),
      source_code_hash: expect.stringContaining("filebase64sha256("),
      timeout: 300,
      environment: { variables: { ECSDNS_ZONE_ID: "Z0123456789ABCDEFGHIJ", ECSDNS_OWNER: "ecsdns" } },
    });
  });

  test("runs at once when an EC2 instance shuts down, terminates or stops", () => {
    const stack = synthJanitor();
    const rule = ruleNamed(stack, "instance-gone");
    expect(JSON.parse(rule.values.event_pattern)).toEqual({
      source: ["aws.ec2"],
      "detail-type": ["EC2 Instance State-change Notification"],
      detail: { state: [...GONE_INSTANCE_STATES] },
    });
    expect(GONE_INSTANCE_STATES).toEqual(["shutting-down", "terminated", "stopping", "stopped"]);
  });

  test("also sweeps on a schedule, every 5 minutes by default", () => {
    expect(ruleNamed(synthJanitor(), "schedule").values.schedule_expression).toBe("rate(5 minutes)");
    expect(ruleNamed(synthJanitor({ scheduleMinutes: 15 }), "schedule").values.schedule_expression).toBe("rate(15 minutes)");
  });

  test("a one-minute schedule says `rate(1 minute)`: EventBridge refuses `rate(1 minutes)`", () => {
    expect(ruleNamed(synthJanitor({ scheduleMinutes: 1 }), "schedule").values.schedule_expression).toBe("rate(1 minute)");
  });

  test("each rule targets the function, which lets exactly that rule invoke it", () => {
    const stack = synthJanitor();
    const fn = resources(stack, "aws_lambda_function")[0];
    for (const rule of resources(stack, "aws_cloudwatch_event_rule")) {
      expect(resources(stack, "aws_cloudwatch_event_target").map((t) => t.values)).toContainEqual(
        expect.objectContaining({ rule: ref("aws_cloudwatch_event_rule", rule, "name"), arn: ref("aws_lambda_function", fn, "arn") }),
      );
      expect(resources(stack, "aws_lambda_permission").map((p) => p.values)).toContainEqual(
        expect.objectContaining({ principal: "events.amazonaws.com", action: "lambda:InvokeFunction", source_arn: ref("aws_cloudwatch_event_rule", rule, "arn") }),
      );
    }
  });

  test("failed invocations are retried, then sent to an encrypted queue: never silent", () => {
    const stack = synthJanitor();
    const queue = resources(stack, "aws_sqs_queue")[0];
    expect(queue.values.sqs_managed_sse_enabled).toBe(true);
    expect(soleResource(stack, "aws_lambda_function_event_invoke_config")).toMatchObject({
      maximum_retry_attempts: 2,
      destination_config: { on_failure: { destination: ref("aws_sqs_queue", queue, "arn") } },
    });
  });

  test("its role may read, and only delete, A and SRV records of the zone, describe instances, log and report failures", () => {
    const stack = synthJanitor();
    const statements = statementsOf(stack);
    expect(statements.flatMap((s) => s.Action).sort()).toEqual(
      [
        ...["cloudwatch:GetMetricData", "cloudwatch:ListMetrics", "cloudwatch:PutMetricData", "ec2:DescribeInstances"],
        ...["logs:CreateLogStream", "logs:PutLogEvents", "route53:ChangeResourceRecordSets", "route53:ListResourceRecordSets", "sqs:SendMessage"],
      ].sort(),
    );
    for (const s of statements.filter((s) => s.Action.some((a) => a.startsWith("route53:")))) expect(s.Resource).toEqual([zoneArn]);
    expect(statements.find((s) => s.Action.includes("route53:ChangeResourceRecordSets"))!.Condition).toEqual({
      "ForAllValues:StringEquals": { "route53:ChangeResourceRecordSetsRecordTypes": ["A", "SRV", "TXT"], "route53:ChangeResourceRecordSetsActions": ["DELETE"] },
    });
    // The resource wildcards are actions that support none; PutMetricData is held to the janitor's namespace.
    expect(statements.filter((s) => s.Resource.includes("*")).flatMap((s) => s.Action).sort()).toEqual(
      ["cloudwatch:GetMetricData", "cloudwatch:ListMetrics", "cloudwatch:PutMetricData", "ec2:DescribeInstances"].sort(),
    );
    expect(statements.find((s) => s.Action.includes("cloudwatch:PutMetricData"))).toMatchObject({
      Action: ["cloudwatch:PutMetricData"],
      Condition: { StringEquals: { "cloudwatch:namespace": "ECSDNS/Janitor" } },
    });
    expect(jsonDocumentOf(soleResource(stack, "aws_iam_role").assume_role_policy).Statement[0]).toMatchObject({
      Principal: { Service: "lambda.amazonaws.com" },
      Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } },
    });
  });

  test("without health checks it runs outside the VPC, with health checks inside its private subnets", () => {
    expect(soleResource(synthJanitor(), "aws_lambda_function").vpc_config).toBeUndefined();
    expect(resources(synthJanitor(), "aws_security_group")).toEqual([]);
    const stack = synthJanitor({ healthCheck: { timeoutMs: 1500, tries: 4, vpcId: "vpc-0abc", subnetIds: ["subnet-0aaa", "subnet-0bbb"] } });
    const group = resources(stack, "aws_security_group")[0];
    expect(soleResource(stack, "aws_lambda_function")).toMatchObject({
      vpc_config: { subnet_ids: ["subnet-0aaa", "subnet-0bbb"], security_group_ids: [ref("aws_security_group", group, "id")] },
      environment: { variables: { ECSDNS_HEALTH_CHECKS: "true", ECSDNS_HEALTH_CHECK_TIMEOUT_MS: "1500", ECSDNS_HEALTH_CHECK_TRIES: "4" } },
    });
  });

  test("writes its logs to a log group with retention", () => {
    expect(soleResource(synthJanitor({ logRetentionDays: 14 }), "aws_cloudwatch_log_group")).toMatchObject({ name: "/aws/lambda/shop-dev-dns-janitor", retention_in_days: 14 });
  });

  describe("alarms: a janitor that fails is noticed", () => {
    const TOPIC = "arn:aws:sns:us-west-2:123456789012:ops-alerts";
    const alarmAt = (stack: StackJson, metric: string) => resources(stack, "aws_cloudwatch_metric_alarm").find((a) => a.values.metric_name === metric)!.values;

    test("an invocation that exhausted Lambda's retries (a message in the failure queue) raises an alarm at once", () => {
      // GIVEN / WHEN
      const stack = synthJanitor();
      // THEN
      const queue = resources(stack, "aws_sqs_queue")[0];
      expect(alarmAt(stack, "ApproximateNumberOfMessagesVisible")).toMatchObject({
        alarm_name: "shop-dev-dns-janitor-failed-invocations",
        namespace: "AWS/SQS",
        dimensions: { QueueName: ref("aws_sqs_queue", queue, "name") },
        statistic: "Maximum",
        period: 300,
        evaluation_periods: 1,
        threshold: 0,
        comparison_operator: "GreaterThanThreshold",
        treat_missing_data: "notBreaching",
      });
    });

    test(`the function's errors raise an alarm when they come ${JANITOR_ERROR_PERIODS} sweeps (5-minute periods) in a row, not for one error a retry fixes`, () => {
      const stack = synthJanitor();
      const fn = resources(stack, "aws_lambda_function")[0];
      expect(alarmAt(stack, "Errors")).toMatchObject({
        alarm_name: "shop-dev-dns-janitor-errors",
        namespace: "AWS/Lambda",
        dimensions: { FunctionName: ref("aws_lambda_function", fn, "function_name") },
        statistic: "Sum",
        period: 300,
        evaluation_periods: 2,
        datapoints_to_alarm: 2,
        threshold: 0,
        comparison_operator: "GreaterThanThreshold",
        treat_missing_data: "notBreaching",
      });
    });

    test("without a topic the alarms have no actions; with one, both notify it on alarm and on recovery", () => {
      for (const alarm of resources(synthJanitor(), "aws_cloudwatch_metric_alarm")) {
        expect(alarm.values.alarm_actions).toBeUndefined();
        expect(alarm.values.ok_actions).toBeUndefined();
      }
      const alarms = resources(synthJanitor({ alarmTopicArn: TOPIC }), "aws_cloudwatch_metric_alarm");
      expect(alarms).toHaveLength(4);
      for (const alarm of alarms) expect(alarm.values).toMatchObject({ alarm_actions: [TOPIC], ok_actions: [TOPIC] });
    });

    test.each(["ops-alerts", "arn:aws:sqs:us-west-2:123456789012:ops", "arn:aws:sns:us-west-2:123456789012:ops.fifo"])("refuses an alarm topic that is no standard SNS topic ARN: %s", (arn) => {
      expect(() => synthJanitor({ alarmTopicArn: arn })).toThrow(`DnsJanitor: alarmTopicArn must be the ARN of a standard SNS topic (arn:aws:sns:<region>:<account>:<name>), got "${arn}"`);
    });
  });

  describe("the heartbeat check: agents that stop reporting", () => {
    const TOPIC = "arn:aws:sns:us-west-2:123456789012:ops-alerts";
    const alarmNamed = (stack: StackJson, id: string) => resources(stack, "aws_cloudwatch_metric_alarm").find((r) => r.name.includes(`heartbeat-check_${id}`))!.values;

    test("invokes the function every minute with the check's input, and only that rule may", () => {
      const stack = synthJanitor();
      const rule = resources(stack, "aws_cloudwatch_event_rule").find((r) => r.name.includes("heartbeat-check"))!;
      expect(rule.values).toMatchObject({ name: "shop-dev-dns-heartbeat-check", schedule_expression: "rate(1 minute)" });
      const target = resources(stack, "aws_cloudwatch_event_target").find((t) => t.name.includes("heartbeat-check"))!;
      expect(target.values).toMatchObject({ rule: ref("aws_cloudwatch_event_rule", rule, "name"), input: JSON.stringify({ ecsdns: "heartbeat-check" }) });
      const permission = resources(stack, "aws_lambda_permission").find((p) => p.name.includes("heartbeat-check"))!;
      expect(permission.values).toMatchObject({ principal: "events.amazonaws.com", source_arn: ref("aws_cloudwatch_event_rule", rule, "arn"), action: "lambda:InvokeFunction" });
    });

    test("pages when a host stays silent for 5 checks, and at once when the guard holds silent hosts' records", () => {
      const stack = synthJanitor({ alarmTopicArn: TOPIC, owner: "team-a" });
      const dimensions = { ZoneId: "Z0123456789ABCDEFGHIJ", Owner: "team-a" };
      expect(alarmNamed(stack, "silent-alarm")).toMatchObject({
        alarm_name: "shop-dev-dns-agents-silent",
        namespace: "ECSDNS/Janitor",
        metric_name: "SilentHosts",
        dimensions,
        statistic: "Maximum",
        period: 60,
        evaluation_periods: 5,
        datapoints_to_alarm: 5,
        threshold: 0,
        comparison_operator: "GreaterThanThreshold",
        treat_missing_data: "notBreaching",
        alarm_actions: [TOPIC],
        ok_actions: [TOPIC],
      });
      expect(alarmNamed(stack, "held-alarm")).toMatchObject({
        alarm_name: "shop-dev-dns-agents-silent-held",
        namespace: "ECSDNS/Janitor",
        metric_name: "HeldSilentHosts",
        dimensions,
        statistic: "Maximum",
        period: 60,
        evaluation_periods: 1,
        threshold: 0,
        comparison_operator: "GreaterThanThreshold",
        alarm_actions: [TOPIC],
      });
    });
  });
});
