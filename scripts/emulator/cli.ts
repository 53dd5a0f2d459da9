/**
 * The emulator launcher (launch.ts) for shell scripts (scripts/test/test-env.sh):
 *
 *   node --require tsx/cjs scripts/emulator/cli.ts start --log-file FILE --pid-file FILE [--port N]
 *       start the patched moto in the background (on a free port unless --port),
 *       wait until it answers, write its pid to the pid file and print its port
 *   node --require tsx/cjs scripts/emulator/cli.ts stop --pid-file FILE
 *       stop that emulator (SIGTERM, then SIGKILL after 10 s) and remove the pid file
 *
 * Exits 1 with the reason on stderr when the emulator does not start, 2 on a bad command line.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { stopProcess } from "../lib/processes";
import { startEmulator } from "./launch";

const USAGE = "usage: cli.ts start --log-file FILE --pid-file FILE [--port N] | cli.ts stop --pid-file FILE";

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { port: { type: "string" }, "log-file": { type: "string" }, "pid-file": { type: "string" } },
  });
  const [command] = positionals;
  const pidFile = values["pid-file"];
  if (positionals.length !== 1 || !pidFile) return usage();
  if (command === "start") {
    const logFile = values["log-file"];
    const port = values.port === undefined ? undefined : Number(values.port);
    if (!logFile || (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536))) return usage();
    const emulator = await startEmulator({ port, logFile, detached: true });
    writeFileSync(pidFile, `${emulator.pid}\n`);
    console.log(emulator.port);
    return 0;
  }
  if (command === "stop") {
    if (!existsSync(pidFile)) return 0;
    const pid = Number(readFileSync(pidFile, "utf8").trim());
    if (Number.isInteger(pid) && pid > 0) await stopProcess(pid);
    rmSync(pidFile, { force: true });
    return 0;
  }
  return usage();
}

function usage(): number {
  console.error(USAGE);
  return 2;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`emulator: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
}
