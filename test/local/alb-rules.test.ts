import { pathPatternMatches, samplePath, selectRule, type AlbRule } from "../../scripts/local/alb-rules";

const forward = (arn: string) => ({ type: "forward" as const, targetGroupArns: [arn] });
const rule = (priority: number | undefined, ...patterns: string[][]): AlbRule => ({
  priority,
  pathConditions: patterns,
  unsupportedConditions: [],
  action: forward(`tg-${priority ?? "default"}`),
});

describe("ALB path patterns", () => {
  test.each([
    ["/api", "/api", true],
    ["/api", "/api/", false],
    ["/api/*", "/api/", true],
    ["/api/*", "/api/orders/7", true],
    ["/api/*", "/api", false],
    ["/api*", "/api-admin", true],
    ["/API/*", "/api/x", false], // case-sensitive
    ["/v?/*", "/v1/x", true],
    ["/v?/*", "/v12/x", false],
    ["*", "/anything", true],
    ["/a*b*c", "/aXXbYYc", true],
    ["/a*b*c", "/aXXbYY", false],
    ["/img/*.png", "/img/a/b.png", true],
  ])("%s against %s: %s", (pattern, path, matches) => {
    expect(pathPatternMatches(pattern, path)).toBe(matches);
  });
});

describe("rule selection", () => {
  const rules = [rule(undefined), rule(20, ["/admin", "/admin/*"]), rule(10, ["/api", "/api/*"]), rule(5, ["/api/v2/*"])];

  test("takes the matching rule with the lowest priority, whatever the order they are listed in", () => {
    expect(selectRule(rules, "/api/v2/orders")?.priority).toBe(5);
    expect(selectRule(rules, "/api/v1/orders")?.priority).toBe(10);
    expect(selectRule(rules, "/admin")?.priority).toBe(20);
  });

  test("falls back to the default rule", () => {
    expect(selectRule(rules, "/")?.priority).toBeUndefined();
    expect(selectRule(rules, "/administrator")?.priority).toBeUndefined();
  });

  test("needs every condition to match, and one value of each", () => {
    const both = rule(1, ["/a/*", "/b/*"], ["*/x"]);
    expect(selectRule([both, rule(undefined)], "/b/x")).toBe(both);
    expect(selectRule([both, rule(undefined)], "/b/y")?.priority).toBeUndefined();
  });

  test("never matches a rule with a condition it cannot evaluate (host-header, ...)", () => {
    const hostRule: AlbRule = { ...rule(1, ["/*"]), unsupportedConditions: ["host-header"] };
    expect(selectRule([hostRule, rule(undefined)], "/x")?.priority).toBeUndefined();
  });
});

describe("a path to try per rule", () => {
  test("is / for the default rule, and the directory of a /<name>/* pattern", () => {
    expect(samplePath(rule(undefined))).toBe("/");
    expect(samplePath(rule(10, ["/api", "/api/*"]))).toBe("/api/");
  });

  test("is a path the rule itself routes, whatever the patterns", () => {
    for (const r of [rule(1, ["/exact"]), rule(2, ["/v?/items"]), rule(3, ["/files*"])]) expect(selectRule([r], samplePath(r))).toBe(r);
  });
});
