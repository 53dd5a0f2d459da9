import { computeDesiredRecords, hostRecordName } from "../../agent/desired-records";
import { nameIndexRecord } from "../../dns/name-index";
import { HOST, ZONE, container, containerId, tcp } from "../agent/helpers/fixtures";
import { DnsAgentInstall } from "../../modules/dns-agent-install";
import { DnsJanitor } from "../../modules/dns-janitor";
import { policyDocument } from "../../modules/iam-documents";
import { MANAGED_RECORD_TYPES, route53RecordStatements } from "../../modules/route53-record-statements";
import { jsonDocumentOf, resources, synthConstruct, TEST_BUNDLES, type StackJson } from "../helpers/synth";

const zone = { partition: "aws", zoneId: "Z0123456789ABCDEFGHIJ" } as const;
const zoneArn = "arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ";

/** The statements as they appear in a policy document. */
const rendered = (statements: ReturnType<typeof route53RecordStatements>) => jsonDocumentOf(policyDocument(statements)).Statement;
/** The Route53 statements of a stack's inline policies (the agent's heartbeat has a policy of its own). */
const route53StatementsOf = (stack: StackJson) =>
  resources(stack, "aws_iam_role_policy")
    .flatMap((p) => jsonDocumentOf(p.values.policy).Statement)
    .filter((s: { Action: string[] }) => s.Action.every((a) => a.startsWith("route53:")));

describe("route53RecordStatements", () => {
  test("allows changing only A, SRV and TXT record sets, and listing record sets, of the one zone", () => {
    // GIVEN / WHEN
    const statements = rendered(route53RecordStatements(zone));
    // THEN
    expect(statements).toEqual([
      {
        Effect: "Allow",
        Action: ["route53:ChangeResourceRecordSets"],
        Resource: [zoneArn],
        Condition: { "ForAllValues:StringEquals": { "route53:ChangeResourceRecordSetsRecordTypes": ["A", "SRV", "TXT"] } },
      },
      { Effect: "Allow", Action: ["route53:ListResourceRecordSets"], Resource: [zoneArn] },
    ]);
    expect(MANAGED_RECORD_TYPES).toEqual(["A", "SRV", "TXT"]);
  });

  test("allow every record type the agent writes: host A, SERVICE_FQDN A, SRV and the name index's TXT (IAM refuses a whole batch with one other type)", () => {
    // GIVEN: every kind of record a host publishes, as the agent computes them
    const { records } = computeDesiredRecords({
      containers: [container({ id: containerId("abcdef012345"), env: { SERVICE_8080_NAME: "_echo._tcp", SERVICE_FQDN_LOCAL: "a.svc.internal" }, ports: [tcp(8080, 32768)] })],
      host: HOST,
      zoneName: ZONE,
      defaultTtlSeconds: 10,
    });
    const index = nameIndexRecord(records, HOST, hostRecordName(HOST.hostId, ZONE), ZONE, 10);
    // WHEN
    const written = new Set([...records, ...(index ? [index] : [])].map((r) => r.type));
    // THEN
    expect([...written].sort()).toEqual(["A", "SRV", "TXT"]);
    for (const type of written) expect(MANAGED_RECORD_TYPES).toContain(type);
  });

  test("puts the zone in the given partition", () => {
    // GIVEN / WHEN
    const statements = rendered(route53RecordStatements({ ...zone, partition: "aws-cn" }));
    // THEN
    for (const s of statements) expect(s.Resource).toEqual(["arn:aws-cn:route53:::hostedzone/Z0123456789ABCDEFGHIJ"]);
  });

  test("adds GetHostedZone on the zone only for a principal that reads the zone's name", () => {
    // GIVEN / WHEN
    const without = rendered(route53RecordStatements(zone));
    const withRead = rendered(route53RecordStatements({ ...zone, readsZoneName: true }));
    // THEN
    expect(without.flatMap((s: { Action: string[] }) => s.Action)).not.toContain("route53:GetHostedZone");
    expect(withRead).toEqual([...without, { Effect: "Allow", Action: ["route53:GetHostedZone"], Resource: [zoneArn] }]);
  });

  test("with actions, allows only those change actions (the key's values, upper case); with all three, adds no condition for them", () => {
    // GIVEN / WHEN
    const deleteOnly = rendered(route53RecordStatements({ ...zone, actions: ["DELETE"] }));
    const all = rendered(route53RecordStatements({ ...zone, actions: ["UPSERT", "DELETE", "CREATE"] }));
    // THEN
    expect(deleteOnly[0].Condition).toEqual({
      "ForAllValues:StringEquals": { "route53:ChangeResourceRecordSetsRecordTypes": ["A", "SRV", "TXT"], "route53:ChangeResourceRecordSetsActions": ["DELETE"] },
    });
    expect(all).toEqual(rendered(route53RecordStatements(zone)));
  });

  test("are the DNS agent's and the janitor's Route53 permissions: the agent may write, the janitor only delete", () => {
    // GIVEN
    const agent = synthConstruct((scope) => {
      new DnsAgentInstall(scope, "dns-agent", { ...zone, namePrefix: "shop-dev", bundlePath: TEST_BUNDLES.agent, zoneName: "svc.internal", region: "us-west-2" }).grantTo(
        "shop-dev-ecs-instance",
        "arn:aws:autoscaling:us-west-2:123456789012:autoScalingGroup:0a1b:autoScalingGroupName/shop-dev-ecs",
      );
    });
    const janitor = synthConstruct((scope) => {
      new DnsJanitor(scope, "janitor", { ...zone, namePrefix: "shop-dev", codeZip: TEST_BUNDLES.janitorZip, region: "us-west-2", accountId: "123456789012" });
    });
    // WHEN / THEN
    expect(route53StatementsOf(agent)).toEqual(rendered(route53RecordStatements(zone)));
    expect(route53StatementsOf(janitor)).toEqual(rendered(route53RecordStatements({ ...zone, actions: ["DELETE"] })));
  });
});
