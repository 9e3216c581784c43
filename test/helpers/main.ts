import { PassThrough, Readable } from 'node:stream';
import { builtinChecks } from '../../checks/index.js';
import { main } from '../../src/cli/main.js';
import type { Check } from '../../src/core/types.js';
import type { CliRun } from './cli.js';

/**
 * The CLI in-process, with the clock and standard input injected: for the many variants of a case that
 * one run of the built binary (test/helpers/cli.ts) has already shown end to end.
 */
export async function runMain(args: string[], options: { cwd: string; input?: string; now?: Date; checks?: readonly Check[]; env?: Record<string, string> }): Promise<CliRun> {
  const capture = () => {
    const stream = new PassThrough();
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
  };
  const stdout = capture();
  const stderr = capture();
  const code = await main(args, {
    checks: options.checks ?? builtinChecks,
    io: { stdout: stdout.stream, stderr: stderr.stream, stdin: Readable.from(options.input ? [Buffer.from(options.input)] : []), cwd: options.cwd, env: options.env ?? {} },
    ...(options.now ? { now: () => options.now! } : {}),
  });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}
