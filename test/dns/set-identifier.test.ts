import fc from "fast-check";
import {
  DEFAULT_OWNER,
  OWNER_PATTERN,
  SET_IDENTIFIER_MAX_LENGTH,
  describeSlot,
  MAX_HTTP_CHECK_PATH_LENGTH,
  formatSetIdentifier,
  httpCheckPathProblem,
  isOwnedBy,
  parseSetIdentifier,
  srvSlot,
} from "../../dns/set-identifier";

describe("set identifiers", () => {
  test("formats owner, host id and slot separated by slashes", () => {
    expect(formatSetIdentifier({ owner: "ecsdns", hostId: "i-0abc", slot: "host" })).toBe("ecsdns/i-0abc/host");
  });

  test("without --owner the agent owns what the platform's agents and janitor own by default (README: dns_owner, ecsdns)", () => {
    expect(DEFAULT_OWNER).toBe("ecsdns");
    expect(OWNER_PATTERN.test(DEFAULT_OWNER)).toBe(true);
    expect(isOwnedBy(formatSetIdentifier({ owner: DEFAULT_OWNER, hostId: "i-0abc", slot: "host" }), "ecsdns")).toBe(true);
  });

  test("an SRV slot is the first 12 hex digits of the container id and the container port", () => {
    expect(srvSlot("3F2A9C1B7D4E5566778899aabbccddeeff00112233445566778899aabbccddee", 8080)).toBe("3f2a9c1b7d4e-8080");
    expect(describeSlot("3f2a9c1b7d4e-8080")).toEqual({ kind: "srv", containerIdPrefix: "3f2a9c1b7d4e", containerPort: 8080 });
  });

  test("an SRV slot may carry the container's HTTP check path, slashes written as dots", () => {
    expect(srvSlot("3f2a9c1b7d4e".padEnd(64, "0"), 8080, "/health")).toBe("3f2a9c1b7d4e-8080.health");
    expect(srvSlot("3f2a9c1b7d4e".padEnd(64, "0"), 8080, "/")).toBe("3f2a9c1b7d4e-8080.");
    expect(describeSlot("3f2a9c1b7d4e-8080.actuator.health")).toEqual({ kind: "srv", containerIdPrefix: "3f2a9c1b7d4e", containerPort: 8080, httpCheckPath: "/actuator/health" });
    expect(describeSlot("3f2a9c1b7d4e-8080.")).toMatchObject({ httpCheckPath: "/" });
  });

  test.each([
    ["/health?full=1", "a query"],
    ["/health.json", "a dot"],
    ["health", "no leading slash"],
    ["", "empty"],
    [`/${"a".repeat(MAX_HTTP_CHECK_PATH_LENGTH)}`, "too long"],
  ])("an HTTP check path the slot cannot carry is refused: %j (%s)", (path) => {
    expect(httpCheckPathProblem(path)).toMatch(/at most 22 characters/);
    expect(() => srvSlot("f".repeat(64), 8080, path)).toThrow(/HTTP check path/);
  });

  test("every SRV slot with a path that fits parses back, within the slot pattern older janitors accept", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9a-f]{64}$/), fc.integer({ min: 1, max: 65535 }), fc.stringMatching(/^(\/[A-Za-z0-9_-]{0,6}){1,4}$/), (id, port, path) => {
        fc.pre(httpCheckPathProblem(path) === undefined);
        const slot = srvSlot(id, port, path);
        expect(parseSetIdentifier(`ecsdns/i-0abc/${slot}`)?.slot).toBe(slot);
        expect(describeSlot(slot)).toEqual({ kind: "srv", containerIdPrefix: id.slice(0, 12), containerPort: port, httpCheckPath: path });
      }),
    );
  });

  test.each(["host", "fqdn-public", "fqdn-local"])("describes the %s slot", (slot) => {
    expect(describeSlot(slot)).toEqual({ kind: slot });
  });

  test("an unknown but well-formed slot still parses, so an older janitor recognizes newer records", () => {
    expect(parseSetIdentifier("ecsdns/i-0abc/future-slot")).toEqual({ owner: "ecsdns", hostId: "i-0abc", slot: "future-slot" });
    expect(describeSlot("future-slot")).toEqual({ kind: "unknown" });
  });

  test.each([
    ["", "empty"],
    ["ecsdns/i-0abc", "two parts"],
    ["ecsdns/i-0abc/host/extra", "four parts"],
    ["ECSDNS/i-0abc/host", "upper-case owner"],
    ["ecsdns//host", "empty host id"],
    ["ecsdns/i_0abc/host", "underscore in host id"],
    ["averyveryverylongowner1/i-0abc/host", "owner longer than 20"],
    ["ecsdns/i-0abc/", "empty slot"],
    ["ecsdns/i-0abc/slot with space", "space in slot"],
    [`ecsdns/${"h".repeat(65)}/host`, "host id longer than 64"],
    ["10.0.1.5", "ecsd's identifier (the host IP)"],
    ["ip-10-0-1-5.ec2.internal:8080", "ecsd's SRV identifier"],
  ])("rejects %j (%s)", (id) => {
    expect(parseSetIdentifier(id)).toBeUndefined();
  });

  test("parse inverts format for every valid owner, host id and slot", () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-z0-9-]{1,20}$/),
        fc.stringMatching(/^[A-Za-z0-9.-]{1,64}$/),
        fc.oneof(fc.constantFrom("host", "fqdn-public", "fqdn-local"), fc.tuple(fc.stringMatching(/^[0-9a-f]{64}$/), fc.integer({ min: 1, max: 65535 })).map(([id, p]) => srvSlot(id, p))),
        (owner, hostId, slot) => {
          const id = formatSetIdentifier({ owner, hostId, slot });
          expect(id.length).toBeLessThanOrEqual(SET_IDENTIFIER_MAX_LENGTH);
          expect(parseSetIdentifier(id)).toEqual({ owner, hostId, slot });
        },
      ),
    );
  });

  test("the longest identifier fits Route53's 128 characters", () => {
    const id = formatSetIdentifier({ owner: "o".repeat(20), hostId: "h".repeat(64), slot: srvSlot("f".repeat(64), 65535) });
    expect(id.length).toBe(104);
    const withPath = formatSetIdentifier({ owner: "o".repeat(20), hostId: "h".repeat(64), slot: srvSlot("f".repeat(64), 65535, `/${"p".repeat(MAX_HTTP_CHECK_PATH_LENGTH - 1)}`) });
    expect(withPath.length).toBe(126);
  });

  test("refuses to format an identifier it could not parse back", () => {
    expect(() => formatSetIdentifier({ owner: "Bad Owner", hostId: "i-0abc", slot: "host" })).toThrow(/not of the form/);
  });

  describe("ownership", () => {
    test("a record of our owner and host is ours", () => {
      expect(isOwnedBy("ecsdns/i-0abc/host", "ecsdns", "i-0abc")).toBe(true);
    });
    test("a record of another host with our owner is not ours (the janitor's job)", () => {
      expect(isOwnedBy("ecsdns/i-0def/host", "ecsdns", "i-0abc")).toBe(false);
      expect(isOwnedBy("ecsdns/i-0def/host", "ecsdns")).toBe(true);
    });
    test("a record of another owner is never ours", () => {
      expect(isOwnedBy("other/i-0abc/host", "ecsdns", "i-0abc")).toBe(false);
    });
    test("a host id that is a prefix of ours does not match", () => {
      expect(isOwnedBy("ecsdns/i-0ab/host", "ecsdns", "i-0abc")).toBe(false);
    });
    test("a record without a set identifier is never ours", () => {
      expect(isOwnedBy(undefined, "ecsdns", "i-0abc")).toBe(false);
    });
  });

  describe("patterns are anchored at both ends", () => {
    test.each([
      ["Ecsdns/i-0abc/host", "an upper-case letter first in the owner"],
      ["ecsdnS/i-0abc/host", "an upper-case letter last in the owner"],
      ["e_csdns/i-0abc/host", "an underscore inside the owner"],
      ["ecsdns/_i-0abc/host", "an underscore first in the host id"],
      ["ecsdns/i-0abc_/host", "an underscore last in the host id"],
      ["ecsdns/i-0abc/ host", "a space first in the slot"],
      ["ecsdns/i-0abc/host ", "a space last in the slot"],
      [`ecsdns/i-0abc/${"s".repeat(41)}`, "a slot longer than 40"],
      [`${"o".repeat(21)}/i-0abc/host`, "an owner longer than 20"],
    ])("rejects %j (%s)", (id) => {
      expect(parseSetIdentifier(id)).toBeUndefined();
    });

    test("the longest parts still parse: owner 20, host id 64, slot 40", () => {
      const parts = { owner: "o".repeat(20), hostId: "h".repeat(64), slot: "s".repeat(40) };
      expect(parseSetIdentifier(`${parts.owner}/${parts.hostId}/${parts.slot}`)).toEqual(parts);
      expect(parseSetIdentifier("o/h/s")).toEqual({ owner: "o", hostId: "h", slot: "s" });
    });

    test.each([
      ["x3f2a9c1b7d4e-8080", "a character before the id"],
      ["3f2a9c1b7d4e-8080x", "a character after the port"],
      ["3f2a9c1b7d4-8080", "11 hex digits"],
      ["3f2a9c1b7d4e5-8080", "13 hex digits"],
      ["3F2A9C1B7D4E-8080", "upper-case hex"],
      ["3f2a9c1b7d4e-", "no port"],
      ["3f2a9c1b7d4e-123456", "a port of 6 digits"],
      ["3f2a9c1b7d4e8080", "no dash"],
      ["3f2a9c1b7d4e-8080/health", "a path with a slash"],
    ])("an SRV slot with %j is unknown (%s)", (slot) => {
      expect(describeSlot(slot)).toEqual({ kind: "unknown" });
    });

    test("an SRV slot's port may have 1 to 5 digits", () => {
      expect(describeSlot("3f2a9c1b7d4e-1")).toEqual({ kind: "srv", containerIdPrefix: "3f2a9c1b7d4e", containerPort: 1 });
      expect(describeSlot("3f2a9c1b7d4e-65535")).toEqual({ kind: "srv", containerIdPrefix: "3f2a9c1b7d4e", containerPort: 65535 });
    });

    test("an SRV slot's path keeps every segment, empty ones too", () => {
      expect(describeSlot("3f2a9c1b7d4e-80.a..b_c-d")).toEqual({ kind: "srv", containerIdPrefix: "3f2a9c1b7d4e", containerPort: 80, httpCheckPath: "/a//b_c-d" });
    });

    test.each([
      ["x/health", "a character before the first slash"],
      ["/health x", "a space after the path"],
      ["/he alth", "a space inside"],
    ])("an HTTP check path %j is refused (%s)", (path) => {
      expect(httpCheckPathProblem(path)).toBeDefined();
    });

    test.each(["/", "/health", "/a/b", "/A-z_0", `/${"a".repeat(MAX_HTTP_CHECK_PATH_LENGTH - 1)}`])("an HTTP check path %j fits", (path) => {
      expect(httpCheckPathProblem(path)).toBeUndefined();
    });

    test("the longest path is what the slot pattern leaves after the longest head (12 hex, dash, 5 digits)", () => {
      expect(MAX_HTTP_CHECK_PATH_LENGTH).toBe(22);
      const slot = srvSlot("f".repeat(64), 65535, `/${"p".repeat(MAX_HTTP_CHECK_PATH_LENGTH - 1)}`);
      expect(slot).toHaveLength(40);
      expect(parseSetIdentifier(`o/h/${slot}`)?.slot).toBe(slot);
    });
  });

  test("every slash of a path becomes a dot in the slot", () => {
    expect(srvSlot("3f2a9c1b7d4e".padEnd(64, "0"), 8080, "/a/b/c")).toBe("3f2a9c1b7d4e-8080.a.b.c");
  });

  test("an SRV slot without a path has none, not an empty one", () => {
    expect(srvSlot("3f2a9c1b7d4e".padEnd(64, "0"), 80, undefined)).toBe("3f2a9c1b7d4e-80");
    expect(describeSlot("3f2a9c1b7d4e-80")).not.toHaveProperty("httpCheckPath");
  });

  test("refusing a path names it in the error", () => {
    expect(() => srvSlot("f".repeat(64), 8080, "/a b")).toThrow('HTTP check path "/a b": an HTTP check path must start with "/"');
  });

  test("refusing to format names the identifier", () => {
    expect(() => formatSetIdentifier({ owner: "ecsdns", hostId: "i-0abc", slot: "a/b" })).toThrow('set identifier "ecsdns/i-0abc/a/b" is not of the form <owner>/<hostId>/<slot>');
  });
});
