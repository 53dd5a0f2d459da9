/**
 * An HTTP proxy in front of the Docker socket that forwards only what
 * {@link decideDockerRequest} allows, and answers anything else with 403
 * (Docker's error body, `{"message": ...}`, so clients report it as is).
 * Responses stream through unbuffered: the event stream stays open for as
 * long as the client keeps it.
 */
import { request, type IncomingHttpHeaders, type Server, createServer } from "node:http";
import type { Logger } from "../../cli/logger";
import { decideDockerRequest } from "./allow-list";

/** What the proxy needs. */
export interface DockerProxyOptions {
  /** Docker's own socket, e.g. `/var/run/docker.sock`. */
  readonly dockerSocket: string;
  readonly logger: Logger;
}

/** Headers that describe one connection, never forwarded (RFC 9110, 7.6.1). */
const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te", "trailer"]);

function endToEnd(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name.toLowerCase())));
}

/** An HTTP server (not yet listening) that proxies allowed requests to Docker. */
export function createDockerProxy(options: DockerProxyOptions): Server {
  const { logger } = options;
  const server = createServer((req, res) => {
    const decision = decideDockerRequest(req.method, req.url);
    if (!decision.allowed) {
      logger.warn({ method: req.method, url: req.url, reason: decision.reason }, "refused a Docker API request");
      req.resume();
      res.writeHead(403, { "content-type": "application/json" }).end(`${JSON.stringify({ message: `ecsdns docker proxy: ${decision.reason}` })}\n`);
      return;
    }
    const upstream = request({ socketPath: options.dockerSocket, method: req.method, path: req.url, headers: endToEnd(req.headers) });
    upstream.on("response", (answer) => {
      res.writeHead(answer.statusCode ?? 502, endToEnd(answer.headers));
      // Now, not with the first chunk: the event stream's first chunk may be hours away, and
      // the client waits for the headers.
      res.flushHeaders();
      answer.pipe(res);
    });
    upstream.on("error", (error) => {
      logger.warn({ err: error, method: req.method, url: req.url }, "Docker did not answer");
      if (res.headersSent) res.destroy();
      else res.writeHead(502, { "content-type": "application/json" }).end(`${JSON.stringify({ message: `ecsdns docker proxy: Docker did not answer (${error.message})` })}\n`);
    });
    // The client went away (e.g. the agent closed its event stream): so does the request to Docker.
    res.on("close", () => upstream.destroy());
    req.resume();
    upstream.end();
  });
  // The event stream may be quiet for hours.
  server.requestTimeout = 0;
  server.keepAliveTimeout = 60_000;
  return server;
}
