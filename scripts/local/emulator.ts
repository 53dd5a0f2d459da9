import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { MOTO_SERVER, emulatorAnswers, startEmulator } from "../emulator/launch";
import { stopProcess } from "../lib/processes";

/** The emulator the local target talks to. */
export interface Emulator {
  readonly url: string;
  /** True when this process started it (so `local:down` stops it). */
  readonly startedHere: boolean;
}

/**
 * Use the emulator on `port` if one answers, else start our patched moto
 * (scripts/emulator/launch.ts) in the background, logging to
 * `<workDir>/emulator-<port>.log`, and remember its pid for {@link stopEmulator}.
 * Pid and log are per port, so runs on different ports (a test, a benchmark,
 * a developer's own `local:up`) never stop each other's emulator.
 */
export async function ensureEmulator(port: number, workDir: string): Promise<Emulator> {
  const url = `http://127.0.0.1:${port}`;
  if (await emulatorAnswers(url)) return { url, startedHere: false };
  // It outlives local:up, in a process group of its own: local:down stops it.
  const emulator = await startEmulator({ port, logFile: join(workDir, `emulator-${port}.log`), detached: true });
  writeFileSync(pidFile(workDir, port), `${emulator.pid}\n`);
  return { url, startedHere: true };
}

/**
 * Stop the emulator that {@link ensureEmulator} started on `port`, if any.
 * Returns whether one was stopped. A pid whose process is no longer our
 * launcher (it exited and the pid was reused) is left alone.
 */
export async function stopEmulator(workDir: string, port: number): Promise<boolean> {
  // Before pid files were per port there was one `emulator.pid`, used only where /proc can tell its port.
  const legacy = existsSync("/proc/self/cmdline") ? [join(workDir, "emulator.pid")] : [];
  const file = [pidFile(workDir, port), ...legacy].find((f) => existsSync(f) && isOurEmulator(readPid(f), port));
  if (!file) {
    rmSync(pidFile(workDir, port), { force: true }); // stale: that emulator is gone
    return false;
  }
  const pid = readPid(file);
  rmSync(file);
  return stopProcess(pid);
}

function pidFile(workDir: string, port: number): string {
  return join(workDir, `emulator-${port}.pid`);
}

function readPid(file: string): number {
  return Number(readFileSync(file, "utf8").trim());
}

/** Whether `pid` runs our launcher on `port` (checked where /proc exists; elsewhere assumed). */
function isOurEmulator(pid: number, port: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  const cmdlineFile = `/proc/${pid}/cmdline`;
  if (!existsSync("/proc/self/cmdline")) return true;
  if (!existsSync(cmdlineFile)) return false;
  const args = readFileSync(cmdlineFile, "utf8").split("\0");
  return args.includes(MOTO_SERVER) && args.includes(String(port));
}
