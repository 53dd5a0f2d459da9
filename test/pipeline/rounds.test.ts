/**
 * The rule that decides which stacks a round plans (scripts/pipeline/rounds.ts)
 * and the deployment order it walks (stack-order.ts), on the platform's own
 * dependency graph.
 */
import { afterApply, afterPlan, changesOutputs, describeOutcome, planSummary, upstreamsToWaitFor, type StackOutcome } from "../../scripts/pipeline/rounds";
import { dependencyOrder } from "../../scripts/pipeline/stack-order";
import { staleStates } from "../../scripts/pipeline/saved-plans";

/** The platform's graph, as cdktf's manifest lists it (alphabetically). */
const platform = [
  { name: "dev-cluster", dependencies: ["dev-network", "dev-discovery"] },
  { name: "dev-discovery", dependencies: ["dev-network"] },
  { name: "dev-network", dependencies: [] },
  { name: "dev-services", dependencies: ["dev-network", "dev-cluster", "dev-discovery"] },
];

const planned = (changes: boolean, outputsChange: boolean): StackOutcome => ({ kind: "planned", changes, outputsChange, summary: changes ? "1 to add, 0 to change, 0 to destroy" : "no changes" });

/** Walks the graph as plan.ts does: each stack planned unless it waits; `plans` says what each plan would find. */
function round(plans: Record<string, StackOutcome>): Map<string, StackOutcome> {
  const outcomes = new Map<string, StackOutcome>();
  for (const s of dependencyOrder(platform)) {
    const waitingFor = upstreamsToWaitFor(s.dependencies, outcomes);
    outcomes.set(s.name, waitingFor.length > 0 ? { kind: "waiting", waitingFor } : plans[s.name]);
  }
  return outcomes;
}

describe("dependencyOrder", () => {
  test("puts every stack after the stacks it reads: network, discovery, cluster, services", () => {
    expect(dependencyOrder(platform).map((s) => s.name)).toEqual(["dev-network", "dev-discovery", "dev-cluster", "dev-services"]);
  });

  test("refuses a cycle and a dependency that was not synthesized, naming the stacks", () => {
    expect(() => dependencyOrder([{ name: "a", dependencies: ["b"] }, { name: "b", dependencies: ["a"] }])).toThrow("the stacks a, b depend on each other in a cycle");
    expect(() => dependencyOrder([{ name: "a", dependencies: ["gone"] }])).toThrow("stack a depends on gone, which is not synthesized");
  });
});

describe("a round", () => {
  test("fresh environment: plans the network only; every other stack waits for the stacks it reads", () => {
    // GIVEN every plan would create everything
    const outcomes = round(Object.fromEntries(platform.map((s) => [s.name, planned(true, true)])));
    // THEN
    expect(outcomes.get("dev-network")).toEqual(planned(true, true));
    expect(outcomes.get("dev-discovery")).toEqual({ kind: "waiting", waitingFor: ["dev-network"] });
    expect(outcomes.get("dev-cluster")).toEqual({ kind: "waiting", waitingFor: ["dev-network", "dev-discovery"] });
    expect(outcomes.get("dev-services")).toEqual({ kind: "waiting", waitingFor: ["dev-network", "dev-cluster", "dev-discovery"] });
    expect(afterPlan([...outcomes.values()])).toBe("approve");
    expect(afterApply([...outcomes.values()])).toBe("plan");
  });

  test("a change that leaves every output alone is planned in one round, every stack", () => {
    const outcomes = round({ "dev-network": planned(false, false), "dev-discovery": planned(true, false), "dev-cluster": planned(false, false), "dev-services": planned(true, false) });
    expect([...outcomes.values()].map((o) => o.kind)).toEqual(["planned", "planned", "planned", "planned"]);
    expect(afterApply([...outcomes.values()])).toBe("done");
  });

  test("a stack waits only for an upstream whose plan changes outputs, not for one that changes resources only", () => {
    const outcomes = round({ "dev-network": planned(true, false), "dev-discovery": planned(true, true), "dev-cluster": planned(false, false), "dev-services": planned(false, false) });
    expect(outcomes.get("dev-discovery")).toEqual(planned(true, true));
    expect(outcomes.get("dev-cluster")).toEqual({ kind: "waiting", waitingFor: ["dev-discovery"] });
  });

  test("no changes anywhere: nothing to approve", () => {
    expect(afterPlan([planned(false, false), planned(false, false)])).toBe("nothing-to-apply");
  });

  test("a failed plan: nothing is applied, and its downstream stacks wait", () => {
    const outcomes = round({ "dev-network": { kind: "failed" }, "dev-discovery": planned(true, true), "dev-cluster": planned(true, true), "dev-services": planned(true, true) });
    expect(outcomes.get("dev-discovery")).toEqual({ kind: "waiting", waitingFor: ["dev-network"] });
    expect(afterPlan([...outcomes.values()])).toBe("failed");
  });
});

describe("the summary lines", () => {
  test("say when a waiting stack will be planned", () => {
    expect(describeOutcome("dev-cluster", { kind: "waiting", waitingFor: ["dev-network", "dev-discovery"] })).toBe(
      "dev-cluster: not planned yet: it reads outputs of dev-network, dev-discovery, not applied yet; it will be planned after they are applied (the next round)",
    );
    expect(describeOutcome("dev-network", planned(true, true))).toBe("dev-network: 1 to add, 0 to change, 0 to destroy");
    expect(describeOutcome("dev-network", { kind: "nothing-to-destroy" })).toBe("dev-network: nothing deployed, nothing to destroy");
  });

  test("planSummary reads Terraform's counts, 'No changes' and output-only changes", () => {
    expect(planSummary("...\nNo changes. Your infrastructure matches the configuration.\n")).toBe("no changes");
    expect(planSummary("Plan: 3 to add, 1 to change, 0 to destroy.\n")).toBe("3 to add, 1 to change, 0 to destroy");
    expect(planSummary("Changes to Outputs:\n  ~ zone_id = \"a\" -> \"b\"\n")).toBe("0 to add, 0 to change, 0 to destroy; outputs change");
    expect(planSummary("Error: something\n")).toBe("unknown (see the plan above)");
  });

  test("changesOutputs: Terraform's section header at the start of a line, nothing else", () => {
    expect(changesOutputs("Plan: 1 to add\n\nChanges to Outputs:\n  + vpc_id = (known after apply)\n")).toBe(true);
    expect(changesOutputs("No changes. Your infrastructure matches the configuration.\n")).toBe(false);
  });
});

describe("staleStates", () => {
  const v = (serial: number, lineage = "l1") => ({ serial, lineage });

  test("nothing when every state is as it was planned", () => {
    expect(staleStates({ a: v(3), b: null }, { a: v(3), b: null })).toEqual([]);
  });

  test("names each stack whose state was written, created, removed or replaced since the plan", () => {
    expect(staleStates({ a: v(3), b: null, c: v(1), d: v(2) }, { a: v(5), b: v(1), c: null, d: v(2, "l2") })).toEqual([
      "a: its state changed since the plan (serial 3 then, serial 5 now)",
      "b: its state changed since the plan (no state then, serial 1 now)",
      "c: its state changed since the plan (serial 1 then, no state now)",
      "d: its state changed since the plan (serial 2 then, serial 2 now, another lineage)",
    ]);
  });
});
