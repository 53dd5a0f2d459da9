import { Fn } from "cdktf";
import { Construct } from "constructs";
import { DataAwsRoute53Zone } from "@cdktf/provider-aws/lib/data-aws-route53-zone";
import { Route53Record } from "@cdktf/provider-aws/lib/route53-record";
import { Route53Zone } from "@cdktf/provider-aws/lib/route53-zone";
import { Route53ZoneAssociation } from "@cdktf/provider-aws/lib/route53-zone-association";

/** Properties of {@link PrivateDnsZone}. */
export interface PrivateDnsZoneProps {
  readonly vpcId: string;
  /** Name of the zone to create, e.g. `servicediscovery.internal`. Ignored with `existingZoneId`. */
  readonly zoneName: string;
  /**
   * Use this private zone instead of creating one; it is associated with the VPC.
   * @default - a new private zone
   */
  readonly existingZoneId?: string;
  /**
   * With `existingZoneId`: the zone is already associated with the VPC, so
   * no association is made (Route53 refuses a second one) and none is ever
   * removed. Stated by the user, not looked up: a lookup cannot tell an
   * association made elsewhere from the one this construct made, and would
   * remove its own on the next plan.
   * @default false
   */
  readonly existingZoneAssociated?: boolean;
  /**
   * How long resolvers cache "no such name" for the new zone: the SOA's
   * minimum field and the SOA record's own TTL (a resolver takes the smaller,
   * RFC 2308). Route53 creates the SOA with 900 s, so the name of a service
   * whose only task is redeployed would stay unresolvable for 15 minutes.
   * An existing zone's SOA is left as it is: it is not ours.
   * @default - Route53's SOA (900 s)
   */
  readonly negativeTtlSeconds?: number;
}

/**
 * The private hosted zone that the DNS agents write A and SRV records into,
 * resolvable from the VPC only.
 */
export class PrivateDnsZone extends Construct {
  readonly zoneId: string;
  /** The zone's name, without a trailing dot. */
  readonly zoneName: string;

  constructor(scope: Construct, id: string, props: PrivateDnsZoneProps) {
    super(scope, id);
    if (props.existingZoneId) {
      const zone = new DataAwsRoute53Zone(this, "zone", { zoneId: props.existingZoneId, privateZone: true });
      if (!props.existingZoneAssociated) new Route53ZoneAssociation(this, "vpc-association", { zoneId: zone.zoneId, vpcId: props.vpcId });
      this.zoneId = zone.zoneId;
      this.zoneName = zone.name;
      return;
    }
    const zone = new Route53Zone(this, "zone", {
      name: props.zoneName,
      comment: "Service discovery: A and SRV records kept by the DNS agents",
      vpc: [{ vpcId: props.vpcId }],
      // The agents' records are deleted by the agents and the janitor, never by a destroy.
      forceDestroy: false,
    });
    this.zoneId = zone.zoneId;
    this.zoneName = zone.name;
    if (props.negativeTtlSeconds !== undefined) {
      // Route53 made the SOA with the zone; allow_overwrite lets Terraform take it over (UPSERT).
      // Fields: primary name server, contact, serial, refresh, retry, expire, negative-caching TTL.
      new Route53Record(this, "soa", {
        zoneId: zone.zoneId,
        name: zone.name,
        type: "SOA",
        ttl: props.negativeTtlSeconds,
        allowOverwrite: true,
        records: [`${Fn.trimsuffix(zone.primaryNameServer, ".")}. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 ${props.negativeTtlSeconds}`],
      });
    }
  }
}
