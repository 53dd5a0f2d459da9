/**
 * When the locally run platform counts as up: every service's SRV record
 * (from its `SERVICE_<port>_NAME` label or variable) holds `desiredCount`
 * values whose host ports answer its target group's health check, and the
 * local load balancer answers the service's path from one of its targets.
 */
import { readFileSync } from "node:fs";
import type { Service, TaskDefinition } from "@aws-sdk/client-ecs";
import { DescribeTargetGroupsCommand, type ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { ListResourceRecordSetsCommand, type ResourceRecordSet, type Route53Client } from "@aws-sdk/client-route-53";
import { samplePath } from "./alb-rules";
import type { ClusterService, LocalTask } from "./ecs-instance";
import { routingRules } from "./local-alb";
import { matcherAccepts } from "./target-health";

/** One record the agents published. */
export interface PublishedRecord {
  readonly name: string;
  readonly type: string;
  readonly value: string;
}

/** What a user can try once the platform runs. */
export interface ServedPlatform {
  readonly albUrl: string;
  /** Per service, the path the load balancer routes to it and its SRV name (if it has one). */
  readonly services: readonly { readonly name: string; readonly path: string; readonly srvName?: string; readonly tasks: number }[];
  /** Every record of the agents (their owner's set identifiers), sorted by name. */
  readonly records: readonly PublishedRecord[];
  /** The task containers, for `docker logs`. */
  readonly containers: readonly string[];
}

/** Inputs of {@link waitUntilServed}. */
export interface ServedInputs {
  readonly albUrl: string;
  readonly loadBalancerArn: string;
  readonly zoneId: string;
  readonly zoneName: string;
  readonly owner: string;
  readonly services: readonly ClusterService[];
  readonly tasks: readonly LocalTask[];
  readonly elbv2: ElasticLoadBalancingV2Client;
  readonly route53: Route53Client;
  /** Shown when the wait fails. */
  readonly agentLog: string;
  /** @default 120000 */
  readonly timeoutMs?: number;
}

interface Expectation {
  readonly name: string;
  readonly count: number;
  readonly path: string;
  readonly srvName?: string;
  readonly healthPath: string;
  readonly matcher: string;
}

/**
 * Polls until every service is resolvable and answering.
 *
 * @throws Error naming each service that is not, with the end of the agent's log.
 */
export async function waitUntilServed(inputs: ServedInputs): Promise<ServedPlatform> {
  const expectations = await expectationsOf(inputs);
  const deadline = Date.now() + (inputs.timeoutMs ?? 120_000);
  let missing: string[] = [];
  let records: ResourceRecordSet[] = [];
  for (;;) {
    records = await ourRecords(inputs);
    missing = [];
    for (const e of expectations) missing.push(...(await whatIsMissing(e, records, inputs)));
    if (missing.length === 0) break;
    if (Date.now() > deadline) {
      const agentTail = readFileSync(inputs.agentLog, "utf8").trimEnd().split("\n").slice(-8).join("\n  ");
      throw new Error(`the platform did not come up within ${Math.round((inputs.timeoutMs ?? 120_000) / 1000)} s:\n  ${missing.join("\n  ")}\nthe agent's log (${inputs.agentLog}) ends with:\n  ${agentTail}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return {
    albUrl: inputs.albUrl,
    // The listener's default service (at /) first, then by path.
    services: [...expectations].sort((a, b) => (a.path === "/" ? -1 : b.path === "/" ? 1 : a.path.localeCompare(b.path))).map((e) => ({ name: e.name, path: e.path, tasks: e.count, ...(e.srvName ? { srvName: e.srvName } : {}) })),
    records: records
      .map((r) => ({ name: r.Name!, type: r.Type!, value: (r.ResourceRecords ?? []).map((v) => v.Value).join(" ") }))
      .sort((a, b) => a.name.localeCompare(b.name) || a.type.localeCompare(b.type) || a.value.localeCompare(b.value)),
    containers: inputs.tasks.map((t) => t.dockerName),
  };
}

/** The lines local:up prints. */
export function describeServed(served: ServedPlatform, zone: { id: string; name: string }, emulatorUrl: string): string[] {
  const width = Math.max(...served.services.map((s) => s.path.length), 1);
  const recordWidth = Math.max(...served.records.map((r) => r.name.length), 1);
  return [
    "  Try the load balancer:",
    ...served.services.map((s) => `    curl ${served.albUrl}${s.path.padEnd(width)}   # ${s.name}, ${s.tasks} task(s)`),
    `  Records the DNS agent published in ${zone.name}:`,
    ...served.records.map((r) => `    ${r.name.padEnd(recordWidth)}  ${r.type.padEnd(3)}  ${r.value}`),
    `    (aws --endpoint-url ${emulatorUrl} route53 list-resource-record-sets --hosted-zone-id ${zone.id})`,
    `  Containers (docker logs <name>): ${served.containers.join(", ")}`,
  ];
}

async function expectationsOf(inputs: ServedInputs): Promise<Expectation[]> {
  const rules = await routingRules(inputs.elbv2, inputs.loadBalancerArn);
  const targetGroupArns = inputs.services.flatMap((s) => (s.service.loadBalancers ?? []).map((lb) => lb.targetGroupArn!));
  const { TargetGroups = [] } = targetGroupArns.length > 0 ? await inputs.elbv2.send(new DescribeTargetGroupsCommand({ TargetGroupArns: targetGroupArns })) : {};
  return inputs.services.map(({ service, taskDefinition }) => {
    const lb = service.loadBalancers?.[0];
    const group = TargetGroups.find((g) => g.TargetGroupArn === lb?.targetGroupArn);
    const rule = rules.find((r) => r.action.type === "forward" && r.action.targetGroupArns.includes(lb?.targetGroupArn ?? ""));
    return {
      name: service.serviceName!,
      count: service.desiredCount ?? 0,
      path: rule ? samplePath(rule) : "/",
      healthPath: group?.HealthCheckPath ?? "/",
      matcher: group?.Matcher?.HttpCode ?? "200",
      ...srvNameOf(service, taskDefinition, inputs.zoneName),
    };
  });
}

/** The SRV name a service's container asks the agent for: its `SERVICE_<port>_NAME` label, else variable. */
function srvNameOf(service: Service, taskDefinition: TaskDefinition, zoneName: string): { srvName?: string } {
  const lb = service.loadBalancers?.[0];
  const container = taskDefinition.containerDefinitions?.find((c) => c.name === lb?.containerName) ?? taskDefinition.containerDefinitions?.[0];
  const key = `SERVICE_${lb?.containerPort ?? container?.portMappings?.[0]?.containerPort}_NAME`;
  const value = container?.dockerLabels?.[key] ?? container?.environment?.find((e) => e.name === key)?.value;
  if (!value) return {};
  const zone = `${zoneName.replace(/\.$/, "")}.`;
  const name = value.endsWith(".") ? value : value.endsWith(zone.slice(0, -1)) ? `${value}.` : `${value}.${zone}`;
  return { srvName: name.toLowerCase() };
}

async function whatIsMissing(e: Expectation, records: readonly ResourceRecordSet[], inputs: ServedInputs): Promise<string[]> {
  const missing: string[] = [];
  if (e.srvName) {
    const values = records.filter((r) => r.Type === "SRV" && r.Name === e.srvName).flatMap((r) => (r.ResourceRecords ?? []).map((v) => v.Value!));
    if (values.length < e.count) missing.push(`${e.name}: SRV ${e.srvName} has ${values.length} of ${e.count} value(s)`);
    for (const value of values) {
      const port = Number(value.split(" ")[2]);
      const status = await httpStatus(`http://127.0.0.1:${port}${e.healthPath}`);
      if (!matcherAccepts(e.matcher, status)) missing.push(`${e.name}: ${value} answers ${status || "nothing"} on ${e.healthPath}`);
    }
  }
  const status = await httpStatus(`${inputs.albUrl}${e.path}`);
  if (status === 0 || status >= 502) missing.push(`${e.name}: the load balancer answers ${status || "nothing"} on ${e.path}`);
  return missing;
}

/** The HTTP status of a GET, 0 when nothing answers. */
async function httpStatus(url: string): Promise<number> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2000), redirect: "manual" });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return 0;
  }
}

async function ourRecords(inputs: Pick<ServedInputs, "route53" | "zoneId" | "owner">): Promise<ResourceRecordSet[]> {
  const all: ResourceRecordSet[] = [];
  let start: { name?: string; type?: string; identifier?: string } = {};
  for (;;) {
    const page = await inputs.route53.send(
      new ListResourceRecordSetsCommand({ HostedZoneId: inputs.zoneId, StartRecordName: start.name, StartRecordType: start.type as never, StartRecordIdentifier: start.identifier }),
    );
    all.push(...(page.ResourceRecordSets ?? []).filter((r) => r.SetIdentifier?.startsWith(`${inputs.owner}/`)));
    if (!page.IsTruncated) return all;
    start = { name: page.NextRecordName, type: page.NextRecordType, identifier: page.NextRecordIdentifier };
  }
}
