/**
 * "Every core busy": one busy loop per CPU, as on an ECS host packed until
 * its CPUs are busy (issue 17). Each loop is a child process that ends by
 * itself after `maxMs`, so a test or benchmark that dies cannot leave them
 * spinning; `stop` ends them sooner.
 */
import { spawn, type ChildProcess } from "node:child_process";
import os from "node:os";

/** Settings of {@link CpuPressure.start}. */
export interface CpuPressureOptions {
  /** Busy loops to run. @default one per CPU (os.availableParallelism) */
  readonly loops?: number;
  /** Each loop exits by itself after this long. @default 300 s */
  readonly maxMs?: number;
}

/** Running busy loops. */
export class CpuPressure {
  private constructor(private readonly children: readonly ChildProcess[]) {}

  /** Starts the loops; they spin from the moment this returns. */
  static start(options: CpuPressureOptions = {}): CpuPressure {
    const loops = options.loops ?? os.availableParallelism();
    const maxMs = options.maxMs ?? 300_000;
    const children = Array.from({ length: loops }, () =>
      spawn(process.execPath, ["-e", `const end = Date.now() + ${maxMs}; let x = 0; while (Date.now() < end) x = (x + 1) % 1e9;`], { stdio: "ignore" }),
    );
    return new CpuPressure(children);
  }

  /** Number of loops. */
  get loops(): number {
    return this.children.length;
  }

  /** Ends every loop and waits until they are gone. */
  async stop(): Promise<void> {
    await Promise.all(
      this.children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once("exit", () => resolve());
            child.kill("SIGKILL");
          }),
      ),
    );
  }
}
