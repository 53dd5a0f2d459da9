/**
 * `/healthz` and `/metrics` on one small HTTP server (node:http, no framework).
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";

/** Health as the reconciler reports it. */
export interface HealthReport {
  readonly healthy: boolean;
  readonly detail: Readonly<Record<string, unknown>>;
}

/** Settings of {@link startHttpServer}. */
export interface HttpServerOptions {
  readonly host: string;
  /** 0 picks a free port (tests). */
  readonly port: number;
  readonly registry: Registry;
  readonly health: () => HealthReport;
}

/** A running server. */
export interface RunningHttpServer {
  readonly port: number;
  close(): Promise<void>;
}

/** Starts the server; resolves once it listens. */
export function startHttpServer(options: HttpServerOptions): Promise<RunningHttpServer> {
  const server = http.createServer((req, res) => {
    void handle(req, res, options).catch((error: unknown) => {
      res.writeHead(500, { "content-type": "text/plain" });
      res.end(String(error));
    });
  });
  // Keep-alive sockets would hold close() up for the client's idle timeout.
  server.keepAliveTimeout = 1000;
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

async function handle(req: http.IncomingMessage, res: http.ServerResponse, options: HttpServerOptions): Promise<void> {
  const path = (req.url ?? "/").split("?")[0];
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.writeHead(405, { allow: "GET, HEAD" }).end();
  } else if (path === "/healthz") {
    const report = options.health();
    res.writeHead(report.healthy ? 200 : 503, { "content-type": "application/json" });
    res.end(JSON.stringify({ status: report.healthy ? "ok" : "unhealthy", ...report.detail }));
  } else if (path === "/metrics") {
    const body = await options.registry.metrics();
    res.writeHead(200, { "content-type": options.registry.contentType });
    res.end(body);
  } else {
    res.writeHead(404, { "content-type": "text/plain" }).end("not found: try /healthz or /metrics\n");
  }
}
