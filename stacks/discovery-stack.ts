import { TerraformOutput } from "cdktf";
import { Construct } from "constructs";
import { DnsJanitor, type DnsJanitorProps } from "../modules/dns-janitor";
import { PrivateDnsZone } from "../modules/private-dns-zone";
import type { NetworkRefs } from "./network-stack";
import { PlatformStack, type PlatformStackProps } from "./platform-stack";

/** Properties of {@link DiscoveryStack}. */
export interface DiscoveryStackProps extends PlatformStackProps {
  readonly namePrefix: string;
  readonly region: string;
  readonly network: NetworkRefs;
  readonly zoneName: string;
  /** @default - a new private zone */
  readonly existingZoneId?: string;
  /** The existing zone is already associated with the VPC (see {@link PrivateDnsZoneProps.existingZoneAssociated}). @default false */
  readonly existingZoneAssociated?: boolean;
  /** The new zone's negative-caching TTL (see {@link PrivateDnsZoneProps.negativeTtlSeconds}). */
  readonly negativeTtlSeconds: number;
  /** The janitor; its health checks, when set, run in the network's private subnets. */
  readonly janitor: Pick<DnsJanitorProps, "codeZip" | "owner" | "scheduleMinutes" | "logRetentionDays" | "alarmTopicArn"> & {
    readonly healthCheck?: { readonly timeoutMs: number; readonly tries: number };
  };
}

/** `<env>-discovery`: the private hosted zone the DNS agents keep records in, and the janitor of dead hosts' records. */
export class DiscoveryStack extends PlatformStack {
  readonly zone: PrivateDnsZone;
  readonly janitor: DnsJanitor;

  constructor(scope: Construct, id: string, props: DiscoveryStackProps) {
    super(scope, id, props);
    this.zone = new PrivateDnsZone(this, "zone", {
      vpcId: props.network.vpcId,
      zoneName: props.zoneName,
      existingZoneId: props.existingZoneId,
      existingZoneAssociated: props.existingZoneAssociated,
      negativeTtlSeconds: props.negativeTtlSeconds,
    });
    const { healthCheck, ...janitor } = props.janitor;
    this.janitor = new DnsJanitor(this, "janitor", {
      ...janitor,
      namePrefix: props.namePrefix,
      zoneId: this.zone.zoneId,
      zoneName: this.zone.zoneName,
      region: props.region,
      partition: this.partition,
      accountId: this.accountId,
      healthCheck: healthCheck && { ...healthCheck, vpcId: props.network.vpcId, subnetIds: props.network.privateSubnetIds },
    });
    new TerraformOutput(this, "zone_id", { value: this.zone.zoneId });
    new TerraformOutput(this, "zone_name", { value: this.zone.zoneName });
    new TerraformOutput(this, "janitor_function", { value: this.janitor.functionName });
  }
}
