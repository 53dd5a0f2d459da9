import { readFileSync } from "node:fs";
import { basename } from "node:path";

/**
 * cdktf-cli 0.21 removes every `TF_VAR_*` from the app's environment before
 * running it (@cdktf/cli-core `synth-stack.ts`: "should only be used at
 * execution time"). The seed's Jenkins job passes its parameters exactly that
 * way, so under the CLI we read them back from the CLI process's own
 * environment: the nearest ancestor running `node …/cdktf`.
 *
 * Linux only (`/proc`); elsewhere run the app directly (`node
 * scripts/cdktf-app.js`), which sees the variables as they are.
 */
export function tfVarsWithheldByCdktfCli(env: Readonly<Record<string, string | undefined>>, startPid = process.ppid): Record<string, string> {
  if (env.CDKTF_OUTDIR === undefined) return {}; // not run by the CLI: nothing was withheld
  let pid = startPid;
  for (let depth = 0; depth < 6 && pid > 1; depth++) {
    const argv = readProc(pid, "cmdline")?.split("\0");
    if (!argv) return {};
    if (argv.length > 1 && basename(argv[1]) === "cdktf") return tfVarsOf(readProc(pid, "environ") ?? "");
    pid = parentPid(pid) ?? 0;
  }
  return {};
}

function tfVarsOf(environ: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const entry of environ.split("\0")) {
    const eq = entry.indexOf("=");
    if (entry.startsWith("TF_VAR_") && eq > 0) vars[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return vars;
}

function parentPid(pid: number): number | undefined {
  // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may contain spaces and parentheses.
  const stat = readProc(pid, "stat");
  const fields = stat?.slice(stat.lastIndexOf(")") + 2).split(" ");
  return fields ? Number(fields[1]) : undefined;
}

function readProc(pid: number, file: string): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/${file}`, "utf8");
  } catch {
    return undefined;
  }
}
