// A kustomize-heavy repository, written by the bench (nothing from outside the project): a platform root
// and `apps` applications, each a base (Deployment, Service, generated ConfigMap) with a prod and a staging
// overlay (one cluster each: the same namespace, a label, a strategic-merge patch of the replicas). The overlays of one app collide, so
// kfscan judges two views; its scan is compared with `kubectl kustomize` alone building the same roots,
// as many at a time as kfscan builds them.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export function writeKustomizeRepo(dir, { apps = 40 } = {}) {
  const write = (file, text) => {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  };
  const roots = ['platform'];
  write('platform/kustomization.yaml', 'namespace: istio-system\nresources: [gateway.yaml]\n');
  write(
    'platform/gateway.yaml',
    'apiVersion: v1\nkind: Service\nmetadata: {name: istio-ingressgateway}\nspec:\n  type: ClusterIP\n  selector: {istio: ingressgateway}\n  ports: [{name: http2, port: 80}]\n',
  );
  for (let index = 0; index < apps; index++) {
    const app = `app-${String(index).padStart(3, '0')}`;
    write(`apps/${app}/base/kustomization.yaml`, `resources: [deployment.yaml, service.yaml]\nconfigMapGenerator:\n  - name: ${app}-config\n    literals: [MODE=serve, PORT=8080]\n`);
    write(
      `apps/${app}/base/deployment.yaml`,
      `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: ${app}}\nspec:\n  replicas: 1\n  selector: {matchLabels: {app: ${app}}}\n  template:\n    metadata: {labels: {app: ${app}}}\n    spec:\n      containers:\n        - name: main\n          image: registry.example/${app}:1.0.${index}\n          envFrom: [{configMapRef: {name: ${app}-config}}]\n          resources: {requests: {cpu: 100m, memory: 128Mi}}\n`,
    );
    write(`apps/${app}/base/service.yaml`, `apiVersion: v1\nkind: Service\nmetadata: {name: ${app}}\nspec:\n  selector: {app: ${app}}\n  ports: [{port: 80, targetPort: 8080}]\n`);
    for (const [overlay, replicas] of [['prod', 3], ['staging', 1]]) {
      write(`apps/${app}/overlays/${overlay}/kustomization.yaml`, `namespace: apps\nresources: [../../base]\npatches: [{path: replicas.yaml}]\nlabels: [{pairs: {env: ${overlay}}}]\n`);
      write(`apps/${app}/overlays/${overlay}/replicas.yaml`, `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: ${app}}\nspec:\n  replicas: ${replicas}\n`);
      roots.push(`apps/${app}/overlays/${overlay}`);
    }
  }
  return roots;
}

/** `kubectl kustomize` on every root, `concurrency` at a time: what rendering alone costs. */
export async function buildAll(kubectl, dir, roots, concurrency = os.availableParallelism()) {
  let next = 0;
  const worker = async () => {
    while (next < roots.length) {
      const root = roots[next++];
      await new Promise((resolve, reject) => {
        const child = spawn(kubectl, ['kustomize', path.join(dir, root)], { stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        child.stderr.on('data', (chunk) => (stderr += chunk));
        child.on('error', reject);
        child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`kubectl kustomize ${root}: ${stderr}`))));
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, roots.length) }, worker));
}
