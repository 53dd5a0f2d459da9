// Preloaded with `node -r` by the synth benchmark: prints the process's peak
// resident memory (VmHWM, Linux) at exit, on stderr, behind a marker.
process.on("exit", () => {
  try {
    const status = require("node:fs").readFileSync("/proc/self/status", "utf8");
    const kib = Number(/VmHWM:\s+(\d+) kB/.exec(status)[1]);
    process.stderr.write(`\nPEAK_RSS_KIB=${kib}\n`);
  } catch {
    // not Linux: no figure
  }
});
