/**
 * The benchmark's measurements, one function each. They share one moto, one
 * dockerd and one zone, and run in the order run.ts calls them.
 */
import type Docker from "dockerode";
import { AgentHandle, type AgentCommand } from "./agent-handle";
import type { BenchContainers, BenchZone } from "./bench-env";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Isolated container starts → milliseconds until the agent's SRV create line. */
export async function measureStartLatency(agent: AgentHandle, containers: BenchContainers, zone: BenchZone, samples: number, spacingMs: number): Promise<number[]> {
  const latenciesMs: number[] = [];
  for (let i = 0; i < samples; i++) {
    const name = `_lat${i}._tcp.${zone.name}`;
    const c = await containers.create({ SERVICE_8080_NAME: `_lat${i}._tcp` });
    const from = agent.lines.length;
    await c.start();
    const startedAt = Date.now();
    const line = await agent.waitFor(`SRV ${name}`, (l) => l.action === "create" && l.name === name, 30_000, from);
    latenciesMs.push(Date.parse(line.time) - startedAt);
    await sleep(spacingMs);
  }
  return latenciesMs;
}

/**
 * dockerd's own time (its clock is the agent's) at which each container of
 * `tag` ended: its first `kill` with SIGKILL or its `die`, whichever came
 * first. Listens until `signal` aborts.
 */
async function watchEnds(containers: BenchContainers, signal: AbortSignal): Promise<Map<string, number>> {
  const endedAt = new Map<string, number>();
  const stream = (await containers.docker.getEvents({ filters: { type: ["container"], event: ["kill", "die"], label: [`ecsdns-bench=${containers.tag}`] }, abortSignal: signal })) as NodeJS.ReadableStream;
  let buffered = "";
  stream.on("data", (chunk: Buffer) => {
    buffered += chunk.toString("utf8");
    for (let nl = buffered.indexOf("\n"); nl >= 0; nl = buffered.indexOf("\n")) {
      const event = JSON.parse(buffered.slice(0, nl)) as { Action: string; Actor: { ID: string; Attributes?: { signal?: string } }; timeNano: number };
      buffered = buffered.slice(nl + 1);
      const ends = event.Action === "die" || event.Actor.Attributes?.signal === "9";
      if (ends && !endedAt.has(event.Actor.ID)) endedAt.set(event.Actor.ID, Math.round(event.timeNano / 1e6));
    }
  });
  stream.on("error", () => undefined);
  return endedAt;
}

/**
 * Isolated container stops → milliseconds from the container's end (dockerd's
 * time of the SIGKILL, or of `die` if that came first) to the agent's log
 * line for the SRV delete. Each container is started and published first;
 * it is stopped as ECS stops a task (`docker stop -t 1`: SIGTERM, which
 * busybox httpd as PID 1 ignores, then SIGKILL after 1 s), then removed. A
 * stop whose record is not gone after `giveUpMs` counts as `giveUpMs`.
 */
export async function measureStopLatency(agent: AgentHandle, containers: BenchContainers, zone: BenchZone, samples: number, spacingMs: number, prefix: string, giveUpMs = 90_000): Promise<number[]> {
  const latenciesMs: number[] = [];
  const watching = new AbortController();
  const endedAt = await watchEnds(containers, watching.signal);
  try {
    for (let i = 0; i < samples; i++) {
      const name = `_${prefix}${i}._tcp.${zone.name}`;
      const c = await containers.create({ SERVICE_8080_NAME: `_${prefix}${i}._tcp` });
      let from = agent.lines.length;
      await c.start();
      await agent.waitFor(`SRV ${name} created`, (l) => l.action === "create" && l.name === name, 60_000, from);
      await sleep(spacingMs);
      from = agent.lines.length;
      await c.stop({ t: 1 });
      const line = await agent.waitFor(`SRV ${name} deleted`, (l) => l.action === "delete" && l.name === name, giveUpMs, from).catch(() => undefined);
      const ended = endedAt.get(c.id);
      if (ended === undefined) throw new Error(`no kill or die event for ${c.id}`);
      latenciesMs.push(line ? Date.parse(line.time) - ended : giveUpMs);
      await c.remove({ force: true });
      await sleep(spacingMs);
    }
  } finally {
    watching.abort();
  }
  return latenciesMs;
}

/** What a burst of starts cost. */
export interface BurstResult {
  readonly changeCalls: number;
  readonly recordsAccepted: number;
  readonly firstStart: number;
  readonly lastStart: number;
  readonly lastAccepted: number;
  readonly acceptedAt: Record<string, number>;
}

/**
 * Starts `count` containers at once (10 services × count/10 instances: Route53
 * allows 100 multivalue record sets per name) and waits for all their SRV records.
 */
export async function measureBurst(agent: AgentHandle, containers: BenchContainers, count: number): Promise<BurstResult> {
  const created: Docker.Container[] = await Promise.all(Array.from({ length: count }, (_, i) => containers.create({ SERVICE_8080_NAME: `_burst${i % 10}._tcp` })));
  const changeCallsBefore = await agent.route53Calls("ChangeResourceRecordSets");
  const from = agent.lines.length;
  const startedAt = await Promise.all(created.map(async (c) => (await c.start(), Date.now())));
  const acceptedAt = new Map<string, number>();
  const ids = new Set(created.map((c) => c.id.slice(0, 12)));
  const deadline = Date.now() + 60_000;
  while (acceptedAt.size < count && Date.now() < deadline) {
    for (const l of agent.lines.slice(from)) {
      const slot = String(l.setIdentifier ?? "").split("/")[2]?.split("-")[0];
      if (l.action === "create" && l.type === "SRV" && ids.has(slot)) acceptedAt.set(slot, Date.parse(l.time));
    }
    await sleep(50);
  }
  return {
    changeCalls: (await agent.route53Calls("ChangeResourceRecordSets")) - changeCallsBefore,
    recordsAccepted: acceptedAt.size,
    firstStart: Math.min(...startedAt),
    lastStart: Math.max(...startedAt),
    lastAccepted: Math.max(...acceptedAt.values()),
    acceptedAt: Object.fromEntries(acceptedAt),
  };
}

/** RSS and CPU of an agent left alone. */
export interface IdleResult {
  readonly rssSamplesMiB: number[];
  readonly cpuPercent: number;
  readonly resyncsInWindow: number;
  readonly memory: Record<string, number>;
}

/** Samples RSS every second and CPU time over `windowMs`, after `settleMs`. */
export async function measureIdle(agent: AgentHandle, windowMs: number, settleMs = 5_000): Promise<IdleResult> {
  await sleep(settleMs);
  const cpuBefore = agent.cpuSeconds();
  const rssSamplesMiB: number[] = [];
  const start = Date.now();
  while (Date.now() - start < windowMs) {
    rssSamplesMiB.push(agent.rssMiB());
    await sleep(1_000);
  }
  const cpuPercent = ((agent.cpuSeconds() - cpuBefore) / ((Date.now() - start) / 1000)) * 100;
  const resyncsInWindow = agent.lines.filter((l) => l.msg === "full pass done" && Date.parse(l.time) >= start).length;
  return { rssSamplesMiB, cpuPercent, resyncsInWindow, memory: await agent.memoryBreakdown() };
}

/** A fresh agent's first (full) pass. */
export interface FullPassResult {
  readonly listCalls: number;
  readonly changeCalls: number;
  readonly startToPassDoneMs: number;
  readonly rssAfterMiB: number;
  readonly memory: Record<string, number>;
}

/** Starts an agent, waits for its first full pass, reads its counters, kills it (its records stay, as after a crash). */
export async function measureFullPass(command: AgentCommand, metricsPort: number): Promise<FullPassResult> {
  const agent = new AgentHandle(command, metricsPort);
  try {
    const pass = await agent.waitFor("the full pass", (l) => l.msg === "full pass done", 120_000);
    const started = await agent.waitFor("the start line", (l) => l.msg === "ecsdns agent starting");
    return {
      listCalls: await agent.route53Calls("ListResourceRecordSets"),
      changeCalls: await agent.route53Calls("ChangeResourceRecordSets"),
      startToPassDoneMs: Date.parse(pass.time) - Date.parse(started.time),
      rssAfterMiB: agent.rssMiB(),
      memory: await agent.memoryBreakdown(),
    };
  } finally {
    await agent.stop("SIGKILL");
  }
}
