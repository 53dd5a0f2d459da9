/**
 * Route53 wire record sets ↔ the agent's {@link DnsRecord}.
 */
import { normalizeName, type DnsRecord, type RoutingPolicy } from "../records";
import type { WireRecordSet } from "./route53-api";

// Fields that make a record set weighted, latency, failover, geo... ("other").
const OTHER_ROUTING_FIELDS = ["Weight", "Region", "Failover", "GeoLocation", "GeoProximityLocation", "CidrRoutingConfig"] as const;
// Fields carried through unchanged so that a DELETE repeats the record exactly.
const PASSTHROUGH_FIELDS = [...OTHER_ROUTING_FIELDS, "HealthCheckId", "TrafficPolicyInstanceId", "AliasTarget"] as const;

/** Reads a record set from ListResourceRecordSets. */
export function fromWire(wire: WireRecordSet): DnsRecord {
  let routing: RoutingPolicy = "simple";
  if (wire.MultiValueAnswer) routing = "multivalue";
  else if (OTHER_ROUTING_FIELDS.some((f) => wire[f] !== undefined)) routing = "other";
  const providerSpecific: Record<string, unknown> = {};
  for (const f of PASSTHROUGH_FIELDS) if (wire[f] !== undefined) providerSpecific[f] = wire[f];
  return {
    name: normalizeName(wire.Name),
    type: wire.Type,
    ...(wire.SetIdentifier !== undefined ? { setIdentifier: wire.SetIdentifier } : {}),
    routing,
    ttlSeconds: wire.TTL ?? 0,
    values: (wire.ResourceRecords ?? []).map((r) => r.Value),
    ...(wire.AliasTarget ? { alias: true } : {}),
    ...(Object.keys(providerSpecific).length > 0 ? { providerSpecific } : {}),
  };
}

/** Writes a record set for ChangeResourceRecordSets. */
export function toWire(record: DnsRecord): WireRecordSet {
  const wire: WireRecordSet = { Name: record.name, Type: record.type };
  if (record.setIdentifier !== undefined) wire.SetIdentifier = record.setIdentifier;
  if (record.routing === "multivalue") wire.MultiValueAnswer = true;
  Object.assign(wire, record.providerSpecific ?? {});
  if (!record.alias) {
    wire.TTL = record.ttlSeconds;
    wire.ResourceRecords = record.values.map((Value) => ({ Value }));
  }
  return wire;
}
