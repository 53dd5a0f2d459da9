import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { tfVarsWithheldByCdktfCli } from "../../config/cdktf-cli-env";

const root = resolve(__dirname, "..", "..");

test("recovers the TF_VAR_ variables that a process named cdktf withheld from its child", () => {
  // GIVEN a parent process whose script is named `cdktf` and which, like cdktf-cli,
  // runs the app without TF_VAR_* in its environment
  const dir = mkdtempSync(join(tmpdir(), "cdktf-env-"));
  const app = join(dir, "app.ts");
  writeFileSync(
    app,
    `import { tfVarsWithheldByCdktfCli } from ${JSON.stringify(join(root, "config", "cdktf-cli-env"))};\n` +
      `process.stdout.write(JSON.stringify({ seen: Object.keys(process.env).filter((k) => k.startsWith("TF_VAR_")), recovered: tfVarsWithheldByCdktfCli(process.env) }));\n`,
  );
  const cli = join(dir, "cdktf");
  writeFileSync(
    cli,
    `const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("TF_VAR_")));\n` +
      `env.CDKTF_OUTDIR = "cdktf.out";\n` +
      `process.stdout.write(require("node:child_process").execFileSync(process.execPath, [${JSON.stringify(join(root, "node_modules", "tsx", "dist", "cli.mjs"))}, ${JSON.stringify(app)}], { env }));\n`,
  );

  // WHEN the app runs under it
  const out = execFileSync(process.execPath, [cli], {
    env: { PATH: process.env.PATH, TF_VAR_container_name: "a,b,c", TF_VAR_container_port: "8000,8001,8002" },
  }).toString();

  // THEN the app's own environment has none, and they are recovered from the parent
  expect(JSON.parse(out)).toEqual({
    seen: [],
    recovered: { TF_VAR_container_name: "a,b,c", TF_VAR_container_port: "8000,8001,8002" },
  });
});

test("recovers nothing when the app is not run by the cdktf CLI", () => {
  expect(tfVarsWithheldByCdktfCli({ TF_VAR_x: "1" })).toEqual({});
});
