/**
 * Remote state against the emulator's S3: a real stack of ours (the network
 * stack, synthesized with `state_bucket` set and `target=local`) is applied
 * with Terraform's S3 backend and its native lock file (`use_lockfile`).
 *
 * MOTO_URL is the moto that `npm test` started (scripts/test/test-env.sh); it is
 * shared with other test files, so the bucket, environment and key prefix
 * are unique. Everything applied is destroyed and the bucket removed.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { run, type RunResult } from "../../scripts/lib/run";
import { terraformEnv } from "../../scripts/lib/terraform-env";
import { configFrom, synthPlatformToDir } from "../helpers/synth";

const motoUrl = process.env.MOTO_URL;
if (!motoUrl) throw new Error("MOTO_URL is not set: run these tests with `npm test -- test/deploy`");
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

jest.setTimeout(5 * 60_000);

const suffix = randomBytes(4).toString("hex");
const bucket = `tfstate-${suffix}`;
const environment = `s3${suffix}`;
const keyPrefix = `backend-test-${suffix}`;
const region = "us-east-1";
const stack = `${environment}-network`;
/** `<state_key_prefix>/<environment>/<stack>.tfstate`, as the README promises. */
const stateKey = `${keyPrefix}/${environment}/${stack}.tfstate`;
const lockKey = `${stateKey}.tflock`;

const s3 = new S3Client({ region, endpoint: motoUrl, forcePathStyle: true, credentials: { accessKeyId: "test", secretAccessKey: "test" } });
let outdir: string;
let cliConfigDir: string;
let stackDir: string;
let env: NodeJS.ProcessEnv;
let applied = false;

function terraform(...args: string[]): Promise<RunResult> {
  return run("terraform", [...args, "-input=false", "-no-color"], { env, cwd: stackDir });
}

/** The exit code and the end of the output, for assertion messages that explain themselves. */
const outcome = (r: RunResult) => ({ code: r.code, tail: r.output.split("\n").slice(-25).join("\n") });

async function objectExists(key: string): Promise<boolean> {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch (e) {
    if ((e as Error).name === "NotFound" || (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return false;
    throw e;
  }
}

async function objectText(key: string): Promise<string> {
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return object.Body!.transformToString();
}

/** A lock file as Terraform writes one: the lock info as JSON, created only if none exists (If-None-Match: *). */
function putLock(info: Record<string, string>) {
  return s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: lockKey,
      Body: JSON.stringify(info),
      ContentType: "application/json",
      ServerSideEncryption: "AES256",
      IfNoneMatch: "*",
    }),
  );
}

beforeAll(async () => {
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const config = configFrom({
    TF_VAR_environment: environment,
    TF_VAR_aws_region: region,
    TF_VAR_target: "local",
    TF_VAR_local_endpoint: motoUrl,
    TF_VAR_state_bucket: bucket,
    TF_VAR_state_key_prefix: keyPrefix,
    TF_VAR_container_name: "web",
  });
  outdir = synthPlatformToDir(config).outdir;
  stackDir = join(outdir, "stacks", stack);
  cliConfigDir = mkdtempSync(join(tmpdir(), "tf-cli-config-"));
  env = terraformEnv({ ...process.env, AWS_EC2_METADATA_DISABLED: "true" }, cliConfigDir);
});

afterAll(async () => {
  if (applied) {
    // A failed step may have left the VPC behind, or a lock: destroy regardless of it.
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: lockKey })).catch(() => undefined);
    const destroy = await terraform("destroy", "-auto-approve");
    if (destroy.code !== 0) console.error(`s3 backend test: destroy in afterAll failed:\n${destroy.output.slice(-3000)}`);
  }
  const { Contents = [] } = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
  for (const object of Contents) await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: object.Key }));
  await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
  s3.destroy();
  for (const dir of [outdir, cliConfigDir]) if (dir) rmSync(dir, { recursive: true, force: true });
}, 5 * 60_000);

describe("the S3 backend with Terraform's lock file, against the emulator's S3", () => {
  test("the synthesized stack keeps its state in the bucket under <prefix>/<environment>/<stack>.tfstate, encrypted, with a lock file", () => {
    // GIVEN / WHEN synthesized in beforeAll
    const backend = JSON.parse(readFileSync(join(stackDir, "cdk.tf.json"), "utf8")).terraform.backend.s3;
    // THEN
    expect(backend).toMatchObject({ bucket, key: stateKey, region, encrypt: true, use_lockfile: true });
    expect(backend.endpoints).toMatchObject({ s3: motoUrl });
  });

  test("apply writes the state object, encrypted; while it runs its lock file exists and a second run is refused", async () => {
    // GIVEN
    expect(outcome(await terraform("init"))).toMatchObject({ code: 0 });
    // WHEN an apply runs
    applied = true;
    const apply = terraform("apply", "-auto-approve");
    let finished = false;
    void apply.then(() => (finished = true));
    const deadline = Date.now() + 120_000;
    while (!finished && Date.now() < deadline && !(await objectExists(lockKey))) await new Promise((r) => setTimeout(r, 100));
    // THEN the apply holds the lock: Terraform's lock info, next to the state
    expect({ finished, lockSeen: await objectExists(lockKey).catch(() => false) }).toEqual({ finished: false, lockSeen: true });
    const lock = JSON.parse(await objectText(lockKey));
    expect(lock).toMatchObject({ ID: expect.any(String), Operation: "OperationTypeApply", Path: `${bucket}/${stateKey}` });
    // AND a second run does not wait (-lock-timeout=0s) and is refused, naming the holder
    const second = await terraform("plan", "-lock-timeout=0s");
    expect(second.code).toBe(1);
    expect(second.output).toContain("Error acquiring the state lock");
    expect(second.output).toContain(lock.ID);
    // AND the apply itself succeeds, writes an encrypted state and releases the lock
    expect(outcome(await apply)).toMatchObject({ code: 0 });
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: stateKey }));
    expect(head.ServerSideEncryption).toBe("AES256");
    const state = JSON.parse(await objectText(stateKey));
    expect(state.resources.map((r: { type: string }) => r.type)).toEqual(expect.arrayContaining(["aws_vpc", "aws_subnet", "aws_nat_gateway"]));
    expect(await objectExists(lockKey)).toBe(false);
  });

  test("a lock file written the way Terraform writes one refuses an apply and leaves the state as it was", async () => {
    // GIVEN the state from the previous step and a lock held by someone else
    const before = JSON.parse(await objectText(stateKey));
    await putLock({
      ID: "0b5c6f2e-lock-held-by-a-test",
      Operation: "OperationTypeApply",
      Info: "",
      Who: "someone@elsewhere",
      Version: "1.11.4",
      Created: new Date().toISOString(),
      Path: `${bucket}/${stateKey}`,
    });
    // THEN S3 itself refuses a second lock (If-None-Match: * on an existing key), which is what the lock rests on
    await expect(putLock({ ID: "another" })).rejects.toMatchObject({ $metadata: { httpStatusCode: 412 } });
    // WHEN
    const apply = await terraform("apply", "-auto-approve", "-lock-timeout=0s");
    // THEN
    expect(apply.code).toBe(1);
    expect(apply.output).toContain("Error acquiring the state lock");
    expect(apply.output).toContain("0b5c6f2e-lock-held-by-a-test");
    expect(apply.output).toContain("someone@elsewhere");
    const after = JSON.parse(await objectText(stateKey));
    expect({ serial: after.serial, lineage: after.lineage }).toEqual({ serial: before.serial, lineage: before.lineage });
  });

  test("once the lock is released, destroy runs and leaves an empty state in the bucket", async () => {
    // GIVEN
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: lockKey }));
    // WHEN
    const destroy = await terraform("destroy", "-auto-approve");
    // THEN
    expect(outcome(destroy)).toMatchObject({ code: 0 });
    applied = false;
    expect(JSON.parse(await objectText(stateKey)).resources).toEqual([]);
    expect(await objectExists(lockKey)).toBe(false);
  });
});
