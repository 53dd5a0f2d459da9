import { spawn } from "node:child_process";

/** Result of a finished command. */
export interface RunResult {
  readonly code: number;
  /** Captured stdout+stderr (also streamed when `echo` is set). */
  readonly output: string;
  readonly ms: number;
}

/**
 * Run a command to completion, streaming its output when `echo` is set and
 * capturing it either way. Never throws for a non-zero exit: callers decide.
 */
export function run(
  command: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; echo?: boolean } = {},
): Promise<RunResult> {
  const started = Date.now();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { env: options.env ?? process.env, cwd: options.cwd, stdio: ["ignore", "pipe", "pipe"] });
    const chunks: Buffer[] = [];
    const collect = (stream: NodeJS.WriteStream) => (chunk: Buffer) => {
      chunks.push(chunk);
      if (options.echo) stream.write(chunk);
    };
    child.stdout.on("data", collect(process.stdout));
    child.stderr.on("data", collect(process.stderr));
    child.on("error", reject);
    child.on("close", (code) => resolvePromise({ code: code ?? 1, output: Buffer.concat(chunks).toString("utf8"), ms: Date.now() - started }));
  });
}
