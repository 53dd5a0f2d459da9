/**
 * agent/ended-containers.ts: which events end a container's service, and
 * how long the list is overruled.
 */
import { EndedContainers, endsService } from "../../../agent/ended-containers";
import type { ContainerEvent } from "../../../agent/ports";

const A = "a".repeat(64);
const B = "b".repeat(64);
const ev = (action: ContainerEvent["action"], containerId = A, extra: Partial<ContainerEvent> = {}): ContainerEvent => ({ action, containerId, ...extra });
const listed = (...ids: string[]) => ids.map((id) => ({ id }));
const ids = (items: { id: string }[]) => items.map((i) => i.id);

describe("endsService", () => {
  test.each([
    ["die", ev("die"), true],
    ["stop", ev("stop"), true],
    ["pause", ev("pause"), true],
    ["kill with SIGKILL (9)", ev("kill", A, { signal: "9" }), true],
    ["kill with SIGKILL by name", ev("kill", A, { signal: "SIGKILL" }), true],
    ["kill with SIGTERM (the process may handle it)", ev("kill", A, { signal: "15" }), undefined],
    ["kill with SIGHUP (a reload)", ev("kill", A, { signal: "1" }), undefined],
    ["kill without a signal", ev("kill"), undefined],
    ["oom (maybe a child process)", ev("oom"), undefined],
    ["start", ev("start"), false],
    ["unpause", ev("unpause"), false],
    ["health_status", ev("health_status", A, { healthStatus: "unhealthy" }), undefined],
  ])("%s → %s", (_what, event, expected) => {
    expect(endsService(event)).toBe(expected);
  });
});

describe("EndedContainers", () => {
  test("a died container is left out of a list that still shows it", () => {
    const ended = new EndedContainers();
    ended.observe(ev("die"));
    expect(ids(ended.filter(listed(A, B), (c) => c.id, ended.mark()))).toEqual([B]);
  });

  test("a later start of the same id wins", () => {
    const ended = new EndedContainers();
    ended.observe(ev("die"));
    ended.observe(ev("start"));
    expect(ids(ended.filter(listed(A), (c) => c.id, ended.mark()))).toEqual([A]);
  });

  test("is forgotten once a list requested after the event no longer shows the container", () => {
    const ended = new EndedContainers();
    ended.observe(ev("die"));
    ended.filter(listed(B), (c) => c.id, ended.mark());
    expect(ended.size).toBe(0);
  });

  test("is kept when the list was requested before the event: that list says nothing about it", () => {
    const ended = new EndedContainers();
    const before = ended.mark();
    ended.observe(ev("die"));
    expect(ids(ended.filter(listed(B), (c) => c.id, before))).toEqual([B]);
    expect(ended.has(A)).toBe(true);
    // And a stale list requested after the event is still overruled.
    expect(ids(ended.filter(listed(A, B), (c) => c.id, ended.mark()))).toEqual([B]);
  });

  test("destroy and clear forget", () => {
    const ended = new EndedContainers();
    ended.observe(ev("die"));
    ended.observe(ev("pause", B));
    ended.observe(ev("destroy"));
    expect([ended.has(A), ended.has(B)]).toEqual([false, true]);
    ended.clear();
    expect(ended.size).toBe(0);
  });
});
