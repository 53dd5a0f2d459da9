import { startImdsStandIn, type ImdsStandIn } from "../../scripts/local/imds-stand-in";

let imds: ImdsStandIn;
beforeAll(async () => {
  imds = await startImdsStandIn({ instanceId: "i-0123456789abcdef0", localIpv4: "127.0.0.1", region: "us-east-1", roleName: "shop-dev-ecs-instance" });
});
afterAll(() => imds.close());

const token = async (headers: Record<string, string> = { "x-aws-ec2-metadata-token-ttl-seconds": "60" }) =>
  fetch(`${imds.endpoint}/latest/api/token`, { method: "PUT", headers });
const get = async (path: string, t?: string) =>
  fetch(`${imds.endpoint}/latest/meta-data/${path}`, { headers: t ? { "x-aws-ec2-metadata-token": t } : {} });

describe("the IMDSv2 stand-in", () => {
  test("gives a token for a PUT with a TTL, and answers the instance's id and local IPv4 with it", async () => {
    const t = await (await token()).text();
    expect(await (await get("instance-id", t)).text()).toBe("i-0123456789abcdef0");
    expect(await (await get("local-ipv4", t)).text()).toBe("127.0.0.1");
    expect(await (await get("placement/region", t)).text()).toBe("us-east-1");
  });

  test("answers 404 for a public IPv4 the instance does not have (a private subnet)", async () => {
    const t = await (await token()).text();
    expect((await get("public-ipv4", t)).status).toBe(404);
  });

  test("is IMDSv2 only: a GET without a valid token is 401", async () => {
    expect((await get("instance-id")).status).toBe(401);
    expect((await get("instance-id", "made-up")).status).toBe(401);
  });

  test("refuses a token request without a TTL of 1-21600 s, or one that went through a proxy (X-Forwarded-For)", async () => {
    expect((await token({})).status).toBe(400);
    expect((await token({ "x-aws-ec2-metadata-token-ttl-seconds": "21601" })).status).toBe(400);
    expect((await token({ "x-aws-ec2-metadata-token-ttl-seconds": "60", "x-forwarded-for": "10.0.0.9" })).status).toBe(403);
  });

  test("names the instance role and gives its temporary credentials, as the SDK's instance credential provider reads them", async () => {
    const t = await (await token()).text();
    expect(await (await get("iam/security-credentials/", t)).text()).toBe("shop-dev-ecs-instance");
    const credentials = (await (await get("iam/security-credentials/shop-dev-ecs-instance", t)).json()) as { Expiration: string };
    expect(credentials).toMatchObject({ Code: "Success", AccessKeyId: expect.any(String), SecretAccessKey: expect.any(String), Token: expect.any(String) });
    expect(Date.parse(credentials.Expiration)).toBeGreaterThan(Date.now() + 3_600_000);
  });
});
