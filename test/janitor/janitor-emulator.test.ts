/**
 * The janitor against the emulator (moto started by `npm test`): real EC2
 * instances, running and terminated, and a zone holding the records of
 * several hosts, another owner's records and hand-made ones. After one run
 * of `npm run janitor -- --once`, only the dead hosts' records are gone.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { resolve } from "node:path";
import { EC2Client, RunInstancesCommand, StartInstancesCommand, StopInstancesCommand, TerminateInstancesCommand } from "@aws-sdk/client-ec2";
import type { ResourceRecordSet } from "@aws-sdk/client-route-53";
import { handler } from "../../janitor/handler";
import { EmulatorZone, emulatorRoute53 } from "../helpers/zones";

const run = promisify(execFile);
const root = resolve(__dirname, "..", "..");
const motoUrl = process.env.MOTO_URL;
if (!motoUrl) throw new Error("MOTO_URL is not set: run with `npm test -- test/janitor`");
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

const aws = { AWS_REGION: "us-east-1", AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test", AWS_ENDPOINT_URL: motoUrl };
const clientConfig = { region: aws.AWS_REGION, endpoint: motoUrl, credentials: { accessKeyId: "test", secretAccessKey: "test" } };
const ec2 = new EC2Client(clientConfig);
const route53 = emulatorRoute53(motoUrl);
const zoneName = `janitor-${Date.now().toString(36)}.test.`;
let zone: EmulatorZone | undefined;

afterAll(async () => {
  await zone?.destroy();
  ec2.destroy();
  route53.destroy();
});

async function launch(count: number): Promise<string[]> {
  const out = await ec2.send(new RunInstancesCommand({ ImageId: "ami-12c6146b", InstanceType: "t3.small", MinCount: count, MaxCount: count }));
  return out.Instances!.map((i) => i.InstanceId!);
}

const allRecords = () => zone!.records();

const multivalue = (name: string, type: "A" | "SRV", setIdentifier: string, value: string): ResourceRecordSet => ({
  Name: `${name}.${zoneName}`,
  Type: type,
  SetIdentifier: setIdentifier,
  MultiValueAnswer: true,
  TTL: 10,
  ResourceRecords: [{ Value: value }],
});

/** A host's records as its agent writes them (host A, one SRV, one SERVICE_FQDN A), each under its own name. */
function hostRecords(hostId: string, ip: string, owner = "ecsdns"): ResourceRecordSet[] {
  return [
    multivalue(hostId, "A", `${owner}/${hostId}/host`, ip),
    multivalue(`_web-${hostId}._tcp`, "SRV", `${owner}/${hostId}/3f2a9c1b7d4e-8080`, `1 1 32768 ${hostId}.${zoneName}`),
    multivalue(`web-${hostId}`, "A", `${owner}/${hostId}/fqdn-local`, ip),
  ];
}

const describe_ = (r: ResourceRecordSet) => `${r.Name} ${r.Type} ${r.SetIdentifier ?? "-"}`;

test("one janitor run removes exactly the records of hosts that no longer run", async () => {
  // GIVEN two running instances, one terminated, one never seen, a laptop host,
  // another owner's records of the dead instance, and a hand-made record
  const [live1, live2, dead] = await launch(3);
  await ec2.send(new TerminateInstancesCommand({ InstanceIds: [dead] }));
  const neverExisted = "i-0123456789abcdef0";
  zone = await EmulatorZone.create(route53, zoneName);
  const keep = [
    ...hostRecords(live1, "10.0.1.1"),
    ...hostRecords(live2, "10.0.1.2"),
    ...hostRecords("laptop-7", "192.168.1.7"),
    ...hostRecords(dead, "10.0.1.3", "other-team"),
    { Name: `www.${zoneName}`, Type: "A", TTL: 300, ResourceRecords: [{ Value: "10.9.9.9" }] },
  ] as ResourceRecordSet[];
  const gone = [...hostRecords(dead, "10.0.1.3"), ...hostRecords(neverExisted, "10.0.1.4")];
  await zone.createRecords([...keep, ...gone]);
  const before = await allRecords();

  // WHEN the janitor runs once from the command line, against the emulator
  const { stdout } = await run(process.execPath, [resolve(root, "node_modules", "tsx", "dist", "cli.mjs"), "janitor/main.ts", "--zone-id", zone.id, "--once"], {
    cwd: root,
    env: { ...process.env, ...aws },
  });

  // THEN the dead and unknown instances' records are gone, everything else is byte for byte as it was
  const after = await allRecords();
  expect(after.map(describe_).sort()).toEqual(before.filter((r) => !gone.some((g) => describe_(g) === describe_(r))).map(describe_).sort());
  for (const record of keep) expect(after).toContainEqual(expect.objectContaining(record));
  const summary = stdout.split("\n").filter(Boolean).map((l) => JSON.parse(l)).find((l) => l.msg === "janitor sweep done");
  expect(summary).toMatchObject({ app: "ecsdns-janitor", deleted: { "host-gone": 6 }, failed: 0, hosts: 5 });
  expect(new Set(summary.deadHosts)).toEqual(new Set([dead, neverExisted]));
}, 60_000);

/** An EventBridge EC2 state-change event. */
const stateChange = (instanceId: string, state: string) => ({
  source: "aws.ec2",
  "detail-type": "EC2 Instance State-change Notification",
  detail: { "instance-id": instanceId, state },
});

/** Runs the Lambda handler on `event` with the function's variables for this zone, then restores the environment. */
async function handlerGiven(event: object): Promise<Awaited<ReturnType<typeof handler>>> {
  const saved = { ...process.env };
  Object.assign(process.env, aws, { ECSDNS_ZONE_ID: zone!.id, ECSDNS_LOG_LEVEL: "warn" });
  try {
    return await handler(event);
  } finally {
    process.env = saved;
  }
}

test("the Lambda handler, given an instance's termination event, removes that instance's records", async () => {
  // GIVEN a running instance with records (the zone of the first test)
  const [instance] = await launch(1);
  const records = hostRecords(instance, "10.0.2.1");
  await zone!.createRecords(records);
  await ec2.send(new TerminateInstancesCommand({ InstanceIds: [instance] }));

  // WHEN EventBridge delivers the state change to the handler
  const report = await handlerGiven(stateChange(instance, "shutting-down"));
  // THEN its records are gone in one change call
  expect(report).toMatchObject({ deleted: { "host-gone": 3 }, changeCalls: 1, failed: 0 });
  const after = await allRecords();
  expect(after.some((r) => r.SetIdentifier?.includes(instance))).toBe(false);
}, 60_000);

test("the Lambda handler, given an old stop event of an instance that was started again, leaves its records", async () => {
  // GIVEN an instance with records that was stopped and then started again (the zone of the first test)
  const [instance] = await launch(1);
  const records = hostRecords(instance, "10.0.3.1");
  await zone!.createRecords(records);
  await ec2.send(new StopInstancesCommand({ InstanceIds: [instance] }));
  await ec2.send(new StartInstancesCommand({ InstanceIds: [instance] }));

  // WHEN EventBridge delivers (late, or again) the "stopped" event of before the start
  try {
    const report = await handlerGiven(stateChange(instance, "stopped"));
    // THEN EC2's answer wins: nothing deleted, the zone not even listed
    expect(report).toMatchObject({ deadHosts: [], deleted: { "host-gone": 0 }, changeCalls: 0, listCalls: 0 });
  } finally {
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: [instance] }));
  }
  const after = await allRecords();
  expect(after.filter((r) => r.SetIdentifier?.includes(instance)).map(describe_).sort()).toEqual(records.map(describe_).sort());
}, 60_000);
