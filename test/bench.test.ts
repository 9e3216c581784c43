import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// The benchmark's own logic (no timing here: performance is measured by `npm run bench` only).
import { generateCluster, INSTALLED_APIS } from '../bench/cluster.mjs';
import { writeCorpus } from '../bench/corpus.mjs';
import { buildAll, writeKustomizeRepo } from '../bench/kustomize.mjs';
import { kubectlResource, requestPlan } from '../bench/live.mjs';
import { startApiServer, type ApiServer, type LoggedRequest } from './api-server/index.js';
import { kfscanAsync, ROOT } from './helpers/cli.js';
import { spawnCollect } from './helpers/process.js';
import { kubeconfigFile, tempDir, type JsonReport } from './helpers/live.js';

interface Generated {
  objects: Array<{ kind: string; apiVersion: string; metadata: { name: string; namespace?: string } }>;
  installed: string[];
}

const cluster = (pods: number, seed?: number): Generated => generateCluster({ pods, ...(seed === undefined ? {} : { seed }) });
const countOf = (objects: Generated['objects'], kind: string): number => objects.filter((o) => o.kind === kind).length;

describe('the generated cluster', () => {
  it('is the same for the same seed and another for another seed', () => {
    expect(JSON.stringify(cluster(400))).toBe(JSON.stringify(cluster(400)));
    expect(JSON.stringify(cluster(400, 7))).not.toBe(JSON.stringify(cluster(400)));
  });

  it('has the pods asked for and every kind the checks read, in the proportions of a real cluster', () => {
    const { objects, installed } = cluster(2_000);
    expect(countOf(objects, 'Pod')).toBeGreaterThanOrEqual(2_000);
    expect(countOf(objects, 'Pod')).toBeLessThan(2_050);
    // Rollouts leave old ReplicaSets: about three per Deployment.
    expect(countOf(objects, 'ReplicaSet') / countOf(objects, 'Deployment')).toBeGreaterThan(2.5);
    expect(countOf(objects, 'Node')).toBe(50);
    for (const kind of ['Namespace', 'Service', 'ConfigMap', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'Ingress', 'ResourceQuota', 'ClusterRoleBinding', 'Gateway', 'VirtualService', 'AuthorizationPolicy', 'RequestAuthentication', 'Workflow', 'ScheduledWorkflow', 'Notebook', 'Profile', 'Prometheus', 'ServiceMonitor', 'PrometheusRule', 'InferenceService']) {
      expect(countOf(objects, kind), kind).toBeGreaterThan(0);
    }
    expect(installed).toEqual(INSTALLED_APIS);
    // Unique names per kind and namespace, as a server requires.
    const keys = objects.map((o) => `${o.apiVersion}/${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('grows with the pods asked for', () => {
    const small = cluster(1_000).objects;
    const large = cluster(4_000).objects;
    for (const kind of ['Pod', 'Deployment', 'Service', 'Node', 'Namespace']) {
      expect(countOf(large, kind) / countOf(small, kind), kind).toBeGreaterThan(3);
    }
  });
});

describe('the offline corpus', () => {
  it('is the same bytes for the same seed', () => {
    const dir = tempDir('kfscan-bench-corpus-');
    const first = writeCorpus(path.join(dir, 'a'), { documents: 300, files: 10 });
    const second = writeCorpus(path.join(dir, 'b'), { documents: 300, files: 10 });
    expect(first).toBe(second);
    expect(first).toBeGreaterThan(100_000);
  });
});

describe('the kustomize repository', () => {
  it('holds a platform root and two colliding overlays per app, which the floor builds and kfscan judges in two views', async () => {
    const dir = tempDir('kfscan-bench-kustomize-');
    const roots = writeKustomizeRepo(dir, { apps: 2 });
    expect(roots).toEqual(['platform', 'apps/app-000/overlays/prod', 'apps/app-000/overlays/staging', 'apps/app-001/overlays/prod', 'apps/app-001/overlays/staging']);
    await buildAll(path.join(process.env['KFSCAN_TEST_RENDER_TOOLS'] ?? '', 'kubectl'), dir, roots);
    const run = await kfscanAsync(['scan', dir, '--verbose', '--fail-on', 'none', '-f', 'json'], { env: { PATH: process.env['PATH'] ?? '' } });
    expect(run.code).toBe(0);
    expect(run.stderr.match(/rendered kustomization/g)).toHaveLength(5);
    expect(run.stderr).toMatch(/view prod: apps\/app-000\/overlays\/prod, apps\/app-001\/overlays\/prod, platform/);
    expect(run.stderr).toMatch(/view staging: /);
  });
});

describe('the live floor', () => {
  let server: ApiServer | null = null;
  afterAll(async () => {
    await server?.close();
  });

  const key = (request: LoggedRequest): string => `${request.method} ${request.path}?${request.query} ${request.verb === 'discovery' ? request.accept : ''}`;

  it('issues the requests kfscan issues, page for page, and nothing else', async () => {
    // More than one page of pods and ReplicaSets, so that continue tokens are followed.
    const { objects, installed } = cluster(1_200);
    server = await startApiServer({ objects, installed });
    const scan = await kfscanAsync(['cluster', '--kubeconfig', kubeconfigFile([{ name: 'bench', server }]), '-f', 'json', '--fail-on', 'none']);
    expect(scan.code).toBe(0);
    // Pages asked ahead put more than ten requests in flight: no warning about listeners either.
    expect(scan.stderr).toBe('');
    const report = JSON.parse(scan.stdout) as JsonReport;
    expect(report.errors).toEqual([]);
    expect(report.findings.length).toBeGreaterThan(0);

    const scanned = server.requests.splice(0);
    const plan = requestPlan(scanned);
    expect(plan.lists).toContain('/api/v1/pods');
    expect(scanned.filter((r) => r.path === '/api/v1/pods').length).toBe(3);
    const planFile = path.join(tempDir('kfscan-bench-floor-'), 'plan.json');
    writeFileSync(planFile, JSON.stringify({ server: server.url, caPem: server.caPem, token: server.token, concurrency: 8, pageSize: 500, ...plan }));
    const floor = await spawnCollect(process.execPath, [path.join(ROOT, 'bench', 'floor-live.mjs'), planFile]);
    expect(floor).toMatchObject({ code: 0, stderr: '' });

    const replayed = server.requests.splice(0);
    expect(replayed.map(key).sort()).toEqual(scanned.map(key).sort());
    expect(replayed.every((r) => r.authenticated)).toBe(true);
  });

  it('names the listed collections as kubectl does', () => {
    expect(kubectlResource('/api/v1/pods')).toBe('pods');
    expect(kubectlResource('/apis/apps/v1/replicasets')).toBe('replicasets.apps');
    expect(kubectlResource('/apis/networking.istio.io/v1/virtualservices')).toBe('virtualservices.networking.istio.io');
  });
});
