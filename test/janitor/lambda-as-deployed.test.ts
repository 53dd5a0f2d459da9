/**
 * The janitor exactly as the discovery stack deploys it, run as Lambda runs
 * it (scripts/local/lambda-runtime-stand-in.ts): the zip that the
 * synthesized `aws_lambda_function` names in cdktf's output, unpacked alone
 * into an empty task root; its runtime (`nodejs22.x`: Node.js 22), handler,
 * timeout, memory size (and the V8 flags Lambda's bootstrap derives from it)
 * and variables as synthesized; the environment Lambda gives and nothing
 * from this test's own. AWS is moto (`npm test` starts it): real EC2
 * instances, running and terminated, and a zone holding the records of live
 * and dead hosts, of another owner and hand-made ones.
 *
 * The only differences from AWS: AWS_ENDPOINT_URL points at moto (and, where
 * Route53 throttles, AWS_ENDPOINT_URL_ROUTE_53 at the throttling proxy in
 * front of it), and ECSDNS_ZONE_ID and ECSDNS_ZONE_NAME, Terraform
 * references to the stack's zone until apply, name the zone this test made.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { availableParallelism, tmpdir } from "node:os";
import { dirname, join, sep } from "node:path";
import { buildBundles, writeZip } from "../../scripts/build/bundles";
import { node22 } from "../../scripts/lib/node22";
import { LambdaRuntimeStandIn, lambdaBootstrapNodeArgs, type LambdaInvocation } from "../../scripts/local/lambda-runtime-stand-in";
import { Route53Proxy } from "../faults/helpers/throttling-proxy";
import { synthesizeJanitorLambda, type SynthesizedJanitorLambda } from "../helpers/janitor-lambda-synth";
import { resourceAt } from "../helpers/synth";
import { JanitorWorlds, OWNER, matchesPattern, scheduledEvent as scheduledEventOf, stateChangeEvent as stateChangeEventOf, without } from "./helpers/janitor-world";

const motoUrl = process.env.MOTO_URL;
if (!motoUrl) throw new Error("MOTO_URL is not set: run with `npm test -- test/janitor/lambda-as-deployed.test.ts`");

/**
 * A test that invokes the function may take up to the function's timeout
 * (300 s, asserted below) before the stand-in stops it; the margin is for
 * the zone, the instances and the stand-in's start.
 */
const INVOCATION_TEST_MS = 300_000 + 60_000;
jest.setTimeout(INVOCATION_TEST_MS);

const credentials = { accessKeyId: "test", secretAccessKey: "test", sessionToken: "test-session" };
let synthesized: SynthesizedJanitorLambda;
let worlds: JanitorWorlds;
const standIns: LambdaRuntimeStandIn[] = [];
const proxies: Route53Proxy[] = [];

beforeAll(async () => {
  await buildBundles({ onlyIfStale: true });
  synthesized = synthesizeJanitorLambda();
  worlds = new JanitorWorlds(motoUrl, synthesized.region, credentials);
}, 180_000);

afterAll(async () => {
  for (const standIn of standIns) standIn.dispose();
  for (const proxy of proxies) await proxy.close();
  await worlds?.destroy();
  synthesized?.dispose();
});

/** Zone id → zone name, of the zones the tests made (the function's ECSDNS_ZONE_NAME, a reference to the stack's zone until apply). */
const zoneNames = new Map<string, string>();
async function makeWorld(prefix: string) {
  const world = await worlds.make(prefix);
  zoneNames.set(world.zoneId, world.zoneName.replace(/\.$/, ""));
  return world;
}

/** The function as synthesized, its zone variables naming `zoneId` and its name, ready to invoke; `endpoints` adds AWS_ENDPOINT_URL_* variables. */
function deployedFunction(zoneId: string, endpoints: Record<string, string> = {}, handler?: string): LambdaRuntimeStandIn {
  const r = synthesized.resource;
  const standIn = LambdaRuntimeStandIn.create(
    synthesized.codeZip,
    {
      functionName: r.function_name,
      runtime: r.runtime,
      handler: handler ?? r.handler,
      timeoutSeconds: r.timeout,
      memoryMiB: r.memory_size,
      variables: { ...r.environment.variables, ECSDNS_ZONE_ID: zoneId, ECSDNS_ZONE_NAME: zoneNames.get(zoneId) ?? "unknown.invalid" },
      region: synthesized.region,
    },
    { node: node22(), credentials, endpoints: { AWS_ENDPOINT_URL: motoUrl!, ...endpoints } },
  );
  standIns.push(standIn);
  return standIn;
}

/** Fails with the function's log when the invocation's outcome is not `expected`. */
function expectOutcome(invocation: LambdaInvocation, expected: LambdaInvocation["outcome"]): void {
  if (invocation.outcome !== expected) {
    throw new Error(`expected ${expected}, got ${invocation.outcome} ${JSON.stringify(invocation.error ?? invocation.result)}\n--- function log ---\n${invocation.logs.slice(-4000)}`);
  }
}

const stateChangeEvent = (instanceId: string, state: string) => stateChangeEventOf(synthesized.region, instanceId, state);
/** What the stack's schedule rule delivers. */
const scheduledEvent = () => scheduledEventOf(synthesized.region, resourceAt(synthesized.stack, "aws_cloudwatch_event_rule", "janitor/schedule").values.name);

/** The janitor's closing log line. */
function sweepSummary(invocation: LambdaInvocation): Record<string, any> | undefined {
  return invocation.logs
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, any>)
    .find((line) => line.msg === "janitor sweep done");
}

describe("the janitor's Lambda function as synthesized", () => {
  test("runs on nodejs22.x as index.handler with 300 s and 256 MB, its code the asset in cdktf's output", () => {
    const r = synthesized.resource;
    expect({ runtime: r.runtime, handler: r.handler, timeout: r.timeout, memory_size: r.memory_size }).toEqual({
      runtime: "nodejs22.x",
      handler: "index.handler",
      timeout: 300,
      memory_size: 256,
    });
    // The code Terraform uploads: the asset inside cdktf's output, the same file the hash is taken of.
    expect(synthesized.codeZip.startsWith(synthesized.outdir + sep)).toBe(true);
    expect(r.filename).toMatch(/^assets\//);
    expect(r.source_code_hash).toBe(`\${filebase64sha256("${r.filename}")}`);
    // ECSDNS_ZONE_ID and ECSDNS_ZONE_NAME are the stack's zone, known after apply: the variables these tests set.
    const zone = Object.keys(synthesized.stack.resource!.aws_route53_zone);
    expect(r.environment.variables.ECSDNS_ZONE_ID).toBe(`\${aws_route53_zone.${zone[0]}.zone_id}`);
    expect(r.environment.variables.ECSDNS_ZONE_NAME).toBe(`\${aws_route53_zone.${zone[0]}.name}`);
    const literal = Object.entries(r.environment.variables as Record<string, string>).filter(([name]) => name !== "ECSDNS_ZONE_ID" && name !== "ECSDNS_ZONE_NAME");
    expect(literal.filter(([, value]) => value.includes("${"))).toEqual([]);
    expect(Object.fromEntries(literal)).toEqual({ ECSDNS_OWNER: OWNER });
  });

  test("the stack's rules deliver the events these tests send", () => {
    const pattern = JSON.parse(resourceAt(synthesized.stack, "aws_cloudwatch_event_rule", "janitor/instance-gone").values.event_pattern);
    expect(matchesPattern(pattern, stateChangeEvent("i-0123456789abcdef0", "terminated"))).toBe(true);
    expect(matchesPattern(pattern, stateChangeEvent("i-0123456789abcdef0", "running"))).toBe(false);
    expect(resourceAt(synthesized.stack, "aws_cloudwatch_event_rule", "janitor/schedule").values.schedule_expression).toBe("rate(5 minutes)");
  });
});

describe("the package in Lambda's Node.js 22 runtime", () => {
  let zoneId: string;
  let standIn: LambdaRuntimeStandIn;
  let invocation: LambdaInvocation;

  beforeAll(async () => {
    // A zone it may read; an event it answers without touching it (an instance that is running).
    zoneId = (await makeWorld("lambda-runtime")).zoneId;
    standIn = deployedFunction(zoneId);
    invocation = await standIn.invoke(stateChangeEvent("i-0123456789abcdef0", "running"));
  }, 120_000);

  test("the zip holds index.js alone, and the runtime finds the exported `handler` in it", () => {
    expect(standIn.packageFiles).toEqual(["index.js"]);
    expectOutcome(invocation, "success");
    expect(invocation.result).toEqual({ skipped: "instance still running" });
  });

  test("a handler name the bundle does not export fails at init, as Lambda's runtime reports it", async () => {
    const misnamed = await deployedFunction(zoneId, {}, "index.sweep").invoke(scheduledEvent());
    expect({ outcome: misnamed.outcome, error: misnamed.error }).toEqual({
      outcome: "error",
      error: { errorType: "Runtime.HandlerNotFound", errorMessage: "index.sweep is undefined or not exported" },
    });
  });

  test("it runs on Node.js 22 with the V8 flags Lambda's bootstrap derives from 256 MB, in the task root", () => {
    expect(invocation.diagnostics?.nodeVersion).toMatch(/^v22\./);
    expect(invocation.diagnostics?.execArgv).toEqual(lambdaBootstrapNodeArgs(256));
    expect(lambdaBootstrapNodeArgs(256)).toEqual(["--expose-gc", "--max-http-header-size", "81920", "--max-semi-space-size=12", "--max-old-space-size=231"]);
    expect(invocation.diagnostics?.cwd).toBe(standIn.taskRoot);
    expect(invocation.maxMemoryUsedMiB).toBeLessThan(256);
  });

  test("its environment is Lambda's and the function's, nothing from the test's", () => {
    // The names Lambda sets (reserved and unreserved), the function's own, and the one addition: where AWS calls go.
    const lambda = [
      ...["_HANDLER", "_X_AMZN_TRACE_ID", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_EXECUTION_ENV", "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE"],
      ...["AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME", "AWS_LAMBDA_RUNTIME_API"],
      ...["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR", "TZ"],
      ...["LANG", "PATH", "LD_LIBRARY_PATH", "NODE_PATH", "AWS_XRAY_CONTEXT_MISSING", "AWS_XRAY_DAEMON_ADDRESS"],
    ];
    const own = Object.keys(synthesized.resource.environment.variables);
    expect([...invocation.diagnostics!.environmentNames].sort()).toEqual([...lambda, ...own, "AWS_ENDPOINT_URL"].sort());
    // Their values, where they say what Lambda says.
    const env = standIn.environment("127.0.0.1:9001");
    expect(env).toMatchObject({
      _HANDLER: "index.handler",
      AWS_EXECUTION_ENV: "AWS_Lambda_nodejs22.x",
      AWS_LAMBDA_FUNCTION_NAME: synthesized.resource.function_name,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "256",
      AWS_REGION: synthesized.region,
      AWS_DEFAULT_REGION: synthesized.region,
      LAMBDA_TASK_ROOT: standIn.taskRoot,
      TZ: ":UTC",
      LANG: "en_US.UTF-8",
      ECSDNS_OWNER: OWNER,
      AWS_ENDPOINT_URL: motoUrl,
    });
  });

  test("the bundle needs nothing outside the task root: it loads only its own file, and no node_modules is in reach", () => {
    expect(invocation.diagnostics?.loadedFiles).toEqual([join(standIn.taskRoot, "index.js")]);
    for (let dir = standIn.taskRoot; ; dir = dirname(dir)) {
      expect(existsSync(join(dir, "node_modules"))).toBe(false);
      if (dirname(dir) === dir) break;
    }
  });
});

describe("invoked against the emulator", () => {
  test("an instance's termination event removes that instance's records, and nothing else", async () => {
    // GIVEN
    const world = await makeWorld("lambda-event");
    const fn = deployedFunction(world.zoneId);
    // WHEN EventBridge delivers the state change
    const invocation = await fn.invoke(stateChangeEvent(world.dead, "terminated"));
    // THEN
    expectOutcome(invocation, "success");
    expect(invocation.result).toMatchObject({ deadHosts: [world.dead], deleted: { "host-gone": 3 }, failed: 0, changeCalls: 1 });
    expect(await worlds.snapshot(world.zoneId)).toEqual(without(world, world.deadRecords));
    expect(invocation.durationMs).toBeLessThan(fn.config.timeoutSeconds * 1000);
  });

  test("a scheduled event sweeps every host: the dead and unknown instances' records go, everything else stays byte for byte", async () => {
    // GIVEN
    const world = await makeWorld("lambda-sweep");
    const fn = deployedFunction(world.zoneId);
    // WHEN
    const invocation = await fn.invoke(scheduledEvent());
    // THEN
    expectOutcome(invocation, "success");
    expect(invocation.result).toMatchObject({ deleted: { "host-gone": 6 }, failed: 0, hosts: 5 });
    expect(new Set((invocation.result as { deadHosts: string[] }).deadHosts)).toEqual(new Set([world.dead, world.neverExisted]));
    expect(await worlds.snapshot(world.zoneId)).toEqual(without(world, [...world.deadRecords, ...world.neverExistedRecords]));
    expect(sweepSummary(invocation)).toMatchObject({ app: "ecsdns-janitor", scope: "all", failed: 0 });
  });

  test("with half of the Route53 calls throttled, the sweep still finishes within the function's timeout", async () => {
    // GIVEN Route53 behind a proxy that answers half of the calls with Throttling / PriorRequestNotComplete
    const world = await makeWorld("lambda-throttled");
    const proxy = await Route53Proxy.start({ target: motoUrl!, throttleShare: 0.5, seed: 3, ownedPrefix: `${OWNER}/` });
    proxies.push(proxy);
    const fn = deployedFunction(world.zoneId, { AWS_ENDPOINT_URL_ROUTE_53: proxy.url });
    // WHEN
    const invocation = await fn.invoke(scheduledEvent());
    // THEN it met throttling, and its retries got through before the timeout
    expect(proxy.throttles).toBeGreaterThan(0);
    expectOutcome(invocation, "success");
    expect(invocation.result).toMatchObject({ deleted: { "host-gone": 6 }, failed: 0 });
    expect(await worlds.snapshot(world.zoneId)).toEqual(without(world, [...world.deadRecords, ...world.neverExistedRecords]));
    expect(proxy.foreignChanges).toEqual([]);
    expect(invocation.durationMs).toBeLessThan(fn.config.timeoutSeconds * 1000);
  });

  test("with every Route53 call throttled, the invocation fails (so Lambda retries it) before the timeout, and the zone is untouched", async () => {
    // GIVEN
    const world = await makeWorld("lambda-refused");
    const proxy = await Route53Proxy.start({ target: motoUrl!, throttleShare: 1 });
    proxies.push(proxy);
    const fn = deployedFunction(world.zoneId, { AWS_ENDPOINT_URL_ROUTE_53: proxy.url });
    // WHEN
    const invocation = await fn.invoke(scheduledEvent());
    // THEN an error, not a timeout: the asynchronous invocation is retried, then lands in the failure queue
    expectOutcome(invocation, "error");
    expect(invocation.error?.errorType).toBe("Throttling");
    expect(invocation.logs).toContain("Invoke Error");
    expect(invocation.durationMs).toBeLessThan(fn.config.timeoutSeconds * 1000);
    expect(proxy.snapshot().answered).toMatchObject({ ChangeResourceRecordSets: 0, ListResourceRecordSets: 0 });
    expect(await worlds.snapshot(world.zoneId)).toEqual(world.before);
  });

  test("with every CPU busy, a sweep still completes within the function's timeout", async () => {
    // GIVEN
    const world = await makeWorld("lambda-busy");
    const fn = deployedFunction(world.zoneId);
    // AND a busy loop on every core (bounded in time)
    const busy: ChildProcess[] = Array.from({ length: availableParallelism() }, () =>
      spawn(process.execPath, ["-e", "const end = Date.now() + 90000; while (Date.now() < end);"], { stdio: "ignore" }),
    );
    let invocation: LambdaInvocation;
    try {
      // WHEN
      invocation = await fn.invoke(scheduledEvent());
    } finally {
      for (const loop of busy) loop.kill("SIGKILL");
    }
    // THEN
    expectOutcome(invocation, "success");
    expect(invocation.result).toMatchObject({ deleted: { "host-gone": 6 }, failed: 0 });
    expect(await worlds.snapshot(world.zoneId)).toEqual(without(world, [...world.deadRecords, ...world.neverExistedRecords]));
    expect(invocation.durationMs).toBeLessThan(fn.config.timeoutSeconds * 1000);
  });
});

describe("the runtime stand-in itself", () => {
  test("an invocation that outlives its timeout is stopped and reported as Lambda reports it", async () => {
    // GIVEN a Route53 endpoint that accepts connections and never answers
    const sockets: Socket[] = [];
    const silent: Server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    try {
      const fn = deployedFunction("Z0000000000000000000", { AWS_ENDPOINT_URL_ROUTE_53: `http://127.0.0.1:${(silent.address() as { port: number }).port}` });
      // WHEN it runs with a 3 s timeout
      const invocation = await fn.invoke(scheduledEvent(), { timeoutSeconds: 3 });
      // THEN
      expect({ outcome: invocation.outcome, error: invocation.error?.errorMessage }).toEqual({ outcome: "timeout", error: expect.stringMatching(/Task timed out after 3\.00 seconds$/) });
      expect(invocation.durationMs).toBeGreaterThanOrEqual(3000);
      expect(invocation.durationMs).toBeLessThan(6000);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  test("a function that holds more memory than its memory size is killed, as Lambda kills it", async () => {
    // GIVEN a package whose handler keeps allocating (outside V8's heap, which the flags bound)
    const dir = mkdtempSync(join(tmpdir(), "lambda-oom-"));
    try {
      const zip = join(dir, "oom.zip");
      const code = "const held = []; exports.handler = async () => { for (;;) { held.push(Buffer.alloc(16 << 20, 1)); await new Promise((r) => setTimeout(r, 5)); } };";
      writeZip(zip, { "index.js": Buffer.from(code) });
      const fn = LambdaRuntimeStandIn.create(zip, { functionName: "oom", runtime: "nodejs22.x", handler: "index.handler", timeoutSeconds: 30, memoryMiB: 128, variables: {}, region: "us-east-1" }, { node: node22(), credentials });
      standIns.push(fn);
      // WHEN
      const invocation = await fn.invoke({});
      // THEN
      expect({ outcome: invocation.outcome, errorType: invocation.error?.errorType }).toEqual({ outcome: "out-of-memory", errorType: "Runtime.OutOfMemory" });
      expect(invocation.maxMemoryUsedMiB).toBeGreaterThan(128);
      expect(invocation.durationMs).toBeLessThan(10_000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
