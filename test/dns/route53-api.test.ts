/**
 * How the Route53 adapter classifies what the API throws: a rejected change
 * batch is split and repaired (dns/route53/change-submitter.ts), throttling is
 * counted and retried, anything else fails the pass. Errors are shaped the
 * way the AWS SDK v3 throws them: a service exception's `name` is Route53's
 * error code and InvalidChangeBatch carries `messages`; a Node network error
 * has `name` "Error" and a `code` such as ECONNREFUSED.
 */
import { errorCode } from "../../dns/error-code";
import { Route53ApiError, THROTTLING_CODES, errorMessages, isBatchRejection, isThrottling } from "../../dns/route53/route53-api";

/** A Node socket error, as `net` raises it. */
function networkError(code: string): Error {
  return Object.assign(new Error(`connect ${code} 127.0.0.1:1`), { code });
}

describe("error codes", () => {
  test("an SDK or fake error is named by its Route53 code", () => {
    expect(errorCode(new Route53ApiError("Throttling", "Rate exceeded"))).toBe("Throttling");
    expect(errorCode({ name: "NoSuchHostedZone", $fault: "client" })).toBe("NoSuchHostedZone");
  });

  test("a network error is named by its Node code, not by its class name", () => {
    expect(errorCode(networkError("ECONNREFUSED"))).toBe("ECONNREFUSED");
  });

  test("an empty or non-string code falls back to the name", () => {
    expect(errorCode({ name: "AccessDenied", code: "" })).toBe("AccessDenied");
    expect(errorCode({ name: "AccessDenied", code: 403 })).toBe("AccessDenied");
  });

  test.each([[undefined], [null], ["Throttling"], [42], [{}], [{ name: 7 }]])("%j has no code: Unknown", (thrown) => {
    expect(errorCode(thrown)).toBe("Unknown");
  });

  test("a class thrown by mistake (`throw Route53ApiError`, without `new`) is no error: Unknown, not its class name", () => {
    expect(errorCode(Route53ApiError)).toBe("Unknown");
    expect(errorCode(class Throttling {})).toBe("Unknown");
  });
});

describe("throttling", () => {
  // PriorRequestNotComplete: "If Amazon Route 53 can't process a request before the next request arrives, it will
  // reject subsequent requests for the same hosted zone ... we recommend that you wait, in intervals of increasing
  // duration, before you try the request again" (API reference, ChangeResourceRecordSets, Errors).
  test.each(["Throttling", "ThrottlingException", "PriorRequestNotComplete"])("%s is throttling", (code) => {
    expect(isThrottling(new Route53ApiError(code, "slow down"))).toBe(true);
  });

  test("exactly those three codes", () => {
    expect([...THROTTLING_CODES].sort()).toEqual(["PriorRequestNotComplete", "Throttling", "ThrottlingException"]);
  });

  test.each([["InvalidChangeBatch"], ["NoSuchHostedZone"], ["ECONNRESET"]])("%s is not throttling", (code) => {
    expect(isThrottling(code.startsWith("E") ? networkError(code) : new Route53ApiError(code, "no"))).toBe(false);
  });

  test("an error without a code is not throttling", () => {
    expect(isThrottling(new Error("boom"))).toBe(false);
    expect(isThrottling(undefined)).toBe(false);
  });
});

describe("rejected change batches", () => {
  test("InvalidChangeBatch is a rejection, and moto's InvalidInput for a DELETE that does not match", () => {
    expect(isBatchRejection(new Route53ApiError("InvalidChangeBatch", "rejected", ["Tried to delete resource record set ... but it was not found"]))).toBe(true);
    expect(isBatchRejection(new Route53ApiError("InvalidInput", "Invalid request"))).toBe(true);
  });

  test.each([["Throttling"], ["PriorRequestNotComplete"], ["NoSuchHostedZone"], ["AccessDenied"], ["Unknown"]])("%s is not a rejection: the pass fails and is retried whole", (code) => {
    expect(isBatchRejection(new Route53ApiError(code, "no"))).toBe(false);
  });

  test("a network error is not a rejection", () => {
    expect(isBatchRejection(networkError("ECONNREFUSED"))).toBe(false);
  });
});

describe("error messages", () => {
  test("InvalidChangeBatch's list of messages, every one, in order", () => {
    const error = new Route53ApiError("InvalidChangeBatch", "[first, second]", ["first", "second"]);
    expect(errorMessages(error)).toEqual(["first", "second"]);
  });

  test("an empty list of messages falls back to the error's message", () => {
    expect(errorMessages(new Route53ApiError("InvalidChangeBatch", "the whole batch", []))).toEqual(["the whole batch"]);
  });

  test("an error without a list gives its message", () => {
    expect(errorMessages(new Route53ApiError("InvalidInput", "Invalid request"))).toEqual(["Invalid request"]);
    expect(errorMessages({ messages: "not a list", message: "plain" })).toEqual(["plain"]);
  });

  test("list entries that are not strings are written out", () => {
    expect(errorMessages({ messages: [404, "gone"] })).toEqual(["404", "gone"]);
  });

  test("anything thrown that has no message is written out whole", () => {
    expect(errorMessages("a string was thrown")).toEqual(["a string was thrown"]);
    expect(errorMessages(undefined)).toEqual(["undefined"]);
    expect(errorMessages(null)).toEqual(["null"]);
    expect(errorMessages({ message: 5 })).toEqual(["[object Object]"]);
  });

  test("the fake's error looks like the SDK's: an Error named by its code, with its messages", () => {
    const error = new Route53ApiError("InvalidChangeBatch", "rejected", ["one"]);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe("InvalidChangeBatch");
    expect(error.message).toBe("rejected");
    expect(error.messages).toEqual(["one"]);
    expect(new Route53ApiError("Throttling", "Rate exceeded").messages).toBeUndefined();
  });
});
