/**
 * Host identity from flags, or from EC2 instance metadata (IMDSv2: a session
 * token first, then the instance id, local and public IPv4). ecsd used
 * IMDSv1 and wrote 127.0.0.1 or an error page when a call failed; here a
 * missing public IPv4 is "none" and anything else missing is a startup error.
 */
import http from "node:http";
import type { AgentConfig } from "./config";
import type { HostIdentity } from "./desired-records";
import { isIpv4, isValidDnsName } from "../dns/records";
import { HOST_ID_PATTERN } from "../dns/set-identifier";

/** What IMDS told us. */
export interface InstanceMetadata {
  readonly instanceId: string;
  readonly localIpv4: string;
  readonly publicIpv4?: string;
}

/** Where and how long to ask. */
export interface MetadataOptions {
  /** The caller reads it from {@link IMDS_ENDPOINT_ENV}. @default http://169.254.169.254 */
  readonly endpoint?: string;
  /** Per request. @default 1000 */
  readonly timeoutMs?: number;
}

/** The SDK's variable for the IMDS endpoint; the agent honours it so tests and non-default setups can point elsewhere. */
export const IMDS_ENDPOINT_ENV = "AWS_EC2_METADATA_SERVICE_ENDPOINT";

/**
 * Reads instance id, local and public IPv4 with IMDSv2.
 *
 * @throws Error when IMDS does not answer, or answers without an instance id or local IPv4.
 */
export async function readInstanceMetadata(options: MetadataOptions = {}): Promise<InstanceMetadata> {
  const endpoint = (options.endpoint || "http://169.254.169.254").replace(/\/$/, "");
  const timeoutMs = options.timeoutMs ?? 1000;
  const token = await request(`${endpoint}/latest/api/token`, "PUT", { "X-aws-ec2-metadata-token-ttl-seconds": "300" }, timeoutMs);
  if (token.status !== 200) throw new Error(`IMDSv2 token request failed with HTTP ${token.status}`);

  const get = async (path: string): Promise<string | undefined> => {
    const response = await request(`${endpoint}/latest/meta-data/${path}`, "GET", { "X-aws-ec2-metadata-token": token.body }, timeoutMs);
    // 404 is IMDS's way of saying "this instance has none" (e.g. no public IPv4).
    if (response.status === 404) return undefined;
    if (response.status !== 200) throw new Error(`IMDS ${path} failed with HTTP ${response.status}`);
    return response.body.trim();
  };
  const [instanceId, localIpv4, publicIpv4] = await Promise.all([get("instance-id"), get("local-ipv4"), get("public-ipv4")]);
  if (!instanceId || !localIpv4) throw new Error("IMDS returned no instance-id or local-ipv4");
  return { instanceId, localIpv4, ...(publicIpv4 ? { publicIpv4 } : {}) };
}

/**
 * One HTTP request with node:http, as the AWS SDK makes them. Not the global
 * `fetch`: for these four requests at start it would load undici's
 * WebAssembly HTTP parser, about 23 MiB of RSS kept for the daemon's life on
 * Node.js 22 (measured), a third of the agent's memory budget.
 */
function request(url: string, method: "GET" | "PUT", headers: Record<string, string>, timeoutMs: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, timeout: timeoutMs, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`no answer from ${url} within ${timeoutMs} ms`)));
    req.on("error", reject);
    req.end();
  });
}

/**
 * The host identity: flags first; IMDS only when `--host-id` or `--host-ip`
 * is missing (off EC2 both flags avoid a 1 s wait). Values from IMDS are
 * validated like flags.
 *
 * @returns the identity, or the problems to report.
 */
export async function resolveHostIdentity(
  config: Pick<AgentConfig, "owner" | "hostId" | "hostIp" | "hostPublicIp">,
  read: () => Promise<InstanceMetadata>,
): Promise<HostIdentity | { problems: string[] }> {
  let metadata: InstanceMetadata | undefined;
  if (!config.hostId || !config.hostIp) {
    try {
      metadata = await read();
    } catch (error) {
      const missing = [!config.hostId && "--host-id", !config.hostIp && "--host-ip"].filter(Boolean).join(" and ");
      return { problems: [`${missing} not given and instance metadata is unavailable (${(error as Error).message}); pass ${missing} off EC2`] };
    }
  }
  const hostId = config.hostId ?? metadata!.instanceId;
  const privateIpv4 = config.hostIp ?? metadata!.localIpv4;
  const publicIpv4 = config.hostPublicIp ?? metadata?.publicIpv4;
  const problems: string[] = [];
  if (!HOST_ID_PATTERN.test(hostId) || !isValidDnsName(hostId)) problems.push(`instance metadata: instance id ${JSON.stringify(hostId)} is not a valid host id`);
  if (!isIpv4(privateIpv4)) problems.push(`instance metadata: local-ipv4 ${JSON.stringify(privateIpv4)} is not an IPv4 address`);
  if (publicIpv4 !== undefined && !isIpv4(publicIpv4)) problems.push(`instance metadata: public-ipv4 ${JSON.stringify(publicIpv4)} is not an IPv4 address`);
  if (problems.length > 0) return { problems };
  return { owner: config.owner, hostId, privateIpv4, ...(publicIpv4 ? { publicIpv4 } : {}) };
}
