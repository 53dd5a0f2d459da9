import { isInZone, isIpv4, isValidDnsName, normalizeName, normalizeValue, recordKey, sameContent } from "../../dns/records";
import { aRecord, srvRecord } from "../agent/helpers/fixtures";

describe("record helpers", () => {
  test("normalizes names to lower case with one trailing dot", () => {
    expect(normalizeName("Echo.Example.COM")).toBe("echo.example.com.");
    expect(normalizeName("echo.example.com.")).toBe("echo.example.com.");
  });

  test("SRV values compare equal with or without the target's trailing dot and case", () => {
    expect(normalizeValue("SRV", "1 1 32768 I-0abc.Zone")).toBe(normalizeValue("SRV", "1  1 32768 i-0abc.zone."));
  });

  test("A values are compared as written", () => {
    expect(normalizeValue("A", " 10.0.0.1 ")).toBe("10.0.0.1");
  });

  test("the key is name, type and set identifier", () => {
    expect(recordKey(aRecord("a.z.", "o/h/host", "10.0.0.1"))).toBe("a.z. A o/h/host");
    expect(recordKey({ name: "a.z.", type: "A" })).toBe("a.z. A ");
  });

  test("same content ignores value order and SRV target spelling", () => {
    const a = { ...aRecord("a.z.", "o/h/x", "10.0.0.1"), values: ["10.0.0.1", "10.0.0.2"] };
    const b = { ...a, values: ["10.0.0.2", "10.0.0.1"] };
    expect(sameContent(a, b)).toBe(true);
    expect(sameContent(srvRecord("s.z.", "o/h/x", "1 1 80 h.z"), srvRecord("s.z.", "o/h/x", "1 1 80 h.z."))).toBe(true);
  });

  test("same content notices TTL, value and routing changes", () => {
    const a = aRecord("a.z.", "o/h/x", "10.0.0.1");
    expect(sameContent(a, { ...a, ttlSeconds: 60 })).toBe(false);
    expect(sameContent(a, { ...a, values: ["10.0.0.9"] })).toBe(false);
    expect(sameContent(a, { ...a, routing: "other" })).toBe(false);
  });

  test.each([
    ["echo.svc.internal", true],
    ["_calc._tcp.svc.internal.", true],
    ["Echo.Svc.Internal", true],
    ["", false],
    ["a..b", false],
    ["-bad.zone", false],
    ["bad-.zone", false],
    ["sp ace.zone", false],
    ["star.*.zone", false],
    [`${"a".repeat(64)}.zone`, false],
    [`${"a".repeat(63)}.zone`, true],
    [Array.from({ length: 64 }, () => "abc").join("."), false],
  ])("isValidDnsName(%j) is %s", (name, valid) => {
    expect(isValidDnsName(name)).toBe(valid);
  });

  test.each([
    ["echo.svc.internal", "svc.internal", true],
    ["svc.internal.", "svc.internal", true],
    ["echo.other.internal", "svc.internal", false],
    ["echosvc.internal", "svc.internal", false],
  ])("isInZone(%j, %j) is %s (label boundary, not a string suffix)", (name, zone, inside) => {
    expect(isInZone(name, zone)).toBe(inside);
  });

  test.each([
    ["10.0.0.1", true],
    ["255.255.255.255", true],
    ["256.0.0.1", false],
    ["10.0.0", false],
    ["010.0.0.1", false],
    ["not-an-ip", false],
  ])("isIpv4(%j) is %s", (value, valid) => {
    expect(isIpv4(value)).toBe(valid);
  });
});
