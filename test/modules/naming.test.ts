import { boundedName, hashedName, shortHash } from "../../modules/naming";

describe("shortHash", () => {
  test("is six hex characters, the same for the same parts", () => {
    // GIVEN / WHEN
    const hash = shortHash("shop-dev", "api", 8080);
    // THEN
    expect(hash).toMatch(/^[0-9a-f]{6}$/);
    expect(shortHash("shop-dev", "api", 8080)).toBe(hash);
  });

  test("tells parts apart from their concatenation", () => {
    // GIVEN / WHEN / THEN
    expect(shortHash("ab", "c")).not.toBe(shortHash("a", "bc"));
    expect(shortHash("shop-dev", "api", 8080)).not.toBe(shortHash("shop-dev", "api", 8081));
  });
});

describe("boundedName", () => {
  test("joins the parts with - when that fits, skipping empty parts", () => {
    // GIVEN / WHEN / THEN
    expect(boundedName(["shop-dev", "", "alb"], 32)).toBe("shop-dev-alb");
  });

  test("keeps a name of exactly the limit as it is", () => {
    // GIVEN
    const parts = ["a".repeat(16), "b".repeat(15)];
    // WHEN / THEN
    expect(boundedName(parts, 32)).toBe(`${"a".repeat(16)}-${"b".repeat(15)}`);
  });

  test("cuts a longer name to the limit and suffixes a hash of the whole, so distinct inputs stay distinct", () => {
    // GIVEN
    const long = ["a-long-resource-tag-for-tests", "production-eu"];
    const similar = ["a-long-resource-tag-for-tests", "production-us"];
    // WHEN
    const name = boundedName(long, 32);
    // THEN
    expect(name).toHaveLength(32);
    expect(name).toMatch(/^a-long-resource-tag-for-t-[0-9a-f]{6}$/);
    expect(boundedName(similar, 32)).not.toBe(name);
    expect(boundedName(long, 32)).toBe(name);
  });

  test("never leaves a double hyphen before the hash when the cut ends on a hyphen", () => {
    // GIVEN: 41 characters; the cut at 25 falls just after the "-"
    const parts = ["abcdefghijklmnopqrstuvwx", "yz-and-some-more"];
    // WHEN
    const name = boundedName(parts, 32);
    // THEN
    expect(name).toMatch(/^abcdefghijklmnopqrstuvwx-[0-9a-f]{6}$/);
  });
});

describe("hashedName", () => {
  test("always carries a hash of hashOf, within the limit", () => {
    // GIVEN / WHEN
    const name = hashedName(["shop-dev", "api"], ["shop-dev", "api", 8080], 32);
    // THEN
    expect(name).toBe(`shop-dev-api-${shortHash("shop-dev", "api", 8080)}`);
  });

  test("changes when a hashed value changes, though the readable part does not", () => {
    // GIVEN / WHEN / THEN
    expect(hashedName(["shop-dev", "api"], ["shop-dev", "api", 8080], 32)).not.toBe(
      hashedName(["shop-dev", "api"], ["shop-dev", "api", 8081], 32),
    );
  });

  test("cuts the readable part so the whole fits, without a hyphen before the hash's own", () => {
    // GIVEN
    const parts = ["a-very-long-resource-tag-production", "orders-service-with-a-long-name"];
    // WHEN
    const name = hashedName(parts, [...parts, 80], 32);
    // THEN
    expect(name.length).toBeLessThanOrEqual(32);
    expect(name).toMatch(/^[a-z0-9-]*[a-z0-9]-[0-9a-f]{6}$/);
  });
});
