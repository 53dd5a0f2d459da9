import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
export { freePort } from "../../../scripts/lib/free-port";
import { run, type RunResult } from "../../../scripts/lib/run";

/** The repository root: `npm run local:*` runs there. */
export const root = resolve(__dirname, "..", "..", "..");
/** Where the local target keeps its files (scripts/local/local.ts). */
export const localWorkDir = join(root, ".local");

/**
 * The environment for `npm run local:*`: this process's, without the
 * platform's own variables (a developer's TF_VAR_* or PLATFORM_CONFIG must not
 * leak into the run), plus `extra`.
 */
export function localEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith("TF_VAR_") || key === "PLATFORM_CONFIG" || key === "LOCAL_EMULATOR_PORT") continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

/** A finished `npm run` and where its whole output was written. */
export interface LocalRun extends RunResult {
  readonly logFile: string;
}

/**
 * `npm run <script> [-- args]` in the repository, its output captured and
 * written to `<logDir>/<script><suffix>.log` (the output is long; a failing
 * test names the file and shows the end).
 */
export async function npmRun(script: string, args: string[], env: NodeJS.ProcessEnv, logDir: string): Promise<LocalRun> {
  const result = await run("npm", ["run", "--silent", script, ...(args.length > 0 ? ["--", ...args] : [])], { env, cwd: root });
  mkdirSync(logDir, { recursive: true });
  const logFile = join(logDir, `${script.replace(/[^a-z0-9-]/gi, "-")}${args.join("").replace(/[^a-z0-9-]/gi, "")}.log`);
  writeFileSync(logFile, result.output);
  return { ...result, logFile };
}

/** The run's output as readable lines: without spinner frames, cursor movements and progress lines. */
function plainLines(result: RunResult): string[] {
  // eslint-disable-next-line no-control-regex
  const plain = result.output.replace(/\x1b\[[0-9;]*[A-Za-z]/g, "");
  return plain.split("\n").filter((l) => l.trim() !== "" && !/Processing|Stacks? (deploying|destroying|done|waiting)/.test(l));
}

/** The run's exit code with the end of its output, for an assertion message that explains itself. */
export function outcome(result: LocalRun, lines = 40): { code: number; log: string; tail: string } {
  return { code: result.code, log: result.logFile, tail: plainLines(result).slice(-lines).join("\n") };
}

/**
 * What a failed run said went wrong: Terraform's `Error:` lines with the line
 * after each, our own `local: ... failed` lines and what the emulator logged
 * about retried or failed requests, at most `max` lines. A CI
 * log may show only the start of a long failure; this is short enough to print first.
 */
export function errorSummary(result: RunResult, max = 20): string {
  const lines = plainLines(result);
  const picked = new Set<number>();
  lines.forEach((line, i) => {
    if (/Error: /.test(line)) [i, i + 1].forEach((j) => j < lines.length && picked.add(j));
    else if (/^local: .*failed|^the emulator logged|^\s*emulator: /.test(line)) picked.add(i);
  });
  const summary = [...picked].sort((a, b) => a - b).map((i) => lines[i].trim());
  return [...new Set(summary)].slice(0, max).join("\n") || lines.slice(-5).join("\n");
}

/** `local:plan`'s summary lines (`  <stack>: <summary>` after "plan summary:"), by stack. */
export function planSummaries(output: string): Record<string, string> {
  const after = output.split("local: plan summary:")[1] ?? "";
  const summaries: Record<string, string> = {};
  for (const line of after.split("\n")) {
    const match = /^ {2}(\S+): (.+)$/.exec(line);
    if (match) summaries[match[1]] = match[2];
  }
  return summaries;
}

/** Remove what the local target wrote for one environment and port (synthesized stacks, outputs, what ran, emulator log). */
export function removeLocalFiles(environment: string, port: number, keepLog: boolean): void {
  for (const path of [
    join(localWorkDir, "cdktf.out", environment),
    join(localWorkDir, "plan.out", environment),
    join(localWorkDir, `outputs-${environment}.json`),
    ...(keepLog ? [] : [join(localWorkDir, "host", environment)]),
    ...(keepLog ? [] : [join(localWorkDir, `emulator-${port}.log`)]),
  ]) {
    rmSync(path, { recursive: true, force: true });
  }
}
