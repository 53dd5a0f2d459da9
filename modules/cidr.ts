/**
 * IPv4 subnet arithmetic, done at synth time so that the plan shows literal
 * CIDRs a reviewer can read.
 */

/** The `index`-th /24 inside `vpcCidr` (like Terraform's `cidrsubnet(vpc, 24 - prefix, index)`). */
export function subnetCidr24(vpcCidr: string, index: number): string {
  const match = /^(\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,2})$/.exec(vpcCidr);
  if (!match) throw new Error(`subnetCidr24: cidrBlock must be an IPv4 CIDR such as 10.10.0.0/16, got '${vpcCidr}'`);
  const [, address, prefixText] = match;
  const prefix = Number(prefixText);
  if (prefix > 24) throw new Error(`subnetCidr24: cidrBlock ${vpcCidr} is smaller than a /24`);
  const capacity = 2 ** (24 - prefix);
  if (!Number.isInteger(index) || index < 0 || index >= capacity) {
    throw new Error(`subnetCidr24: cidrBlock ${vpcCidr} holds ${capacity} /24 subnets; subnet ${index} does not fit (use a larger cidrBlock or a smaller azCount)`);
  }
  const base = (toNumber(address) & prefixMask(prefix)) >>> 0;
  return `${toAddress(base + index * 256)}/24`;
}

function toNumber(address: string): number {
  return address.split(".").reduce((n, octet) => n * 256 + Number(octet), 0);
}

function toAddress(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join(".");
}

function prefixMask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}
