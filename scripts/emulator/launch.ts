/**
 * The one way the project starts the emulator: the patched moto
 * (moto_server.py, which refuses any moto but the pinned 5.2.1) on 127.0.0.1,
 * waited for until it answers. `npm run local:up` (scripts/local/emulator.ts),
 * the test environment (scripts/test/test-env.sh, through cli.ts), the fault
 * tests and the benchmarks all start it here.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { freePort } from "../lib/free-port";
import { stopProcess } from "../lib/processes";

/** The launcher script; a running emulator's command line names it (see scripts/local/emulator.ts). */
export const MOTO_SERVER = resolve(__dirname, "moto_server.py");

/** What to install when the emulator does not start; moto_version.py pins the same version. */
const INSTALL_HINT = 'is moto 5.2.1 installed? pip install "moto[server]==5.2.1"';

/** Settings of {@link startEmulator}. */
export interface EmulatorOptions {
  /**
   * Port on 127.0.0.1. Nothing may answer there yet.
   * @default - a free port (scripts/lib/free-port.ts)
   */
  readonly port?: number;
  /** Where moto's output goes (appended): a file, or the file for the chosen port. */
  readonly logFile: string | ((port: number) => string);
  /**
   * Run in a process group of its own, so that Ctrl-C in the terminal that
   * started it does not stop it: for an emulator that outlives its starter
   * (`local:up`, cli.ts). Either way this process does not wait for it to exit.
   * @default false
   */
  readonly detached?: boolean;
  /**
   * The emulator's environment.
   * @default process.env
   */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * How long to wait for the first answer.
   * @default 30_000
   */
  readonly startTimeoutMs?: number;
}

/** A running emulator that {@link startEmulator} started. */
export interface Emulator {
  readonly url: string;
  readonly port: number;
  readonly logFile: string;
  /** The moto process (it changes with {@link Emulator.restart}). */
  readonly pid: number;
  /** Stops it: SIGTERM, then SIGKILL after 10 s. All its state is lost. Stopping again does nothing. */
  stop(): Promise<void>;
  /** Stops it and starts it again, empty, on the same port and log. */
  restart(): Promise<void>;
  /**
   * Seeds moto's random generator (`POST /moto-api/seed?a=<seed>`): after the
   * same seed, a fresh emulator makes the same ids again (Route53 zone ids, for one).
   */
  seed(seed: number): Promise<void>;
}

/** Starts the patched moto and resolves once it answers; rejects with the end of its log if it exits or stays silent. */
export async function startEmulator(options: EmulatorOptions): Promise<Emulator> {
  const port = options.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const logFile = typeof options.logFile === "string" ? options.logFile : options.logFile(port);
  if (await emulatorAnswers(url)) throw new Error(`an emulator already answers on port ${port}; use it, or start one on another port`);
  let pid = await launch(port, url, logFile, options);
  let running = true;
  const stop = async () => {
    // Once only: the pid may belong to another process later.
    if (running) await stopProcess(pid);
    running = false;
  };
  return {
    url,
    port,
    logFile,
    get pid() {
      return pid;
    },
    stop,
    async restart() {
      await stop();
      pid = await launch(port, url, logFile, options);
      running = true;
    },
    async seed(seed: number) {
      const response = await fetch(`${url}/moto-api/seed?a=${seed}`, { method: "POST" });
      if (!response.ok) throw new Error(`the emulator refused the seed: HTTP ${response.status}`);
    },
  };
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

/** Spawns moto_server.py on `port` and waits until it answers; returns its pid. */
async function launch(port: number, url: string, logFile: string, options: EmulatorOptions): Promise<number> {
  mkdirSync(dirname(logFile), { recursive: true });
  const log = openSync(logFile, "a");
  let child: ChildProcess;
  try {
    child = spawn("python3", [MOTO_SERVER, "-H", "127.0.0.1", "-p", String(port)], {
      detached: options.detached ?? false,
      stdio: ["ignore", log, log],
      env: options.env ?? process.env,
    });
  } finally {
    closeSync(log);
  }
  let spawnError: Error | undefined;
  child.once("error", (error) => (spawnError = error));
  child.unref();
  const deadline = Date.now() + (options.startTimeoutMs ?? 30_000);
  while (Date.now() < deadline) {
    if (await emulatorAnswers(url)) return child.pid!;
    if (spawnError) throw new Error(`the emulator could not be started (python3: ${spawnError.message}); ${INSTALL_HINT}`);
    if (child.exitCode !== null || child.signalCode !== null) break;
    await sleep(100);
  }
  if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) await stopProcess(child.pid);
  const lastLines = existsSync(logFile) ? readFileSync(logFile, "utf8").trimEnd().split("\n").slice(-3).join("\n  ") : "";
  throw new Error(`the emulator did not start on port ${port}; see ${logFile} (${INSTALL_HINT}). It ended with:\n  ${lastLines}`);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
