/**
 * What the janitor works on, in moto: EC2 instances (running, terminated)
 * and a hosted zone with the records of live and dead hosts, of another
 * owner and hand-made ones; and the EventBridge events that trigger it.
 * Tests read the zone through the SDK directly, never through the janitor's
 * own Route53 code.
 */
import { randomUUID } from "node:crypto";
import { EC2Client, RunInstancesCommand, TerminateInstancesCommand } from "@aws-sdk/client-ec2";
import {
  ChangeResourceRecordSetsCommand,
  CreateHostedZoneCommand,
  DeleteHostedZoneCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
  type ResourceRecordSet,
} from "@aws-sdk/client-route-53";

/** The agents' default owner of set identifiers (`<owner>/<hostId>/<slot>`). */
export const OWNER = "ecsdns";
const ACCOUNT = "000000000000";

/** One test's zone and instances. */
export interface World {
  readonly zoneId: string;
  /** With the trailing dot. */
  readonly zoneName: string;
  readonly live: readonly string[];
  /** Terminated in EC2. */
  readonly dead: string;
  /** An instance id EC2 never had. */
  readonly neverExisted: string;
  /** Record sets of `dead` and of `neverExisted` under {@link OWNER}. */
  readonly deadRecords: readonly ResourceRecordSet[];
  readonly neverExistedRecords: readonly ResourceRecordSet[];
  /** Every record set, as {@link JanitorWorlds.snapshot} shows them, before the janitor ran. */
  readonly before: readonly string[];
}

/** A host's records as its agent writes them (host A, one SRV, one SERVICE_FQDN A), each under its own name. */
export function hostRecords(zoneName: string, hostId: string, ip: string, owner = OWNER): ResourceRecordSet[] {
  const multivalue = (name: string, type: "A" | "SRV", slot: string, value: string): ResourceRecordSet => ({
    Name: `${name}.${zoneName}`,
    Type: type,
    SetIdentifier: `${owner}/${hostId}/${slot}`,
    MultiValueAnswer: true,
    TTL: 10,
    ResourceRecords: [{ Value: value }],
  });
  return [
    multivalue(hostId, "A", "host", ip),
    multivalue(`_web-${hostId}._tcp`, "SRV", "3f2a9c1b7d4e-8080", `1 1 32768 ${hostId}.${zoneName}`),
    multivalue(`web-${hostId}`, "A", "fqdn-local", ip),
  ];
}

const keyOf = (r: ResourceRecordSet) => `${r.Name} ${r.Type} ${r.SetIdentifier ?? "-"}`;

/** The zone as it should be after the janitor: as before, less `gone`. */
export function without(world: World, gone: readonly ResourceRecordSet[]): string[] {
  const keys = new Set(gone.map(keyOf));
  return world.before.filter((json) => !keys.has(keyOf(JSON.parse(json) as ResourceRecordSet)));
}

/** Makes worlds in moto and removes every one of them at the end. */
export class JanitorWorlds {
  private readonly ec2: EC2Client;
  private readonly route53: Route53Client;
  private readonly zones: string[] = [];
  private readonly instances: string[] = [];

  constructor(motoUrl: string, region: string, credentials: { accessKeyId: string; secretAccessKey: string }) {
    const config = { region, endpoint: motoUrl, credentials };
    this.ec2 = new EC2Client(config);
    this.route53 = new Route53Client(config);
  }

  /**
   * A fresh zone and instances: two running, one terminated; records of both
   * live hosts, of the dead one, of an id EC2 never had, of a laptop host
   * (not an instance id), another owner's records of the dead instance, and
   * hand-made ones (one plain, one multivalue with a set identifier of its own).
   */
  async make(prefix: string): Promise<World> {
    const zoneName = `${prefix}-${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}.test.`;
    const created = await this.route53.send(new CreateHostedZoneCommand({ Name: zoneName, CallerReference: randomUUID() }));
    const zoneId = created.HostedZone!.Id!.replace("/hostedzone/", "");
    this.zones.push(zoneId);
    const launched = await this.ec2.send(new RunInstancesCommand({ ImageId: "ami-12c6146b", InstanceType: "t3.small", MinCount: 3, MaxCount: 3 }));
    const [live1, live2, dead] = launched.Instances!.map((i) => i.InstanceId!);
    this.instances.push(live1, live2, dead);
    await this.ec2.send(new TerminateInstancesCommand({ InstanceIds: [dead] }));
    const neverExisted = `i-0${randomUUID().replace(/-/g, "").slice(0, 16)}`;
    const deadRecords = hostRecords(zoneName, dead, "10.0.1.3");
    const neverExistedRecords = hostRecords(zoneName, neverExisted, "10.0.1.4");
    const others: ResourceRecordSet[] = [
      ...hostRecords(zoneName, live1, "10.0.1.1"),
      ...hostRecords(zoneName, live2, "10.0.1.2"),
      ...hostRecords(zoneName, "laptop-7", "192.168.1.7"),
      ...hostRecords(zoneName, dead, "10.0.1.3", "other-team"),
      { Name: `www.${zoneName}`, Type: "A", TTL: 300, ResourceRecords: [{ Value: "10.9.9.9" }] },
      { Name: `mail.${zoneName}`, Type: "A", SetIdentifier: "hand-made", MultiValueAnswer: true, TTL: 60, ResourceRecords: [{ Value: "10.9.9.10" }] },
    ];
    await this.route53.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: zoneId,
        ChangeBatch: { Changes: [...others, ...deadRecords, ...neverExistedRecords].map((r) => ({ Action: "CREATE" as const, ResourceRecordSet: r })) },
      }),
    );
    return { zoneId, zoneName, live: [live1, live2], dead, neverExisted, deadRecords, neverExistedRecords, before: await this.snapshot(zoneId) };
  }

  /** A zone's record sets, each as its JSON, sorted: compared byte for byte. */
  async snapshot(zoneId: string): Promise<string[]> {
    return (await this.records(zoneId)).map((r) => JSON.stringify(r)).sort();
  }

  /** Removes every zone (and its records) and terminates every instance made. */
  async destroy(): Promise<void> {
    for (const zoneId of this.zones) {
      const left = await this.records(zoneId).catch(() => []);
      const changes = left.filter((r) => r.Type !== "NS" && r.Type !== "SOA").map((r) => ({ Action: "DELETE" as const, ResourceRecordSet: r }));
      if (changes.length > 0) await this.route53.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: zoneId, ChangeBatch: { Changes: changes } })).catch(() => undefined);
      await this.route53.send(new DeleteHostedZoneCommand({ Id: zoneId })).catch(() => undefined);
    }
    if (this.instances.length > 0) await this.ec2.send(new TerminateInstancesCommand({ InstanceIds: this.instances })).catch(() => undefined);
    this.ec2.destroy();
    this.route53.destroy();
  }

  private async records(zoneId: string): Promise<ResourceRecordSet[]> {
    const all: ResourceRecordSet[] = [];
    let start: { name?: string; type?: string; identifier?: string } = {};
    for (;;) {
      const page = await this.route53.send(
        new ListResourceRecordSetsCommand({ HostedZoneId: zoneId, StartRecordName: start.name, StartRecordType: start.type as never, StartRecordIdentifier: start.identifier, MaxItems: 300 }),
      );
      all.push(...(page.ResourceRecordSets ?? []));
      if (!page.IsTruncated) return all;
      start = { name: page.NextRecordName, type: page.NextRecordType, identifier: page.NextRecordIdentifier };
    }
  }
}

// ---- the events EventBridge delivers -------------------------------------

/** Does `event` match an EventBridge pattern of exact values (the kind the stack's rule uses)? */
export function matchesPattern(pattern: Record<string, unknown>, event: Record<string, unknown>): boolean {
  return Object.entries(pattern).every(([key, wanted]) =>
    Array.isArray(wanted) ? wanted.includes(event[key]) : typeof event[key] === "object" && matchesPattern(wanted as Record<string, unknown>, event[key] as Record<string, unknown>),
  );
}

const eventTime = () => new Date().toISOString().replace(/\.\d+Z$/, "Z");

/** An "EC2 Instance State-change Notification" as EventBridge delivers it. */
export function stateChangeEvent(region: string, instanceId: string, state: string): Record<string, unknown> {
  return {
    version: "0",
    id: randomUUID(),
    "detail-type": "EC2 Instance State-change Notification",
    source: "aws.ec2",
    account: ACCOUNT,
    time: eventTime(),
    region,
    resources: [`arn:aws:ec2:${region}:${ACCOUNT}:instance/${instanceId}`],
    detail: { "instance-id": instanceId, state },
  };
}

/** A "Scheduled Event" of the rule named `ruleName`, as EventBridge delivers it. */
export function scheduledEvent(region: string, ruleName: string): Record<string, unknown> {
  return {
    version: "0",
    id: randomUUID(),
    "detail-type": "Scheduled Event",
    source: "aws.events",
    account: ACCOUNT,
    time: eventTime(),
    region,
    resources: [`arn:aws:events:${region}:${ACCOUNT}:rule/${ruleName}`],
    detail: {},
  };
}
