/**
 * The agent as a real process (`node --require tsx/cjs agent/main.ts`, what
 * `npm run agent` runs), with its JSON log lines collected.
 */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { awsEnv, waitFor, type TestEnv } from "./test-env";

const ROOT = path.resolve(__dirname, "../../..");
const running = new Set<AgentProcess>();

/** One log line of the agent. */
export type AgentLogLine = Record<string, unknown> & { msg?: string; level?: string };

/** A running (or finished) agent. */
export class AgentProcess {
  readonly lines: AgentLogLine[] = [];
  stderr = "";
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;

  private constructor(args: readonly string[], extraEnv: Record<string, string | undefined>) {
    this.child = spawn(process.execPath, ["--require", "tsx/cjs", "agent/main.ts", ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, ...extraEnv } as NodeJS.ProcessEnv,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let buffered = "";
    this.child.stdout!.on("data", (chunk: Buffer) => {
      buffered += chunk.toString("utf8");
      let nl = buffered.indexOf("\n");
      while (nl >= 0) {
        const text = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        try {
          this.lines.push(JSON.parse(text) as AgentLogLine);
        } catch {
          this.lines.push({ msg: text, level: "raw" });
        }
        nl = buffered.indexOf("\n");
      }
    });
    this.child.stderr!.on("data", (chunk: Buffer) => (this.stderr += chunk.toString("utf8")));
    this.exited = new Promise((resolve) => this.child.on("exit", (code) => resolve(code)));
    running.add(this);
    void this.exited.then(() => running.delete(this));
  }

  /** Starts an agent against moto and the test dockerd. */
  static start(env: TestEnv, args: readonly string[], extraEnv: Record<string, string | undefined> = {}): AgentProcess {
    return new AgentProcess(args, { ...awsEnv(env), DOCKER_HOST: env.dockerHost, ...extraEnv });
  }

  /** Starts an agent with exactly this environment (no AWS, no Docker unless given). */
  static startBare(args: readonly string[], env: Record<string, string | undefined>): AgentProcess {
    return new AgentProcess(args, env);
  }

  /** Waits for a log line matching `predicate`, among the lines from index `from` on. */
  async waitForLog(what: string, predicate: (line: AgentLogLine) => boolean, timeoutMs = 20_000, from = 0): Promise<AgentLogLine> {
    try {
      return await waitFor(`agent log: ${what}`, async () => this.lines.slice(from).find(predicate), timeoutMs, 50);
    } catch (error) {
      throw new Error(`${(error as Error).message}\n--- agent log ---\n${this.tail()}`);
    }
  }

  /** Waits for the next pass summary ("full pass done" / "event pass done", the latter at debug level). */
  waitForPass(from = this.lines.length, timeoutMs = 20_000): Promise<AgentLogLine> {
    return this.waitForLog("a pass", (l) => l.msg === "full pass done" || l.msg === "event pass done", timeoutMs, from);
  }

  /** Sends a signal and waits for the exit code. */
  async stop(signal: NodeJS.Signals = "SIGTERM", timeoutMs = 30_000): Promise<number | null> {
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill("SIGKILL"), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** The last log lines, for failure messages. */
  tail(n = 15): string {
    return [...this.lines.slice(-n).map((l) => JSON.stringify(l)), this.stderr.slice(-2000)].join("\n");
  }

  /** Kills every agent this process started that is still running (afterAll safety net). */
  static async killAll(): Promise<void> {
    await Promise.all([...running].map((a) => a.stop("SIGKILL", 5000)));
  }
}
