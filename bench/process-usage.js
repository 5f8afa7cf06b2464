'use strict';
// Preloaded into a measured process (`node --require bench/process-usage.js ...`, see bench/main.ts):
// when the process exits, writes its CPU time (user + system, all threads, from process start) and
// peak RSS to the file named by OCPKIT_BENCH_USAGE. Wall time on a shared machine varies with other
// load far more than CPU time does, so the whole-process figures report both.
const fs = require('fs');

const file = process.env.OCPKIT_BENCH_USAGE;
if (file) {
  // Registered before any other 'exit' listener, so work done on exit (writing V8 code caches,
  // see bin/run-ts.js) is in the wall time only.
  process.on('exit', () => {
    const cpu = process.cpuUsage();
    const usage = { cpu_ms: Math.round((cpu.user + cpu.system) / 1000), rss_mb: Math.round(process.resourceUsage().maxRSS / 1024) };
    try {
      fs.writeFileSync(file, JSON.stringify(usage));
    } catch {
      // the bench reports the process without its CPU time
    }
  });
}
