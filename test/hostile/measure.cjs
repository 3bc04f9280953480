// Preloaded into each hostile case's process (`node --require measure.cjs dist/cli.js ...`): when
// the process exits normally, writes what getrusage says it used to $CONV_LAB_MEASURE_FILE: its
// peak resident set size and its CPU time, user and system (both count every thread, the CLI's
// worker threads too). A process that dies by a signal writes nothing; the runner reports the crash.
const fs = require('node:fs');

const file = process.env.CONV_LAB_MEASURE_FILE;
if (file) {
  process.on('exit', () => {
    const usage = process.resourceUsage();
    // Node reports maxRSS in kilobytes, CPU times in microseconds.
    fs.writeFileSync(file, JSON.stringify({ maxRssBytes: usage.maxRSS * 1024, cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000 }));
  });
}
