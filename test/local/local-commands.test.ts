/**
 * What the local commands decide before they touch an emulator: their
 * command line, and how they read Terraform's plan output.
 */
import { execFile } from "node:child_process";
import { appendFileSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { emulatorNotes } from "../../scripts/local/local";
import { errorSummary } from "../deploy/helpers/local-commands";

const root = resolve(__dirname, "..", "..");
const tsx = join(root, "node_modules", ".bin", "tsx");

/** `local.ts <args>`: exit code and stderr, with no emulator on the way. */
async function local(args: string[], port = "1", extraEnv: Record<string, string> = {}): Promise<{ code: number; stderr: string }> {
  try {
    await promisify(execFile)(tsx, [join(root, "scripts", "local", "local.ts"), ...args], { cwd: root, env: { ...process.env, LOCAL_EMULATOR_PORT: port, ...extraEnv } });
    return { code: 0, stderr: "" };
  } catch (e) {
    const failed = e as { code: number; stderr: string };
    return { code: failed.code, stderr: failed.stderr };
  }
}

describe("errorSummary (what a failed lifecycle step prints first)", () => {
  const failed = (output: string) => ({ code: 1, output, ms: 1 });

  test("Terraform's error lines, each with the line after it, our own failure line and the emulator's notes, without colours or spinner frames", () => {
    const output = [
      "\x1b[32mdev-network  aws_vpc.vpc: Creating...\x1b[0m",
      "Processing ⠋",
      "dev-cluster  │ \x1b[31mError: \x1b[0mcreating ECS Service (web): InvalidParameterException",
      "dev-cluster  │   with aws_ecs_service.web,",
      "dev-cluster  │   on cdk.tf.json line 12",
      "local: deploy failed after 120 s",
      "the emulator logged 1 retried or failed request(s) (.local/emulator-4566.log):",
      "  emulator: CreateService attempt=2 -> 400",
    ].join("\n");
    expect(errorSummary(failed(output))).toBe(
      [
        "dev-cluster  │ Error: creating ECS Service (web): InvalidParameterException",
        "dev-cluster  │   with aws_ecs_service.web,",
        "local: deploy failed after 120 s",
        "the emulator logged 1 retried or failed request(s) (.local/emulator-4566.log):",
        "emulator: CreateService attempt=2 -> 400",
      ].join("\n"),
    );
  });

  test("output without an error line gives its last lines", () => {
    expect(errorSummary(failed("a\nb\nc\nd\ne\nf\n"))).toBe("b\nc\nd\ne\nf");
  });
});

describe("emulatorNotes (what a failed local command adds from the emulator's log)", () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "emulator-notes-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test("only the emulator's own lines written during the command, the last 10", () => {
    // GIVEN a log with an earlier command's note, then werkzeug's lines and 12 notes of this command
    const log = join(dir, "emulator-4566.log");
    appendFileSync(log, "emulator: DescribeVpcs attempt=2 -> 200\n");
    const since = statSync(log).size;
    const notes = Array.from({ length: 12 }, (_, i) => `emulator: CreateRule attempt=${i + 2} -> 400`);
    appendFileSync(log, `127.0.0.1 - - "POST / HTTP/1.1" 400 -\n${notes.join("\n")}\n`);
    // WHEN / THEN
    expect(emulatorNotes(log, since)).toBe(
      `\nthe emulator logged 12 retried or failed request(s), the last 10 (${log}):\n  ${notes.slice(2).join("\n  ")}`,
    );
  });

  test("nothing when the command added no note, or there is no log", () => {
    const log = join(dir, "emulator-4566.log");
    appendFileSync(log, "emulator: DescribeVpcs attempt=2 -> 200\n");
    expect(emulatorNotes(log, statSync(log).size)).toBe("");
    expect(emulatorNotes(join(dir, "none.log"), 0)).toBe("");
  });
});

describe("the command line", () => {
  test("an option a command does not take is refused with the usage, before anything runs", async () => {
    const { code, stderr } = await local(["up", "--keep-emulator"]);
    expect(code).toBe(2);
    expect(stderr).toContain("local: unknown option --keep-emulator");
    expect(stderr).toContain("usage: local.ts up | plan | down [--keep-emulator]");
  });

  test("an unknown command is refused with the usage", async () => {
    const { code, stderr } = await local(["deploy"]);
    expect(code).toBe(2);
    expect(stderr).toContain("usage: local.ts up | plan | down [--keep-emulator]");
  });

  test("a bad LOCAL_EMULATOR_PORT is named with its value, before any emulator starts", async () => {
    const { code, stderr } = await local(["up"], "45a");
    expect(code).toBe(1);
    expect(stderr).toMatch(/LOCAL_EMULATOR_PORT.*45a/);
  });

  test("a bad LOCAL_ALB_PORT is reported with the platform's own problems, all at once", async () => {
    const { code, stderr } = await local(["up"], "45a", { LOCAL_ALB_PORT: "80800", TF_VAR_container_port: "99999", TF_VAR_container_name: "web" });
    expect(code).toBe(1);
    expect(stderr).toContain("invalid configuration (3 problems)");
    expect(stderr).toMatch(/LOCAL_ALB_PORT.*80800.*must be a port number/);
    expect(stderr).toMatch(/TF_VAR_container_port.*99999/);
  });
});
