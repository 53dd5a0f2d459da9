import { createHash } from "node:crypto";

/** What routing needs of a container: its name, and an explicit rule priority if it has one. */
export interface RoutedContainer {
  readonly name: string;
  /** Listener rule priority. @default - derived from the name */
  readonly priority?: number;
}

/** The listener's default: the first container, served at `/`, without a rule. */
export interface DefaultRoute {
  readonly name: string;
  readonly isDefault: true;
  readonly pathPatterns: readonly [];
  readonly priority?: undefined;
}

/** A listener rule: `/<name>` and `/<name>/*` to the container. */
export interface PathRule {
  readonly name: string;
  readonly isDefault: false;
  /** `["/<name>", "/<name>/*"]`. */
  readonly pathPatterns: readonly string[];
  readonly priority: number;
}

/** A container's place on the load balancer. */
export type PathRoute = DefaultRoute | PathRule;

/** Containers, each with its route: the first as the listener's default, the others by path. */
export interface RoutedContainers<T extends RoutedContainer> {
  readonly root: { readonly container: T; readonly route: DefaultRoute };
  readonly paths: readonly { readonly container: T; readonly route: PathRule }[];
}

/** Derived priorities use this range; 1–999 stay free for explicit ones. */
export const DERIVED_PRIORITY_RANGE = { from: 1000, to: 49999 } as const;

/**
 * Each container with its route, in list order. The first is the listener's
 * default at `/`; each other is served at `/<name>` and `/<name>/*` (never
 * `/<name>*`, which would also catch `/<name>-admin`).
 *
 * Priorities come from the name (a hash into {@link DERIVED_PRIORITY_RANGE}),
 * not from the position, so reordering or removing containers never renumbers
 * the others' rules; an explicit `priority` wins. Hash collisions move the
 * later name (by name order) to the next free slot.
 */
export function routeContainers<T extends RoutedContainer>(containers: readonly T[]): RoutedContainers<T> {
  const [first, ...others] = containers;
  if (first === undefined) throw new Error("routeContainers: needs at least one container (the one served at /), got none");
  const priorityOf = rulePriorities(others);
  return {
    root: { container: first, route: { name: first.name, isDefault: true, pathPatterns: [] } },
    paths: others.map((container) => ({
      container,
      route: { name: container.name, isDefault: false, pathPatterns: [`/${container.name}`, `/${container.name}/*`], priority: priorityOf(container) },
    })),
  };
}

/** The routes of {@link routeContainers}, in list order, without the containers. */
export function assignPathRoutes(containers: readonly RoutedContainer[]): PathRoute[] {
  if (containers.length === 0) return [];
  const { root, paths } = routeContainers(containers);
  return [root.route, ...paths.map((p) => p.route)];
}

/** The rule priority of each container given: its own, else one derived from its name. */
function rulePriorities(containers: readonly RoutedContainer[]): (container: RoutedContainer) => number {
  const takenBy = new Map<number, string>();
  for (const c of containers) {
    if (c.priority === undefined) continue;
    const other = takenBy.get(c.priority);
    if (other) throw new Error(`assignPathRoutes: priority ${c.priority} is given to both '${other}' and '${c.name}'; give each a different one`);
    takenBy.set(c.priority, c.name);
  }
  const taken = new Set(takenBy.keys());
  const derived = new Map<string, number>();
  const width = DERIVED_PRIORITY_RANGE.to - DERIVED_PRIORITY_RANGE.from + 1;
  const needing = containers
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
  return (c) => {
    const priority = c.priority ?? derived.get(c.name);
    if (priority === undefined) throw new Error(`assignPathRoutes: no priority for '${c.name}', which was not among the containers given`);
    return priority;
  };
}
