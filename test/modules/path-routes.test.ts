import { assignPathRoutes, DERIVED_PRIORITY_RANGE, routeContainers } from "../../modules/path-routes";

const named = (...names: string[]) => names.map((name) => ({ name }));
const priorities = (routes: ReturnType<typeof assignPathRoutes>) =>
  Object.fromEntries(routes.filter((r) => !r.isDefault).map((r) => [r.name, r.priority]));

describe("assignPathRoutes", () => {
  test("makes the first container the listener's default, at /, with no patterns and no priority", () => {
    // GIVEN / WHEN
    const [first] = assignPathRoutes(named("web", "api", "admin"));
    // THEN
    expect(first).toEqual({ name: "web", isDefault: true, pathPatterns: [] });
  });

  test("routes /api and /api/* but never a bare /api* pattern (which would also catch /api-admin)", () => {
    // GIVEN / WHEN
    const routes = assignPathRoutes(named("web", "api", "api-admin"));
    // THEN
    expect(routes[1]).toMatchObject({ name: "api", isDefault: false, pathPatterns: ["/api", "/api/*"] });
    expect(routes[2]).toMatchObject({ name: "api-admin", isDefault: false, pathPatterns: ["/api-admin", "/api-admin/*"] });
    for (const pattern of routes.flatMap((r) => r.pathPatterns)) expect(pattern).not.toMatch(/[^/]\*$/);
  });

  test("keeps the list order", () => {
    // GIVEN / WHEN
    const routes = assignPathRoutes(named("web", "zeta", "alpha", "mid"));
    // THEN
    expect(routes.map((r) => r.name)).toEqual(["web", "zeta", "alpha", "mid"]);
    expect(routes.map((r) => r.isDefault)).toEqual([true, false, false, false]);
  });

  test("gives 100 containers unique priorities, all in the derived range (1-999 stay free for explicit ones)", () => {
    // GIVEN
    const names = Array.from({ length: 100 }, (_, i) => `service-${i}`);
    // WHEN
    const routes = assignPathRoutes(named(...names)).slice(1);
    // THEN
    const all = routes.map((r) => r.priority!);
    expect(new Set(all).size).toBe(99);
    for (const p of all) {
      expect(Number.isInteger(p)).toBe(true);
      expect(p).toBeGreaterThanOrEqual(DERIVED_PRIORITY_RANGE.from);
      expect(p).toBeLessThanOrEqual(DERIVED_PRIORITY_RANGE.to);
    }
    expect(DERIVED_PRIORITY_RANGE.from).toBe(1000);
    expect(DERIVED_PRIORITY_RANGE.to).toBeLessThanOrEqual(50000); // the ALB's highest priority
  });

  test("keeps every container's priority when the list is reordered (the seed numbered rules by position)", () => {
    // GIVEN
    const names = Array.from({ length: 20 }, (_, i) => `service-${i}`);
    const before = priorities(assignPathRoutes(named(...names)));
    // WHEN
    const [first, ...rest] = names;
    const after = priorities(assignPathRoutes(named(first, ...[...rest].reverse())));
    // THEN
    expect(after).toEqual(before);
  });

  test("keeps the other containers' priorities when one container is removed or added", () => {
    // GIVEN
    const names = Array.from({ length: 20 }, (_, i) => `service-${i}`);
    const before = priorities(assignPathRoutes(named(...names)));
    // WHEN
    const removed = priorities(assignPathRoutes(named(...names.filter((n) => n !== "service-7"))));
    const added = priorities(assignPathRoutes(named(...names, "newcomer")));
    // THEN
    const { ["service-7"]: _gone, ...others } = before;
    expect(removed).toEqual(others);
    expect(added).toMatchObject(before);
  });

  test("on a hash collision, moves the later name (by name order, not list order) to the next free slot", () => {
    // GIVEN: svc-139 and svc-560 hash to the same slot
    const one = priorities(assignPathRoutes(named("web", "svc-560", "svc-139")));
    const other = priorities(assignPathRoutes(named("web", "svc-139", "svc-560")));
    // THEN
    expect(one).toEqual(other);
    expect(one["svc-560"]).toBe(one["svc-139"]! + 1);
  });

  test("an explicit priority wins over the derived one", () => {
    // GIVEN / WHEN
    const routes = assignPathRoutes([{ name: "web" }, { name: "api", priority: 10 }, { name: "admin" }]);
    // THEN
    expect(routes[1].priority).toBe(10);
    expect(routes[2].priority).toBeGreaterThanOrEqual(DERIVED_PRIORITY_RANGE.from);
  });

  test("never derives a priority that a container took explicitly", () => {
    // GIVEN: admin's derived priority, then taken explicitly by api
    const derived = assignPathRoutes(named("web", "admin"))[1].priority!;
    // WHEN
    const routes = assignPathRoutes([{ name: "web" }, { name: "api", priority: derived }, { name: "admin" }]);
    // THEN
    expect(routes[1].priority).toBe(derived);
    expect(routes[2].priority).not.toBe(derived);
  });

  test("ignores a priority on the first container (it has no rule)", () => {
    // GIVEN / WHEN
    const routes = assignPathRoutes([{ name: "web", priority: 5 }, { name: "api", priority: 5 }]);
    // THEN
    expect(routes[0].priority).toBeUndefined();
    expect(routes[1].priority).toBe(5);
  });

  test("fails when two containers take the same explicit priority, showing it", () => {
    // GIVEN / WHEN / THEN
    expect(() => assignPathRoutes([{ name: "web" }, { name: "api", priority: 7 }, { name: "admin", priority: 7 }])).toThrow(
      "assignPathRoutes: priority 7 is given to both 'api' and 'admin'; give each a different one",
    );
  });

  test("a single container is only the default", () => {
    // GIVEN / WHEN
    const routes = assignPathRoutes(named("web"));
    // THEN
    expect(routes).toEqual([{ name: "web", isDefault: true, pathPatterns: [] }]);
  });
});

describe("routeContainers", () => {
  test("hands back each container object with its own route: the first as the default, the others with their rules", () => {
    // GIVEN
    const web = { name: "web", image: "nginx" };
    const api = { name: "api", image: "httpd", priority: 7 };
    const admin = { name: "admin", image: "httpd" };
    // WHEN
    const { root, paths } = routeContainers([web, api, admin]);
    // THEN
    expect(root.container).toBe(web);
    expect(root.route).toEqual({ name: "web", isDefault: true, pathPatterns: [] });
    expect(paths.map((p) => p.container)).toEqual([api, admin]);
    expect(paths[0].container).toBe(api);
    expect(paths[0].route).toEqual({ name: "api", isDefault: false, pathPatterns: ["/api", "/api/*"], priority: 7 });
    expect(paths[1].route.name).toBe("admin");
  });

  test("gives the same routes as assignPathRoutes", () => {
    // GIVEN
    const containers = [{ name: "web" }, { name: "api", priority: 3 }, { name: "admin" }, { name: "shop" }];
    // WHEN
    const { root, paths } = routeContainers(containers);
    // THEN
    expect([root.route, ...paths.map((p) => p.route)]).toEqual(assignPathRoutes(containers));
  });

  test("fails without a container, since one must be served at /", () => {
    // GIVEN / WHEN / THEN
    expect(() => routeContainers([])).toThrow("routeContainers: needs at least one container");
  });
});
