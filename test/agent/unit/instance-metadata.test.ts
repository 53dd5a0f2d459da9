import http from "node:http";
import type { AddressInfo } from "node:net";
import { readInstanceMetadata, resolveHostIdentity } from "../../../agent/instance-metadata";

/** A tiny IMDSv2 on 127.0.0.1 that insists on the session token. */
function fakeImds(values: Record<string, string>): Promise<{ url: string; close: () => Promise<void>; requests: string[] }> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    if (req.method === "PUT" && req.url === "/latest/api/token") {
      if (!req.headers["x-aws-ec2-metadata-token-ttl-seconds"]) return void res.writeHead(400).end();
      return void res.writeHead(200).end("tok-123");
    }
    if (req.headers["x-aws-ec2-metadata-token"] !== "tok-123") return void res.writeHead(401).end();
    const key = (req.url ?? "").replace("/latest/meta-data/", "");
    if (values[key] === undefined) return void res.writeHead(404).end("<html>404 - Not Found</html>");
    res.writeHead(200).end(values[key]);
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        requests,
        close: () => new Promise((done) => server.close(() => done())),
      }),
    ),
  );
}

describe("instance metadata (IMDSv2)", () => {
  test("reads instance id, local and public IPv4 with a session token", async () => {
    const imds = await fakeImds({ "instance-id": "i-0abc", "local-ipv4": "10.0.1.5", "public-ipv4": "54.1.2.3" });
    try {
      expect(await readInstanceMetadata({ endpoint: imds.url })).toEqual({ instanceId: "i-0abc", localIpv4: "10.0.1.5", publicIpv4: "54.1.2.3" });
      expect(imds.requests[0]).toBe("PUT /latest/api/token");
    } finally {
      await imds.close();
    }
  });

  test("no public IPv4 (IMDS answers 404) means none, not the error page", async () => {
    const imds = await fakeImds({ "instance-id": "i-0abc", "local-ipv4": "10.0.1.5" });
    try {
      expect(await readInstanceMetadata({ endpoint: imds.url })).toEqual({ instanceId: "i-0abc", localIpv4: "10.0.1.5" });
    } finally {
      await imds.close();
    }
  });

  test("flags given: no metadata call at all", async () => {
    const read = jest.fn();
    expect(await resolveHostIdentity({ owner: "ecsdns", hostId: "h1", hostIp: "10.0.0.1" }, read)).toEqual({ owner: "ecsdns", hostId: "h1", privateIpv4: "10.0.0.1" });
    expect(read).not.toHaveBeenCalled();
  });

  test("flags override metadata field by field", async () => {
    const read = async () => ({ instanceId: "i-0abc", localIpv4: "10.0.1.5", publicIpv4: "54.1.2.3" });
    expect(await resolveHostIdentity({ owner: "ecsdns", hostIp: "10.9.9.9" }, read)).toEqual({ owner: "ecsdns", hostId: "i-0abc", privateIpv4: "10.9.9.9", publicIpv4: "54.1.2.3" });
  });

  test("off EC2 without flags: a problem naming the flags to pass (never 127.0.0.1)", async () => {
    const read = async () => {
      throw new Error("connect ECONNREFUSED 169.254.169.254:80");
    };
    expect(await resolveHostIdentity({ owner: "ecsdns" }, read)).toEqual({
      problems: ["--host-id and --host-ip not given and instance metadata is unavailable (connect ECONNREFUSED 169.254.169.254:80); pass --host-id and --host-ip off EC2"],
    });
  });

  test("nonsense from metadata is refused", async () => {
    const read = async () => ({ instanceId: "i 0abc", localIpv4: "<html>", publicIpv4: "x" });
    const result = await resolveHostIdentity({ owner: "ecsdns" }, read);
    expect("problems" in result && result.problems).toHaveLength(3);
  });
});

test("instance metadata that never answers is given up after the timeout, naming the endpoint", async () => {
  // GIVEN a server that accepts the connection and never answers
  const server = http.createServer(() => undefined);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  try {
    // WHEN / THEN
    await expect(readInstanceMetadata({ endpoint: url, timeoutMs: 200 })).rejects.toThrow(`no answer from ${url}/latest/api/token within 200 ms`);
  } finally {
    server.closeAllConnections();
    server.close();
  }
});
