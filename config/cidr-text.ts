/**
 * IPv4 CIDR text checks for the configuration: AWS and the provider refuse a
 * CIDR whose address has bits set past its prefix (10.10.5.0/16), so the
 * configuration refuses it first and names the network it probably meant.
 */

/** The CIDR with its host bits cleared: `10.10.5.0/16` → `10.10.0.0/16`; undefined for text that is not an IPv4 CIDR. */
export function networkCidr(cidr: string): string | undefined {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  if (!match) return undefined;
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return undefined;
  const address = octets.reduce((n, o) => n * 256 + o, 0);
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  const network = (address & mask) >>> 0;
  return `${[24, 16, 8, 0].map((shift) => Math.floor(network / 2 ** shift) % 256).join(".")}/${prefix}`;
}

/**
 * The problem with a CIDR whose host bits are set, naming the corrected
 * value (and, with `orOneAddress`, the /32 of the address given, for a rule
 * meant for one machine); undefined when it has none.
 */
export function hostBitsProblem(cidr: string, orOneAddress = false): string | undefined {
  const network = networkCidr(cidr);
  if (network === undefined || network === cidr) return undefined;
  const address = cidr.split("/")[0];
  const fix = orOneAddress ? `use ${network}, or ${address}/32 for that one address` : `use ${network}`;
  return `has host bits set: ${cidr.split("/")[1]} prefix bits make the network ${network}, and AWS refuses a CIDR with bits set past its prefix; ${fix}`;
}
