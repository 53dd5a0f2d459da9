/**
 * Health checks only where the service asked for them, end to end over the
 * strict Route53 fake: containers → the agent's desired records → the zone →
 * a janitor sweep with health checks on. The janitor sees only the zone, so
 * what it probes is what the agent published.
 */
import { SILENT_LOGGER } from "../../cli/logger";
import { computeDesiredRecords } from "../../agent/desired-records";
import { InMemoryRoute53 } from "../../dns/memory/in-memory-dns";
import { Route53Provider } from "../../dns/route53/route53-provider";
import type { InstanceStates } from "../../janitor/instance-states";
import { runJanitor } from "../../janitor/janitor";
import { NO_SIGNAL, container, containerId, tcp, udp } from "../agent/helpers/fixtures";

const ZONE = "svc.internal.";
const HOST_ID = "i-0aaaaaaaaaaaaaaa1";

test("with health checks on, the janitor probes only the containers that asked (SERVICE_CHECK_HTTP), each at its own path; UDP, gRPC and TCP services keep their records", async () => {
  // GIVEN one host's containers: two HTTP services that ask to be probed, at their own paths, and three that do not
  const containers = [
    container({ id: containerId("111111111111"), name: "web", env: { SERVICE_8080_NAME: "_web._tcp", SERVICE_CHECK_HTTP: "/health" }, ports: [tcp(8080, 32001)] }),
    container({ id: containerId("222222222222"), name: "api", labels: { SERVICE_9000_NAME: "_api._tcp", SERVICE_9000_CHECK_HTTP: "/api/ready" }, ports: [tcp(9000, 32002)] }),
    container({ id: containerId("333333333333"), name: "dns", env: { SERVICE_53_NAME: "_dns._udp" }, ports: [udp(53, 32003)] }),
    container({ id: containerId("444444444444"), name: "grpc", env: { SERVICE_50051_NAME: "_grpc._tcp" }, ports: [tcp(50051, 32004)] }),
    container({ id: containerId("555555555555"), name: "redis", env: { SERVICE_6379_NAME: "_redis._tcp" }, ports: [tcp(6379, 32005)] }),
  ];
  const { records, problems } = computeDesiredRecords({ containers, host: { owner: "ecsdns", hostId: HOST_ID, privateIpv4: "10.0.1.7" }, zoneName: ZONE, defaultTtlSeconds: 10 });
  expect(problems).toEqual([]);
  // AND the agent's records in the strict fake, through the same provider the agent uses
  const api = new InMemoryRoute53();
  const zoneId = api.createZone(ZONE);
  const dns = new Route53Provider({ api, zoneId });
  expect((await dns.applyChanges({ create: records, update: [], delete: [] }, NO_SIGNAL)).failed).toEqual([]);
  const instances: InstanceStates = { running: async (ids) => new Set(ids) };

  // WHEN the janitor sweeps with health checks on, and nothing answers HTTP
  const probed = new Set<string>();
  const report = await runJanitor(
    { dns, instances, owner: "ecsdns", logger: SILENT_LOGGER, healthCheck: { timeoutMs: 100, tries: 2, retryDelayMs: 0 }, probe: async (url) => (probed.add(url), false) },
    { kind: "all" },
    NO_SIGNAL,
  );

  // THEN only the two that asked were probed, at their host ports and their own paths
  expect([...probed].sort()).toEqual(["http://10.0.1.7:32001/health", "http://10.0.1.7:32002/api/ready"]);
  // AND only their SRV records went; the UDP, gRPC and TCP services' records stay
  expect(report.deleted["failed-health-check"]).toBe(2);
  const srvNames = api
    .snapshot(zoneId)
    .filter((r) => r.Type === "SRV")
    .map((r) => r.Name)
    .sort();
  expect(srvNames).toEqual([`_dns._udp.${ZONE}`, `_grpc._tcp.${ZONE}`, `_redis._tcp.${ZONE}`]);
});
