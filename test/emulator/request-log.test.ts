/**
 * The emulator names, in its log, each request an SDK retried and each it
 * answered with a 5xx (scripts/emulator/request_log.py): a failed deploy's
 * log then shows whether a create was sent twice.
 *
 * MOTO_URL and TEST_ENV_DIR come from `npm test` (scripts/test/test.sh), whose moto
 * logs to `$TEST_ENV_DIR/moto.log`.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DescribeVpcsCommand, EC2Client } from "@aws-sdk/client-ec2";

const motoUrl = process.env.MOTO_URL;
const envDir = process.env.TEST_ENV_DIR;
if (!motoUrl || !envDir) throw new Error("MOTO_URL or TEST_ENV_DIR is not set: run these tests with `npm test -- test/emulator`");
const motoLog = () => readFileSync(join(envDir, "moto.log"), "utf8");
const count = (text: string, line: string | RegExp) => text.split("\n").filter((l) => (typeof line === "string" ? l === line : line.test(l))).length;

test("a request the SDK retried is logged with its action, attempt number, and what its first attempt answered and when", async () => {
  // GIVEN a client whose first attempt's answer is lost on the way
  const line = /^emulator: DescribeVpcs attempt=2 -> 200 \(attempt before: 200 in \d+\.\d{3} s, \d+\.\d{3} s before\)$/;
  const before = count(motoLog(), line);
  const ec2 = new EC2Client({
    endpoint: motoUrl,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 2,
  });
  let lost = false;
  // Inside the SDK's retry loop: the first attempt reaches the emulator, then fails with a connection reset, as a dropped answer does.
  ec2.middlewareStack.add(
    (next) => async (args) => {
      if (lost) return next(args);
      lost = true;
      await next(args);
      throw Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
    },
    { step: "deserialize", name: "loseTheFirstAttempt" },
  );
  // WHEN
  const answer = await ec2.send(new DescribeVpcsCommand({}));
  ec2.destroy();
  // THEN the call succeeded on its second attempt, and the log says so
  expect(answer.$metadata.attempts).toBe(2);
  expect(count(motoLog(), line)).toBe(before + 1);
});

test("a request answered with a 5xx is logged with its action and the error", async () => {
  // GIVEN an ELB request without the Version that tells moto ELB from ELBv2
  const line = "emulator: DescribeLoadBalancers attempt=1 -> 500 (Exception: Unknown ELB API version: None)";
  const before = count(motoLog(), line);
  // WHEN
  const response = await fetch(`${motoUrl}/`, {
    method: "POST",
    headers: {
      authorization: "AWS4-HMAC-SHA256 Credential=test/20261122/us-east-1/elasticloadbalancing/aws4_request, SignedHeaders=host, Signature=0",
      "content-type": "application/x-www-form-urlencoded",
    },
    body: "Action=DescribeLoadBalancers",
  });
  // THEN
  expect(response.status).toBe(500);
  expect(count(motoLog(), line)).toBe(before + 1);
});
