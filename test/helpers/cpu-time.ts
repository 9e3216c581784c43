import { isMainThread } from 'node:worker_threads';

/**
 * Milliseconds of CPU (user and system) that `run` costs this process. A test that judges how cost grows
 * with input size measures this rather than wall time, which other processes on a busy machine stretch;
 * it is this test's alone only in a process of its own, so the file must run in the forks pool (the
 * `cpu-timed` project in vitest.config.ts), where a worker thread would count every other file's work too.
 */
export function cpuMs(run: () => unknown): number {
  if (!isMainThread) throw new Error('cpuMs needs a process of its own: list this test file under CPU_TIMED in vitest.config.ts');
  const before = process.cpuUsage();
  run();
  const spent = process.cpuUsage(before);
  return (spent.user + spent.system) / 1000;
}

/** The same for asynchronous work; nothing else may run in this process meanwhile. */
export async function cpuMsAsync(run: () => Promise<unknown>): Promise<number> {
  if (!isMainThread) throw new Error('cpuMsAsync needs a process of its own: list this test file under CPU_TIMED in vitest.config.ts');
  const before = process.cpuUsage();
  await run();
  const spent = process.cpuUsage(before);
  return (spent.user + spent.system) / 1000;
}
