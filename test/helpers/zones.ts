/**
 * Hosted zones in the emulator for tests and benchmarks: create one, list
 * and change its record sets, wait for a host's records, empty and delete it.
 * They talk to moto through the SDK directly, independent of the agent's
 * own Route53 code.
 */
import {
  ChangeResourceRecordSetsCommand,
  CreateHostedZoneCommand,
  DeleteHostedZoneCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
  type Change,
  type ResourceRecordSet,
} from "@aws-sdk/client-route-53";
import { uniqueSuffix, waitFor } from "../agent/helpers/test-env";

/** Settings of {@link emulatorRoute53}. */
export interface EmulatorRoute53Options {
  /**
   * The SDK's attempts per call.
   * @default - the SDK's default (3)
   */
  readonly maxAttempts?: number;
}

/** A Route53 client for the emulator at `endpoint`, with the test credentials. */
export function emulatorRoute53(endpoint: string, options: EmulatorRoute53Options = {}): Route53Client {
  // The SDK warns on every client under Node 20; the tests know.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
  return new Route53Client({ region: "us-east-1", endpoint, credentials: { accessKeyId: "test", secretAccessKey: "test" }, maxAttempts: options.maxAttempts });
}

/**
 * Every record set of a zone, following NextRecordName/Type/Identifier in
 * pages of `pageSize`; bounded by `maxPages`, so that a paging bug cannot loop forever.
 */
export async function listRecordSets(client: Route53Client, zoneId: string, { pageSize = 300, maxPages = 100 } = {}): Promise<ResourceRecordSet[]> {
  const all: ResourceRecordSet[] = [];
  let start: { StartRecordName?: string; StartRecordType?: ResourceRecordSet["Type"]; StartRecordIdentifier?: string } = {};
  for (let page = 0; page < maxPages; page++) {
    const out = await client.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId, MaxItems: pageSize, ...start }));
    all.push(...(out.ResourceRecordSets ?? []));
    if (!out.IsTruncated) return all;
    start = { StartRecordName: out.NextRecordName, StartRecordType: out.NextRecordType, StartRecordIdentifier: out.NextRecordIdentifier };
  }
  throw new Error(`zone ${zoneId} has more than ${maxPages} pages of ${pageSize}: ${all.length} record sets so far`);
}

/** One batch of changes to a zone's record sets. */
export async function changeRecordSets(client: Route53Client, zoneId: string, changes: Change[]): Promise<void> {
  await client.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: zoneId, ChangeBatch: { Changes: changes } }));
}

/** Route53's identity of a record set: name, type, set identifier. */
export function recordSetKey(r: ResourceRecordSet): string {
  return `${r.Name} ${r.Type} ${r.SetIdentifier ?? ""}`;
}

/** A record set as a `TYPE name value[,value]` line. */
export function recordLine(r: ResourceRecordSet): string {
  return `${r.Type} ${r.Name} ${(r.ResourceRecords ?? []).map((v) => v.Value).join(",")}`;
}

/** One hosted zone in the emulator. */
export class EmulatorZone {
  constructor(
    readonly client: Route53Client,
    /** Without the `/hostedzone/` prefix. */
    readonly id: string,
    /** With trailing dot. */
    readonly name: string,
    /** Destroy the client with the zone (when the zone made it). */
    private readonly ownsClient = false,
  ) {}

  /** Creates a zone named `name`; the zone's name is the one the emulator answers (lower case, trailing dot). */
  static async create<T extends EmulatorZone>(this: new (client: Route53Client, id: string, name: string) => T, client: Route53Client, name: string): Promise<T> {
    const out = await client.send(new CreateHostedZoneCommand({ Name: name, CallerReference: `${name}${Date.now()}` }));
    return new this(client, out.HostedZone!.Id!.replace("/hostedzone/", ""), out.HostedZone!.Name!);
  }

  /** Creates `<prefix>-<unique>.test.` with a client of its own, destroyed with the zone. */
  static async createUnique(endpoint: string, prefix: string): Promise<EmulatorZone> {
    const client = emulatorRoute53(endpoint);
    const created = await EmulatorZone.create(client, `${prefix}-${uniqueSuffix()}.test.`);
    return new EmulatorZone(client, created.id, created.name, true);
  }

  /** Every record set of the zone (see {@link listRecordSets}). */
  records(options?: { pageSize?: number; maxPages?: number }): Promise<ResourceRecordSet[]> {
    return listRecordSets(this.client, this.id, options);
  }

  /** One batch of changes. */
  change(changes: Change[]): Promise<void> {
    return changeRecordSets(this.client, this.id, changes);
  }

  /** Creates record sets as a person would, outside the agent, in batches of `batchSize`. */
  async createRecords(records: readonly ResourceRecordSet[], batchSize = 500): Promise<void> {
    for (let i = 0; i < records.length; i += batchSize) {
      await this.change(records.slice(i, i + batchSize).map((r) => ({ Action: "CREATE", ResourceRecordSet: r })));
    }
  }

  /**
   * Record sets whose set identifier names `hostId` (of `owner`), as
   * `TYPE name value` lines, sorted. Hosts are per test, so records left by
   * another test cannot show up here unless they outlive it. The host's name
   * index (a TXT record at its host record's name, dns/name-index.ts) is
   * bookkeeping, not a published record: left out unless `withNameIndex`.
   */
  async hostLines(hostId: string, owner = "ecsdns", withNameIndex = false): Promise<string[]> {
    const ofHost = (r: ResourceRecordSet) => r.SetIdentifier?.startsWith(`${owner}/${hostId}/`) && (withNameIndex || r.SetIdentifier !== `${owner}/${hostId}/names`);
    return (await this.records()).filter(ofHost).map(recordLine).sort();
  }

  /** Waits until {@link hostLines} of `hostId` are `expected` (in any order); resolves with them. */
  waitForHostLines(hostId: string, expected: readonly string[], timeoutMs = 20_000): Promise<string[]> {
    return waitFor(
      `records of ${hostId} to be ${JSON.stringify(expected)}`,
      async () => {
        const actual = await this.hostLines(hostId);
        return JSON.stringify(actual) === JSON.stringify([...expected].sort()) && actual;
      },
      timeoutMs,
    );
  }

  /** Deletes every record set but NS and SOA, then the zone; errors are ignored (the emulator restarted, leftovers). */
  async destroy(): Promise<void> {
    try {
      const left = (await this.records()).filter((r) => r.Type !== "NS" && r.Type !== "SOA");
      for (let i = 0; i < left.length; i += 500) {
        await this.change(left.slice(i, i + 500).map((r) => ({ Action: "DELETE", ResourceRecordSet: r }))).catch(() => undefined);
      }
      await this.client.send(new DeleteHostedZoneCommand({ Id: this.id }));
    } catch {
      // Unique to this run; a leftover harms nobody.
    } finally {
      if (this.ownsClient) this.client.destroy();
    }
  }
}
