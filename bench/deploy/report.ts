import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { markdownTable, median } from "../lib/stats";

/** When a stack's state file changed first and last during a command, ms from its start. */
export interface StackTime {
  readonly firstMs: number;
  readonly lastMs: number;
}

/** One timed command. */
export interface Timed {
  readonly ms: number;
  readonly code: number;
  /** The machine's 1-minute load average when the command started (2 cores: above 2 means waiting for CPU). */
  readonly load1: number;
  /** The command's output; not kept in deploy.json. */
  readonly output?: string;
  readonly logFile?: string;
  /** local:plan's summary per stack (kept in deploy.json). */
  readonly summaries?: Record<string, string>;
  /** Per stack, for commands that change state (up, down). */
  readonly stackTimes?: Record<string, StackTime>;
  /** local:up: ms from its start to "every service is resolvable and answering". */
  readonly milestoneMs?: number;
}

/** One up → plan → down in a fresh emulator. */
export interface Lifecycle {
  readonly containers: number;
  readonly run: number;
  readonly environment: string;
  readonly port: number;
  up?: Timed;
  /** Managed resources per stack after local:up. */
  resources?: Record<string, number>;
  plan?: Timed;
  /** The same plan the way local:plan ran it before (one `cdktf diff` per stack). */
  planBefore?: Timed;
  down?: Timed;
}

/** What the numbers were measured on. */
export interface Machine {
  readonly cpus: string;
  readonly memory: string;
  readonly node: string;
  readonly terraform: string;
  readonly moto: string;
}

export async function machine(): Promise<Machine> {
  const version = (command: string, args: string[], pick: (out: string) => string) => {
    try {
      return pick(execFileSync(command, args, { encoding: "utf8", env: { ...process.env, CHECKPOINT_DISABLE: "1" }, stdio: ["ignore", "pipe", "ignore"] }));
    } catch {
      return "unknown";
    }
  };
  return {
    cpus: `${cpus().length} × ${cpus()[0]?.model.trim() ?? "unknown CPU"}`,
    memory: `${Math.round(totalmem() / 2 ** 30)} GiB`,
    node: process.version,
    terraform: version("terraform", ["version", "-json"], (out) => JSON.parse(out).terraform_version),
    moto: version("python3", ["-c", "import moto; print(moto.__version__)"], (out) => out.trim()),
  };
}

/** The summary lines of local:plan (`  <stack>: <summary>`), by stack. */
export function planSummaries(output: string): Record<string, string> {
  const summaries: Record<string, string> = {};
  for (const line of (output.split("local: plan summary:")[1] ?? "").split("\n")) {
    const match = /^ {2}(\S+): (.+)$/.exec(line);
    if (match) summaries[match[1]] = match[2];
  }
  return summaries;
}

/** A plan's summaries: kept ones (from deploy.json), else read from its output. */
function summariesOf(plan?: Timed): Record<string, string> {
  return plan?.summaries ?? planSummaries(plan?.output ?? "");
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(0)} s`;

/** "median (min–max)" of the successful samples' `ms` (or what `pick` takes), or "failed". */
function cell(samples: (Timed | undefined)[], pick: (t: Timed) => number | undefined = (t) => t.ms): string {
  const ok = samples.filter((t): t is Timed => t !== undefined && t.code === 0).map(pick).filter((ms): ms is number => ms !== undefined);
  if (ok.length === 0) return "failed";
  const spread = ok.length > 1 ? ` (${seconds(Math.min(...ok))}–${seconds(Math.max(...ok))})` : "";
  return `**${seconds(median(ok))}**${spread}${ok.length < samples.length ? `, ${samples.length - ok.length} failed` : ""}`;
}

function loads(samples: (Timed | undefined)[]): string {
  const values = samples.filter((t): t is Timed => t !== undefined).map((t) => t.load1);
  return values.length === 0 ? "-" : `${Math.min(...values).toFixed(1)}–${Math.max(...values).toFixed(1)}`;
}

/** Resources per layer (`network/discovery/cluster/services = total`), from the first lifecycle that got that far. */
function resourceCell(lifecycles: Lifecycle[]): string {
  const counts = lifecycles.find((l) => l.resources)?.resources;
  if (!counts) return "-";
  const values = Object.values(counts);
  return `${values.join(" / ")} = ${values.reduce((a, b) => a + b, 0)}`;
}

/** The stacks' layers (`network`, ...), in deployment order, from the lifecycles' environments. */
function layers(lifecycles: Lifecycle[]): string[] {
  const first = lifecycles.find((l) => l.resources);
  return first ? Object.keys(first.resources!).map((stack) => stack.slice(first.environment.length + 1)) : [];
}

function span(lifecycles: Lifecycle[], command: "up" | "down", layer: string): string {
  const times = lifecycles.map((l) => l[command]?.stackTimes?.[`${l.environment}-${layer}`]).filter((t): t is StackTime => t !== undefined);
  if (times.length === 0) return "-";
  return `${seconds(median(times.map((t) => t.firstMs)))} – ${seconds(median(times.map((t) => t.lastMs)))}`;
}

/** Write deploy.md and deploy.json into `dir`; returns the Markdown. */
export function writeReport(
  dir: string,
  bench: { started: Date; finished: Date; machine: Machine; runs: number; lifecycles: Lifecycle[] },
): { markdown: string } {
  const sizes = [...new Set(bench.lifecycles.map((l) => l.containers))];
  const of = (size: number) => bench.lifecycles.filter((l) => l.containers === size);
  const planOk = (l: Lifecycle) => {
    const summaries = Object.values(summariesOf(l.plan));
    return summaries.length > 0 && summaries.every((s) => s === "no changes");
  };
  const m = bench.machine;
  const lines = [
    "# Deploy benchmark: the local target (issue 3)",
    "",
    `Measured ${bench.started.toISOString()} – ${bench.finished.toISOString()} by \`npm run bench:deploy\` on ${m.cpus}, ${m.memory}, ` +
      `Node ${m.node}, Terraform ${m.terraform}, aws provider 5.100.0 from the machine's filesystem mirror, moto ${m.moto} (patched, scripts/emulator). ` +
      `Each run is a whole lifecycle in a fresh emulator on its own port; ${bench.runs} run(s) per size, median (min–max). ` +
      "Times are as a user waits for each `npm run` (tsx start, emulator start and stop included).",
    "",
    "The issue's anchor: *a spike measured about 92 s for a 37-resource stack, about 60 s of which is the ALB waiter; a no-change plan about 8 s.*",
    "",
    "`local:up` deploys, then runs the platform on a private dockerd (the tasks, the DNS agent as installed, the local load balancer); " +
      "*served* is the time from its start to its line \"every service is resolvable and answering\". " +
      "Before the platform ran (last turn's code, `local:up` deploying only): 170 s for 3 containers, 177 s for 20.",
    "",
    markdownTable(
      ["containers", "resources (network / discovery / cluster / services)", "`local:up` → served", "of which after the last stack's last write", "`local:up`", "`local:plan`", "`local:down`", "plan: no changes", "load avg (1 min) at start"],
      sizes.map((size) => [
        size,
        resourceCell(of(size)),
        cell(of(size).map((l) => l.up), (t) => t.milestoneMs),
        cell(of(size).map((l) => l.up), (t) => {
          const lastWrite = Math.max(...Object.values(t.stackTimes ?? {}).map((st) => st.lastMs));
          return t.milestoneMs !== undefined && Number.isFinite(lastWrite) ? t.milestoneMs - lastWrite : undefined;
        }),
        cell(of(size).map((l) => l.up)),
        cell(of(size).map((l) => l.plan)),
        cell(of(size).map((l) => l.down)),
        of(size).every(planOk) ? "every stack, every run" : "**NO** (see deploy.json)",
        loads(of(size).flatMap((l) => [l.up, l.plan, l.down])),
      ]),
    ),
    "",
    "## local:plan, before and after",
    "",
    "Measured in the same lifecycles, one right after the other (alternating which goes first):",
    "",
    markdownTable(
      ["containers", "before: `cdktf synth` + one `cdktf diff` per stack", "now: `cdktf synth` + `terraform plan` per stack", "saved"],
      sizes.map((size) => {
        const before = of(size).map((l) => l.planBefore).filter((t): t is Timed => t?.code === 0).map((t) => t.ms);
        const now = of(size).map((l) => l.plan).filter((t): t is Timed => t?.code === 0).map((t) => t.ms);
        const saved = before.length && now.length ? `${seconds(median(before) - median(now))} (${Math.round((1 - median(now) / median(before)) * 100)} %)` : "-";
        return [size, cell(of(size).map((l) => l.planBefore)), cell(of(size).map((l) => l.plan)), saved];
      }),
    ),
    "",
  ];
  lines.push(
    "## Where the time goes: each stack's state changes",
    "",
    "When each stack's state file was first and last written during the command (seconds from its start, median over the runs): " +
      "a stack's resources are created or destroyed between the two; before the first write are synth, `terraform init` and the " +
      "stack's plan, and the stacks it waits for.",
    "",
    markdownTable(
      ["containers", "stack", "`local:up`: first – last write", "`local:down`: first – last write"],
      sizes.flatMap((size) =>
        layers(of(size)).map((layer) => [size, layer, span(of(size), "up", layer), span(of(size), "down", layer)]),
      ),
    ),
    "",
  );
  const markdown = lines.join("\n");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "deploy.md"), markdown);
  const strip = (t?: Timed) => (t ? { ms: t.ms, code: t.code, load1: t.load1, stackTimes: t.stackTimes, milestoneMs: t.milestoneMs } : undefined);
  writeFileSync(
    join(dir, "deploy.json"),
    `${JSON.stringify(
      {
        started: bench.started,
        finished: bench.finished,
        machine: m,
        runs: bench.runs,
        lifecycles: bench.lifecycles.map((l) => ({
          containers: l.containers,
          run: l.run,
          environment: l.environment,
          resources: l.resources,
          up: strip(l.up),
          plan: l.plan && { ...strip(l.plan), summaries: summariesOf(l.plan) },
          planBefore: strip(l.planBefore),
          down: strip(l.down),
        })),
      },
      null,
      2,
    )}\n`,
  );
  return { markdown };
}
