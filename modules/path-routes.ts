import { createHash } from "node:crypto";

/** A container's place on the load balancer. */
export interface PathRoute {
  readonly name: string;
  /** The listener's default action: the first container, served at `/`. */
  readonly isDefault: boolean;
  /** `["/<name>", "/<name>/*"]`, empty for the default. */
  readonly pathPatterns: readonly string[];
  /** Listener rule priority; undefined for the default. */
  readonly priority?: number;
}

/** Derived priorities use this range; 1–999 stay free for explicit ones. */
export const DERIVED_PRIORITY_RANGE = { from: 1000, to: 49999 } as const;

/**
 * Routes for containers in list order. The first is the listener's default at
 * `/`; each other is served at `/<name>` and `/<name>/*` (never `/<name>*`,
 * which would also catch `/<name>-admin`).
 *
 * Priorities come from the name (a hash into {@link DERIVED_PRIORITY_RANGE}),
 * not from the position, so reordering or removing containers never renumbers
 * the others' rules; an explicit `priority` wins. Hash collisions move the
 * later name (by name order) to the next free slot.
 */
export function assignPathRoutes(containers: readonly { name: string; priority?: number }[]): PathRoute[] {
  const takenBy = new Map<number, string>();
  for (const c of containers.slice(1)) {
    if (c.priority === undefined) continue;
    const other = takenBy.get(c.priority);
    if (other) throw new Error(`assignPathRoutes: priority ${c.priority} is given to both '${other}' and '${c.name}'; give each a different one`);
    takenBy.set(c.priority, c.name);
  }
  const taken = new Set(takenBy.keys());
  const derived = new Map<string, number>();
  const width = DERIVED_PRIORITY_RANGE.to - DERIVED_PRIORITY_RANGE.from + 1;
  const needing = containers
    .slice(1)
    .filter((c) => c.priority === undefined)
    .map((c) => c.name)
    .sort();
  for (const name of needing) {
    let offset = createHash("sha256").update(name).digest().readUInt32BE(0) % width;
    while (taken.has(DERIVED_PRIORITY_RANGE.from + offset)) offset = (offset + 1) % width;
    const priority = DERIVED_PRIORITY_RANGE.from + offset;
    taken.add(priority);
    derived.set(name, priority);
  }
  return containers.map((c, i) =>
    i === 0
      ? { name: c.name, isDefault: true, pathPatterns: [] }
      : {
          name: c.name,
          isDefault: false,
          pathPatterns: [`/${c.name}`, `/${c.name}/*`],
          priority: c.priority ?? derived.get(c.name),
        },
  );
}
