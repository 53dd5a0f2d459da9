import { spawn } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

const launcher = resolve(__dirname, "..", "emulator", "moto_server.py");

/** The emulator the local target talks to. */
export interface Emulator {
  readonly url: string;
  /** True when this process started it (so `local:down` stops it). */
  readonly startedHere: boolean;
}

/** True when a moto server answers at `url`. */
export async function emulatorAnswers(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/moto-api/`, { signal: AbortSignal.timeout(1000) });
    return response.ok;
  } catch {
    return false;
  }
}

/**
 * Use the emulator on `port` if one answers, else start our patched moto
 * (scripts/emulator/moto_server.py) in the background, logging to
 * `<workDir>/emulator-<port>.log`, and remember its pid for {@link stopEmulator}.
 * Pid and log are per port, so runs on different ports (a test, a benchmark,
 * a developer's own `local:up`) never stop each other's emulator.
 */
export async function ensureEmulator(port: number, workDir: string): Promise<Emulator> {
  const url = `http://127.0.0.1:${port}`;
  if (await emulatorAnswers(url)) return { url, startedHere: false };
  mkdirSync(workDir, { recursive: true });
  const logFile = join(workDir, `emulator-${port}.log`);
  const log = openSync(logFile, "a");
  const child = spawn("python3", [launcher, "-H", "127.0.0.1", "-p", String(port)], { detached: true, stdio: ["ignore", log, log] });
  closeSync(log);
  child.unref();
  writeFileSync(pidFile(workDir, port), `${child.pid}\n`);
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (await emulatorAnswers(url)) return { url, startedHere: true };
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const lastLines = readFileSync(logFile, "utf8").trimEnd().split("\n").slice(-3).join("\n  ");
  throw new Error(`the emulator did not start on port ${port}; see ${logFile} (is moto 5.2.1 installed? pip install "moto[server]==5.2.1"). It ended with:\n  ${lastLines}`);
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
  try {
    process.kill(pid, "SIGTERM");
  } catch {
    return false; // already gone
  }
  for (let i = 0; i < 50; i++) {
    if (!isRunning(pid)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  process.kill(pid, "SIGKILL");
  return true;
}

/**
 * Whether `pid` still runs. The emulator outlives the local:up that started
 * it, so its parent is init; where init does not reap (some containers and
 * microVMs), it stays a zombie after it exited, which `kill(pid, 0)` still
 * finds. A zombie has stopped.
 */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return true; // no /proc: kill(pid, 0) is all there is
  }
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
  return args.includes(launcher) && args.includes(String(port));
}
