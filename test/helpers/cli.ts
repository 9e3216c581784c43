import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const BIN = path.join(ROOT, 'bin', 'kfscan.js');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** The test run's temporary directory (test/global-setup.ts), for what the processes tests start write there. */
export function runTemp(): Record<string, string> {
  return process.env['TMPDIR'] ? { TMPDIR: process.env['TMPDIR'] } : {};
}

/** Runs the built binary as a user would (`npm test` builds it first). */
export function kfscan(args: string[], options: { cwd?: string; input?: string | Buffer; env?: Record<string, string> } = {}): CliRun {
  const run = spawnSync(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? ROOT,
    input: options.input ?? '',
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp', ...runTemp(), ...options.env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: run.status ?? -1, stdout: run.stdout, stderr: run.stderr };
}

/**
 * The same, without blocking this process: for runs against a server that lives in the test process.
 * `nodeArgs` go before the script (e.g. `--import` a hook).
 */
export function kfscanAsync(args: string[], options: { cwd?: string; env?: Record<string, string>; nodeArgs?: string[] } = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), BIN, ...args], {
      cwd: options.cwd ?? ROOT,
      env: { PATH: process.env['PATH'] ?? '', HOME: '/nonexistent', ...runTemp(), ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}
