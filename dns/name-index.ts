/**
 * The host's name index: one TXT record at the host record's name
 * (`<hostId>.<zone>`, set identifier `<owner>/<hostId>/names`) listing the
 * other names where this host has records. Written by the agent (with
 * `--zone-reads owned`) in the same batch as the records it describes, read
 * by the agent at start and by the janitor on a termination event: it tells
 * in one call whether an instance ever ran an agent (no record at its name:
 * never, or cleaned up), and where its records are, so that neither has to
 * list the zone, whose size then costs them nothing.
 *
 * Value: quoted strings of at most 255 characters (a DNS character-string),
 * each a space-separated list of names relative to the zone, e.g.
 * `"_web._tcp _api._tcp" "_db._tcp"`. Names that do not fit in
 * {@link MAX_INDEX_VALUE_LENGTH} characters make the value `"*"`: readers then
 * list the zone.
 */
import { normalizeName, type DnsRecord } from "./records";
import { formatSetIdentifier } from "./set-identifier";

/** The slot of the name index's set identifier. */
export const NAMES_SLOT = "names";
/** Longest value written: Route53 takes up to 4,000 characters in a TXT value. */
export const MAX_INDEX_VALUE_LENGTH = 4000;
const MAX_STRING_LENGTH = 255;
/** The value that says "too many names to list: read the zone". */
export const INDEX_OVERFLOW = '"*"';

/** The index record for `records` (the host's other records), or none when there are none. */
export function nameIndexRecord(records: readonly DnsRecord[], host: { owner: string; hostId: string }, hostName: string, zoneName: string, ttlSeconds: number): DnsRecord | undefined {
  const zone = normalizeName(zoneName);
  const names = [...new Set(records.map((r) => r.name).filter((n) => n !== hostName))].sort();
  if (records.length === 0) return undefined;
  const relative = names.map((n) => (n.endsWith(`.${zone}`) ? n.slice(0, -zone.length - 1) : n));
  const strings: string[] = [];
  let current = "";
  for (const name of relative) {
    if (current.length > 0 && current.length + 1 + name.length > MAX_STRING_LENGTH) {
      strings.push(current);
      current = "";
    }
    current = current.length > 0 ? `${current} ${name}` : name;
  }
  if (current.length > 0 || strings.length === 0) strings.push(current);
  const quoted = strings.map((s) => `"${s}"`).join(" ");
  return {
    name: hostName,
    type: "TXT",
    setIdentifier: formatSetIdentifier({ owner: host.owner, hostId: host.hostId, slot: NAMES_SLOT }),
    routing: "multivalue",
    ttlSeconds,
    values: [quoted.length <= MAX_INDEX_VALUE_LENGTH && relative.every((n) => n.length <= MAX_STRING_LENGTH) ? quoted : INDEX_OVERFLOW],
  };
}

/**
 * The names an index record lists, absolute; `undefined` when it says
 * "read the zone" (overflow) or cannot be read.
 */
export function namesInIndex(record: DnsRecord, zoneName: string): string[] | undefined {
  const value = record.values[0];
  if (value === undefined || value === INDEX_OVERFLOW) return undefined;
  const strings = [...value.matchAll(/"([^"]*)"/g)].map((m) => m[1]);
  if (strings.length === 0) return undefined;
  const zone = normalizeName(zoneName);
  return strings.flatMap((s) => s.split(" ").filter(Boolean)).map((n) => normalizeName(`${n}.${zone}`));
}
