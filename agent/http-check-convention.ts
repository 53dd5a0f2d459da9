/**
 * registrator's health check convention, read for the janitor: a container
 * asks to be probed over HTTP with `SERVICE_CHECK_HTTP=<path>` (every TCP
 * port it publishes) or `SERVICE_<port>_CHECK_HTTP=<path>` (one port; wins
 * over the container-wide key, and an empty value turns it off for that
 * port). A container that asks nothing is never probed: gRPC, raw TCP and
 * UDP services keep their records whatever HTTP would answer.
 *
 * The path travels in the SRV record's set identifier (dns/set-identifier.ts,
 * `srvSlot`), where the janitor reads it, so only paths that fit there are
 * carried; any other is a container problem, and the port is published
 * without a check. Pure: no I/O.
 */
import { httpCheckPathProblem } from "../dns/set-identifier";
import type { PublishedPort } from "./ports";

/** The container-wide key. */
export const CHECK_HTTP_KEY = "SERVICE_CHECK_HTTP";

/** The per-port key, `SERVICE_<port>_CHECK_HTTP`. */
export function portCheckHttpKey(port: number): string {
  return `SERVICE_${port}_CHECK_HTTP`;
}

/** What one published port asks for: a path to probe, and a problem with the variable when it asked wrongly. */
export interface HttpCheckReading {
  readonly path?: string;
  readonly problem?: { readonly variable: string; readonly reason: string };
}

/**
 * The HTTP check of the port a variable named (`port`: a container port, or
 * a host port as `resolvePort` allows), published as `binding`.
 */
export function readHttpCheck(settings: ReadonlyMap<string, { readonly value: string }>, port: number, binding: Pick<PublishedPort, "containerPort" | "protocol">): HttpCheckReading {
  // The port the variable named, then the container port it resolved to, then the container-wide key.
  const variable = [portCheckHttpKey(port), portCheckHttpKey(binding.containerPort), CHECK_HTTP_KEY].find((key) => settings.has(key));
  if (variable === undefined) return {};
  const path = settings.get(variable)!.value.trim();
  if (path === "") return {};
  if (binding.protocol !== "tcp") {
    // The container-wide key means the container's HTTP ports; only a per-port key naming a UDP port is a mistake.
    return variable !== CHECK_HTTP_KEY ? { problem: { variable, reason: `port ${port} is published as ${binding.protocol}; HTTP checks need TCP, so it is not probed` } } : {};
  }
  const problem = httpCheckPathProblem(path);
  return problem ? { problem: { variable, reason: `${problem}; the port is published without a health check` } } : { path };
}
