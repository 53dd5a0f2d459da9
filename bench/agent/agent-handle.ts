/**
 * The agent as a process, run by a command such as the one its systemd unit
 * gives (scripts/local/installed-agent.ts): its JSON log lines with their
 * timestamps, its Prometheus metrics, and its RSS and CPU time from /proc.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";

/** One JSON log line of the agent. */
export type LogLine = Record<string, unknown> & { time: string; msg?: string };

const CLOCK_TICKS_PER_SECOND = 100; // Linux USER_HZ on every platform Node supports

/** What to run. */
export interface AgentCommand {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
}

/** A running agent. */
export class AgentHandle {
  readonly lines: LogLine[] = [];
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;
  private stderr = "";

  /** `metricsPort`: where the command's agent serves /metrics on 127.0.0.1. */
  constructor(command: AgentCommand, readonly metricsPort: number) {
    this.child = spawn(command.command, [...command.args], { env: { ...command.env }, stdio: ["ignore", "pipe", "pipe"] });
    let buffered = "";
    this.child.stdout!.on("data", (chunk: Buffer) => {
      buffered += chunk.toString("utf8");
      for (let nl = buffered.indexOf("\n"); nl >= 0; nl = buffered.indexOf("\n")) {
        const text = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        try {
          this.lines.push(JSON.parse(text) as LogLine);
        } catch {
          // not a log line
        }
      }
    });
    this.child.stderr!.on("data", (c: Buffer) => (this.stderr += c.toString("utf8")));
    this.exited = new Promise((resolve) => this.child.on("exit", (code) => resolve(code)));
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Waits for a line matching `predicate` (from index `from`). */
  async waitFor(what: string, predicate: (l: LogLine) => boolean, timeoutMs = 60_000, from = 0): Promise<LogLine> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.lines.slice(from).find(predicate);
      if (hit) return hit;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; stderr: ${this.stderr.slice(-1000)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Parses /metrics into `name{labels}` → value. */
  async metrics(): Promise<Map<string, number>> {
    const text = await (await fetch(`http://127.0.0.1:${this.metricsPort}/metrics`)).text();
    const values = new Map<string, number>();
    for (const line of text.split("\n")) {
      if (line.startsWith("#") || line.trim() === "") continue;
      const space = line.lastIndexOf(" ");
      values.set(line.slice(0, space), Number(line.slice(space + 1)));
    }
    return values;
  }

  /** Route53 calls of one operation so far. */
  async route53Calls(operation: "ChangeResourceRecordSets" | "ListResourceRecordSets"): Promise<number> {
    return (await this.metrics()).get(`ecsdns_agent_route53_calls_total{operation="${operation}"}`) ?? 0;
  }

  /** Heap and external memory from the agent's process metrics, in MiB. */
  async memoryBreakdown(): Promise<Record<string, number>> {
    const m = await this.metrics();
    const mib = (key: string) => Math.round(((m.get(key) ?? 0) / 2 ** 20) * 10) / 10;
    return {
      rss: mib("ecsdns_agent_process_resident_memory_bytes"),
      heapTotal: mib("ecsdns_agent_nodejs_heap_size_total_bytes"),
      heapUsed: mib("ecsdns_agent_nodejs_heap_size_used_bytes"),
      external: mib("ecsdns_agent_nodejs_external_memory_bytes"),
    };
  }

  /** Resident set size now, in MiB. */
  rssMiB(): number {
    const kib = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${this.pid}/status`, "utf8"))?.[1]);
    return kib / 1024;
  }

  /** User + system CPU time so far, in seconds. */
  cpuSeconds(): number {
    const stat = readFileSync(`/proc/${this.pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  }

  /** SIGTERM (the unit's --deregister-on-exit then deletes its records), or SIGKILL (a crash: they stay). */
  async stop(signal: "SIGTERM" | "SIGKILL" = "SIGTERM"): Promise<number | null> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.child.exitCode;
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 30_000);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }
}
