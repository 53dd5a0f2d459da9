/**
 * The janitor's heartbeat check, run as Lambda runs it: the synthesized
 * function's zip, runtime (Node.js 22), handler and variables
 * (scripts/local/lambda-runtime-stand-in.ts), invoked with the input the
 * stack's every-minute rule gives its target. AWS is moto: real EC2
 * instances, a zone with the records of live and dead hosts, another
 * owner's and hand-made ones, and the agents' heartbeats in CloudWatch, put
 * as the agent puts them (its adapter, agent/cloudwatch-heartbeat.ts, is
 * tested as installed in test/agent/integration/installed-agent.test.ts).
 */
import { CloudWatchClient, GetMetricDataCommand, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { buildBundles } from "../../scripts/build/bundles";
import { node22 } from "../../scripts/lib/node22";
import { LambdaRuntimeStandIn, type LambdaInvocation } from "../../scripts/local/lambda-runtime-stand-in";
import { AGENT_HEARTBEAT_METRIC, AGENT_HEARTBEAT_NAMESPACE, JANITOR_NAMESPACE, heartbeatDimensions } from "../../dns/agent-heartbeat";
import { synthesizeJanitorLambda, type SynthesizedJanitorLambda } from "../helpers/janitor-lambda-synth";
import { resources } from "../helpers/synth";
import { JanitorWorlds, OWNER, hostRecords, without, type World } from "./helpers/janitor-world";

const motoUrl = process.env.MOTO_URL;
if (!motoUrl) throw new Error("MOTO_URL is not set: run with `npm test -- test/janitor/heartbeat-check-lambda.test.ts`");
jest.setTimeout(360_000);

const credentials = { accessKeyId: "test", secretAccessKey: "test", sessionToken: "test-session" };
let synthesized: SynthesizedJanitorLambda;
let worlds: JanitorWorlds;
let cloudwatch: CloudWatchClient;
const standIns: LambdaRuntimeStandIn[] = [];

beforeAll(async () => {
  await buildBundles({ onlyIfStale: true });
  synthesized = synthesizeJanitorLambda();
  worlds = new JanitorWorlds(motoUrl, synthesized.region, credentials);
  cloudwatch = new CloudWatchClient({ region: synthesized.region, endpoint: motoUrl, credentials });
}, 180_000);

afterAll(async () => {
  for (const standIn of standIns) standIn.dispose();
  await worlds?.destroy();
  cloudwatch?.destroy();
  synthesized?.dispose();
});

/** The input the stack's heartbeat-check rule gives its target, read from the synthesized target. */
function heartbeatCheckEvent(): unknown {
  const target = resources(synthesized.stack, "aws_cloudwatch_event_target").find((t) => t.name.includes("heartbeat-check"));
  if (!target) throw new Error("the discovery stack has no heartbeat-check target");
  return JSON.parse(String(target.values.input));
}

/** The function as synthesized, its zone variables (Terraform references to the stack's zone until apply) naming `world`'s zone. */
function deployedFunction(world: World): LambdaRuntimeStandIn {
  const r = synthesized.resource;
  const standIn = LambdaRuntimeStandIn.create(
    synthesized.codeZip,
    {
      functionName: r.function_name,
      runtime: r.runtime,
      handler: r.handler,
      timeoutSeconds: r.timeout,
      memoryMiB: r.memory_size,
      variables: { ...r.environment.variables, ECSDNS_ZONE_ID: world.zoneId, ECSDNS_ZONE_NAME: world.zoneName.replace(/\.$/, "") },
      region: synthesized.region,
    },
    { node: node22(), credentials, endpoints: { AWS_ENDPOINT_URL: motoUrl! } },
  );
  standIns.push(standIn);
  return standIn;
}

function expectSuccess(invocation: LambdaInvocation): void {
  if (invocation.outcome !== "success") {
    throw new Error(`expected success, got ${invocation.outcome} ${JSON.stringify(invocation.error ?? invocation.result)}\n--- function log ---\n${invocation.logs.slice(-4000)}`);
  }
}

/** A heartbeat as an agent puts it, `ageSeconds` ago. */
async function heartbeat(zoneId: string, hostId: string, ageSeconds: number): Promise<void> {
  await cloudwatch.send(
    new PutMetricDataCommand({
      Namespace: AGENT_HEARTBEAT_NAMESPACE,
      MetricData: [{ MetricName: AGENT_HEARTBEAT_METRIC, Dimensions: heartbeatDimensions(zoneId, OWNER, hostId), Value: 1, Unit: "Count", StorageResolution: 1, Timestamp: new Date(Date.now() - ageSeconds * 1000) }],
    }),
  );
}

/** The janitor's latest count of `metric` for the zone, read back from CloudWatch. */
async function janitorCount(zoneId: string, metric: string): Promise<number | undefined> {
  const now = Date.now();
  const answer = await cloudwatch.send(
    new GetMetricDataCommand({
      StartTime: new Date(now - 600_000),
      EndTime: new Date(now + 60_000),
      ScanBy: "TimestampDescending",
      MetricDataQueries: [{ Id: "m", MetricStat: { Metric: { Namespace: JANITOR_NAMESPACE, MetricName: metric, Dimensions: heartbeatDimensions(zoneId, OWNER, "").slice(0, 2) }, Period: 60, Stat: "Maximum" } }],
    }),
  );
  return answer.MetricDataResults?.[0]?.Values?.[0];
}

const zoneNameOf = (world: World) => world.zoneName;

describe("the heartbeat check as deployed, against the emulator", () => {
  test("removes the records of the running host whose agent went silent; a reporting host's, a stopped host's and every foreign record stay byte for byte", async () => {
    // GIVEN two running hosts: one reported 5 s ago, the other's agent last reported 200 s ago
    const world = await worlds.make("heartbeat-silent");
    const [reporting, silent] = world.live;
    await heartbeat(world.zoneId, reporting, 5);
    await heartbeat(world.zoneId, silent, 200);
    // AND the terminated instance reported once too (its records are the sweep's business, not this check's)
    await heartbeat(world.zoneId, world.dead, 400);
    const fn = deployedFunction(world);
    // WHEN the every-minute rule invokes it
    const invocation = await fn.invoke(heartbeatCheckEvent());
    // THEN
    expectSuccess(invocation);
    expect(invocation.result).toMatchObject({ checkedHosts: 2, silentHosts: [silent], cleanedHosts: [silent], heldHosts: [], deleted: 3, failed: 0 });
    expect(await worlds.snapshot(world.zoneId)).toEqual(without(world, hostRecords(zoneNameOf(world), silent, "10.0.1.2")));
    expect(await janitorCount(world.zoneId, "SilentHosts")).toBe(1);
    expect(await janitorCount(world.zoneId, "HeldSilentHosts")).toBe(0);
  });

  test("when every host reports, it reads no zone and deletes nothing", async () => {
    const world = await worlds.make("heartbeat-live");
    for (const id of world.live) await heartbeat(world.zoneId, id, 10);
    const invocation = await deployedFunction(world).invoke(heartbeatCheckEvent());
    expectSuccess(invocation);
    expect(invocation.result).toMatchObject({ checkedHosts: 2, silentHosts: [], deleted: 0, listCalls: 0 });
    expect(await worlds.snapshot(world.zoneId)).toEqual(world.before);
  });

  test("when every agent falls silent at once, it deletes nothing and publishes them as held (the alarm pages)", async () => {
    const world = await worlds.make("heartbeat-guard");
    for (const id of world.live) await heartbeat(world.zoneId, id, 240);
    const invocation = await deployedFunction(world).invoke(heartbeatCheckEvent());
    expectSuccess(invocation);
    expect(invocation.result).toMatchObject({ cleanedHosts: [], heldHosts: [...world.live].sort(), holdReason: "too-many-silent", deleted: 0 });
    expect(await worlds.snapshot(world.zoneId)).toEqual(world.before);
    expect(await janitorCount(world.zoneId, "HeldSilentHosts")).toBe(2);
    expect(invocation.logs).toContain("deleting nothing");
  });
});
