import { spawn, type ChildProcess } from 'node:child_process';
import readline from 'node:readline';
import type { Readable } from 'node:stream';
import { afterAll, beforeAll } from 'vitest';
import { compileModule } from '../../scripts/compile-module.mjs';
import { ROOT, runTemp, type CliRun } from './cli.js';

export type SessionRun = (args: string[], options?: { cwd?: string; env?: Record<string, string>; input?: string }) => Promise<CliRun>;

/**
 * kfscan runs for a test file that makes many of them: one plain-node process (test/helpers/cli-session.ts)
 * runs them in turn, instead of a process per run (a fifth of a second of start-up each). For what a run shows
 * through kfscan's own code (reports, exit codes main returns, messages, plugins loaded by Node); a test about
 * the binary itself (its start-up, signals, the process's streams) runs test/helpers/cli.ts's `kfscan`.
 * Each run's environment is PATH, the run's TMPDIR and `env`, with HOME pointing nowhere: a developer's
 * ~/.kube/config is never read.
 * `name` keeps the compiled files of test files that run at the same time apart.
 */
export function useCliSession(name: string): SessionRun {
  let child: ChildProcess | undefined;
  let answers: AsyncIterator<string> | undefined;
  let queue: Promise<unknown> = Promise.resolve();
  let stderr = '';

  beforeAll(async () => {
    const compiled = await compileModule('test/helpers/cli-session.ts', `test/cli-session-${name}.mjs`);
    // The process's own environment carries nothing of the test runner's but the strict read guard, which
    // holds the test plugins to their `needs` as it holds the built-in checks.
    child = spawn(process.execPath, [compiled], { cwd: ROOT, env: { PATH: process.env['PATH'] ?? '', HOME: '/nonexistent', KFSCAN_STRICT_READS: '1', ...runTemp() }, stdio: ['pipe', 'ignore', 'pipe', 'pipe'] });
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    answers = readline.createInterface({ input: child.stdio[3] as Readable, crlfDelay: Infinity })[Symbol.asyncIterator]();
  });

  afterAll(async () => {
    if (!child) return;
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.stdin!.end();
    await exited;
  });

  return (args, options = {}) => {
    const request = { args, cwd: options.cwd ?? ROOT, env: { PATH: process.env['PATH'] ?? '', HOME: '/nonexistent', ...runTemp(), ...options.env }, input: options.input };
    const answer = queue.then(async () => {
      child!.stdin!.write(`${JSON.stringify(request)}\n`);
      const next = await answers!.next();
      if (next.done) throw new Error(`the kfscan session ended: ${stderr}`);
      return JSON.parse(next.value) as CliRun;
    });
    queue = answer.catch(() => undefined);
    return answer;
  };
}
