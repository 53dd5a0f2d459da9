/**
 * Set identifiers: the agent's ownership marker, shared with the janitor.
 *
 * Format: `<owner>/<hostId>/<slot>`, for example
 * `ecsdns/i-0abc123def4567890/host` or `ecsdns/i-0abc123def4567890/3f2a9c1b7d4e-8080`.
 *
 * | slot                        | record                                                   |
 * | --------------------------- | -------------------------------------------------------- |
 * | `host`                      | A `<hostId>.<zone>` → private IPv4 (SRV targets)         |
 * | `fqdn-public`               | A of `SERVICE_FQDN`, shared by the host's containers     |
 * | `fqdn-local`                | A of `SERVICE_FQDN_LOCAL`, shared by the host's containers |
 * | `<12 hex of id>-<port>`     | SRV of one container's container port                    |
 * | `<12 hex of id>-<port><path>` | the same, and the container asks to be probed over HTTP at `<path>` |
 *
 * The HTTP check path (registrator's `SERVICE_CHECK_HTTP`) travels in the
 * slot with its slashes written as dots: `/health` → `3f2a9c1b7d4e-8080.health`,
 * `/` → `3f2a9c1b7d4e-8080.`. The janitor, which sees only the zone, reads it
 * from there: no record more to write, store or list. Only paths that fit
 * the slot can be carried ({@link httpCheckPathProblem}): letters, digits,
 * `-` and `_` between slashes, at most {@link MAX_HTTP_CHECK_PATH_LENGTH}
 * characters, so that every such slot stays inside the slot pattern an older
 * janitor or agent already accepts (such a janitor sees an `unknown` slot: it
 * never probes it, and still deletes it with its dead host).
 *
 * Route53 scopes a set identifier to one name and type, so the same slot may
 * appear under several names. The longest identifier is
 * 20 + 1 + 64 + 1 + 40 = 126 characters, inside Route53's 128.
 *
 * {@link parseSetIdentifier} is the single parser: the janitor imports it, so
 * it accepts any well-formed slot, including kinds a newer agent may add.
 */

/** Route53's limit on `SetIdentifier`. */
export const SET_IDENTIFIER_MAX_LENGTH = 128;
/** Owner prefix when `--owner` is not given. */
export const DEFAULT_OWNER = "ecsdns";
/** What `--owner` accepts. */
export const OWNER_PATTERN = /^[a-z0-9-]{1,20}$/;
/** What `--host-id` accepts (EC2 instance ids and host names). */
export const HOST_ID_PATTERN = /^[A-Za-z0-9.-]{1,64}$/;
// Wider than the slots we write today, so that an older janitor still
// recognizes records of a newer agent as owned.
const SLOT_PATTERN = /^[A-Za-z0-9._-]{1,40}$/;
const SRV_SLOT = /^([0-9a-f]{12})-(\d{1,5})((?:\.[A-Za-z0-9_-]*)+)?$/;
/** `12 hex`, `-`, at most 5 digits: what an SRV slot needs before the path. */
const SRV_SLOT_HEAD_LENGTH = 18;
/** The longest HTTP check path an SRV slot carries: what the slot pattern leaves after the longest head. */
export const MAX_HTTP_CHECK_PATH_LENGTH = 40 - SRV_SLOT_HEAD_LENGTH;
const HTTP_CHECK_PATH = /^(\/[A-Za-z0-9_-]*)+$/;

/** The three parts of a set identifier. */
export interface SetIdentifierParts {
  readonly owner: string;
  readonly hostId: string;
  readonly slot: string;
}

/** What a slot means, for logs and the janitor. */
export type SlotKind =
  | { readonly kind: "host" }
  | { readonly kind: "fqdn-public" }
  | { readonly kind: "fqdn-local" }
  | {
      readonly kind: "srv";
      readonly containerIdPrefix: string;
      readonly containerPort: number;
      /** Present when the container asked to be probed over HTTP, e.g. `/health`. */
      readonly httpCheckPath?: string;
    }
  | { readonly kind: "unknown" };

/** The slot of the host A record. */
export const HOST_SLOT = "host";
/** The slot of the shared A record of `SERVICE_FQDN`. */
export const FQDN_PUBLIC_SLOT = "fqdn-public";
/** The slot of the shared A record of `SERVICE_FQDN_LOCAL`. */
export const FQDN_LOCAL_SLOT = "fqdn-local";

/**
 * The slot of one container port's SRV record: first 12 hex digits of the id,
 * dash, port, and the HTTP check path when the container asked for one.
 *
 * @throws Error when `httpCheckPath` cannot be carried; callers check it with
 * {@link httpCheckPathProblem} first.
 */
export function srvSlot(containerId: string, containerPort: number, httpCheckPath?: string): string {
  const head = `${containerId.slice(0, 12).toLowerCase()}-${containerPort}`;
  if (httpCheckPath === undefined) return head;
  const problem = httpCheckPathProblem(httpCheckPath);
  if (problem) throw new Error(`HTTP check path ${JSON.stringify(httpCheckPath)}: ${problem}`);
  return `${head}${httpCheckPath.replace(/\//g, ".")}`;
}

/** Why an HTTP check path cannot travel in an SRV slot, or `undefined` when it can. */
export function httpCheckPathProblem(path: string): string | undefined {
  if (path.length > MAX_HTTP_CHECK_PATH_LENGTH || !HTTP_CHECK_PATH.test(path)) {
    return `an HTTP check path must start with "/" and have at most ${MAX_HTTP_CHECK_PATH_LENGTH} characters, only letters, digits, "-" and "_" between slashes (it travels in the SRV record's set identifier)`;
  }
  return undefined;
}

/**
 * Builds a set identifier.
 *
 * @throws Error when a part does not match its pattern; callers validate
 * owner and host id at startup, so this only fires on a programming error.
 */
export function formatSetIdentifier(parts: SetIdentifierParts): string {
  const id = `${parts.owner}/${parts.hostId}/${parts.slot}`;
  if (!parseSetIdentifier(id)) {
    throw new Error(`set identifier ${JSON.stringify(id)} is not of the form <owner>/<hostId>/<slot>`);
  }
  return id;
}

/**
 * Splits a set identifier, or returns `undefined` when it is not one of ours
 * in form. The parts' patterns bound the length (20 + 64 + 40 + 2 = 126),
 * inside Route53's {@link SET_IDENTIFIER_MAX_LENGTH}.
 */
export function parseSetIdentifier(id: string | undefined): SetIdentifierParts | undefined {
  if (id === undefined) return undefined;
  const parts = id.split("/");
  if (parts.length !== 3) return undefined;
  const [owner, hostId, slot] = parts;
  if (!OWNER_PATTERN.test(owner) || !HOST_ID_PATTERN.test(hostId) || !SLOT_PATTERN.test(slot)) {
    return undefined;
  }
  return { owner, hostId, slot };
}

/** Interprets a slot. */
export function describeSlot(slot: string): SlotKind {
  if (slot === HOST_SLOT || slot === FQDN_PUBLIC_SLOT || slot === FQDN_LOCAL_SLOT) return { kind: slot };
  const srv = SRV_SLOT.exec(slot);
  if (srv) {
    const kind = { kind: "srv", containerIdPrefix: srv[1], containerPort: Number(srv[2]) } as const;
    return srv[3] === undefined ? kind : { ...kind, httpCheckPath: srv[3].replace(/\./g, "/") };
  }
  return { kind: "unknown" };
}

/**
 * True when the record set belongs to this owner and, if given, this host.
 * The agent passes its host id (it may change only its own records); the
 * janitor passes none (it looks at every host of the owner).
 */
export function isOwnedBy(id: string | undefined, owner: string, hostId?: string): boolean {
  const parts = parseSetIdentifier(id);
  if (!parts || parts.owner !== owner) return false;
  return hostId === undefined || parts.hostId === hostId;
}
