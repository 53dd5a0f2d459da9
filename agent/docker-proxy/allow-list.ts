/**
 * What the DNS agent may ask of Docker through its proxy (docker-proxy.ts):
 * read containers (list, inspect) and follow the event stream, nothing else.
 * Everything Docker offers besides is root on the host (`POST
 * /containers/create` with a bind mount of `/` is enough), so the list names
 * what is allowed, by method and exact path shape, and refuses anything it
 * does not recognise: an encoded character, a dot segment, another method.
 * https://docs.docker.com/reference/api/engine/
 */

/** The proxy's answer to one request. */
export type DockerRequestDecision = { readonly allowed: true } | { readonly allowed: false; readonly reason: string };

/** `/v1.41` and the like: Docker accepts every path with or without it. */
const VERSION = String.raw`(?:/v\d{1,2}\.\d{1,3})?`;
/** A container id or name as Docker has them: no slash, no dot segment, nothing encoded. */
const CONTAINER = String.raw`[A-Za-z0-9][A-Za-z0-9_.-]{0,127}`;

/** The read-only endpoints the agent uses, and `_ping` for health checks. */
export const ALLOWED_PATHS: readonly RegExp[] = [
  new RegExp(`^${VERSION}/containers/json$`),
  new RegExp(`^${VERSION}/containers/${CONTAINER}/json$`),
  new RegExp(`^${VERSION}/events$`),
  new RegExp(`^${VERSION}/_ping$`),
];

/** The methods allowed on them. */
export const ALLOWED_METHODS: readonly string[] = ["GET", "HEAD"];

/** A query string of plain `key=value` pairs, percent-encoding allowed (filters are JSON). */
const QUERY = /^[A-Za-z0-9_.~%=&+-]*$/;

/** Whether the proxy forwards `method` on `url` (a request target as sent: path and query). */
export function decideDockerRequest(method: string | undefined, url: string | undefined): DockerRequestDecision {
  if (!method || !ALLOWED_METHODS.includes(method)) return { allowed: false, reason: `method ${method ?? "(none)"} is not allowed: only ${ALLOWED_METHODS.join(" and ")}` };
  if (!url) return { allowed: false, reason: "no request target" };
  const question = url.indexOf("?");
  const path = question < 0 ? url : url.slice(0, question);
  const query = question < 0 ? "" : url.slice(question + 1);
  if (!ALLOWED_PATHS.some((allowed) => allowed.test(path))) {
    return { allowed: false, reason: `${path} is not allowed: only listing and inspecting containers, and events` };
  }
  if (!QUERY.test(query)) return { allowed: false, reason: "the query string holds a character that is not allowed" };
  return { allowed: true };
}
