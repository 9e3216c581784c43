// Child process of the benchmark: serves a generated cluster from the project's test API server, so that
// the server's work is not counted in the measured processes (kfscan, the floor, kubectl), each of which
// runs on its own. Started by bench/api-server.mjs with IPC: it answers `requests` (the request log since
// the last `reset`) and stops on `close` or when the parent goes away.
import { pathToFileURL } from 'node:url';
import { generateCluster } from './cluster.mjs';

const [serverModule, kubeconfigFile, pods, seed, latencyMs, keepAnswers] = process.argv.slice(2);
const { startApiServer, writeKubeconfig } = await import(pathToFileURL(serverModule).href);

const cluster = generateCluster({ pods: Number(pods), seed: Number(seed) });
const server = await startApiServer({ objects: cluster.objects, installed: cluster.installed, latencyMs: Number(latencyMs), keepAnswers: keepAnswers === 'true' });
// The server keeps its own copies; the generated ones would only double its memory.
cluster.objects.length = 0;
writeKubeconfig(kubeconfigFile, [{ name: 'bench', server }]);

process.on('message', async (message) => {
  if (message === 'requests') process.send({ requests: server.requests });
  else if (message === 'reset') {
    server.requests.length = 0;
    process.send({ reset: true });
  } else if (message === 'close') {
    await server.close();
    process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
process.send({ ready: { url: server.url, token: server.token, caPem: server.caPem, objects: Object.fromEntries(['pods', 'deployments.apps', 'replicasets.apps', 'services', 'configmaps'].map((r) => [r, server.count(r)])) } });
