/**
 * Containers → the record sets this host should publish.
 *
 * Pure and deterministic (sorted output). Containers on one host that ask for
 * the same FQDN share one record set (same set identifier), so it stays as
 * long as any of them runs; ecsd deleted it on the first `die`.
 */
import { readContainer, type ContainerProblem } from "./container-conventions";
import type { ContainerInfo } from "./ports";
import { compareKeys, normalizeName, recordKey, sortRecords, type DnsRecord } from "../dns/records";
import {
  FQDN_LOCAL_SLOT,
  FQDN_PUBLIC_SLOT,
  HOST_SLOT,
  formatSetIdentifier,
  srvSlot,
} from "../dns/set-identifier";

/** Who this host is, as the records need it. */
export interface HostIdentity {
  /** Owner prefix of every set identifier (`--owner`). */
  readonly owner: string;
  /** EC2 instance id or `--host-id`. */
  readonly hostId: string;
  /** Private IPv4: host A record, `SERVICE_FQDN_LOCAL`, and `SERVICE_FQDN` without a public IP. */
  readonly privateIpv4: string;
  /** Public IPv4, when the host has one. */
  readonly publicIpv4?: string;
}

/** Inputs of {@link computeDesiredRecords}. */
export interface DesiredRecordsInput {
  readonly containers: readonly ContainerInfo[];
  readonly host: HostIdentity;
  /** Zone name, normalized. */
  readonly zoneName: string;
  readonly defaultTtlSeconds: number;
}

/** A container whose records are held back by its Docker health. */
export interface WithheldContainer {
  readonly containerId: string;
  readonly containerName: string;
  /** Docker's health status, e.g. `unhealthy`. */
  readonly health: string;
}

/** Desired records, the per-container problems met on the way, and the containers held back by health. */
export interface DesiredRecords {
  readonly records: readonly DnsRecord[];
  readonly problems: readonly ContainerProblem[];
  readonly withheld: readonly WithheldContainer[];
}

/** SRV priority: equal for every instance, as ecsd and ecssd wrote it. */
export const SRV_PRIORITY = 1;
/** SRV weight: equal for every instance; multivalue routing already spreads the answers. */
export const SRV_WEIGHT = 1;

/** The host A record's name, `<hostId>.<zone>`, lower case. */
export function hostRecordName(hostId: string, zoneName: string): string {
  return normalizeName(`${hostId}.${normalizeName(zoneName)}`);
}

/** Computes the desired records of this host. */
export function computeDesiredRecords(input: DesiredRecordsInput): DesiredRecords {
  const { host, zoneName, defaultTtlSeconds } = input;
  const records = new Map<string, DnsRecord>();
  const problems: ContainerProblem[] = [];
  const withheld: WithheldContainer[] = [];
  const hostName = hostRecordName(host.hostId, zoneName);
  const srvTarget = hostName.slice(0, -1);
  let hostTtlSeconds: number | undefined;

  // Shared record sets take the smallest TTL any contributor asked for. Records of one key
  // differ in nothing else: the key holds the name and the slot, and the slot what the values come from.
  const put = (record: DnsRecord): void => {
    const key = recordKey(record);
    const existing = records.get(key);
    records.set(key, existing ? { ...existing, ttlSeconds: Math.min(existing.ttlSeconds, record.ttlSeconds) } : record);
  };
  const setId = (slot: string): string => formatSetIdentifier({ owner: host.owner, hostId: host.hostId, slot });

  const containers = [...input.containers].sort((a, b) => compareKeys(a.id, b.id));
  for (const container of containers) {
    const reading = readContainer(container, zoneName, defaultTtlSeconds, host.privateIpv4);
    problems.push(...reading.problems);
    if (reading.withheldFor !== undefined) withheld.push({ containerId: container.id, containerName: container.name, health: reading.withheldFor });
    for (const intent of reading.intents) {
      if (intent.kind === "srv") {
        put({
          name: intent.name,
          type: "SRV",
          setIdentifier: setId(srvSlot(container.id, intent.containerPort, intent.httpCheckPath)),
          routing: "multivalue",
          ttlSeconds: intent.ttlSeconds,
          values: [`${SRV_PRIORITY} ${SRV_WEIGHT} ${intent.hostPort} ${srvTarget}`],
        });
        hostTtlSeconds = Math.min(hostTtlSeconds ?? intent.ttlSeconds, intent.ttlSeconds);
      } else {
        const isPublic = intent.kind === "fqdn-public";
        // ecsd wrote 127.0.0.1 or an IMDS error page here; without a public IP we publish the private one.
        const ip = isPublic ? (host.publicIpv4 ?? host.privateIpv4) : host.privateIpv4;
        put({
          name: intent.name,
          type: "A",
          setIdentifier: setId(isPublic ? FQDN_PUBLIC_SLOT : FQDN_LOCAL_SLOT),
          routing: "multivalue",
          ttlSeconds: intent.ttlSeconds,
          values: [ip],
        });
      }
    }
  }

  // SRV targets must resolve. The host record stays while the agent runs, not only while an
  // SRV needs it: deleting a name makes resolvers cache "no such name" for the zone's
  // negative-caching TTL, and the next task on this host would start unresolvable.
  put({
    name: hostName,
    type: "A",
    setIdentifier: setId(HOST_SLOT),
    routing: "multivalue",
    ttlSeconds: hostTtlSeconds ?? defaultTtlSeconds,
    values: [host.privateIpv4],
  });
  return { records: sortRecords([...records.values()]), problems, withheld };
}
