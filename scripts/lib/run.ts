import { spawn } from "node:child_process";
import { StringDecoder } from "node:string_decoder";

/** Result of a finished command. */
export interface RunResult {
  readonly code: number;
  /** Captured stdout+stderr (also streamed when `echo` is set). */
  readonly output: string;
  readonly ms: number;
}

/** Options of {@link run}. */
export interface RunOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Stream the output to this process's stdout/stderr as it comes. @default false */
  readonly echo?: boolean;
  /**
   * Put this before every echoed line (e.g. a stack name, like cdktf does), so
   * that the output of commands run side by side stays readable. Only the echo
   * is prefixed; `output` is what the command wrote.
   * @default - lines are echoed as they are
   */
  readonly prefix?: string;
  /** Called with each chunk of output as it comes (e.g. to note when a line appears). */
  readonly onOutput?: (chunk: string) => void;
}

/**
 * Run a command to completion, streaming its output when `echo` is set and
 * capturing it either way. Never throws for a non-zero exit: callers decide.
 */
export function run(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const started = Date.now();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { env: options.env ?? process.env, cwd: options.cwd, stdio: ["ignore", "pipe", "pipe"] });
    const chunks: Buffer[] = [];
    const echoes: LineEcho[] = [];
    const collect = (stream: NodeJS.WriteStream) => {
      const echo = options.echo ? lineEcho(stream, options.prefix) : undefined;
      if (echo) echoes.push(echo);
      return (chunk: Buffer) => {
        chunks.push(chunk);
        echo?.write(chunk);
        options.onOutput?.(chunk.toString("utf8"));
      };
    };
    child.stdout.on("data", collect(process.stdout));
    child.stderr.on("data", collect(process.stderr));
    child.on("error", reject);
    child.on("close", (code) => {
      for (const echo of echoes) echo.end();
      resolvePromise({ code: code ?? 1, output: Buffer.concat(chunks).toString("utf8"), ms: Date.now() - started });
    });
  });
}

interface LineEcho {
  write(chunk: Buffer): void;
  end(): void;
}

/** Echo to `stream`, as is, or line by line with `prefix` (a partial last line waits for its end). */
function lineEcho(stream: NodeJS.WriteStream, prefix?: string): LineEcho {
  if (prefix === undefined) return { write: (chunk) => stream.write(chunk), end: () => {} };
  const decoder = new StringDecoder("utf8"); // a character split across chunks stays whole
  let partial = "";
  return {
    write(chunk) {
      const lines = (partial + decoder.write(chunk)).split("\n");
      partial = lines.pop() ?? "";
      if (lines.length > 0) stream.write(lines.map((line) => `${prefix}${line}\n`).join(""));
    },
    end() {
      partial += decoder.end();
      if (partial !== "") stream.write(`${prefix}${partial}\n`);
      partial = "";
    },
  };
}
