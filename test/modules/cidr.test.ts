import { subnetCidr24 } from "../../modules/cidr";

describe("subnetCidr24", () => {
  test.each([
    ["10.10.0.0/16", 0, "10.10.0.0/24"],
    ["10.10.0.0/16", 3, "10.10.3.0/24"],
    ["10.10.0.0/16", 255, "10.10.255.0/24"],
    ["172.16.0.0/12", 17, "172.16.17.0/24"],
    ["172.16.0.0/12", 256, "172.17.0.0/24"],
    ["192.168.4.0/22", 3, "192.168.7.0/24"],
    ["10.0.0.0/8", 65535, "10.255.255.0/24"],
    ["203.0.113.0/24", 0, "203.0.113.0/24"],
  ])("gives the /24 number i inside %s like cidrsubnet: %s, %p → %s", (vpc, index, expected) => {
    // GIVEN / WHEN / THEN
    expect(subnetCidr24(vpc, index)).toBe(expected);
  });

  test("handles addresses above 128.0.0.0 (no sign overflow)", () => {
    // GIVEN / WHEN / THEN
    expect(subnetCidr24("192.168.0.0/16", 200)).toBe("192.168.200.0/24");
    expect(subnetCidr24("255.255.0.0/16", 255)).toBe("255.255.255.0/24");
  });

  test("uses the network address when the CIDR has host bits set", () => {
    // GIVEN / WHEN / THEN
    expect(subnetCidr24("10.10.5.7/16", 1)).toBe("10.10.1.0/24");
  });

  test.each([
    ["10.10.0.0/16", 256],
    ["10.10.0.0/23", 2],
    ["10.10.0.0/16", -1],
    ["10.10.0.0/16", 1.5],
  ])("fails when %p has no /24 number %s, naming cidrBlock and the subnet", (vpc, index) => {
    // GIVEN / WHEN / THEN
    expect(() => subnetCidr24(vpc as string, index as number)).toThrow(`cidrBlock ${vpc} holds`);
    expect(() => subnetCidr24(vpc as string, index as number)).toThrow(`subnet ${index} does not fit`);
  });

  test("fails for something that is not an IPv4 CIDR, naming cidrBlock", () => {
    // GIVEN / WHEN / THEN
    expect(() => subnetCidr24("10.10.0.0", 0)).toThrow("subnetCidr24: cidrBlock must be an IPv4 CIDR such as 10.10.0.0/16, got '10.10.0.0'");
  });

  test("fails for a network smaller than a /24", () => {
    // GIVEN / WHEN / THEN
    expect(() => subnetCidr24("10.10.0.0/25", 0)).toThrow("subnetCidr24: cidrBlock 10.10.0.0/25 is smaller than a /24");
  });
});
