/**
 * Named fixtures for the agent's unit tests (external-dns's PlanTestSuite
 * habit): containers, hosts and records that read like the behaviour.
 */
import type { ContainerInfo, PublishedPort } from "../../../agent/ports";
import type { DnsRecord } from "../../../dns/records";
import type { HostIdentity } from "../../../agent/desired-records";

export const ZONE = "svc.internal.";
export const HOST: HostIdentity = { owner: "ecsdns", hostId: "i-0abc", privateIpv4: "10.0.1.5" };
export const HOST_WITH_PUBLIC: HostIdentity = { ...HOST, publicIpv4: "54.1.2.3" };
export const OTHER_HOST: HostIdentity = { owner: "ecsdns", hostId: "i-0def", privateIpv4: "10.0.1.6" };

/** A 64-hex container id starting with `prefix` (hex). */
export function containerId(prefix: string): string {
  return prefix.padEnd(64, "0");
}

/** A running bridge-mode container. */
export function container(overrides: Partial<ContainerInfo> & { id?: string } = {}): ContainerInfo {
  return {
    id: containerId("aaaa11112222"),
    name: "web",
    env: {},
    labels: {},
    ports: [],
    networkMode: "bridge",
    ...overrides,
  };
}

/** A TCP binding container port → host port, on every IPv4 address unless `hostIp` says otherwise. */
export function tcp(containerPort: number, hostPort: number, hostIp = "0.0.0.0"): PublishedPort {
  return { containerPort, protocol: "tcp", hostIp, hostPort };
}

/** A UDP binding container port → host port, on every IPv4 address unless `hostIp` says otherwise. */
export function udp(containerPort: number, hostPort: number, hostIp = "0.0.0.0"): PublishedPort {
  return { containerPort, protocol: "udp", hostIp, hostPort };
}

/** A multivalue A record of ours. */
export function aRecord(name: string, setIdentifier: string, ip: string, ttlSeconds = 10): DnsRecord {
  return { name, type: "A", setIdentifier, routing: "multivalue", ttlSeconds, values: [ip] };
}

/** A multivalue SRV record of ours. */
export function srvRecord(name: string, setIdentifier: string, value: string, ttlSeconds = 10): DnsRecord {
  return { name, type: "SRV", setIdentifier, routing: "multivalue", ttlSeconds, values: [value] };
}

/** A simple (non-multivalue) record, as created by hand. */
export function simpleRecord(name: string, type: string, values: string[], ttlSeconds = 300): DnsRecord {
  return { name, type, routing: "simple", ttlSeconds, values };
}

/** A never-aborted signal for calls that need one. */
export const NO_SIGNAL = new AbortController().signal;
