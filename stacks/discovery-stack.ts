import { TerraformOutput } from "cdktf";
import { Construct } from "constructs";
import { PrivateDnsZone } from "../modules/private-dns-zone";
import type { NetworkRefs } from "./network-stack";
import { PlatformStack, type PlatformStackProps } from "./platform-stack";

/** Properties of {@link DiscoveryStack}. */
export interface DiscoveryStackProps extends PlatformStackProps {
  readonly network: NetworkRefs;
  readonly zoneName: string;
  /** @default - a new private zone */
  readonly existingZoneId?: string;
}

/** `<env>-discovery`: the private hosted zone the DNS agents keep records in. */
export class DiscoveryStack extends PlatformStack {
  readonly zone: PrivateDnsZone;

  constructor(scope: Construct, id: string, props: DiscoveryStackProps) {
    super(scope, id, props);
    this.zone = new PrivateDnsZone(this, "zone", {
      vpcId: props.network.vpcId,
      zoneName: props.zoneName,
      existingZoneId: props.existingZoneId,
    });
    new TerraformOutput(this, "zone_id", { value: this.zone.zoneId });
    new TerraformOutput(this, "zone_name", { value: this.zone.zoneName });
  }
}
