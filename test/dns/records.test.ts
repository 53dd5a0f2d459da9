import { EMPTY_CHANGES, changeCount, compareKeys, isInZone, isIpv4, isValidDnsName, normalizeName, normalizeValue, recordKey, sameContent, sortRecords } from "../../dns/records";
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
    expect(sameContent(b, a)).toBe(true);
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
    ["0.0.0.0", true],
    ["199.249.200.9", true],
    ["249.150.0.1", true],
    ["200.0.0.1", true],
    ["1.2.3.4", true],
    ["10.150.250.255", true],
    // Two-digit octets in every place, and no leading zero or stray character in the last three.
    ["10.20.30.99", true],
    ["99.10.0.1", true],
    ["10.0.0.01", false],
    ["10.0.01.1", false],
    ["10.0.0.x1", false],
    ["10.0.0.1 ", false],
    ["10.0.0", false],
    ["010.0.0.1", false],
    ["not-an-ip", false],
    // Both anchors: the same function validates --host-ip.
    ["10.0.0.1junk", false],
    ["junk10.0.0.1", false],
    ["10.0.0.1.5", false],
    ["10.0.0.256", false],
    ["10.0.0.260", false],
    ["10.0.0.300", false],
  ])("isIpv4(%j) is %s", (value, valid) => {
    expect(isIpv4(value)).toBe(valid);
  });

  describe("change counts", () => {
    const created = aRecord("new.z.", "o/h/x", "10.0.0.1");
    const deleted = aRecord("old.z.", "o/h/x", "10.0.0.2");
    const updated = { from: deleted, to: { ...deleted, ttlSeconds: 60 } };

    test("a container swap (one create and one delete in the same pass) is two changes, not none", () => {
      expect(changeCount({ create: [created], update: [], delete: [deleted] })).toBe(2);
    });

    test("every kind of change counts once", () => {
      expect(changeCount({ create: [created], update: [updated], delete: [deleted] })).toBe(3);
      expect(changeCount({ create: [], update: [updated], delete: [deleted, created] })).toBe(3);
      expect(changeCount(EMPTY_CHANGES)).toBe(0);
    });
  });

  describe("value comparison", () => {
    const two = { ...aRecord("a.z.", "o/h/x", "10.0.0.1"), values: ["10.0.0.1", "10.0.0.2"] };

    test("every value must match, not only some", () => {
      expect(sameContent(two, { ...two, values: ["10.0.0.1", "10.0.0.9"] })).toBe(false);
      expect(sameContent(two, { ...two, values: ["10.0.0.9", "10.0.0.2"] })).toBe(false);
    });

    test("a value more or less is a difference", () => {
      expect(sameContent(two, { ...two, values: ["10.0.0.1"] })).toBe(false);
      expect(sameContent({ ...two, values: ["10.0.0.1"] }, two)).toBe(false);
      expect(sameContent(two, { ...two, values: [...two.values, "10.0.0.2"] })).toBe(false);
    });

    test("an alias record never has the same content as one with values", () => {
      expect(sameContent({ ...two, alias: true }, two)).toBe(false);
      expect(sameContent(two, { ...two, alias: true })).toBe(false);
      expect(sameContent({ ...two, alias: true }, { ...two, alias: true })).toBe(true);
    });

    test("an SRV value with another field count is compared as written", () => {
      expect(normalizeValue("SRV", "1 1 80 Host.Zone extra")).toBe("1 1 80 Host.Zone extra");
      expect(normalizeValue("SRV", "1 1 80")).toBe("1 1 80");
    });

    test("only SRV targets are normalized: other types keep their case", () => {
      expect(normalizeValue("TXT", "1 1 80 Host.Zone")).toBe("1 1 80 Host.Zone");
      expect(normalizeValue("CNAME", "Host.Zone")).toBe("Host.Zone");
    });
  });

  describe("names", () => {
    test("surrounding spaces are not part of a name", () => {
      expect(normalizeName(" Echo.Zone ")).toBe("echo.zone.");
      expect(normalizeName("echo.zone. ")).toBe("echo.zone.");
    });

    test("a name of exactly 253 characters is valid, 254 is not", () => {
      const name = (length: number) => ["a".repeat(61), "b".repeat(61), "c".repeat(61), "d".repeat(61), "e".repeat(length - 4 * 62)].join(".");
      expect(name(253)).toHaveLength(253);
      expect(isValidDnsName(name(253))).toBe(true);
      expect(isValidDnsName(`${name(253)}.`)).toBe(true);
      expect(isValidDnsName(name(254))).toBe(false);
    });

    test.each([
      ["a", true],
      ["_a", true],
      ["a_", true],
      ["a-b", true],
      ["a.", true],
      ["-", false],
      ["a.-", false],
      ["a$.zone", false],
      ["$a.zone", false],
      ["a.b$", false],
      [".", false],
      ["a/b.zone", false],
    ])("label rules: isValidDnsName(%j) is %s", (name, valid) => {
      expect(isValidDnsName(name)).toBe(valid);
    });

    test("the zone apex is in the zone, and any case or trailing dot spelling of it", () => {
      expect(isInZone("Svc.Internal", "svc.internal.")).toBe(true);
      expect(isInZone("svc.internal", "SVC.INTERNAL")).toBe(true);
      expect(isInZone("a.b.svc.internal", "Svc.Internal")).toBe(true);
      expect(isInZone("internal", "svc.internal")).toBe(false);
    });
  });

  describe("order", () => {
    test("records sort by key and the input is not changed", () => {
      const b = aRecord("b.z.", "o/h/x", "10.0.0.1");
      const a1 = aRecord("a.z.", "o/h/y", "10.0.0.1");
      const a0 = aRecord("a.z.", "o/h/x", "10.0.0.1");
      const input = [b, a1, a0];
      expect(sortRecords(input)).toEqual([a0, a1, b]);
      expect(input).toEqual([b, a1, a0]);
    });

    test("keys compare as plain strings", () => {
      expect(compareKeys("a", "b")).toBe(-1);
      expect(compareKeys("b", "a")).toBe(1);
      expect(compareKeys("a", "a")).toBe(0);
      expect(compareKeys("B", "a")).toBe(-1);
    });
  });
});
