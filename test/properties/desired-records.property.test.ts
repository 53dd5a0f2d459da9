/**
 * Properties of the convention parser and the desired records: whatever a
 * container's env and labels say, the agent does not crash and publishes only
 * records Route53 accepts, inside the zone, owned by this host.
 */
import fc from "fast-check";
import { MAX_TTL_SECONDS } from "../../agent/container-conventions";
import { computeDesiredRecords, hostRecordName } from "../../agent/desired-records";
import { InMemoryRoute53 } from "../../dns/memory/in-memory-dns";
import { EMPTY_CHANGES, isInZone, isIpv4, isValidDnsName, normalizeName, recordKey } from "../../dns/records";
import { Route53Provider } from "../../dns/route53/route53-provider";
import { SET_IDENTIFIER_MAX_LENGTH, describeSlot, parseSetIdentifier } from "../../dns/set-identifier";
import type { ContainerInfo } from "../../agent/ports";
import { container, host, inZone, zoneName } from "./arbitraries";

const NO_SIGNAL = new AbortController().signal;
const defaultTtl = fc.constantFrom(0, 10, 60, MAX_TTL_SECONDS);

const input = fc
  .record({ zone: zoneName, host, containers: fc.array(container, { maxLength: 4 }), defaultTtl })
  // main.ts refuses to start when <host-id>.<zone> is no DNS name.
  .filter(({ zone, host: h }) => isValidDnsName(hostRecordName(h.hostId, zone)))
  .map((i) => ({ ...i, containers: i.containers.map((c) => inZone(c, i.zone)) }));

/** Fails the property with `message` (plain checks: jest's expect is too slow for thousands of runs). */
function check(ok: boolean, message: () => string): void {
  if (!ok) throw new Error(message());
}

test("any env and labels: no crash, and every record is valid, inside the zone and owned by this host", () => {
  fc.assert(
    fc.property(input, ({ zone, host: h, containers, defaultTtl: ttl }) => {
      const { records, problems } = computeDesiredRecords({ containers, host: h, zoneName: zone, defaultTtlSeconds: ttl });
      const hostName = hostRecordName(h.hostId, zone);
      check(new Set(records.map(recordKey)).size === records.length, () => "two records with one key");
      for (const r of records) {
        const what = () => JSON.stringify(r);
        check(r.name === normalizeName(r.name), () => `name not normalized: ${what()}`);
        check(isValidDnsName(r.name) && isInZone(r.name, zone), () => `name invalid or outside ${zone}: ${what()}`);
        check(r.routing === "multivalue" && r.values.length === 1, () => `not a one-value multivalue record: ${what()}`);
        check(Number.isInteger(r.ttlSeconds) && r.ttlSeconds >= 0 && r.ttlSeconds <= MAX_TTL_SECONDS, () => `TTL out of range: ${what()}`);
        const id = parseSetIdentifier(r.setIdentifier);
        check(r.setIdentifier!.length <= SET_IDENTIFIER_MAX_LENGTH && id !== undefined, () => `set identifier unparseable: ${what()}`);
        check(id!.owner === h.owner && id!.hostId === h.hostId, () => `set identifier of another owner or host: ${what()}`);
        check(describeSlot(id!.slot).kind !== "unknown", () => `unknown slot: ${what()}`);
        if (r.type === "A") {
          check(isIpv4(r.values[0]) && (r.values[0] === h.privateIpv4 || r.values[0] === h.publicIpv4), () => `A value is not this host's IPv4: ${what()}`);
        } else {
          const m = /^1 1 (\d+) (\S+)$/.exec(r.values[0]);
          check(r.type === "SRV" && m !== null, () => `neither A nor a well-formed SRV: ${what()}`);
          check(Number(m![1]) >= 1 && Number(m![1]) <= 65535, () => `SRV port out of range: ${what()}`);
          check(m![2] === hostName.slice(0, -1), () => `SRV target is not the host record: ${what()}`);
          // The port answers where the target resolves: a binding on 0.0.0.0 or the private IPv4, or host networking.
          const port = Number(m![1]);
          const reachable = containers.some(
            (c) => c.networkMode === "host" || c.ports.some((b) => b.hostPort === port && ["0.0.0.0", "", h.privateIpv4].includes(b.hostIp)),
          );
          check(reachable, () => `SRV port is bound nowhere behind ${h.privateIpv4}: ${what()}`);
        }
      }
      // SRV targets resolve: the host record comes with any SRV.
      check(!records.some((r) => r.type === "SRV") || records.some((r) => r.name === hostName && r.type === "A"), () => "SRV without the host record");
      // Every problem names a container and the exact variable it set (or the Docker field it cannot publish from).
      for (const p of problems) {
        const c = containers.find((x) => x.id === p.containerId);
        const named =
          p.source === "docker"
            ? p.variable === "HostConfig.NetworkMode" && p.value === c?.networkMode
            : c !== undefined && Object.hasOwn(p.source === "label" ? c.labels : c.env, p.variable);
        check(named, () => `problem names no variable of a container: ${JSON.stringify(p)}`);
      }
      // A container in another's network namespace (ECS awsvpc) adds no record: its address is not this host's.
      // Nor does one whose Docker health is not passing, unless it sets SERVICE_IGNORE_HEALTH.
      const heldBack = (c: ContainerInfo) =>
        c.health !== undefined && !["healthy", "none"].includes(c.health) && !Object.hasOwn(c.env, "SERVICE_IGNORE_HEALTH") && !Object.hasOwn(c.labels, "SERVICE_IGNORE_HEALTH");
      const own = containers.filter((c) => !c.networkMode.startsWith("container:") && !heldBack(c));
      if (own.length < containers.length) {
        const without = computeDesiredRecords({ containers: own, host: h, zoneName: zone, defaultTtlSeconds: ttl }).records;
        check(JSON.stringify(without) === JSON.stringify(records), () => "a container in another's network namespace, or held back by its health, changed the records");
      }
    }),
    { numRuns: 3000 },
  );
});

test("any env and labels: Route53 (the strict fake) accepts every desired record in one pass", async () => {
  await fc.assert(
    fc.asyncProperty(input, async ({ zone, host: h, containers, defaultTtl: ttl }) => {
      const { records } = computeDesiredRecords({ containers, host: h, zoneName: zone, defaultTtlSeconds: ttl });
      const route53 = new InMemoryRoute53();
      const zoneId = route53.createZone(zone);
      const provider = new Route53Provider({ api: route53, zoneId });
      const result = await provider.applyChanges({ ...EMPTY_CHANGES, create: records }, NO_SIGNAL);
      expect(result.failed).toEqual([]);
      expect(route53.snapshot(zoneId).filter((r) => r.SetIdentifier)).toHaveLength(records.length);
    }),
    { numRuns: 1000 },
  );
});
