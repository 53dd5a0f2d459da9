/**
 * The container convention: environment variables (and Docker labels with the
 * same keys, which win) → what the container asks to publish.
 *
 * Pure: no I/O, no clock, no logger. Bad input becomes a {@link ContainerProblem}
 * naming the exact variable; it never stops the other variables of the
 * container. The full table is in agent/README.md.
 */
import { compareKeys, isInZone, isValidDnsName, normalizeName } from "../dns/records";
import { readHttpCheck } from "./http-check-convention";
import type { ContainerInfo } from "./ports";

/** One thing a container asks for, before records of several containers are merged. */
export type ContainerIntent =
  | { readonly kind: "fqdn-public" | "fqdn-local"; readonly name: string; readonly ttlSeconds: number }
  | {
      readonly kind: "srv";
      readonly name: string;
      readonly containerPort: number;
      readonly hostPort: number;
      readonly ttlSeconds: number;
      /** The path the janitor probes (agent/http-check-convention.ts); absent: never probed. */
      readonly httpCheckPath?: string;
    };

/** A variable the agent could not use, or a container it cannot publish, reported once per container. */
export interface ContainerProblem {
  readonly containerId: string;
  readonly containerName: string;
  /** The exact key, e.g. `SERVICE_PORT_80`, or the Docker field (`HostConfig.NetworkMode`) when `source` is `docker`. */
  readonly variable: string;
  readonly source: "env" | "label" | "docker";
  readonly value: string;
  readonly reason: string;
}

/** What one container asks for. */
export interface ContainerReading {
  readonly ignored: boolean;
  readonly intents: readonly ContainerIntent[];
  readonly problems: readonly ContainerProblem[];
  /**
   * Docker's health status (`starting`, `unhealthy`) that holds back every
   * record the container asks for, until it is `healthy`; absent when nothing
   * is held back.
   */
  readonly withheldFor?: string;
}

/** Largest TTL Route53 accepts. */
export const MAX_TTL_SECONDS = 2_147_483_647;
const FALSE_WORDS = new Set(["", "0", "false", "no", "off"]);
const SERVICE_PORT = /^SERVICE_PORT_(.*)$/;
const SERVICE_N_NAME = /^SERVICE_(\d+)_NAME$/;
const SERVICE_N_IGNORE = /^SERVICE_(\d+)_IGNORE$/;

interface Setting {
  readonly value: string;
  readonly source: "env" | "label";
}

/**
 * Reads one container's settings.
 *
 * @param zoneName - the hosted zone's name; every name must lie inside it.
 * @param defaultTtlSeconds - TTL when `SERVICE_TTL` is absent or bad.
 * @param srvTargetIpv4 - the address SRV targets resolve to (the host's
 *   private IPv4): a binding is published only when it answers there.
 */
export function readContainer(container: ContainerInfo, zoneName: string, defaultTtlSeconds: number, srvTargetIpv4: string): ContainerReading {
  const settings = mergeSettings(container);
  const problems: ContainerProblem[] = [];
  // Only ever called with a key the container set.
  const problem = (variable: string, reason: string): void => {
    const s = settings.get(variable)!;
    problems.push({ containerId: container.id, containerName: container.name, variable, source: s.source, value: s.value, reason });
  };

  const ignore = settings.get("SERVICE_IGNORE");
  if (ignore && !isFalse(ignore.value)) return { ignored: true, intents: [], problems: [] };
  const ignoreHealth = settings.get("SERVICE_IGNORE_HEALTH");

  let ttlSeconds = defaultTtlSeconds;
  const ttl = settings.get("SERVICE_TTL");
  if (ttl) {
    const parsed = parseWhole(ttl.value, 0, MAX_TTL_SECONDS);
    if (parsed === undefined) problem("SERVICE_TTL", `not a TTL (whole seconds 0-${MAX_TTL_SECONDS}); using ${defaultTtlSeconds}`);
    else ttlSeconds = parsed;
  }

  const ignoredPorts = new Set<number>();
  for (const [key, s] of settings) {
    const m = SERVICE_N_IGNORE.exec(key);
    if (m && !isFalse(s.value)) ignoredPorts.add(Number(m[1]));
  }

  const intents: ContainerIntent[] = [];
  for (const [key, kind] of [["SERVICE_FQDN", "fqdn-public"], ["SERVICE_FQDN_LOCAL", "fqdn-local"]] as const) {
    const s = settings.get(key);
    if (!s) continue;
    const name = absoluteName(s.value, zoneName);
    if (typeof name !== "string") problem(key, name.reason);
    else intents.push({ kind, name, ttlSeconds });
  }

  for (const [key, s] of settings) {
    const portMatch = SERVICE_PORT.exec(key);
    const nameMatch = portMatch ? null : SERVICE_N_NAME.exec(key);
    if (!portMatch && !nameMatch) continue;
    const rawPort = (portMatch ?? nameMatch)![1];
    const port = parseWhole(rawPort, 1, 65_535);
    if (port === undefined) {
      problem(key, /^\d+$/.test(rawPort) ? `port ${rawPort} is out of range (1-65535)` : `${JSON.stringify(rawPort)} is not a port number`);
      continue;
    }
    const name = portMatch ? absoluteName(s.value, zoneName) : serviceName(s.value, zoneName);
    if (typeof name !== "string") {
      problem(key, name.reason);
      continue;
    }
    if (ignoredPorts.has(port)) continue;
    const binding = resolvePort(container, port, srvProtocol(name), srvTargetIpv4);
    if ("problem" in binding) {
      problem(key, binding.problem);
      continue;
    }
    if (ignoredPorts.has(binding.containerPort)) continue;
    const check = readHttpCheck(settings, port, binding);
    if (check.problem && !problems.some((p) => p.variable === check.problem?.variable)) problem(check.problem.variable, check.problem.reason);
    intents.push({ kind: "srv", name, containerPort: binding.containerPort, hostPort: binding.hostPort, ttlSeconds, ...(check.path ? { httpCheckPath: check.path } : {}) });
  }

  // ECS awsvpc tasks run like this behind their pause container: the namespace has its own ENI address,
  // and every record of ours would point at the host's. Only a container that asks for something is reported.
  const namespaceOwner = /^container:(.*)$/.exec(container.networkMode);
  if (namespaceOwner && (intents.length > 0 || problems.length > 0)) {
    const owner = namespaceOwner[1].slice(0, 12) || "?";
    return {
      ignored: false,
      intents: [],
      problems: [
        {
          containerId: container.id,
          containerName: container.name,
          variable: "HostConfig.NetworkMode",
          source: "docker",
          value: container.networkMode,
          reason: `the container shares the network namespace of container ${owner} (ECS awsvpc mode, or --network container:), whose address is not this host's; publishing none of its records`,
        },
      ],
    };
  }
  // registrator's and Consul's practice: only a passing check is published. `starting` is held back too,
  // so a task is found only once it answers; SERVICE_IGNORE_HEALTH opts out.
  if (intents.length > 0 && !publishesWithHealth(container.health) && !(ignoreHealth && !isFalse(ignoreHealth.value))) {
    return { ignored: false, intents: [], problems, withheldFor: container.health };
  }
  return { ignored: false, intents, problems };
}

/** True for a container without a healthcheck, or whose check passes. */
function publishesWithHealth(health: string | undefined): boolean {
  // "none" is Docker's name for "no healthcheck" (the `health` filter of GET /containers/json).
  return health === undefined || health === "none" || health === "healthy";
}

/** Env first, then labels over it; sorted by key so results are deterministic. */
function mergeSettings(container: ContainerInfo): Map<string, Setting> {
  const merged = new Map<string, Setting>();
  for (const [key, value] of Object.entries(container.env)) merged.set(key, { value, source: "env" });
  for (const [key, value] of Object.entries(container.labels)) merged.set(key, { value, source: "label" });
  return new Map([...merged.entries()].sort(([a], [b]) => compareKeys(a, b)));
}

function isFalse(value: string): boolean {
  return FALSE_WORDS.has(value.trim().toLowerCase());
}

function parseWhole(text: string, min: number, max: number): number | undefined {
  const digits = text.trim();
  if (!/^\d{1,10}$/.test(digits)) return undefined;
  const n = Number(digits);
  return n >= min && n <= max ? n : undefined;
}

/** A name that must already be fully qualified inside the zone (ecsd's FQDN variables). */
function absoluteName(value: string, zoneName: string): string | { reason: string } {
  if (value.trim() === "") return { reason: "empty value" };
  if (!isValidDnsName(value)) return { reason: `${JSON.stringify(value)} is not a DNS name` };
  if (!isInZone(value, zoneName)) return { reason: `${JSON.stringify(value)} is outside the zone ${zoneName}` };
  return normalizeName(value);
}

/**
 * ecssd's `SERVICE_<port>_NAME`: a name relative to the zone (`_calc._tcp`),
 * unless it already ends with the zone or with a dot (then it is absolute and
 * must be inside the zone).
 */
function serviceName(value: string, zoneName: string): string | { reason: string } {
  const v = value.trim();
  if (v.endsWith(".") || isInZone(v, zoneName)) return absoluteName(v, zoneName);
  if (v === "") return { reason: "empty value" };
  return absoluteName(`${v}.${zoneName}`, zoneName);
}

/**
 * The protocol an SRV name asks for: `_<service>._udp.<name>` UDP,
 * `_<service>._tcp.<name>` TCP (RFC 2782); any other name takes TCP, or UDP
 * when only UDP is published (ecsd's `SERVICE_PORT_<port>=<fqdn>`).
 */
export function srvProtocol(name: string): "tcp" | "udp" | undefined {
  const m = /^_[^.]+\._(tcp|udp)\./i.exec(name);
  return m ? (m[1].toLowerCase() as "tcp" | "udp") : undefined;
}

/** The port an SRV record publishes, or why there is none. */
export type PortChoice = { readonly containerPort: number; readonly hostPort: number; readonly protocol: "tcp" | "udp" } | { readonly problem: string };

/**
 * The host port for a port named in a variable: a binding of that container
 * port; with host networking the port itself; else a binding of that host
 * port (ecsd's README maps `-p 80:8888` with `SERVICE_PORT_80`).
 *
 * Of the bindings, only one that answers at `srvTargetIpv4` (where the SRV
 * target resolves) is published: bound to `0.0.0.0` or to that address.
 * Not `::`: it answers at the host's IPv6 addresses, which no record names,
 * and Docker may give it another port than the IPv4 binding (moby#42442).
 * Not `127.0.0.1` or another address: other hosts cannot reach it there.
 * Among those, the lowest host port, so the choice is stable.
 */
export function resolvePort(container: ContainerInfo, port: number, protocol: "tcp" | "udp" | undefined, srvTargetIpv4: string): PortChoice {
  let bindings = container.ports.filter((p) => p.containerPort === port);
  if (bindings.length === 0 && container.networkMode === "host") return { containerPort: port, hostPort: port, protocol: protocol ?? "tcp" };
  if (bindings.length === 0) bindings = container.ports.filter((p) => p.hostPort === port);
  if (bindings.length === 0) return { problem: `port ${port} is not published (neither a published container port nor a published host port)` };

  const protocols = protocol ? [protocol] : (["tcp", "udp"] as const);
  for (const proto of protocols) {
    const reachable = bindings
      .filter((b) => b.protocol === proto && answersAt(b.hostIp, srvTargetIpv4))
      .sort((a, b) => a.hostPort - b.hostPort);
    if (reachable.length > 0) return { containerPort: reachable[0].containerPort, hostPort: reachable[0].hostPort, protocol: proto };
  }
  const ofProtocol = bindings.filter((b) => protocols.includes(b.protocol));
  if (ofProtocol.length === 0) {
    // Only a name that asks for one protocol gets here, so every binding is of the other.
    return { problem: `the name asks for ${protocol!.toUpperCase()}, but port ${port} is published only for ${bindings[0].protocol.toUpperCase()}` };
  }
  const where = ofProtocol.map((b) => `${formatHostAddress(b.hostIp)}:${b.hostPort}/${b.protocol}`).join(", ");
  return {
    problem: `port ${port} is published only on ${where}, which other hosts cannot reach at ${srvTargetIpv4} (where the SRV target resolves); publish it on 0.0.0.0 or ${srvTargetIpv4}`,
  };
}

/** True when a binding to `hostIp` answers at `ipv4`: bound to every IPv4 address, or to that one. */
function answersAt(hostIp: string, ipv4: string): boolean {
  // "" is "every address" in the API's PortBindings; taken the same way should an engine report it.
  return hostIp === "0.0.0.0" || hostIp === "" || hostIp === ipv4;
}

/** A host address as `docker port` prints it; never "" here, which answers everywhere ({@link answersAt}). */
function formatHostAddress(ip: string): string {
  return ip.includes(":") ? `[${ip}]` : ip;
}
