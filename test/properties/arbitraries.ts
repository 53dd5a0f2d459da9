/**
 * fast-check generators for the agent's inputs: hosts and zones as the
 * configuration accepts them, containers with env and labels from the
 * convention's keys and from anything at all, and zone contents mixing our
 * records with everyone else's.
 */
import fc from "fast-check";
import type { HostIdentity } from "../../agent/desired-records";
import type { ContainerInfo, PublishedPort } from "../../agent/ports";
import { isValidDnsName, normalizeName } from "../../dns/records";
import type { WireRecordSet } from "../../dns/route53/route53-api";

/** One DNS label as a person writes it (either case). */
export const label = fc.stringMatching(/^[A-Za-z0-9]([A-Za-z0-9-]{0,14}[A-Za-z0-9])?$/);

/** A zone name the agent accepts: 1-4 labels, sometimes long enough that names under it overflow 253 characters. */
export const zoneName = fc
  .oneof(
    { weight: 4, arbitrary: fc.array(label, { minLength: 1, maxLength: 4 }).map((ls) => ls.join(".")) },
    { weight: 1, arbitrary: fc.array(fc.stringMatching(/^[a-z][a-z0-9]{40,62}$/), { minLength: 3, maxLength: 3 }).map((ls) => ls.join(".")) },
  )
  .filter(isValidDnsName)
  .map(normalizeName);

/** A host as `--owner`, `--host-id`, `--host-ip`, `--host-public-ip` accept it. */
export const host: fc.Arbitrary<HostIdentity> = fc.record(
  {
    owner: fc.stringMatching(/^[a-z0-9-]{1,20}$/),
    hostId: fc
      .oneof(fc.stringMatching(/^i-[0-9a-f]{8,17}$/), fc.array(label, { minLength: 1, maxLength: 3 }).map((ls) => ls.join(".")))
      .filter((id) => /^[A-Za-z0-9.-]{1,64}$/.test(id) && isValidDnsName(id)),
    privateIpv4: fc.ipV4(),
    publicIpv4: fc.ipV4(),
  },
  { requiredKeys: ["owner", "hostId", "privateIpv4"] },
);

/** Ports that containers publish and variables name, plus ones nobody publishes. */
const port = fc.oneof(fc.constantFrom(80, 443, 8080, 53, 1, 65535), fc.integer({ min: 1, max: 65535 }));
/** Host addresses of bindings: every IPv4 and IPv6 address, loopback, some address, and anything. */
const bindingAddress = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom("0.0.0.0", "::", "127.0.0.1") },
  { weight: 1, arbitrary: fc.oneof(fc.ipV4(), fc.ipV6(), fc.constant("")) },
  { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
);
const published: fc.Arbitrary<PublishedPort> = fc.record({
  containerPort: port,
  protocol: fc.constantFrom("tcp" as const, "udp" as const),
  hostIp: bindingAddress,
  hostPort: port,
});

/** The `<port>` part of a variable name: numbers in and out of range, and anything. */
const portPart = fc.oneof(
  { weight: 6, arbitrary: port.map(String) },
  { weight: 1, arbitrary: fc.constantFrom("0", "65536", "99999", "00080", "-1", "1e3", "80 ", "") },
  { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
);

/** Keys of the convention (and near misses), and anything. */
export const variableName = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom("SERVICE_FQDN", "SERVICE_FQDN_LOCAL", "SERVICE_TTL", "SERVICE_IGNORE", "SERVICE_IGNORE_HEALTH", "SERVICE_NAME", "SERVICE_TAGS", "service_fqdn") },
  { weight: 6, arbitrary: portPart.map((p) => `SERVICE_PORT_${p}`) },
  { weight: 6, arbitrary: portPart.map((p) => `SERVICE_${p}_NAME`) },
  { weight: 2, arbitrary: portPart.map((p) => `SERVICE_${p}_IGNORE`) },
  { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
);

/** Stands for the zone name (without its trailing dot) in generated values; see {@link inZone}. */
const ZONE = "\u0000zone\u0000";
/** The same, upper case. */
const ZONE_UPPER = "\u0000ZONE\u0000";

/**
 * Values: names inside and outside the zone in every spelling, numbers,
 * switches, and anything (unicode, control characters). Names inside the
 * zone carry a placeholder that {@link inZone} replaces, so that one
 * generator serves every zone (building generators per zone is slow).
 */
export const variableValue: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.array(label, { minLength: 1, maxLength: 3 }).map((ls) => `${ls.join(".")}.${ZONE}`) },
  { weight: 2, arbitrary: fc.array(label, { minLength: 1, maxLength: 3 }).map((ls) => `${ls.join(".")}.${ZONE_UPPER}.`) },
  { weight: 3, arbitrary: fc.constantFrom("_echo._tcp", "_http._tcp", "_x._udp", "web") },
  { weight: 2, arbitrary: fc.array(label, { minLength: 1, maxLength: 3 }).map((ls) => `${ls.join(".")}.example.com`) },
  { weight: 1, arbitrary: fc.stringMatching(/^[a-z]{64,70}$/).map((l) => `${l}.${ZONE}`) },
  { weight: 1, arbitrary: fc.constantFrom("", " ", ".", "..", ZONE, `${ZONE}.`, `.${ZONE}`, `a..${ZONE}`, `*.${ZONE}`, `-a.${ZONE}`, `a b.${ZONE}`) },
  { weight: 2, arbitrary: fc.oneof(fc.nat().map(String), fc.constantFrom("0", "10", "2147483647", "2147483648", "-5", "1.5", "1e3", " 60 ", "true", "false", "no", "off", "1")) },
  { weight: 2, arbitrary: fc.string({ maxLength: 30 }) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 30 }) },
);

const settings = fc.dictionary(variableName, variableValue, { maxKeys: 8 });

/** One running container with env and labels drawn from the convention and from anything (zone placeholders unresolved). */
export const container: fc.Arbitrary<ContainerInfo> = fc.record(
  {
    id: fc.stringMatching(/^[0-9a-f]{64}$/),
    name: fc.string({ maxLength: 12 }),
    env: settings,
    labels: fc.oneof({ weight: 3, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: settings }),
    ports: fc.array(published, { maxLength: 4 }),
    networkMode: fc.constantFrom("bridge", "default", "host", "none", "container:abc"),
    // Docker's State.Health.Status, absent without a healthcheck.
    health: fc.oneof({ weight: 4, arbitrary: fc.constantFrom("starting", "healthy", "unhealthy", "none") }, { weight: 1, arbitrary: fc.string({ maxLength: 8 }) }),
  },
  { requiredKeys: ["id", "name", "env", "labels", "ports", "networkMode"] },
);

/** Puts the zone's name where the generated values name it. */
export function inZone(c: ContainerInfo, zone: string): ContainerInfo {
  const bare = zone.slice(0, -1);
  const fill = (settingsOf: Readonly<Record<string, string>>): Record<string, string> =>
    Object.fromEntries(Object.entries(settingsOf).map(([k, v]) => [k, v.split(ZONE).join(bare).split(ZONE_UPPER).join(bare.toUpperCase())]));
  return { ...c, env: fill(c.env), labels: fill(c.labels) };
}

// --- Zone contents for the planner's properties.

/** The zone every planner property runs in, and whose records we are. */
export const PLAN_ZONE = "svc.internal.";
export const PLAN_SCOPE = { owner: "ecsdns", hostId: "h-1" } as const;

const names = fc.constantFrom("web", "api", "_svc._tcp", "_db._tcp", "h-1", "h-2", "Web").map((n) => `${n}.${PLAN_ZONE}`);
const ttl = fc.constantFrom(0, 10, 60, 300);
const ip = fc.constantFrom("10.0.0.1", "10.0.0.2", "192.0.2.7");
const srvValue = fc.tuple(fc.integer({ min: 1, max: 65535 }), fc.constantFrom("h-1", "h-2")).map(([p, h]) => `1 1 ${p} ${h}.svc.internal`);
const slot = fc.constantFrom("host", "fqdn-local", "fqdn-public", "aaaaaaaaaaaa-80", "bbbbbbbbbbbb-8080", "cccccccccccc-53");

/** A multivalue record set with `setIdentifier`, as the agent writes them. */
function multivalue(setIdentifier: fc.Arbitrary<string>): fc.Arbitrary<WireRecordSet> {
  return fc.oneof(
    fc.record({ Name: names, SetIdentifier: setIdentifier, TTL: ttl, value: ip }).map(({ value, ...r }) => ({ ...r, Type: "A", MultiValueAnswer: true, ResourceRecords: [{ Value: value }] })),
    fc.record({ Name: names, SetIdentifier: setIdentifier, TTL: ttl, value: srvValue }).map(({ value, ...r }) => ({ ...r, Type: "SRV", MultiValueAnswer: true, ResourceRecords: [{ Value: value }] })),
  );
}

const ownSetIdentifier = slot.map((s) => `${PLAN_SCOPE.owner}/${PLAN_SCOPE.hostId}/${s}`);

/** A record set of ours (owner `ecsdns`, host `h-1`), as the agent writes them. */
export const ownWire = multivalue(ownSetIdentifier);

/**
 * A record set carrying our set identifier with another routing policy
 * (weighted): the agent never writes one, but a person or another tool can,
 * and the zone is what it is.
 */
export const ownWeightedWire: fc.Arbitrary<WireRecordSet> = fc
  .record({ Name: names, SetIdentifier: ownSetIdentifier, Weight: fc.integer({ min: 0, max: 255 }), TTL: ttl, value: ip })
  .map(({ value, ...r }) => ({ ...r, Type: "A", ResourceRecords: [{ Value: value }] }));

/**
 * A record set of anyone else: another host of our owner, another owner on
 * our host id, identifiers that merely look like ours, and records made by
 * hand (simple A/TXT/SRV/CNAME, weighted).
 */
export const foreignWire: fc.Arbitrary<WireRecordSet> = fc.oneof(
  multivalue(slot.map((s) => `ecsdns/h-2/${s}`)),
  multivalue(slot.map((s) => `other/h-1/${s}`)),
  multivalue(fc.constantFrom("ecsdns/h-1", "ecsdns/h-1/host/x", "ECSDNS/h-1/host", "ecsdns/h-10/host", "ecsdns/H-1/host", "ecsdns//host", "ecsdns/h-1/")),
  fc.record({ Name: names, Type: fc.constantFrom("A", "TXT", "SRV"), TTL: ttl, n: fc.nat(9) }).map(({ n, ...r }) => ({
    ...r,
    ResourceRecords: [{ Value: r.Type === "A" ? `192.0.2.${n}` : r.Type === "TXT" ? `"hand ${n}"` : `0 0 ${n + 1} x.svc.internal` }],
  })),
  fc.record({ Name: names, TTL: ttl }).map((r) => ({ ...r, Type: "CNAME", ResourceRecords: [{ Value: "elsewhere.example.com" }] })),
  fc.record({ Name: names, SetIdentifier: fc.constantFrom("blue", "green"), Weight: fc.integer({ min: 0, max: 255 }), TTL: ttl }).map((r) => ({ ...r, Type: "A", ResourceRecords: [{ Value: "192.0.2.99" }] })),
);
