/**
 * The agent's own token bucket in front of its Route53 calls (issue 15):
 * `burst` calls at once, then one per `refillMs`; `release()` for the last
 * call at exit. Driven by a hand-set clock; the waits are jest's fake timers.
 */
import { InMemoryRoute53 } from "../../../dns/memory/in-memory-dns";
import { RateLimitedRoute53Api } from "../../../dns/route53/rate-limited-api";
import { ZONE } from "../helpers/fixtures";

let now = 0;

beforeEach(() => {
  jest.useFakeTimers();
  now = 0;
});

afterEach(() => {
  jest.useRealTimers();
});

function bucket(burst: number, refillMs: number) {
  const r53 = new InMemoryRoute53();
  const zoneId = r53.createZone(ZONE);
  const api = new RateLimitedRoute53Api(r53, { burst, refillMs, now: () => now });
  const list = () => api.listRecordSets({ zoneId, maxItems: 1 });
  return { r53, api, list };
}

/** Advances the hand-set clock and jest's timers together. */
async function advance(ms: number): Promise<void> {
  now += ms;
  await jest.advanceTimersByTimeAsync(ms);
}

test("the installed defaults (2 calls, one back every 30 s): two calls go at once, the third waits 30 s", async () => {
  const { r53, api, list } = bucket(2, 30_000);
  await list();
  await list();
  expect(api.readyAt()).toBe(30_000);
  let third = false;
  const pending = list().then(() => (third = true));
  await advance(29_999);
  expect(third).toBe(false);
  expect(r53.calls.list).toBe(2);
  await advance(1);
  await pending;
  expect(r53.calls.list).toBe(3);
});

test("a full bucket earns nothing more: after a long quiet time, still only `burst` calls go at once", async () => {
  const { api, list } = bucket(2, 30_000);
  await advance(600_000);
  await list();
  await list();
  expect(api.readyAt()).toBe(630_000);
});

test("release() lets every later call go at once (the deregistration at exit)", async () => {
  const { r53, api, list } = bucket(1, 30_000);
  await list();
  api.release();
  expect(api.readyAt()).toBe(-Infinity);
  await list();
  await list();
  expect(r53.calls.list).toBe(3);
});

test("burst 0 is no bucket", async () => {
  const { r53, api, list } = bucket(0, 30_000);
  for (let i = 0; i < 10; i++) await list();
  expect(r53.calls.list).toBe(10);
  expect(api.readyAt()).toBe(-Infinity);
});

test("an aborted wait ends the call with the abort, without a call to Route53", async () => {
  const { r53, api } = bucket(1, 30_000);
  const zoneId = r53.createZone(`other.${ZONE}`);
  await api.listRecordSets({ zoneId, maxItems: 1 });
  const abort = new AbortController();
  const waiting = api.listRecordSets({ zoneId, maxItems: 1 }, abort.signal);
  abort.abort();
  await expect(waiting).rejects.toThrow();
  expect(r53.calls.list).toBe(1);
});
