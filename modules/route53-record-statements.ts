import type { PolicyStatement } from "./iam-documents";

/**
 * The record types the DNS agent and the janitor may change: host (A),
 * service (SRV) records, and the host's name index (TXT, dns/name-index.ts).
 */
export const MANAGED_RECORD_TYPES = ["A", "SRV", "TXT"] as const;

/** A `ChangeResourceRecordSets` action, as the `route53:ChangeResourceRecordSetsActions` condition key names it. */
export type RecordChangeAction = "CREATE" | "UPSERT" | "DELETE";

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
  /**
   * The only change actions allowed (`route53:ChangeResourceRecordSetsActions`),
   * e.g. `["DELETE"]` for the janitor, which only removes records.
   * @default - all three: the agent UPSERTs, DELETEs, and CREATEs after a DELETE when a record's routing policy changes
   */
  readonly actions?: readonly RecordChangeAction[];
}

/**
 * The Route53 statements of a principal that keeps records in one zone, as
 * the DNS agent and the janitor both do: change only
 * {@link MANAGED_RECORD_TYPES} record sets, with only the given actions, and
 * list the record sets, of that zone and no other.
 *
 * What IAM cannot narrow further (see the README, "What IAM enforces and what
 * only the agent does"): the condition keys hold the set of names, types and
 * actions of a whole change batch, never which name goes with which type; and
 * every name in the zone is one a container may ask for (`SERVICE_FQDN`,
 * `SERVICE_PORT_<port>`), so `route53:ChangeResourceRecordSetsNormalizedRecordNames`
 * could only repeat the zone, which the resource already says. Nothing in
 * IAM sees set identifiers, so which records belong to which host (and to
 * which owner) is the agent's and the janitor's code alone.
 * https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/specifying-rrset-conditions.html
 */
export function route53RecordStatements(props: Route53RecordStatementsProps): PolicyStatement[] {
  const zoneArn = `arn:${props.partition}:route53:::hostedzone/${props.zoneId}`;
  const actions: Record<string, string[]> =
    props.actions && new Set(props.actions).size < 3 ? { "route53:ChangeResourceRecordSetsActions": [...new Set(props.actions)].sort() } : {};
  return [
    {
      actions: ["route53:ChangeResourceRecordSets"],
      resources: [zoneArn],
      conditions: { "ForAllValues:StringEquals": { "route53:ChangeResourceRecordSetsRecordTypes": [...MANAGED_RECORD_TYPES], ...actions } },
    },
    { actions: ["route53:ListResourceRecordSets"], resources: [zoneArn] },
    ...(props.readsZoneName ? [{ actions: ["route53:GetHostedZone"], resources: [zoneArn] }] : []),
  ];
}
