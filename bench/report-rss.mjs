// Preloaded with --import into a measured process: writes its peak resident set size (KB) on exit.
//
// On Linux the peak is the process's own high-water mark (VmHWM in /proc/self/status), not
// `resourceUsage().maxRSS`: a child inherits its parent's peak across fork and exec in `maxRSS`, so a
// process started by a test worker of 400 MB reported 400 MB however little it used itself.
import { readFileSync, writeFileSync } from 'node:fs';

/** The peak in KB: VmHWM where the kernel reports it, else getrusage's maxRSS. */
function peakRssKb() {
  try {
    const match = /^VmHWM:\s*(\d+)\s*kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match) return Number(match[1]);
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS;
}

const target = process.env.KFSCAN_BENCH_RSS_FILE;
if (target) process.on('exit', () => writeFileSync(target, String(peakRssKb())));
