/**
 * The emulator's launcher runs only the moto its patches are written for
 * (scripts/emulator/moto_version.py), and says what to install otherwise.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MOTO_SERVER as launcher, startEmulator } from "../../scripts/emulator/launch";

/** A folder holding a package `moto` of `version`, to put first on PYTHONPATH. */
function fakeMoto(version: string): string {
  const dir = mkdtempSync(join(tmpdir(), "fake-moto-"));
  mkdirSync(join(dir, "moto"));
  writeFileSync(join(dir, "moto", "__init__.py"), `__version__ = "${version}"\n`);
  return dir;
}

test("with another moto installed, the launcher exits at once, naming both versions and the pip command", () => {
  // GIVEN a moto 9.9.9 first on the path
  const dir = fakeMoto("9.9.9");
  try {
    // WHEN
    const result = spawnSync("python3", [launcher, "-H", "127.0.0.1", "-p", "1"], { env: { ...process.env, PYTHONPATH: dir }, encoding: "utf8", timeout: 30_000 });
    // THEN
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("moto 9.9.9 is installed, but the emulator's patches are written for moto 5.2.1");
    expect(result.stderr).toContain('pip install "moto[server]==5.2.1"');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("with another moto installed, startEmulator rejects at once with that message", async () => {
  // GIVEN a moto 9.9.9 first on the path
  const dir = fakeMoto("9.9.9");
  try {
    // WHEN
    const started = startEmulator({ logFile: join(dir, "emulator.log"), env: { ...process.env, PYTHONPATH: dir }, startTimeoutMs: 20_000 });
    // THEN
    await expect(started).rejects.toThrow("moto 9.9.9 is installed, but the emulator's patches are written for moto 5.2.1");
    await expect(started).rejects.toThrow('pip install "moto[server]==5.2.1"');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the machine's moto is the pinned one (what every other emulator test runs on)", () => {
  const result = spawnSync("python3", ["-c", "import moto; print(moto.__version__)"], { encoding: "utf8" });
  expect(result.stdout.trim()).toBe("5.2.1");
});
