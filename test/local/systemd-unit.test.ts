import { execStart, parseUnit, serviceEnvironment, timeSpanMs } from "../../scripts/local/systemd-unit";
import { installedAgentFromUserData, localAgentCommand, unitsFromUserData } from "../../scripts/local/installed-agent";

const unit = (service: string) => parseUnit(`[Unit]\nDescription=x\n\n[Service]\n${service}\n`);

describe("systemd unit syntax", () => {
  test("ExecStart splits on whitespace; quotes wrap a word and are removed; escapes and %% are decoded", () => {
    expect(execStart(unit(`ExecStart=/usr/bin/node-22 --max-semi-space-size=1 "/opt/my app/agent.js" 'a b' c\\ d 100%%`), {})).toEqual([
      "/usr/bin/node-22", "--max-semi-space-size=1", "/opt/my app/agent.js", "a b", "c d", "100%",
    ]);
  });

  test("ExecStart substitutes ${VAR} in place and splits a bare $VAR into words, as systemd does", () => {
    const env = { FLAGS: "--a  --b", ZONE: "Z1" };
    expect(execStart(unit("ExecStart=/bin/x --zone=${ZONE} $FLAGS \"$FLAGS\" $$HOME"), env)).toEqual(["/bin/x", "--zone=Z1", "--a", "--b", "$FLAGS", "$HOME"]);
  });

  test("refuses what it would run differently from systemd: other specifiers, prefixes, relative commands, several ExecStart", () => {
    expect(() => execStart(unit("ExecStart=/bin/x %h"), {})).toThrow("specifier %h");
    expect(() => execStart(unit("ExecStart=-/bin/x"), {})).toThrow("prefixes");
    expect(() => execStart(unit("ExecStart=node x.js"), {})).toThrow("absolute path");
    expect(() => execStart(unit("ExecStart=/bin/x\nExecStart=/bin/y"), {})).toThrow("found 2");
  });

  test("Environment= lines, several assignments each, quoted values; an empty Environment= resets", () => {
    expect(serviceEnvironment(unit('Environment=A=1 "B=two words"\nEnvironment=C=3'))).toEqual({ A: "1", B: "two words", C: "3" });
    expect(serviceEnvironment(unit("Environment=A=1\nEnvironment=\nEnvironment=C=3"))).toEqual({ C: "3" });
    expect(() => serviceEnvironment(unit("Environment=NOEQUALS"))).toThrow("is not NAME=value");
  });

  test("comments and continuation lines", () => {
    expect(execStart(unit("# a comment\n; another\nExecStart=/bin/x \\\n  --flag"), {})).toEqual(["/bin/x", "--flag"]);
  });

  test.each([["2", 2000], ["500ms", 500], ["2s", 2000], ["1min 30s", 90_000], ["1h", 3_600_000]])("time span %s is %d ms", (text, ms) => {
    expect(timeSpanMs(text)).toBe(ms);
  });
});

const userData = `#!/bin/bash
for attempt in 1 2 3 4 5; do aws s3 cp --only-show-errors --region us-east-1 s3://shop-artifacts-1/agent/ABC/agent.js /opt/ecsdns/agent.js && break; sleep 10; done
cat > /etc/systemd/system/ecsdns-agent.service <<'UNIT'
[Unit]
Description=agent

[Service]
Environment=AWS_REGION=us-east-1
ExecStart=/usr/bin/node-22 --max-semi-space-size=1 /opt/ecsdns/agent.js --zone-id Z1 --zone-name svc.internal
Restart=always
RestartSec=2
TimeoutStopSec=30
DynamicUser=yes
UNIT
systemctl enable --now ecsdns-agent.service
`;

describe("the installed agent, read from user data", () => {
  test("finds the unit, the bundle's S3 object and where the host installs it", () => {
    const agent = installedAgentFromUserData(userData);
    expect(agent).toMatchObject({ unitName: "ecsdns-agent.service", bundleSource: { bucket: "shop-artifacts-1", key: "agent/ABC/agent.js" }, installPath: "/opt/ecsdns/agent.js" });
  });

  test("runs the unit's ExecStart with only the node binary and the bundle's path swapped, and the unit's environment and restart policy", () => {
    const command = localAgentCommand(installedAgentFromUserData(userData), { node: "/cache/node", bundle: "/tmp/agent.js", hostEnv: { DOCKER_HOST: "unix:///d.sock" } });
    expect(command.command).toBe("/cache/node");
    expect(command.args).toEqual(["--max-semi-space-size=1", "/tmp/agent.js", "--zone-id", "Z1", "--zone-name", "svc.internal"]);
    expect(command.env).toEqual({ PATH: expect.any(String), LANG: "C.UTF-8", HOME: "/", AWS_REGION: "us-east-1", DOCKER_HOST: "unix:///d.sock" });
    expect(command.restart).toEqual({ policy: "always", delayMs: 2000, stopTimeoutMs: 30_000 });
  });

  test("refuses user data without an agent unit, or whose unit does not run the fetched bundle", () => {
    expect(() => installedAgentFromUserData("#!/bin/bash\necho hi\n")).toThrow("writes no systemd service unit");
    expect(() => installedAgentFromUserData(userData.replace("/opt/ecsdns/agent.js --zone-id", "/opt/other.js --zone-id"))).toThrow("no unit runs the fetched bundle /opt/ecsdns/agent.js");
  });

  test("finds the agent's unit among several, whatever their order, and lists them all", () => {
    // GIVEN a handler unit written before the agent's
    const handler = "cat > /etc/systemd/system/ecsdns-agent-failed.service <<'UNIT'\n[Service]\nType=oneshot\nExecStart=/opt/ecsdns/agent-failed.sh\nUNIT\n";
    const withHandler = userData.replace("cat > /etc/systemd/system/ecsdns-agent.service", `${handler}cat > /etc/systemd/system/ecsdns-agent.service`);
    // WHEN
    const agent = installedAgentFromUserData(withHandler);
    // THEN
    expect(agent.unitName).toBe("ecsdns-agent.service");
    expect(agent.units.map((u) => u.unitName)).toEqual(["ecsdns-agent-failed.service", "ecsdns-agent.service"]);
    expect(unitsFromUserData(withHandler)[0].unitText).toBe("[Service]\nType=oneshot\nExecStart=/opt/ecsdns/agent-failed.sh");
  });
});
