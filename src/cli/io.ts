import type { Writable, Readable } from 'node:stream';
import type { CatalogueCheck } from '../catalogue/check-unit.js';

/** Everything the CLI touches in the outside world, injectable so tests can run it in-process. */
export interface CliIo {
  stdout: Writable & { isTTY?: boolean; columns?: number };
  stderr: Writable & { isTTY?: boolean };
  stdin: Readable;
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
}

/** What the program hands the CLI: the checks it ships (src/ never imports one) and the outside world. */
export interface CliDependencies {
  /** The registry's checks (checks/index.ts), with what each adds to the attack path, probe and kit. */
  checks: readonly CatalogueCheck[];
  io: CliIo;
  /** The clock for expiry dates of suppressions; tests inject it. */
  now?: () => Date;
  /**
   * The built worker-thread program that scans contexts (dist/context-worker.mjs, from entry/context-worker.ts):
   * given, a fleet scan reads its contexts on every core. Absent (the CLI run from its sources), one thread reads them all.
   */
  contextWorker?: URL;
}

export class UsageError extends Error {}

export function readAll(stream: Readable, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on('data', (chunk: Buffer | string) => {
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      size += buffer.length;
      if (size <= limit + 1) chunks.push(buffer);
    });
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

/** ANSI colours on `stream` (stdout unless said): never with NO_COLOR, always with FORCE_COLOR, else on a terminal. */
export function useColor(io: CliIo, requested: boolean, stream: CliIo['stdout'] | CliIo['stderr'] = io.stdout): boolean {
  if (!requested) return false;
  if (io.env['NO_COLOR'] !== undefined && io.env['NO_COLOR'] !== '') return false;
  if (io.env['FORCE_COLOR'] !== undefined && io.env['FORCE_COLOR'] !== '0') return true;
  return stream.isTTY === true;
}
