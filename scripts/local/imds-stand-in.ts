/**
 * A stand-in for EC2's instance metadata service, IMDSv2 only (the launch
 * template sets `http_tokens = required`), on 127.0.0.1. The agent reaches
 * it the way the AWS SDK reaches any non-default IMDS, through
 * `AWS_EC2_METADATA_SERVICE_ENDPOINT`, and asks it what it asks on a host:
 * its instance id, its IPv4 addresses and its instance role's credentials.
 *
 * Like IMDS: a token comes from `PUT /latest/api/token` with a TTL header
 * (1-21600 s) and is refused when the request carries X-Forwarded-For; every
 * GET needs a valid token (401 otherwise); a value the instance does not
 * have, e.g. `public-ipv4` in a private subnet, is a 404.
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-instance-metadata-service.html
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** What the stand-in says about "its" instance. */
export interface ImdsIdentity {
  readonly instanceId: string;
  readonly localIpv4: string;
  /** @default - none: `public-ipv4` answers 404, as in a private subnet */
  readonly publicIpv4?: string;
  readonly region: string;
  /** @default `${region}a` */
  readonly availabilityZone?: string;
  /** The instance profile's role; its credentials are fake (the emulator takes any). @default "local-instance-role" */
  readonly roleName?: string;
}

/** A running stand-in. */
export interface ImdsStandIn {
  /** For `AWS_EC2_METADATA_SERVICE_ENDPOINT`, e.g. `http://127.0.0.1:40123`. */
  readonly endpoint: string;
  /** Every request as `METHOD path status`, oldest first (what a test asserts on). */
  readonly requests: readonly string[];
  close(): Promise<void>;
}

const MAX_TOKEN_TTL_SECONDS = 21_600;

/** Starts the stand-in on 127.0.0.1 (`port` 0: any free port). */
export function startImdsStandIn(identity: ImdsIdentity, port = 0): Promise<ImdsStandIn> {
  const tokens = new Map<string, number>(); // token → expiry (ms)
  const requests: string[] = [];
  const roleName = identity.roleName ?? "local-instance-role";
  const metadata: Record<string, string | undefined> = {
    "instance-id": identity.instanceId,
    "local-ipv4": identity.localIpv4,
    "public-ipv4": identity.publicIpv4,
    "placement/region": identity.region,
    "placement/availability-zone": identity.availabilityZone ?? `${identity.region}a`,
    "iam/security-credentials/": roleName,
  };

  const answer = (req: IncomingMessage, res: ServerResponse, status: number, body = "", type = "text/plain"): void => {
    requests.push(`${req.method} ${req.url} ${status}`);
    res.writeHead(status, { "content-type": type, "content-length": Buffer.byteLength(body) }).end(body);
  };

  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (path === "/latest/api/token") {
      if (req.method !== "PUT") return answer(req, res, 405);
      if (req.headers["x-forwarded-for"] !== undefined) return answer(req, res, 403);
      const ttl = Number(req.headers["x-aws-ec2-metadata-token-ttl-seconds"]);
      if (!Number.isInteger(ttl) || ttl < 1 || ttl > MAX_TOKEN_TTL_SECONDS) return answer(req, res, 400);
      const token = randomBytes(24).toString("base64url");
      tokens.set(token, Date.now() + ttl * 1000);
      res.setHeader("x-aws-ec2-metadata-token-ttl-seconds", String(ttl));
      return answer(req, res, 200, token);
    }
    if (req.method !== "GET" && req.method !== "HEAD") return answer(req, res, 405);
    const token = req.headers["x-aws-ec2-metadata-token"];
    const expiry = typeof token === "string" ? tokens.get(token) : undefined;
    if (expiry === undefined || expiry < Date.now()) return answer(req, res, 401);
    if (!path.startsWith("/latest/meta-data/")) return answer(req, res, 404);
    const key = path.slice("/latest/meta-data/".length);
    if (key === `iam/security-credentials/${roleName}`) return answer(req, res, 200, credentials(), "application/json");
    const value = metadata[key];
    return value === undefined ? answer(req, res, 404) : answer(req, res, 200, value);
  });
  server.keepAliveTimeout = 1000;

  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve({
        endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        requests,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

/** The shape of IMDS's role credentials; valid for six hours, as EC2's are. */
function credentials(): string {
  const now = Date.now();
  return JSON.stringify({
    Code: "Success",
    LastUpdated: new Date(now).toISOString(),
    Type: "AWS-HMAC",
    AccessKeyId: "ASIALOCALINSTANCE000",
    SecretAccessKey: "local-instance-role-secret",
    Token: "local-instance-role-session-token",
    Expiration: new Date(now + 6 * 3600_000).toISOString(),
  });
}
