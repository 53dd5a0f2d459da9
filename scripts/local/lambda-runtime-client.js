// @ts-check
// The runtime side of scripts/local/lambda-runtime-stand-in.ts: what Lambda's
// Node.js runtime (/var/runtime/index.mjs, the aws-lambda-nodejs-runtime-
// interface-client) does in the execution environment, reduced to what a
// handler can observe. Plain CommonJS with built-ins only, run by the Node.js
// the function's runtime names, with the flags its bootstrap passes.
//
// - Init: `_HANDLER` `<module>.<export path>` → `<LAMBDA_TASK_ROOT>/<module>`
//   (.js or .cjs: require; .mjs: import), then the named export, which must
//   be a function (Runtime.ImportModuleError, Runtime.HandlerNotFound,
//   Runtime.MalformedHandlerName otherwise, posted to /runtime/init/error).
// - Invoke: the Runtime API loop, GET /runtime/invocation/next, then the
//   handler (async, or with a callback) with the event and a context, then
//   POST .../response or .../error. An unhandled rejection or uncaught
//   exception fails the invocation and ends the process, as the runtime does.
// - Not done: the runtime's console patch (a prefix of time, request id and
//   level on console.* lines); the janitor logs with pino, not console.
// - One addition a handler cannot see: before answering, it posts what the
//   process loaded (files, Node.js version, V8 flags, environment variable
//   names) to /stand-in/invocation/<id>/diagnostics, for the tests.
"use strict";
const fs = require("node:fs");
const http = require("node:http");
const path = require("node:path");
const { pathToFileURL } = require("node:url");

const api = process.env.AWS_LAMBDA_RUNTIME_API ?? "";
const taskRoot = process.env.LAMBDA_TASK_ROOT ?? "/var/task";
const handlerString = process.env._HANDLER ?? "";
/** @type {string | undefined} the invocation in progress */
let current;

/**
 * One Runtime API request; resolves with the answer, rejects when the API is gone.
 * @param {string} method
 * @param {string} route
 * @param {string} [body]
 * @returns {Promise<{ status: number, headers: http.IncomingHttpHeaders, body: string }>}
 */
function call(method, route, body) {
  const [host, port] = api.split(":");
  return new Promise((resolve, reject) => {
    const req = http.request({ host, port: Number(port), method, path: route, agent: false, headers: body === undefined ? {} : { "content-type": "application/json" } }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk) => (text += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

/**
 * Lambda's error document.
 * @param {unknown} error
 * @param {string} [errorType]
 */
function errorBody(error, errorType) {
  const e = /** @type {{ name?: unknown, message?: unknown, stack?: unknown }} */ (error instanceof Error ? error : { message: String(error) });
  return JSON.stringify({
    errorType: errorType ?? (typeof e.name === "string" ? e.name : "Error"),
    errorMessage: typeof e.message === "string" ? e.message : String(error),
    trace: typeof e.stack === "string" ? e.stack.split("\n") : [],
  });
}

/** @param {string} type @param {string} message */
function runtimeError(type, message) {
  const error = new Error(message);
  error.name = type;
  return error;
}

/** The handler function that `_HANDLER` names. */
async function loadHandler() {
  const slash = handlerString.lastIndexOf("/");
  const rest = handlerString.slice(slash + 1);
  const dot = rest.indexOf(".");
  if (dot <= 0 || dot === rest.length - 1) throw runtimeError("Runtime.MalformedHandlerName", `Bad handler ${handlerString}`);
  const moduleName = handlerString.slice(0, slash + 1) + rest.slice(0, dot);
  const base = path.resolve(taskRoot, moduleName);
  /** @type {any} */
  let loaded;
  let found = false;
  for (const extension of [".js", ".mjs", ".cjs"]) {
    const file = base + extension;
    if (!fs.existsSync(file)) continue;
    loaded = extension === ".mjs" ? await import(pathToFileURL(file).href) : require(file);
    found = true;
    break;
  }
  if (!found) throw runtimeError("Runtime.ImportModuleError", `Error: Cannot find module '${moduleName}'`);
  const fn = rest.slice(dot + 1).split(".").reduce((object, key) => (object == null ? undefined : object[key]), loaded);
  if (typeof fn !== "function") throw runtimeError("Runtime.HandlerNotFound", `${handlerString} is undefined or not exported`);
  return /** @type {(event: unknown, context: object, callback: (error?: unknown, result?: unknown) => void) => unknown} */ (fn);
}

/** What the process loaded and runs with; the stand-in's tests read it. */
function diagnostics() {
  return JSON.stringify({
    loadedFiles: Object.keys(require.cache).filter((file) => file !== __filename),
    nodeVersion: process.version,
    execArgv: process.execArgv,
    environmentNames: Object.keys(process.env).sort(),
    cwd: process.cwd(),
  });
}

/** Fails the invocation in progress (or init) and ends the process, as the runtime does. */
async function failAndExit(/** @type {unknown} */ error, /** @type {string} */ errorType) {
  const route = current ? `/2018-06-01/runtime/invocation/${current}/error` : "/2018-06-01/runtime/init/error";
  await call("POST", route, errorBody(error, errorType)).catch(() => undefined);
  process.exit(129);
}

process.on("unhandledRejection", (reason) => void failAndExit(reason, "Runtime.UnhandledPromiseRejection"));
process.on("uncaughtException", (error) => void failAndExit(error, undefined));

async function main() {
  let handler;
  try {
    handler = await loadHandler();
  } catch (error) {
    await call("POST", "/2018-06-01/runtime/init/error", errorBody(error)).catch(() => undefined);
    process.exit(1);
  }
  for (;;) {
    const next = await call("GET", "/2018-06-01/runtime/invocation/next");
    const id = String(next.headers["lambda-runtime-aws-request-id"]);
    const deadlineMs = Number(next.headers["lambda-runtime-deadline-ms"]);
    current = id;
    const traceId = next.headers["lambda-runtime-trace-id"];
    if (typeof traceId === "string") process.env._X_AMZN_TRACE_ID = traceId;
    else delete process.env._X_AMZN_TRACE_ID;
    const context = {
      callbackWaitsForEmptyEventLoop: true,
      functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
      functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
      invokedFunctionArn: String(next.headers["lambda-runtime-invoked-function-arn"]),
      memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
      awsRequestId: id,
      logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
      logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
      getRemainingTimeInMillis: () => Math.max(0, deadlineMs - Date.now()),
    };
    const fn = handler;
    const outcome = await new Promise((resolve) => {
      const callback = (/** @type {unknown} */ error, /** @type {unknown} */ result) => resolve(error ? { error } : { result });
      try {
        const returned = fn(JSON.parse(next.body), context, callback);
        if (returned && typeof (/** @type {any} */ (returned).then) === "function") {
          /** @type {Promise<unknown>} */ (returned).then((result) => resolve({ result }), (error) => resolve({ error: error ?? new Error("handler rejected") }));
        }
      } catch (error) {
        resolve({ error });
      }
    });
    await call("POST", `/stand-in/invocation/${id}/diagnostics`, diagnostics());
    if ("error" in outcome) {
      // What the runtime writes to the function's log for a failed invocation.
      process.stdout.write(`${new Date().toISOString()}\t${id}\tERROR\tInvoke Error \t${errorBody(outcome.error)}\n`);
      await call("POST", `/2018-06-01/runtime/invocation/${id}/error`, errorBody(outcome.error));
    }
    else await call("POST", `/2018-06-01/runtime/invocation/${id}/response`, JSON.stringify(outcome.result ?? null));
    current = undefined;
  }
}

// The Runtime API gone (the stand-in stopped the environment): nothing left to do.
main().catch(() => process.exit(1));
