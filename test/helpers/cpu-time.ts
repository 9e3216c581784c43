import { isMainThread } from 'node:worker_threads';

/**
 * Milliseconds of CPU (user and system) that `run` costs this process. A test that judges how cost grows
 * with input size measures this rather than wall time, which other processes on a busy machine stretch;
 * it is this test's alone only in a process of its own, so the file must run in the forks pool (the
 * `cpu-timed` project in vitest.config.ts), where a worker thread would count every other file's work too.
 */
export function cpuMs(run: () => unknown): number {
  const before = ownCpuUsage();
  run();
  return msSince(before);
}

/** The same for asynchronous work; nothing else may run in this process meanwhile. */
export async function cpuMsAsync(run: () => Promise<unknown>): Promise<number> {
  const before = ownCpuUsage();
  await run();
  return msSince(before);
}

function ownCpuUsage(): NodeJS.CpuUsage {
  if (!isMainThread) throw new Error('CPU time needs a process of its own: list this test file under CPU_TIMED in vitest.config.ts');
  return process.cpuUsage();
}

function msSince(before: NodeJS.CpuUsage): number {
  const spent = process.cpuUsage(before);
  return (spent.user + spent.system) / 1000;
}
