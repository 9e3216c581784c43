// Runs `kfscan serve`'s scans back to back in a process of its own (node --expose-gc) and prints the heap
// after a full collection at the end of the warm-up and after the last cycle, as JSON on stdout.
// test/serve.test.ts compiles it with esbuild (`compileServeHeap`) and runs
// `node --expose-gc <compiled> KUBECONFIG WARMUP CYCLES`.
import { Writable } from 'node:stream';
import { builtinChecks } from '../../checks/index.js';
import { createServeLoop } from '../../src/cli/serve-command.js';

const [kubeconfig, warmup, cycles] = process.argv.slice(2);
const sink = new Writable({ write: (_chunk, _encoding, callback) => callback() });
const io = { stdout: sink, stderr: sink, stdin: process.stdin, cwd: process.cwd(), env: { ...process.env, CI: 'true' } };
const loop = await createServeLoop(
  { kubeconfig, interval: '1h', listen: ':0', execCredentials: true, secrets: true, requestTimeout: '30', concurrency: '8', config: false },
  { checks: builtinChecks, io },
);
const signal = new AbortController().signal;

function heap(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc');
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

let failed = 0;
for (let i = 0; i < Number(warmup); i++) if ((await loop.runCycle(signal))?.outcomes.some((o) => o.error !== null)) failed++;
const before = heap();
for (let i = 0; i < Number(cycles); i++) if ((await loop.runCycle(signal))?.outcomes.some((o) => o.error !== null)) failed++;
const after = heap();
process.stdout.write(JSON.stringify({ before, after, cycles: loop.cycles, failed, textBytes: loop.text?.length ?? 0 }));
