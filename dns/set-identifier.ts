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
 *
 * Route53 scopes a set identifier to one name and type, so the same slot may
 * appear under several names. The longest identifier is
 * 20 + 1 + 64 + 1 + 18 = 104 characters, inside Route53's 128.
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
const SRV_SLOT = /^([0-9a-f]{12})-(\d{1,5})$/;

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
  | { readonly kind: "srv"; readonly containerIdPrefix: string; readonly containerPort: number }
  | { readonly kind: "unknown" };

/** The slot of the host A record. */
export const HOST_SLOT = "host";
/** The slot of the shared A record of `SERVICE_FQDN`. */
export const FQDN_PUBLIC_SLOT = "fqdn-public";
/** The slot of the shared A record of `SERVICE_FQDN_LOCAL`. */
export const FQDN_LOCAL_SLOT = "fqdn-local";

/** The slot of one container port's SRV record: first 12 hex digits of the id, dash, port. */
export function srvSlot(containerId: string, containerPort: number): string {
  return `${containerId.slice(0, 12).toLowerCase()}-${containerPort}`;
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

/** Splits a set identifier, or returns `undefined` when it is not one of ours in form. */
export function parseSetIdentifier(id: string | undefined): SetIdentifierParts | undefined {
  if (id === undefined || id.length === 0 || id.length > SET_IDENTIFIER_MAX_LENGTH) return undefined;
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
  if (srv) return { kind: "srv", containerIdPrefix: srv[1], containerPort: Number(srv[2]) };
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
