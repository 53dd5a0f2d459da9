/**
 * The agents' heartbeat in CloudWatch, shared by the agent (which publishes
 * it), the janitor (which reads it) and the stacks (IAM, alarms): a
 * high-resolution custom metric per host, and the janitor's own counts.
 *
 * A heartbeat costs the zone nothing: it goes to CloudWatch, never to
 * Route53, whose request budget the whole account shares. See the root
 * README, "When an agent hangs or dies", for the timing and the costs.
 */

/** The agents' namespace; the instance role may put metrics only there (`cloudwatch:namespace`). */
export const AGENT_HEARTBEAT_NAMESPACE = "ECSDNS/Agent";
/** One sample (value 1) per heartbeat. */
export const AGENT_HEARTBEAT_METRIC = "Heartbeat";
/** The janitor's namespace: how many hosts it found silent. */
export const JANITOR_NAMESPACE = "ECSDNS/Janitor";
/** Running hosts, of the zone and owner, whose agents stopped reporting. */
export const SILENT_HOSTS_METRIC = "SilentHosts";
/** Silent hosts whose records the guard kept (too many silent at once to be the agents' fault). */
export const HELD_SILENT_HOSTS_METRIC = "HeldSilentHosts";

/** The heartbeat's dimensions, in this order: one zone, one owner, one host. */
export function heartbeatDimensions(zoneId: string, owner: string, hostId: string): { Name: string; Value: string }[] {
  return [
    { Name: "ZoneId", Value: zoneId },
    { Name: "Owner", Value: owner },
    { Name: "HostId", Value: hostId },
  ];
}

/** An agent's period between heartbeats, by default. */
export const DEFAULT_HEARTBEAT_SECONDS = 60;
/** A running host is silent after this long without a heartbeat, by default (2.5 heartbeats: one lost put is forgiven). */
export const DEFAULT_SILENT_AFTER_SECONDS = 150;
/** The janitor's heartbeat check runs this often. */
export const HEARTBEAT_CHECK_MINUTES = 1;
/** Above this share of silent hosts, the janitor deletes nothing and alarms instead, by default. */
export const DEFAULT_SILENT_HOSTS_MAX_PERCENT = 50;
/**
 * What the janitor's heartbeat-check event (the schedule's target input)
 * looks like: `{"ecsdns": "heartbeat-check"}`.
 */
export const HEARTBEAT_CHECK_INPUT = { ecsdns: "heartbeat-check" } as const;
