/**
 * `npm run bench:agent`: the agent's performance as the cluster stack
 * installs it on a host: the bundle from the synthesized asset, its systemd
 * unit's ExecStart (V8 flags and agent flags) on Node.js 22, host identity
 * and credentials from an instance-metadata stand-in (no --host-* flag),
 * against a real dockerd and moto (started here in a TEST_ENV_DIR of its
 * own, stopped at the end).
 *
 * 1. start → change accepted: isolated container starts, from `start()`
 *    returning to the agent's log line for the SRV create (written right
 *    after ChangeResourceRecordSets returned). Same clock on both sides.
 * 1b. stop → record gone: isolated `docker stop`s (SIGTERM, SIGKILL after
 *    1 s, as ECS stops a task), from the container's end (dockerd's time of
 *    the SIGKILL or `die`) to the agent's log line for the SRV delete; on the idle host, then with a busy loop on
 *    every core (test/helpers/cpu-pressure.ts), where dockerd's container
 *    list lags its `die` events (issue 17).
 * 2. 100 containers started at once: ChangeResourceRecordSets calls and the
 *    time from the last `start()` to the last record accepted.
 * 3. RSS and CPU over an idle minute with those 100 containers (one periodic
 *    resync falls inside it), as installed, and for reference without the
 *    unit's V8 flag (`--max-semi-space-size=1`).
 * 4. A restarted agent's full pass (the one before killed, as after a crash,
 *    so its records are there) against a 10,000-record zone with nothing to
 *    change: ChangeResourceRecordSets and ListResourceRecordSets calls.
 *
 * Knobs (environment): BENCH_LATENCY_SAMPLES (30), BENCH_IDLE_MS (65000),
 * BENCH_PARTS (`all`; `latency` measures 1 and 1b only and keeps the other
 * rows of the previous bench/results/agent.json, saying so in the notes).
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { NODE22_VERSION, node22 } from "../../scripts/lib/node22";
import { startImdsStandIn } from "../../scripts/local/imds-stand-in";
import { localAgentCommand } from "../../scripts/local/installed-agent";
import { synthesizeAgentInstall } from "../../test/helpers/installed-agent-synth";
import { AgentHandle, type AgentCommand } from "./agent-handle";
import { BenchContainers, BenchZone, ROOT, envDown, envUp } from "./bench-env";
import { median, percentile } from "../lib/stats";
import { writeResults, type ResultRow } from "./report";
import { measureBurst, measureFullPass, measureIdle, measureStartLatency, measureStopLatency } from "./scenarios";
import { CpuPressure } from "../../test/helpers/cpu-pressure";
import { readFileSync } from "node:fs";
import path from "node:path";

const LATENCY_SAMPLES = Number(process.env.BENCH_LATENCY_SAMPLES ?? 30);
const IDLE_WINDOW_MS = Number(process.env.BENCH_IDLE_MS ?? 65_000);
const LATENCY_ONLY = process.env.BENCH_PARTS === "latency";
const BURST = 100;
const ZONE_SIZE = 10_000;
// Isolated starts: further apart than the agent's --min-interval-ms (1 s).
const ISOLATION_MS = 1_500;
/** The unit gives --metrics-host 127.0.0.1 and the default --metrics-port. */
const METRICS_PORT = 7979;
/** The unit's V8 flag, left out for the reference figures. */
const V8_FLAG = "--max-semi-space-size=1";

const log = (msg: string) => process.stdout.write(`bench: ${msg}\n`);

async function main(): Promise<void> {
  log("building dist/agent.js");
  await promisify(execFile)(process.execPath, ["--require", "tsx/cjs", "scripts/build/build-bundles.ts", "agent"], { cwd: ROOT });
  log("starting moto and dockerd");
  const env = await envUp();
  process.env.DOCKER_HOST = env.dockerHost;
  const containers = new BenchContainers(env);
  const agents: AgentHandle[] = [];
  const zone = await BenchZone.createFor(env);
  const install = synthesizeAgentInstall({ id: zone.id, name: zone.name }, env.motoUrl);
  // local-ipv4 is where BenchContainers publish: the agent publishes only bindings that answer there.
  const imds = await startImdsStandIn({ instanceId: "i-0bench0000000001", localIpv4: "127.0.0.1", region: "us-east-1" });
  const node = node22();
  const installed = localAgentCommand(install.installed, { node, bundle: install.bundle, hostEnv: { DOCKER_HOST: env.dockerHost, AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.endpoint } });
  const withoutV8Flag: AgentCommand = { ...installed, args: installed.args.filter((a) => a !== V8_FLAG) };
  if (!installed.args.includes(V8_FLAG)) throw new Error(`the unit no longer gives ${V8_FLAG}: update this benchmark's reference run`);
  log(`the unit's command: node ${installed.args.join(" ")}`);
  try {
    const agent = new AgentHandle(installed, METRICS_PORT);
    agents.push(agent);
    await agent.waitFor("the first pass", (l) => l.msg === "full pass done");

    log(`latency: ${LATENCY_SAMPLES} isolated starts`);
    const latenciesMs = await measureStartLatency(agent, containers, zone, LATENCY_SAMPLES, ISOLATION_MS);
    await containers.removeAll();
    await new Promise((r) => setTimeout(r, 3_000));

    log(`stop latency: ${LATENCY_SAMPLES} isolated stops, idle host`);
    const stopIdleMs = await measureStopLatency(agent, containers, zone, LATENCY_SAMPLES, ISOLATION_MS, "stop-idle");
    log(`stop latency: ${LATENCY_SAMPLES} isolated stops, every core busy`);
    const pressure = CpuPressure.start({ maxMs: 30 * 60_000 });
    let stopBusyMs: number[];
    try {
      stopBusyMs = await measureStopLatency(agent, containers, zone, LATENCY_SAMPLES, ISOLATION_MS, "stop-busy");
    } finally {
      await pressure.stop();
    }
    await containers.removeAll();
    const stopRows = (label: string, samples: number[]): ResultRow[] => [
      { metric: `stop → record gone, ${label}, p50`, value: percentile(samples, 50), unit: "ms", target: "-", pass: true },
      { metric: `stop → record gone, ${label}, p99`, value: percentile(samples, 99), unit: "ms", target: "≤ 1000 ms", pass: percentile(samples, 99) <= 1000 },
      { metric: `stop → record gone, ${label}, median (min / max of ${samples.length})`, value: median(samples), unit: `ms (${Math.min(...samples)} / ${Math.max(...samples)})`, target: "-", pass: true },
    ];
    const latencyRows: ResultRow[] = [
      { metric: "start → change accepted, p50", value: percentile(latenciesMs, 50), unit: "ms", target: "≤ 300 ms", pass: percentile(latenciesMs, 50) <= 300 },
      { metric: "start → change accepted, p99", value: percentile(latenciesMs, 99), unit: "ms", target: "≤ 1000 ms", pass: percentile(latenciesMs, 99) <= 1000 },
      { metric: `start → change accepted, median (min / max of ${latenciesMs.length})`, value: median(latenciesMs), unit: `ms (${Math.min(...latenciesMs)} / ${Math.max(...latenciesMs)})`, target: "-", pass: true },
      ...stopRows("idle host", stopIdleMs),
      ...stopRows(`every core busy (${pressure.loops} busy loops)`, stopBusyMs),
    ];
    const stopNote = `Stop latency: \`docker stop -t 1\` (SIGTERM, which busybox httpd as PID 1 ignores, then SIGKILL after 1 s, as ECS stops a task), from the container's end (dockerd's event time of the SIGKILL, or of die if that came first) to the agent's log line for the SRV DELETE accepted; "every core busy" runs one busy loop per CPU beside dockerd, moto and the agent. The machine is shared with other jobs: figures are noisy, and the lead may re-run the benchmark on a quiet machine.`;
    if (LATENCY_ONLY) {
      const previous = JSON.parse(readFileSync(path.join(ROOT, "bench/results/agent.json"), "utf8")) as { rows: ResultRow[]; raw: Record<string, unknown>; at: string; notes?: string[] };
      const kept = previous.rows.filter((r) => !r.metric.startsWith("start → change accepted") && !r.metric.startsWith("stop → record gone"));
      const md = writeResults([...latencyRows, ...kept], { ...previous.raw, latenciesMs, stopIdleMs, stopBusyMs }, [
        `BENCH_PARTS=latency: the start and stop rows are from this run; the other rows are from the run of ${previous.at}.`,
        stopNote,
      ]);
      process.stdout.write(`\n${md}`);
      return;
    }

    log(`burst: ${BURST} containers started at once`);
    const burst = await measureBurst(agent, containers, BURST);

    log("idle: a minute with 100 containers, as installed");
    const idle = await measureIdle(agent, IDLE_WINDOW_MS);
    log(`memory after the idle window: ${JSON.stringify(idle.memory)}`);
    await agent.stop();

    log(`idle: a minute with 100 containers, without ${V8_FLAG} (reference)`);
    const plain = new AgentHandle(withoutV8Flag, METRICS_PORT);
    agents.push(plain);
    await plain.waitFor("the first pass", (l) => l.msg === "full pass done");
    const plainIdle = await measureIdle(plain, IDLE_WINDOW_MS);
    log(`memory after the idle window: ${JSON.stringify(plainIdle.memory)}`);
    // Killed, not stopped: its records stay, so the next agent's first pass is a restarted host's, with nothing to change.
    await plain.stop("SIGKILL");

    log(`resync: filling the zone to ${ZONE_SIZE} record sets`);
    await zone.fillTo(ZONE_SIZE);
    const zoneSize = await zone.count();
    const bigPass = await measureFullPass(installed, METRICS_PORT);
    const plainBigPass = await measureFullPass(withoutV8Flag, METRICS_PORT);

    const rssMax = (s: number[]) => Math.max(...s);
    const rows: ResultRow[] = [
      ...latencyRows,
      { metric: `${BURST} starts at once: ChangeResourceRecordSets calls`, value: burst.changeCalls, unit: "", target: "≤ 5", pass: burst.changeCalls <= 5 },
      { metric: `${BURST} starts at once: last start → all records accepted`, value: (burst.lastAccepted - burst.lastStart) / 1000, unit: "s", target: "≤ 5 s", pass: burst.recordsAccepted === BURST && burst.lastAccepted - burst.lastStart <= 5000 },
      { metric: `${BURST} starts at once: Docker took (first → last start)`, value: (burst.lastStart - burst.firstStart) / 1000, unit: "s", target: "-", pass: true },
      { metric: `RSS, ${BURST} containers, idle minute after the burst, median (max)`, value: median(idle.rssSamplesMiB), unit: `MiB (${rssMax(idle.rssSamplesMiB).toFixed(1)})`, target: "≤ 64 MiB", pass: rssMax(idle.rssSamplesMiB) <= 64 },
      { metric: `idle CPU, ${BURST} containers (${idle.resyncsInWindow} resync in the window)`, value: idle.cpuPercent, unit: "%", target: "< 1 %", pass: idle.cpuPercent < 1 },
      { metric: `reference: RSS, same, without ${V8_FLAG}, median (max)`, value: median(plainIdle.rssSamplesMiB), unit: `MiB (${rssMax(plainIdle.rssSamplesMiB).toFixed(1)})`, target: "-", pass: true },
      { metric: `reference: idle CPU, same, without ${V8_FLAG} (${plainIdle.resyncsInWindow} resync)`, value: plainIdle.cpuPercent, unit: "%", target: "-", pass: true },
      { metric: `full pass vs ${zoneSize}-record zone: ChangeResourceRecordSets calls`, value: bigPass.changeCalls, unit: "", target: "0", pass: bigPass.changeCalls === 0 },
      { metric: `full pass vs ${zoneSize}-record zone: ListResourceRecordSets calls`, value: bigPass.listCalls, unit: "", target: "≤ 40", pass: bigPass.listCalls <= 40 },
      { metric: `full pass vs ${zoneSize}-record zone: agent start → pass done`, value: bigPass.startToPassDoneMs / 1000, unit: "s", target: "-", pass: true },
      { metric: "RSS right after that pass", value: bigPass.rssAfterMiB, unit: "MiB", target: "- (transient)", pass: true },
      { metric: `reference: same pass without ${V8_FLAG}: start → done, RSS`, value: plainBigPass.startToPassDoneMs / 1000, unit: `s, ${plainBigPass.rssAfterMiB.toFixed(1)} MiB`, target: "-", pass: plainBigPass.changeCalls === 0 && plainBigPass.listCalls <= 40 },
    ];
    const md = writeResults(
      rows,
      { latenciesMs, stopIdleMs, stopBusyMs, burst, idle, plainIdle, zoneSize, bigPass, plainBigPass, command: { node: NODE22_VERSION, args: installed.args } },
      [
        `Agent: as the cluster stack installs it: the synthesized unit's ExecStart on Node.js ${NODE22_VERSION} (\`node ${installed.args.join(" ").replace(/\/\S*\/assets\/\S*/, "<bundle>")}\`), identity and credentials from an instance-metadata stand-in; the agent's defaults otherwise (debounce 100 ms, min interval 1 s, max delay 10 s).`,
        `Latency samples are ${ISOLATION_MS} ms apart, i.e. isolated starts; "accepted" is the agent's log line written when ChangeResourceRecordSets returned.`,
        stopNote,
        "moto answers in a few milliseconds and never throttles; against Route53 add its API latency (tens of ms) per change call.",
        "Route53 calls are counted by the agent's own /metrics (every SDK attempt).",
        `A bare \`node\` process idles at about 40 MiB RSS, most of it the node binary's own pages. V8's young generation (up to 32 MiB while a large zone is read) is much of the rest; the unit's ${V8_FLAG} caps its peaks (compare the reference rows). No flag that turns off part of Node (--jitless turns off WebAssembly, which fetch needs).`,
      ],
    );
    process.stdout.write(`\n${md}`);
  } finally {
    for (const a of agents) await a.stop().catch(() => undefined);
    await imds.close();
    install.dispose();
    await containers.removeAll().catch(() => undefined);
    log("stopping moto and dockerd");
    await envDown(env).catch((e: unknown) => log(`env down failed: ${String(e)}`));
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
