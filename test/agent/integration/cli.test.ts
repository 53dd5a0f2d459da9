/**
 * The command line without AWS or Docker.
 */
import { AGENT_PROGRAM } from "../../../agent/config";
import { optionsOf } from "../../../cli/options";
import { AgentProcess } from "../helpers/agent-process";

jest.setTimeout(60_000);

afterAll(() => AgentProcess.killAll());

test("--help works with no AWS and no Docker, and documents every flag", async () => {
  const agent = AgentProcess.startBare(["--help"], { HOME: process.env.HOME });
  expect(await agent.exited).toBe(0);
  const help = agent.lines.map((l) => l.msg).join("\n");
  for (const flag of ["zone-id", "zone-name", "host-id", "host-ip", "host-public-ip", "ttl", "resync-seconds", "once", "dry-run", "policy", "deregister-on-exit", "metrics-port", "owner"]) {
    expect(help).toContain(`--${flag}`);
  }
  expect(optionsOf(AGENT_PROGRAM).every(([name]) => help.includes(`--${name}`))).toBe(true);
});

test("bad flags exit 2 before any AWS or Docker call, naming every problem", async () => {
  const agent = AgentProcess.startBare(["--zone-id", "nope", "--ttl", "soon", "--policy", "all"], {
    HOME: process.env.HOME,
    DOCKER_HOST: "unix:///nonexistent/docker.sock",
    AWS_ENDPOINT_URL: "http://127.0.0.1:9",
  });
  expect(await agent.exited).toBe(2);
  expect(agent.stderr).toContain('--zone-id: expected a hosted zone id like Z0123456789ABCDEFGHIJ (got "nope")');
  expect(agent.stderr).toContain('--ttl: expected seconds, a whole number 0-2147483647 (got "soon")');
  expect(agent.stderr).toContain('--policy: expected one of sync, upsert-only (got "all")');
});

test("off EC2 without --host-id and --host-ip the agent says which flags to pass", async () => {
  const agent = AgentProcess.startBare(["--zone-id", "Z123", "--zone-name", "example.test"], {
    HOME: process.env.HOME,
    AWS_EC2_METADATA_SERVICE_ENDPOINT: "http://127.0.0.1:9",
  });
  expect(await agent.exited).toBe(2);
  expect(agent.lines).toContainEqual(expect.objectContaining({ level: "error", problem: expect.stringContaining("pass --host-id and --host-ip off EC2") }));
});
