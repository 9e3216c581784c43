// The project's test API server (TypeScript, test/api-server/) for the benchmark, which runs on plain
// node: compiled to one ES module under dist/ (scripts/compile-module.mjs), and bench/serve-cluster.mjs runs it in a process of its own.
import { fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileModule } from '../scripts/compile-module.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Compiles test/api-server/index.ts; returns the path of the module. */
export function compileApiServer() {
  return compileModule('test/api-server/index.ts', 'bench/api-server.mjs');
}

/**
 * Starts a server process for a generated cluster of `pods` pods; resolves once it listens, with its
 * kubeconfig file, connection details and a handle on its request log. `keepAnswers`: the server sends
 * the bytes it encoded before for the same request (test/api-server's `keepAnswers`).
 */
export function startClusterServer({ serverModule, kubeconfig, pods, seed = 2021, latencyMs = 20, keepAnswers = false }) {
  // Large clusters hold gigabytes of objects in the server: more heap than node's default.
  const child = fork(path.join(ROOT, 'bench', 'serve-cluster.mjs'), [serverModule, kubeconfig, String(pods), String(seed), String(latencyMs), String(keepAnswers)], {
    execArgv: ['--max-old-space-size=16384'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ask = (message, answerKey) =>
    new Promise((resolve, reject) => {
      const onMessage = (reply) => {
        if (reply && answerKey in reply) {
          child.off('message', onMessage);
          child.off('exit', onExit);
          resolve(reply[answerKey]);
        }
      };
      const onExit = (code) => reject(new Error(`the API server process exited (${code})`));
      child.on('message', onMessage);
      child.once('exit', onExit);
      if (message !== null) child.send(message);
    });
  return ask(null, 'ready').then((ready) => ({
    ...ready,
    kubeconfig,
    /** Requests logged since the last reset: `{ method, path, query, verb, resource, status }`. */
    requests: () => ask('requests', 'requests'),
    reset: () => ask('reset', 'reset'),
    close: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.send('close');
      }),
  }));
}
