/**
 * A stand-in for AWS Lambda's Node.js runtime, to run a function's deployment
 * package (its zip) on this machine as Lambda runs it:
 *
 * - the zip unpacked alone into an empty task root, the working directory;
 * - the runtime's own program (scripts/local/lambda-runtime-client.js) in a
 *   separate runtime directory, run by the Node.js the function's runtime
 *   names, with the flags the runtime's bootstrap passes (see
 *   {@link lambdaBootstrapNodeArgs});
 * - the environment Lambda gives and nothing else: the function's variables,
 *   the reserved ones, the unreserved defaults (LANG, PATH, NODE_PATH, ...);
 * - the Runtime API on 127.0.0.1 (`AWS_LAMBDA_RUNTIME_API`), which hands over
 *   the event with its deadline and takes the response or the error;
 * - the function's timeout enforced (the environment is stopped and the
 *   invocation reported as `Task timed out after N.00 seconds`), and its
 *   memory size too (a process whose resident memory passes it is killed).
 *
 * Differences from AWS, each on purpose: every invocation is a cold start in
 * a fresh process, and init counts against the timeout (stricter than AWS,
 * where init has its own 10 s); the runtime's directory holds no AWS SDK
 * (AWS ships one in /var/runtime/node_modules), so a package that relies on
 * it fails here; memory is the process's resident set, not the sandbox's
 * cgroup; and the caller may add endpoint variables (`AWS_ENDPOINT_URL...`)
 * so that AWS calls reach an emulator.
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime
 * https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html
 */
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve, sep } from "node:path";
import { unzipSync } from "fflate";

/** A Lambda function's configuration, as `aws_lambda_function` sets it. */
export interface LambdaFunctionConfig {
  readonly functionName: string;
  /** e.g. `nodejs22.x`. */
  readonly runtime: string;
  /** `<module>.<export>`, e.g. `index.handler`. */
  readonly handler: string;
  readonly timeoutSeconds: number;
  readonly memoryMiB: number;
  /** `environment.variables`. */
  readonly variables: Readonly<Record<string, string>>;
  readonly region: string;
}

/** The execution role's credentials, as Lambda puts them into the environment. */
export interface LambdaCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
}

/** How the stand-in runs a function. */
export interface LambdaStandInOptions {
  /** The Node.js binary of the function's runtime (scripts/lib/node22.ts for `nodejs22.x`). */
  readonly node: string;
  readonly credentials: LambdaCredentials;
  /**
   * `AWS_ENDPOINT_URL` and service-specific `AWS_ENDPOINT_URL_<SERVICE>`
   * variables: the one thing added to what Lambda gives, so AWS calls reach
   * an emulator. Any other name is refused.
   * @default - none
   */
  readonly endpoints?: Readonly<Record<string, string>>;
}

/** What became of one invocation. */
export interface LambdaInvocation {
  /**
   * `success`: the handler returned; `error`: it threw (or init failed), so
   * Lambda retries an asynchronous invocation; `timeout`: stopped at the
   * function's timeout; `out-of-memory`: killed past its memory size;
   * `runtime-exit`: the process ended without answering.
   */
  readonly outcome: "success" | "error" | "timeout" | "out-of-memory" | "runtime-exit";
  /** The handler's result (JSON), with `success`. */
  readonly result?: unknown;
  /** Lambda's error document, with every other outcome. */
  readonly error?: { readonly errorType: string; readonly errorMessage: string };
  /** From the process's start to the answer (init included). */
  readonly durationMs: number;
  /** Peak resident memory of the process. */
  readonly maxMemoryUsedMiB: number;
  /** Everything the function wrote to stdout and stderr (its CloudWatch log stream). */
  readonly logs: string;
  /** What the runtime process saw, when it got as far as answering. */
  readonly diagnostics?: {
    readonly loadedFiles: readonly string[];
    readonly nodeVersion: string;
    readonly execArgv: readonly string[];
    readonly environmentNames: readonly string[];
    readonly cwd: string;
  };
}

/** Reserved variables: Lambda sets them and refuses a function configuration that sets one. */
export const RESERVED_VARIABLES = [
  "_HANDLER",
  "_X_AMZN_TRACE_ID",
  "AWS_DEFAULT_REGION",
  "AWS_REGION",
  "AWS_EXECUTION_ENV",
  "AWS_LAMBDA_FUNCTION_NAME",
  "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
  "AWS_LAMBDA_FUNCTION_VERSION",
  "AWS_LAMBDA_INITIALIZATION_TYPE",
  "AWS_LAMBDA_LOG_GROUP_NAME",
  "AWS_LAMBDA_LOG_STREAM_NAME",
  "AWS_ACCESS_KEY",
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AWS_LAMBDA_RUNTIME_API",
  "LAMBDA_TASK_ROOT",
  "LAMBDA_RUNTIME_DIR",
  "TZ",
] as const;

/** Lambda's limit on the function's own variables: 4 KB, names and values. */
export const MAX_VARIABLES_BYTES = 4096;

/**
 * The node flags of Lambda's Node.js bootstrap (`/var/runtime/bootstrap` in
 * the `nodejs18.x`-`nodejs24.x` runtimes): V8's young generation gets a
 * tenth of `AWS_LAMBDA_FUNCTION_MEMORY_SIZE` (each of its two semi-spaces
 * half of that) and the old generation the rest, in MiB, unless NODE_OPTIONS
 * already sizes them; plus `--expose-gc` and `--max-http-header-size 81920`.
 * Sources: the bootstrap as extracted from the runtime in "Deep Dive into AWS
 * Lambda (3): Official Node.js Runtime Analysis",
 * https://dev.to/wonderfulsoap/deep-dive-into-aws-lambda-3-official-nodejs-runtime-analysis-43je
 * (`new_space=$(($AWS_LAMBDA_FUNCTION_MEMORY_SIZE / 10))`,
 * `semi_space=$(($new_space / 2))`, `old_space=$(($AWS_LAMBDA_FUNCTION_MEMORY_SIZE - $new_space))`),
 * and the same lines in the public.ecr.aws/lambda/nodejs base images' bootstrap.
 * No function here sets NODE_OPTIONS, so the sizes always apply.
 */
export function lambdaBootstrapNodeArgs(memoryMiB: number): string[] {
  const newSpace = Math.floor(memoryMiB / 10);
  const semiSpace = Math.floor(newSpace / 2);
  const oldSpace = memoryMiB - newSpace;
  return ["--expose-gc", "--max-http-header-size", "81920", `--max-semi-space-size=${semiSpace}`, `--max-old-space-size=${oldSpace}`];
}

const CLIENT = join(__dirname, "lambda-runtime-client.js");
const ENDPOINT_VARIABLE = /^AWS_ENDPOINT_URL(_[A-Z0-9_]+)?$/;

/**
 * One function's execution environment on this machine. {@link create}
 * unpacks the package; {@link invoke} runs one invocation in a fresh process;
 * {@link dispose} removes the files.
 */
export class LambdaRuntimeStandIn {
  private constructor(
    readonly config: LambdaFunctionConfig,
    private readonly options: LambdaStandInOptions,
    private readonly sandbox: string,
    /** The unpacked package (`/var/task`). */
    readonly taskRoot: string,
    /** The runtime's own files (`/var/runtime`). */
    readonly runtimeDir: string,
    /** The package's file names. */
    readonly packageFiles: readonly string[],
  ) {}

  /**
   * Unpacks `zipFile` into a fresh task root. Refuses what Lambda refuses: a
   * runtime other than `nodejs*`, reserved or too many variables.
   */
  static create(zipFile: string, config: LambdaFunctionConfig, options: LambdaStandInOptions): LambdaRuntimeStandIn {
    if (!/^nodejs\d+\.x$/.test(config.runtime)) throw new Error(`runtime ${config.runtime}: this stand-in runs Node.js runtimes only`);
    const reserved = Object.keys(config.variables).filter((name) => (RESERVED_VARIABLES as readonly string[]).includes(name));
    if (reserved.length > 0) throw new Error(`the function's variables set reserved keys (${reserved.join(", ")}): Lambda refuses this configuration`);
    const size = Object.entries(config.variables).reduce((sum, [k, v]) => sum + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
    if (size > MAX_VARIABLES_BYTES) throw new Error(`the function's variables take ${size} bytes; Lambda allows ${MAX_VARIABLES_BYTES}`);
    const badEndpoints = Object.keys(options.endpoints ?? {}).filter((name) => !ENDPOINT_VARIABLE.test(name));
    if (badEndpoints.length > 0) throw new Error(`only AWS_ENDPOINT_URL[_<SERVICE>] may be added to Lambda's environment, not ${badEndpoints.join(", ")}`);

    const sandbox = mkdtempSync(join(tmpdir(), "lambda-stand-in-"));
    const taskRoot = join(sandbox, "task");
    const runtimeDir = join(sandbox, "runtime");
    mkdirSync(taskRoot);
    mkdirSync(runtimeDir);
    const files = unzipSync(readFileSync(zipFile));
    const names = Object.keys(files).filter((name) => !name.endsWith("/"));
    for (const name of names) {
      const target = resolve(taskRoot, name);
      if (!target.startsWith(taskRoot + sep)) throw new Error(`${zipFile}: entry ${name} leaves the task root`);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, files[name]);
    }
    copyFileSync(CLIENT, join(runtimeDir, "index.js"));
    return new LambdaRuntimeStandIn(config, options, sandbox, taskRoot, runtimeDir, names.sort());
  }

  /** The node flags and the runtime program, as the bootstrap starts it. */
  get nodeArgs(): string[] {
    return [...lambdaBootstrapNodeArgs(this.config.memoryMiB), join(this.runtimeDir, "index.js")];
  }

  /** The environment of the function's process, for the Runtime API at `runtimeApi` (`host:port`). */
  environment(runtimeApi: string): Record<string, string> {
    const { config, options } = this;
    const logStream = `${new Date().toISOString().slice(0, 10).replace(/-/g, "/")}/[$LATEST]${randomUUID().replace(/-/g, "")}`;
    return {
      // Unreserved, set by Lambda; the function's own variables may override them.
      LANG: "en_US.UTF-8",
      PATH: "/usr/local/bin:/usr/bin/:/bin:/opt/bin",
      LD_LIBRARY_PATH: `/var/lang/lib:/lib64:/usr/lib64:${this.runtimeDir}:${this.runtimeDir}/lib:${this.taskRoot}:${this.taskRoot}/lib:/opt/lib`,
      // The bootstrap's default: layers (none here), the runtime's modules, the task root.
      NODE_PATH: `/opt/nodejs/node${config.runtime.replace(/^nodejs(\d+)\.x$/, "$1")}/node_modules:/opt/nodejs/node_modules:${this.runtimeDir}/node_modules:${this.runtimeDir}:${this.taskRoot}`,
      AWS_XRAY_CONTEXT_MISSING: "LOG_ERROR",
      AWS_XRAY_DAEMON_ADDRESS: "169.254.79.129:2000",
      ...config.variables,
      // Reserved.
      _HANDLER: config.handler,
      AWS_REGION: config.region,
      AWS_DEFAULT_REGION: config.region,
      AWS_EXECUTION_ENV: `AWS_Lambda_${config.runtime}`,
      AWS_LAMBDA_FUNCTION_NAME: config.functionName,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(config.memoryMiB),
      AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
      AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand",
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${config.functionName}`,
      AWS_LAMBDA_LOG_STREAM_NAME: logStream,
      AWS_ACCESS_KEY_ID: options.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: options.credentials.secretAccessKey,
      AWS_SESSION_TOKEN: options.credentials.sessionToken,
      AWS_LAMBDA_RUNTIME_API: runtimeApi,
      LAMBDA_TASK_ROOT: this.taskRoot,
      LAMBDA_RUNTIME_DIR: this.runtimeDir,
      TZ: ":UTC",
      // The one addition: where AWS calls go.
      ...options.endpoints,
    };
  }

  /**
   * One invocation of `event` in a fresh execution environment, stopped at
   * the function's timeout (`timeoutSeconds` overrides it, to test the
   * stand-in itself) or when it passes its memory size.
   */
  async invoke(event: unknown, overrides: { readonly timeoutSeconds?: number } = {}): Promise<LambdaInvocation> {
    const timeoutSeconds = overrides.timeoutSeconds ?? this.config.timeoutSeconds;
    const requestId = randomUUID();
    const started = Date.now();
    const deadlineMs = started + timeoutSeconds * 1000;
    let diagnostics: LambdaInvocation["diagnostics"];
    let logs = "";
    let peakKiB = 0;

    let finish!: (outcome: Omit<LambdaInvocation, "durationMs" | "maxMemoryUsedMiB" | "logs" | "diagnostics">) => void;
    const finished = new Promise<Omit<LambdaInvocation, "durationMs" | "maxMemoryUsedMiB" | "logs" | "diagnostics">>((resolve) => {
      let done = false;
      finish = (outcome) => {
        if (!done) resolve(outcome);
        done = true;
      };
    });

    let handedOver = false;
    const server = createServer((req, res) => void answer(req, res));
    const answer = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const body = Buffer.concat(chunks).toString("utf8");
      const url = req.url ?? "";
      const reply = (status: number, text = "", headers: Record<string, string> = {}): void => {
        res.writeHead(status, { "content-type": "application/json", ...headers }).end(text);
      };
      if (req.method === "GET" && url === "/2018-06-01/runtime/invocation/next") {
        if (handedOver) return; // the next event never comes: the environment is stopped first
        handedOver = true;
        reply(200, JSON.stringify(event ?? null), {
          "lambda-runtime-aws-request-id": requestId,
          "lambda-runtime-deadline-ms": String(deadlineMs),
          "lambda-runtime-invoked-function-arn": `arn:aws:lambda:${this.config.region}:000000000000:function:${this.config.functionName}`,
          "lambda-runtime-trace-id": `Root=1-${Math.floor(started / 1000).toString(16)}-${randomUUID().replace(/-/g, "").slice(0, 24)};Sampled=0`,
        });
        return;
      }
      if (req.method === "POST" && url === `/stand-in/invocation/${requestId}/diagnostics`) {
        diagnostics = JSON.parse(body);
        reply(202, "{}");
        return;
      }
      if (req.method === "POST" && url === `/2018-06-01/runtime/invocation/${requestId}/response`) {
        reply(202, '{"status":"OK"}');
        finish({ outcome: "success", result: body === "" ? null : JSON.parse(body) });
        return;
      }
      if (req.method === "POST" && (url === `/2018-06-01/runtime/invocation/${requestId}/error` || url === "/2018-06-01/runtime/init/error")) {
        reply(202, '{"status":"OK"}');
        const parsed = JSON.parse(body || "{}") as { errorType?: string; errorMessage?: string };
        finish({ outcome: "error", error: { errorType: parsed.errorType ?? "Unknown", errorMessage: parsed.errorMessage ?? "" } });
        return;
      }
      reply(404, JSON.stringify({ errorType: "InvalidRequest", errorMessage: `${req.method} ${url}` }));
    };
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const runtimeApi = `127.0.0.1:${(server.address() as AddressInfo).port}`;

    const child = spawn(this.options.node, this.nodeArgs, {
      cwd: this.taskRoot,
      env: this.environment(runtimeApi),
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout.on("data", (chunk: Buffer) => (logs += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (logs += chunk.toString("utf8")));
    child.on("error", (error) => finish({ outcome: "runtime-exit", error: { errorType: "Runtime.ExitError", errorMessage: error.message } }));
    child.on("exit", (code, signal) =>
      finish({ outcome: "runtime-exit", error: { errorType: "Runtime.ExitError", errorMessage: `RequestId: ${requestId} Error: Runtime exited ${signal ? `with signal: ${signal}` : `with error: exit status ${code}`}` } }),
    );

    const memoryLimitKiB = this.config.memoryMiB * 1024;
    const watch = setInterval(() => {
      const status = procStatus(child.pid);
      peakKiB = Math.max(peakKiB, status.peakKiB);
      if (status.residentKiB > memoryLimitKiB) {
        finish({ outcome: "out-of-memory", error: { errorType: "Runtime.OutOfMemory", errorMessage: `RequestId: ${requestId} Error: Runtime exited with error: signal: killed` } });
      }
    }, 100);
    const timer = setTimeout(
      () => finish({ outcome: "timeout", error: { errorType: "Sandbox.Timedout", errorMessage: `RequestId: ${requestId} Error: Task timed out after ${timeoutSeconds.toFixed(2)} seconds` } }),
      Math.max(0, deadlineMs - Date.now()),
    );

    const outcome = await finished;
    const durationMs = Date.now() - started;
    clearTimeout(timer);
    clearInterval(watch);
    peakKiB = Math.max(peakKiB, procStatus(child.pid).peakKiB);
    // Lambda freezes the environment after an answer and destroys it later; a fresh one per invocation here.
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGKILL");
      await exited;
    }
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return { ...outcome, durationMs, maxMemoryUsedMiB: Math.ceil(peakKiB / 1024), logs, diagnostics };
  }

  /** Removes the unpacked package and the runtime's files. */
  dispose(): void {
    rmSync(this.sandbox, { recursive: true, force: true });
  }
}

/** Resident and peak resident memory of a process (Linux /proc), 0 when unknown. */
function procStatus(pid: number | undefined): { residentKiB: number; peakKiB: number } {
  if (pid === undefined) return { residentKiB: 0, peakKiB: 0 };
  try {
    const text = readFileSync(`/proc/${pid}/status`, "utf8");
    const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(text)?.[1] ?? 0);
    return { residentKiB: kib("VmRSS"), peakKiB: kib("VmHWM") };
  } catch {
    return { residentKiB: 0, peakKiB: 0 };
  }
}
