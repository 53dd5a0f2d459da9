/**
 * Runs a command the way systemd runs a service: restarted after it exits
 * as its unit's `Restart=` says (`always`, `on-failure`, `no`), `RestartSec=`
 * later; stopped with SIGTERM, then SIGKILL after `TimeoutStopSec=`.
 */
import { spawn, type ChildProcess } from "node:child_process";
import type { Writable } from "node:stream";
import type { LocalAgentCommand } from "./installed-agent";

/** A supervised process. */
export interface Supervised {
  /** The running process's pid, if one runs. */
  pid(): number | undefined;
  /** How many times it was started. */
  starts(): number;
  /** Stops it (and its restarts); resolves with its last exit code. */
  stop(): Promise<number | null>;
}

/** Starts `command` under supervision; its stdout and stderr go to `output`. */
export function supervise(command: LocalAgentCommand, output: Writable, log: (line: string) => void): Supervised {
  let child: ChildProcess | undefined;
  let starts = 0;
  let stopping = false;
  let restartTimer: NodeJS.Timeout | undefined;
  let lastExit: Promise<number | null> = Promise.resolve(null);

  const start = () => {
    starts++;
    const current = spawn(command.command, [...command.args], { env: { ...command.env }, stdio: ["ignore", "pipe", "pipe"] });
    child = current;
    current.stdout!.pipe(output, { end: false });
    current.stderr!.pipe(output, { end: false });
    lastExit = new Promise((resolve) => {
      current.on("error", (error) => {
        log(`agent: cannot start ${command.command}: ${error.message}`);
        resolve(null);
      });
      current.on("exit", (code, signal) => {
        child = undefined;
        resolve(code);
        if (stopping) return;
        const failed = code !== 0 || signal !== null;
        const restart = command.restart.policy === "always" || (failed && ["on-failure", "on-abnormal"].includes(command.restart.policy));
        log(`agent: exited ${signal ?? code}${restart ? `, restarting in ${command.restart.delayMs} ms (Restart=${command.restart.policy})` : ""}`);
        if (restart) restartTimer = setTimeout(start, command.restart.delayMs);
      });
    });
  };
  start();

  return {
    pid: () => child?.pid,
    starts: () => starts,
    async stop() {
      stopping = true;
      clearTimeout(restartTimer);
      const running = child;
      if (!running) return lastExit;
      running.kill("SIGTERM");
      const killer = setTimeout(() => running.kill("SIGKILL"), command.restart.stopTimeoutMs);
      try {
        return await lastExit;
      } finally {
        clearTimeout(killer);
      }
    },
  };
}
