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
 * `<workDir>/emulator.log`, and remember its pid for {@link stopEmulator}.
 */
export async function ensureEmulator(port: number, workDir: string): Promise<Emulator> {
  const url = `http://127.0.0.1:${port}`;
  if (await emulatorAnswers(url)) return { url, startedHere: false };
  mkdirSync(workDir, { recursive: true });
  const log = openSync(join(workDir, "emulator.log"), "a");
  const child = spawn("python3", [launcher, "-H", "127.0.0.1", "-p", String(port)], { detached: true, stdio: ["ignore", log, log] });
  closeSync(log);
  child.unref();
  writeFileSync(pidFile(workDir), `${child.pid}\n`);
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (await emulatorAnswers(url)) return { url, startedHere: true };
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the emulator did not start on port ${port}; see ${join(workDir, "emulator.log")} (is moto installed? pip install "moto[server]")`);
}

/** Stop the emulator that {@link ensureEmulator} started, if any. Returns whether one was stopped. */
export async function stopEmulator(workDir: string): Promise<boolean> {
  const file = pidFile(workDir);
  if (!existsSync(file)) return false;
  const pid = Number(readFileSync(file, "utf8"));
  rmSync(file);
  try {
    process.kill(pid, "SIGTERM");
  } catch {
    return false; // already gone
  }
  for (let i = 0; i < 50; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return true;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  process.kill(pid, "SIGKILL");
  return true;
}

function pidFile(workDir: string): string {
  return join(workDir, "emulator.pid");
}
