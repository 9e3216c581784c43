// Preloaded with --import into a measured process: writes its peak resident set size (KB) on exit.
import { writeFileSync } from 'node:fs';

const target = process.env.KFSCAN_BENCH_RSS_FILE;
if (target) process.on('exit', () => writeFileSync(target, String(process.resourceUsage().maxRSS)));
