import { startHttpServer, type RunningHttpServer } from "../../../agent/http-server";
import { AgentMetrics } from "../../../agent/metrics";

describe("health and metrics endpoints", () => {
  let server: RunningHttpServer;
  let healthy = false;
  const metrics = new AgentMetrics();
  beforeAll(async () => {
    server = await startHttpServer({ host: "127.0.0.1", port: 0, registry: metrics.registry, health: () => ({ healthy, detail: { lastSuccess: null } }) });
  });
  afterAll(() => server.close());
  const get = (path: string) => fetch(`http://127.0.0.1:${server.port}${path}`);

  test("/healthz answers 503 until a pass succeeded, then 200", async () => {
    healthy = false;
    expect((await get("/healthz")).status).toBe(503);
    healthy = true;
    const res = await get("/healthz");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok", lastSuccess: null });
  });

  test("/metrics serves the agent's metrics in Prometheus text format", async () => {
    metrics.observeRoute53Call("ChangeResourceRecordSetsCommand", "throttled");
    const res = await get("/metrics");
    const text = await res.text();
    expect(res.status).toBe(200);
    expect(text).toContain('ecsdns_agent_route53_calls_total{operation="ChangeResourceRecordSets"} 1');
    expect(text).toContain('ecsdns_agent_route53_throttles_total{operation="ChangeResourceRecordSets"} 1');
    for (const name of ["reconciles_total", "reconcile_duration_seconds", "changes_total", "route53_errors_total", "docker_reconnects_total", "records_owned", "last_success_timestamp_seconds"]) {
      expect(text).toContain(`ecsdns_agent_${name}`);
    }
  });

  test("other paths are 404 and other methods 405", async () => {
    expect((await get("/")).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${server.port}/metrics`, { method: "POST" })).status).toBe(405);
  });
});
