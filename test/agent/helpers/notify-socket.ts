/**
 * A stand-in for systemd's notification socket (`NOTIFY_SOCKET`): the real
 * `systemd-notify` talks to it as it would to PID 1, and the test reads what
 * arrived. The socket end is Python (notify_socket.py), as Node has no
 * AF_UNIX datagram sockets.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { waitFor } from "./test-env";

/** One datagram that arrived. */
export interface NotifyMessage {
  readonly message: string;
  /** The sender's pid from SCM_CREDENTIALS. */
  readonly pid: number | null;
  readonly atMs: number;
}

/** A listening socket; `close` stops the listener and removes its folder. */
export class NotifySocket {
  readonly messages: NotifyMessage[] = [];
  private constructor(
    readonly path: string,
    private readonly dir: string,
    private readonly child: ChildProcess,
  ) {}

  /** Binds a fresh socket and waits until it listens. */
  static async open(lifetimeSeconds = 300): Promise<NotifySocket> {
    const dir = mkdtempSync(join(tmpdir(), "notify-"));
    const path = join(dir, "notify.sock");
    const child = spawn("python3", [join(__dirname, "notify_socket.py"), path, String(lifetimeSeconds)], { stdio: ["pipe", "pipe", "pipe"] });
    const socket = new NotifySocket(path, dir, child);
    let listening = false;
    let stderr = "";
    let buffered = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      buffered += chunk.toString("utf8");
      for (let nl = buffered.indexOf("\n"); nl >= 0; nl = buffered.indexOf("\n")) {
        const line = JSON.parse(buffered.slice(0, nl)) as Partial<NotifyMessage> & { listening?: string };
        buffered = buffered.slice(nl + 1);
        if (line.listening) listening = true;
        else socket.messages.push(line as NotifyMessage);
      }
    });
    child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    await waitFor("the notify socket", async () => {
      if (child.exitCode !== null) throw new Error(`notify_socket.py exited ${child.exitCode}: ${stderr}`);
      return listening;
    }, 30_000, 50);
    return socket;
  }

  /** The messages without the BARRIER=1 that each blocking systemd-notify sends after its message. */
  sent(): string[] {
    return this.messages.map((m) => m.message).filter((m) => m !== "BARRIER=1");
  }

  async close(): Promise<void> {
    const exited = new Promise((resolve) => (this.child.exitCode !== null ? resolve(undefined) : this.child.on("exit", resolve)));
    this.child.stdin!.end();
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
