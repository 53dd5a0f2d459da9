/**
 * `npm run bench:agent`: the Performance section, measured with the
 * agent bundle (`dist/agent.js`), a real dockerd and moto (started here in a
 * TEST_ENV_DIR of its own, stopped at the end).
 *
 * 1. start → change accepted: isolated container starts, from `start()`
 *    returning to the agent's log line for the SRV create (written right
 *    after ChangeResourceRecordSets returned). Same clock on both sides.
 * 2. 100 containers started at once: ChangeResourceRecordSets calls and the
 *    time from the last `start()` to the last record accepted.
 * 3. RSS and CPU over an idle minute with those 100 containers (one periodic
 *    resync falls inside it), with plain `node` and with the recommended
 *    NODE_OPTIONS.
 * 4. A fresh agent's full pass against a 10,000-record zone with nothing to
 *    change: ChangeResourceRecordSets and ListResourceRecordSets calls.
 *
 * Knobs (environment): BENCH_LATENCY_SAMPLES (30), BENCH_IDLE_MS (65000).
 */
import { execFile } from "node:child_process";
import { freePort } from "../../scripts/lib/free-port";
import { promisify } from "node:util";
import { AgentHandle } from "./agent-handle";
import { BenchContainers, BenchZone, ROOT, envDown, envUp } from "./bench-env";
import { median, percentile } from "../lib/stats";
import { writeResults, type ResultRow } from "./report";
import { measureBurst, measureFullPass, measureIdle, measureStartLatency } from "./scenarios";

const LATENCY_SAMPLES = Number(process.env.BENCH_LATENCY_SAMPLES ?? 30);
const IDLE_WINDOW_MS = Number(process.env.BENCH_IDLE_MS ?? 65_000);
const BURST = 100;
const ZONE_SIZE = 10_000;
// Isolated starts: further apart than the agent's --min-interval-ms (1 s).
const ISOLATION_MS = 1_500;
/** What agent/README.md recommends for hosts: no JIT (an I/O-bound agent), small young generation. */
const RECOMMENDED_NODE_OPTIONS = "--jitless --max-semi-space-size=1";

const log = (msg: string) => process.stdout.write(`bench: ${msg}\n`);

async function main(): Promise<void> {
  log("building dist/agent.js");
  await promisify(execFile)(process.execPath, ["--require", "tsx/cjs", "scripts/build-bundles.ts", "agent"], { cwd: ROOT });
  log("starting moto and dockerd");
  const env = await envUp();
  process.env.DOCKER_HOST = env.dockerHost;
  const containers = new BenchContainers(env);
  const agents: AgentHandle[] = [];
  try {
    const zone = await BenchZone.create(env);
    const args = ["--zone-id", zone.id, "--zone-name", zone.name, "--host-id", "i-0bench0000000001", "--host-ip", "10.0.0.10"];
    const agent = new AgentHandle(env, args, await freePort());
    agents.push(agent);
    await agent.waitFor("the first pass", (l) => l.msg === "full pass done");

    log(`latency: ${LATENCY_SAMPLES} isolated starts`);
    const latenciesMs = await measureStartLatency(agent, containers, zone, LATENCY_SAMPLES, ISOLATION_MS);
    await containers.removeAll();
    await new Promise((r) => setTimeout(r, 3_000));

    log(`burst: ${BURST} containers started at once`);
    const burst = await measureBurst(agent, containers, BURST);

    log("idle: a minute with 100 containers, plain node");
    const idle = await measureIdle(agent, IDLE_WINDOW_MS);
    log(`memory after the idle window: ${JSON.stringify(idle.memory)}`);
    await agent.stop();

    log(`idle: a minute with 100 containers, NODE_OPTIONS="${RECOMMENDED_NODE_OPTIONS}"`);
    const lean = new AgentHandle(env, args, await freePort(), { NODE_OPTIONS: RECOMMENDED_NODE_OPTIONS });
    agents.push(lean);
    await lean.waitFor("the first pass", (l) => l.msg === "full pass done");
    const leanIdle = await measureIdle(lean, IDLE_WINDOW_MS);
    log(`memory after the idle window: ${JSON.stringify(leanIdle.memory)}`);
    await lean.stop();

    log(`resync: filling the zone to ${ZONE_SIZE} record sets`);
    await zone.fillTo(ZONE_SIZE);
    const zoneSize = await zone.count();
    const bigPass = await measureFullPass(env, args, await freePort());
    const leanBigPass = await measureFullPass(env, args, await freePort(), { NODE_OPTIONS: RECOMMENDED_NODE_OPTIONS });

    const rssMax = (s: number[]) => Math.max(...s);
    const rows: ResultRow[] = [
      { metric: "start → change accepted, p50", value: percentile(latenciesMs, 50), unit: "ms", target: "≤ 300 ms", pass: percentile(latenciesMs, 50) <= 300 },
      { metric: "start → change accepted, p99", value: percentile(latenciesMs, 99), unit: "ms", target: "≤ 1000 ms", pass: percentile(latenciesMs, 99) <= 1000 },
      { metric: `start → change accepted, median (min / max of ${latenciesMs.length})`, value: median(latenciesMs), unit: `ms (${Math.min(...latenciesMs)} / ${Math.max(...latenciesMs)})`, target: "-", pass: true },
      { metric: `${BURST} starts at once: ChangeResourceRecordSets calls`, value: burst.changeCalls, unit: "", target: "≤ 5", pass: burst.changeCalls <= 5 },
      { metric: `${BURST} starts at once: last start → all records accepted`, value: (burst.lastAccepted - burst.lastStart) / 1000, unit: "s", target: "≤ 5 s", pass: burst.recordsAccepted === BURST && burst.lastAccepted - burst.lastStart <= 5000 },
      { metric: `${BURST} starts at once: Docker took (first → last start)`, value: (burst.lastStart - burst.firstStart) / 1000, unit: "s", target: "-", pass: true },
      { metric: `RSS, ${BURST} containers, idle minute after the burst, median (max)`, value: median(idle.rssSamplesMiB), unit: `MiB (${rssMax(idle.rssSamplesMiB).toFixed(1)})`, target: "≤ 64 MiB", pass: rssMax(idle.rssSamplesMiB) <= 64 },
      { metric: `idle CPU, ${BURST} containers (${idle.resyncsInWindow} resync in the window)`, value: idle.cpuPercent, unit: "%", target: "< 1 %", pass: idle.cpuPercent < 1 },
      { metric: `RSS, same, NODE_OPTIONS="${RECOMMENDED_NODE_OPTIONS}", median (max)`, value: median(leanIdle.rssSamplesMiB), unit: `MiB (${rssMax(leanIdle.rssSamplesMiB).toFixed(1)})`, target: "≤ 64 MiB", pass: rssMax(leanIdle.rssSamplesMiB) <= 64 },
      { metric: `idle CPU, same, NODE_OPTIONS="${RECOMMENDED_NODE_OPTIONS}" (${leanIdle.resyncsInWindow} resync)`, value: leanIdle.cpuPercent, unit: "%", target: "< 1 %", pass: leanIdle.cpuPercent < 1 },
      { metric: `full pass vs ${zoneSize}-record zone: ChangeResourceRecordSets calls`, value: bigPass.changeCalls, unit: "", target: "0", pass: bigPass.changeCalls === 0 },
      { metric: `full pass vs ${zoneSize}-record zone: ListResourceRecordSets calls`, value: bigPass.listCalls, unit: "", target: "≤ 40", pass: bigPass.listCalls <= 40 },
      { metric: `full pass vs ${zoneSize}-record zone: agent start → pass done`, value: bigPass.startToPassDoneMs / 1000, unit: "s", target: "-", pass: true },
      { metric: "RSS right after that pass", value: bigPass.rssAfterMiB, unit: "MiB", target: "- (transient)", pass: true },
      { metric: `same pass, NODE_OPTIONS="${RECOMMENDED_NODE_OPTIONS}": start → done, RSS`, value: leanBigPass.startToPassDoneMs / 1000, unit: `s, ${leanBigPass.rssAfterMiB.toFixed(1)} MiB`, target: "-", pass: leanBigPass.changeCalls === 0 && leanBigPass.listCalls <= 40 },
    ];
    const md = writeResults(
      rows,
      { latenciesMs, burst, idle, leanIdle, zoneSize, bigPass, leanBigPass, recommendedNodeOptions: RECOMMENDED_NODE_OPTIONS },
      [
        "Agent: `node dist/agent.js` with default flags (debounce 100 ms, min interval 1 s, max delay 10 s, resync 60 s).",
        `Latency samples are ${ISOLATION_MS} ms apart, i.e. isolated starts; "accepted" is the agent's log line written when ChangeResourceRecordSets returned.`,
        "moto answers in a few milliseconds and never throttles; against Route53 add its API latency (tens of ms) per change call.",
        "Route53 calls are counted by the agent's own /metrics (every SDK attempt).",
        "A bare `node` process idles at about 40 MiB RSS, most of it the node binary's own pages. The JIT and V8's young generation (up to 32 MiB while a large zone is read) are most of the rest, hence the recommended NODE_OPTIONS for hosts; both options are allowed in NODE_OPTIONS.",
      ],
    );
    process.stdout.write(`\n${md}`);
  } finally {
    for (const a of agents) await a.stop().catch(() => undefined);
    await containers.removeAll().catch(() => undefined);
    log("stopping moto and dockerd");
    await envDown(env).catch((e: unknown) => log(`env down failed: ${String(e)}`));
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
