import { describe, expect, it } from 'vitest';
import { builtinChecks } from '../checks/index.js';
import { POD_TEMPLATE_KINDS } from '../src/inventory/pod-template-kinds.js';
import { AGGREGATED_DISCOVERY_ACCEPT } from '../src/live/discovery.js';
import type { Check } from '../src/core/types.js';
import type { ApiRequest, ApiServer } from './api-server/index.js';
import { runCli } from './helpers/in-process.js';
import { kubeconfigFile, messages, readabilityProbe, useApiServers, type JsonReport } from './helpers/live.js';

const server = useApiServers();

const scan = async (api: ApiServer, checks: readonly Check[] = builtinChecks): Promise<JsonReport> => {
  const run = await runCli(['cluster', '--kubeconfig', kubeconfigFile([{ name: 'c', server: api }]), '-f', 'json', '--fail-on', 'none'], { checks });
  expect(run.stderr).toBe('');
  return JSON.parse(run.stdout) as JsonReport;
};

const discoveryPaths = (api: ApiServer): string[] => api.requests.filter((r) => r.verb === 'discovery').map((r) => r.path);
const groupOf = (kind: string): string => (kind.includes('/') ? kind.slice(0, kind.lastIndexOf('/')) : '');

describe('API discovery', () => {
  it('costs one round trip on a server with aggregated discovery: /api and /apis, nothing per group', async () => {
    const api = await server({ fixtures: ['fixtures/demo'], installed: ['kubeflow.org/Notebook', 'argoproj.io/Workflow'] });
    const report = await scan(api);
    expect(report.errors).toEqual([]);
    const discovery = api.requests.filter((r) => r.verb === 'discovery');
    expect(discovery.map((r) => r.path).sort()).toEqual(['/api', '/apis']);
    expect(discovery.every((r) => r.accept === AGGREGATED_DISCOVERY_ACCEPT)).toBe(true);
  });

  it('finds the same kinds and gives the same findings with aggregated discovery v2, v2beta1 and per-group documents', async () => {
    const reports: JsonReport[] = [];
    for (const aggregatedDiscovery of ['v2', 'v2beta1', false] as const) {
      const api = await server({ fixtures: ['fixtures/demo'], installed: ['kubeflow.org/Notebook', 'kubeflow.org/ScheduledWorkflow'], aggregatedDiscovery });
      reports.push(await scan(api));
      const lists = api.requests.filter((r) => r.verb === 'list').map((r) => r.path);
      expect(lists).toContain('/apis/kubeflow.org/v1/notebooks');
      // ScheduledWorkflow is served in v1beta1 only, not in the group's preferred version.
      expect(lists).toContain('/apis/kubeflow.org/v1beta1/scheduledworkflows');
    }
    const [v2, v2beta1, legacy] = reports.map((report) => report.findings.map((f) => `${f.checkId} ${f.resource?.kind ?? ''} ${f.resource?.name ?? ''} ${f.message}`));
    expect(v2!.length).toBeGreaterThan(0);
    expect(v2beta1).toEqual(v2);
    expect(legacy).toEqual(v2);
  });

  it('asks an older server only about the groups checks read and the cluster serves, every version of a group at once', async () => {
    const arrivals: Array<{ path: string; at: number }> = [];
    const slowPreferred = (request: ApiRequest) => {
      arrivals.push({ path: request.path, at: Date.now() });
      return request.path === '/apis/kubeflow.org/v1' ? { delayMs: 400 } : undefined;
    };
    const api = await server({ fixtures: ['fixtures/demo'], installed: ['kubeflow.org/Notebook', 'kubeflow.org/Experiment'], aggregatedDiscovery: false, intercept: slowPreferred });
    await scan(api);
    const discovery = discoveryPaths(api);
    // The groups of the demo's kinds plus Kubeflow's; not admissionregistration, storage or the like.
    expect(discovery).not.toContain('/apis/storage.k8s.io/v1');
    expect(discovery).not.toContain('/apis/admissionregistration.k8s.io/v1');
    expect(discovery).toEqual(expect.arrayContaining(['/api', '/apis', '/api/v1', '/apis/apps/v1', '/apis/kubeflow.org/v1', '/apis/kubeflow.org/v1beta1']));
    // v1beta1 was asked for while v1 was still on its way: not one round trip per version.
    const at = (path: string): number => arrivals.find((a) => a.path === path)!.at;
    expect(at('/apis/kubeflow.org/v1beta1') - at('/apis/kubeflow.org/v1')).toBeLessThan(300);
    expect(new Set(discovery).size).toBe(discovery.length);
  });

  it('makes pod-bearing kinds whose CRDs are not installed free: no request names them or their groups', async () => {
    for (const aggregatedDiscovery of ['v2', false] as const) {
      const api = await server({ fixtures: ['fixtures/demo'], aggregatedDiscovery });
      const probe = readabilityProbe(['argoproj.io/Rollout', 'ray.io/RayCluster', 'jobset.x-k8s.io/JobSet', 'apps.openshift.io/DeploymentConfig']);
      const report = await scan(api, [...builtinChecks, probe]);
      expect(messages(report, 'test-readability')).toEqual([
        'apps.openshift.io/DeploymentConfig: not-installed: []',
        'argoproj.io/Rollout: not-installed: []',
        'jobset.x-k8s.io/JobSet: not-installed: []',
        'ray.io/RayCluster: not-installed: []',
      ]);
      // The demo serves Argo Workflows (argoproj.io) but none of the other custom groups of pod-bearing kinds.
      const absent = POD_TEMPLATE_KINDS.filter((kind) => kind.includes('/') && !['apps', 'batch', 'argoproj.io'].includes(groupOf(kind)));
      expect(absent).toContain('ray.io/RayCluster');
      for (const kind of absent) {
        expect(api.requests.some((r) => r.path.startsWith(`/apis/${groupOf(kind)}/`)), kind).toBe(false);
      }
      expect(api.requests.some((r) => r.path.includes('/rollouts'))).toBe(false);
    }
  });

  it('reports kinds of a group version that aggregated discovery marks stale as undiscoverable, not as absent', async () => {
    const api = await server({ fixtures: ['fixtures/demo'], installed: ['kubeflow.org/Notebook'], staleGroupVersions: ['kubeflow.org/v1', 'kubeflow.org/v1beta1'] });
    const probe = readabilityProbe(['kubeflow.org/Notebook', 'networking.istio.io/Gateway']);
    const report = await scan(api, [probe]);
    expect(messages(report)).toEqual([
      "kubeflow.org/Notebook: forbidden (the API server's discovery of kubeflow.org/v1 is stale: the API service behind it does not answer): []",
      'networking.istio.io/Gateway: readable: [kubeflow/kubeflow-gateway]',
    ]);
    expect(report.coverage.unreadable).toEqual([
      { resource: 'kubeflow.org/Notebook', reason: "API discovery failed: the API server's discovery of kubeflow.org/v1 is stale: the API service behind it does not answer", context: 'c' },
    ]);
    expect(api.requests.some((r) => r.path.includes('notebooks'))).toBe(false);
  });
});
