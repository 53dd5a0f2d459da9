/**
 * A fresh hosted zone in moto per test file, and reads of its records.
 * Tests talk to moto through the SDK directly, independent of the agent's
 * own Route53 code.
 */
import {
  ChangeResourceRecordSetsCommand,
  CreateHostedZoneCommand,
  DeleteHostedZoneCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
  type ResourceRecordSet,
} from "@aws-sdk/client-route-53";
import { awsEnv, uniqueSuffix, type TestEnv } from "./test-env";

/** One hosted zone owned by one test file. */
export class TestZone {
  private constructor(
    readonly client: Route53Client,
    readonly id: string,
    /** With trailing dot. */
    readonly name: string,
  ) {}

  /** Creates `<prefix>-<unique>.test.` */
  static async create(env: TestEnv, prefix: string): Promise<TestZone> {
    const aws = awsEnv(env);
    const client = new Route53Client({
      region: aws.AWS_REGION,
      endpoint: env.motoUrl,
      credentials: { accessKeyId: aws.AWS_ACCESS_KEY_ID, secretAccessKey: aws.AWS_SECRET_ACCESS_KEY },
    });
    const name = `${prefix}-${uniqueSuffix()}.test.`;
    const out = await client.send(new CreateHostedZoneCommand({ Name: name, CallerReference: `${name}${Date.now()}` }));
    return new TestZone(client, out.HostedZone!.Id!.replace("/hostedzone/", ""), name);
  }

  /** Every record set of the zone. */
  async records(): Promise<ResourceRecordSet[]> {
    const all: ResourceRecordSet[] = [];
    let start: { name?: string; type?: string } = {};
    for (;;) {
      const page = await this.client.send(
        new ListResourceRecordSetsCommand({ HostedZoneId: this.id, StartRecordName: start.name, StartRecordType: start.type as never, MaxItems: 300 }),
      );
      for (const r of page.ResourceRecordSets ?? []) {
        if (!all.some((a) => a.Name === r.Name && a.Type === r.Type && a.SetIdentifier === r.SetIdentifier)) all.push(r);
      }
      if (!page.IsTruncated) return all;
      start = { name: page.NextRecordName, type: page.NextRecordType };
    }
  }

  /**
   * Record sets whose set identifier names this host, as `TYPE name value`
   * lines, sorted. Hosts are per test, so containers left by another test
   * cannot show up here unless they outlive it.
   */
  async hostRecords(hostId: string, owner = "ecsdns"): Promise<string[]> {
    return (await this.records())
      .filter((r) => r.SetIdentifier?.startsWith(`${owner}/${hostId}/`))
      .map((r) => `${r.Type} ${r.Name} ${(r.ResourceRecords ?? []).map((v) => v.Value).join(",")}`)
      .sort();
  }

  /** Creates a record set as a person would, outside the agent. */
  async createRecord(rrset: ResourceRecordSet): Promise<void> {
    await this.client.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: this.id, ChangeBatch: { Changes: [{ Action: "CREATE", ResourceRecordSet: rrset }] } }));
  }

  /** Empties and deletes the zone; errors are ignored (moto restarts, leftovers). */
  async destroy(): Promise<void> {
    try {
      const records = (await this.records()).filter((r) => r.Type !== "NS" && r.Type !== "SOA");
      for (const r of records) {
        await this.client
          .send(new ChangeResourceRecordSetsCommand({ HostedZoneId: this.id, ChangeBatch: { Changes: [{ Action: "DELETE", ResourceRecordSet: r }] } }))
          .catch(() => undefined);
      }
      await this.client.send(new DeleteHostedZoneCommand({ Id: this.id }));
    } catch {
      // The zone is unique to this run; a leftover harms nobody.
    } finally {
      this.client.destroy();
    }
  }
}
