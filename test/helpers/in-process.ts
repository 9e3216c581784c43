import readline from 'node:readline';
import { Readable, Writable } from 'node:stream';
import { builtinChecks } from '../../checks/index.js';
import { main } from '../../src/cli/main.js';
import type { Check } from '../../src/core/types.js';
import { ROOT } from './cli.js';

export interface InProcessRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the CLI in this process, with standard input and the clock injectable: for tests that talk to a
 * server in this process too, and for the many variants of a case that one run of the built binary
 * (test/helpers/cli.ts) has already shown end to end (a child process costs a fifth of a second of start-up).
 */
export async function runCli(
  args: string[],
  options: { env?: Record<string, string>; checks?: readonly Check[]; cwd?: string; stderrIsTTY?: boolean; columns?: number; input?: string; now?: Date } = {},
): Promise<InProcessRun> {
  let stdout = '';
  let stderr = '';
  const collect = (append: (text: string) => void) =>
    new Writable({
      write(chunk: Buffer | string, _encoding, callback) {
        append(chunk.toString());
        callback();
      },
    });
  const stderrStream = Object.assign(collect((t) => (stderr += t)), { isTTY: options.stderrIsTTY === true });
  if (options.stderrIsTTY) {
    // What a terminal stream offers a spinner: cursor movement, written as the escape codes a TTY gets.
    Object.assign(stderrStream, {
      columns: 100,
      cursorTo: (x: number, y?: number | (() => void)) => readline.cursorTo(stderrStream, x, typeof y === 'number' ? y : undefined),
      moveCursor: (dx: number, dy: number) => readline.moveCursor(stderrStream, dx, dy),
      clearLine: (dir: -1 | 0 | 1) => readline.clearLine(stderrStream, dir),
    });
  }
  const code = await main(args, {
    checks: options.checks ?? builtinChecks,
    io: {
      stdout: Object.assign(collect((t) => (stdout += t)), options.columns ? { columns: options.columns } : {}),
      stderr: stderrStream,
      stdin: Readable.from(options.input ? [Buffer.from(options.input)] : []),
      cwd: options.cwd ?? ROOT,
      // No HOME: a developer's ~/.kube/config must never be scanned by a test. PATH for the render tools.
      env: { HOME: '/nonexistent', PATH: process.env['PATH'] ?? '', ...options.env },
    },
    ...(options.now ? { now: () => options.now! } : {}),
  });
  return { code, stdout, stderr };
}
