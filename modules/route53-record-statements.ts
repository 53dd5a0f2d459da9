import type { PolicyStatement } from "./iam-documents";

/** The record types the DNS agent and the janitor may change: host (A) and service (SRV) records. */
export const MANAGED_RECORD_TYPES = ["A", "SRV"] as const;

/** Options of {@link route53RecordStatements}. */
export interface Route53RecordStatementsProps {
  /** The partition of the zone's ARN (`aws`, `aws-cn`, ...). */
  readonly partition: string;
  readonly zoneId: string;
  /**
   * Also allow `route53:GetHostedZone` on the zone, for a principal that
   * reads the zone's name from Route53 (the agent started without
   * `--zone-name`).
   * @default false
   */
  readonly readsZoneName?: boolean;
}

/**
 * The Route53 statements of a principal that keeps records in one zone, as
 * the DNS agent and the janitor both do: change only
 * {@link MANAGED_RECORD_TYPES} record sets, and list the record sets, of that
 * zone and no other.
 */
export function route53RecordStatements(props: Route53RecordStatementsProps): PolicyStatement[] {
  const zoneArn = `arn:${props.partition}:route53:::hostedzone/${props.zoneId}`;
  return [
    {
      actions: ["route53:ChangeResourceRecordSets"],
      resources: [zoneArn],
      conditions: { "ForAllValues:StringEquals": { "route53:ChangeResourceRecordSetsRecordTypes": [...MANAGED_RECORD_TYPES] } },
    },
    { actions: ["route53:ListResourceRecordSets"], resources: [zoneArn] },
    ...(props.readsZoneName ? [{ actions: ["route53:GetHostedZone"], resources: [zoneArn] }] : []),
  ];
}
