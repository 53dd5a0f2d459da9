import { decideDockerRequest } from "../../../agent/docker-proxy/allow-list";

describe("the Docker proxy's allow-list", () => {
  test.each([
    ["GET", "/containers/json"],
    ["GET", "/v1.41/containers/json?all=1&filters=%7B%22label%22%3A%5B%22a%3Db%22%5D%7D"],
    ["GET", "/containers/3f2a9c1b7d4e/json"],
    ["GET", "/v1.47/containers/my-web_1.blue/json?size=false"],
    ["HEAD", "/_ping"],
    ["GET", "/events"],
    ["GET", "/v1.41/events?since=1700000000&filters=%7B%22type%22%3A%5B%22container%22%5D%7D"],
  ])("lets through %s %s (what the agent asks: list, inspect, events)", (method, url) => {
    expect(decideDockerRequest(method, url)).toEqual({ allowed: true });
  });

  test.each([
    ["POST", "/containers/create", "method POST"],
    ["POST", "/v1.41/containers/create?name=x", "method POST"],
    ["POST", "/containers/abc/kill", "method POST"],
    ["POST", "/containers/abc/exec", "method POST"],
    ["DELETE", "/containers/abc", "method DELETE"],
    ["PUT", "/containers/abc/archive?path=/", "method PUT"],
    ["GET", "/containers/abc/archive?path=/etc", "/containers/abc/archive is not allowed"],
    ["GET", "/containers/abc/export", "/containers/abc/export is not allowed"],
    ["GET", "/containers/abc/logs?stdout=1", "/containers/abc/logs is not allowed"],
    ["GET", "/images/json", "/images/json is not allowed"],
    ["GET", "/info", "/info is not allowed"],
    ["GET", "/containers/../images/json", "not allowed"],
    ["GET", "/containers/abc/../../images/json", "not allowed"],
    ["GET", "/containers/abc%2F..%2F..%2Fimages/json", "not allowed"],
    ["GET", "//containers/json", "not allowed"],
    ["GET", "/containers/json/", "not allowed"],
    ["GET", "/v1.41/../containers/json", "not allowed"],
    ["GET", "/containers/json?all=1#x", "query string"],
    ["GET", "/containers/json?all=1 HTTP/1.1", "query string"],
    ["CONNECT", "/containers/json", "method CONNECT"],
    [undefined, "/containers/json", "method (none)"],
  ])("refuses %s %s", (method, url, reason) => {
    const decision = decideDockerRequest(method, url);
    expect(decision.allowed).toBe(false);
    expect(decision.allowed === false && decision.reason).toContain(reason);
  });
});
