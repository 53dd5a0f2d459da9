import { matcherAccepts, routableTargets, TargetHealth } from "../../scripts/local/target-health";

const thresholds = { healthyThreshold: 3, unhealthyThreshold: 2 };
const after = (...results: boolean[]) => {
  const health = new TargetHealth(thresholds);
  for (const r of results) health.record(r);
  return health.state;
};

describe("target health, as an ALB keeps it", () => {
  test("a new target is initial until checked, and healthy after one passed check", () => {
    expect(after()).toBe("initial");
    expect(after(true)).toBe("healthy");
  });

  test("a new target that fails becomes unhealthy after UnhealthyThresholdCount failures, not before", () => {
    expect(after(false)).toBe("initial");
    expect(after(false, false)).toBe("unhealthy");
  });

  test("a healthy target stays healthy through fewer than UnhealthyThresholdCount consecutive failures", () => {
    expect(after(true, false, true, false)).toBe("healthy");
    expect(after(true, false, false)).toBe("unhealthy");
  });

  test("an unhealthy target needs HealthyThresholdCount consecutive passes", () => {
    expect(after(false, false, true, true)).toBe("unhealthy");
    expect(after(false, false, true, true, false, true, true)).toBe("unhealthy");
    expect(after(false, false, true, true, true)).toBe("healthy");
  });
});

describe("matcher", () => {
  test.each([
    ["200", 200, true],
    ["200", 204, false],
    ["200-399", 302, true],
    ["200-399", 404, false],
    ["200,202", 202, true],
    ["200,202", 201, false],
  ])("%s accepts %d: %s", (matcher, status, accepted) => expect(matcherAccepts(matcher, status)).toBe(accepted));
});

describe("routable targets", () => {
  const t = (state: "initial" | "healthy" | "unhealthy") => ({ state });

  test("are the healthy ones", () => {
    const targets = [t("healthy"), t("unhealthy"), t("initial"), t("healthy")];
    expect(routableTargets(targets)).toEqual([targets[0], targets[3]]);
  });

  test("are all of them when every target is unhealthy (the ALB fails open)", () => {
    const targets = [t("unhealthy"), t("unhealthy")];
    expect(routableTargets(targets)).toEqual(targets);
  });

  test("are none while no target is healthy and some are still being checked", () => {
    expect(routableTargets([t("unhealthy"), t("initial")])).toEqual([]);
    expect(routableTargets([])).toEqual([]);
  });
});
