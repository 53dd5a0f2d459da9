/**
 * `npx tsx bench/agent/list-lag.ts`: how far dockerd's container list lags
 * its `die` events, and what inspecting the container costs instead: the
 * measurements behind the choice in agent/README.md ("A stop on a busy
 * host"). Real dockerd (started here, with moto, in a TEST_ENV_DIR of its
 * own), on the idle host and with a busy loop on every core.
 *
 * For each of BENCH_LAG_SAMPLES (20) containers: `docker stop -t 1`; when its
 * `die` arrives on the event stream, at once (a) list containers every 5 ms
 * until the list no longer shows it, and (b) inspect it once. Writes
 * bench/results/list-lag.json.
 */
import { writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { CpuPressure } from "../../test/helpers/cpu-pressure";
import { median, percentile } from "../lib/stats";
import { BenchContainers, ROOT, envDown, envUp } from "./bench-env";

const SAMPLES = Number(process.env.BENCH_LAG_SAMPLES ?? 20);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (msg: string) => process.stdout.write(`list-lag: ${msg}\n`);

/** One stop: milliseconds from receiving `die` until the list agrees, and until inspect answered (and what it said). */
interface Sample {
  readonly listAgreesMs: number;
  readonly inspectMs: number;
  readonly inspectSaidRunning: boolean;
}

async function measure(containers: BenchContainers, label: string): Promise<Sample[]> {
  const samples: Sample[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const c = await containers.create({});
    await c.start();
    await sleep(300);
    const stream = (await containers.docker.getEvents({ filters: { type: ["container"], event: ["die"], label: [`ecsdns-bench=${containers.tag}`] } })) as NodeJS.ReadableStream & { destroy(): void };
    const died = new Promise<number>((resolve) => stream.once("data", () => resolve(performance.now())));
    const stopping = c.stop({ t: 1 });
    const dieAt = await died;
    stream.destroy();
    const inspect = c.inspect().then((info) => ({ at: performance.now(), running: info.State.Running }));
    let listAt = 0;
    for (;;) {
      const list = await containers.docker.listContainers();
      if (!list.some((s) => s.Id === c.id)) {
        listAt = performance.now();
        break;
      }
      await sleep(5);
    }
    const inspected = await inspect;
    await stopping;
    await c.remove({ force: true });
    samples.push({ listAgreesMs: Math.round(listAt - dieAt), inspectMs: Math.round(inspected.at - dieAt), inspectSaidRunning: inspected.running });
  }
  const lag = samples.map((s) => s.listAgreesMs);
  const insp = samples.map((s) => s.inspectMs);
  log(`${label}: list agrees after die, p50 ${percentile(lag, 50)} ms, p99 ${percentile(lag, 99)} ms, max ${Math.max(...lag)} ms; inspect answers after ${median(insp)} ms (p99 ${percentile(insp, 99)}), saying running ${samples.filter((s) => s.inspectSaidRunning).length} of ${samples.length} times`);
  return samples;
}

async function main(): Promise<void> {
  log("starting moto and dockerd");
  const env = await envUp();
  process.env.DOCKER_HOST = env.dockerHost;
  const containers = new BenchContainers(env);
  try {
    const idle = await measure(containers, "idle host");
    const pressure = CpuPressure.start({ maxMs: 20 * 60_000 });
    let busy: Sample[];
    try {
      busy = await measure(containers, `every core busy (${pressure.loops} loops)`);
    } finally {
      await pressure.stop();
    }
    const cpus = os.cpus();
    writeFileSync(
      path.join(ROOT, "bench/results/list-lag.json"),
      `${JSON.stringify({ at: new Date().toISOString(), machine: `${cpus.length} × ${cpus[0]?.model ?? "cpu"}, shared with other jobs`, dockerd: "20.10", idle, busy }, null, 2)}\n`,
    );
  } finally {
    await containers.removeAll().catch(() => undefined);
    await envDown(env).catch((e: unknown) => log(`env down failed: ${String(e)}`));
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`list-lag failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
