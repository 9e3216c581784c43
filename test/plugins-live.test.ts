// Plugins in live mode against the test API server: kfscan reads exactly what the plugin checks need (their
// `needs`), the findings carry the context, and a plugin gives the same findings live as offline. The first
// live scan runs the built binary; the others run in one kfscan session (plugins loaded by Node's loader).
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { kfscanAsync, ROOT } from './helpers/cli.js';
import { useCliSession } from './helpers/cli-session-client.js';
import { kubeconfigFile, useApiServers, type JsonReport } from './helpers/live.js';

const server = useApiServers();
const session = useCliSession('plugins-live');

const PDB = {
  apiVersion: 'policy/v1',
  kind: 'PodDisruptionBudget',
  metadata: { name: 'trainer', namespace: 'kubeflow-user-example-com' },
  spec: { maxUnavailable: 0, selector: { matchLabels: { app: 'trainer' } } },
};

// A plugin whose only kind no built-in check reads, so that the request log shows `needs` at work.
const PDB_PLUGIN = `export default {
  apiVersion: 1,
  name: 'acme-pdb',
  checks: [{
    meta: {
      id: 'acme-pdb-blocks-drain', title: 'PodDisruptionBudget blocks node drains', category: 'hardening', severity: 'low',
      description: 'maxUnavailable 0 blocks drains.', rationale: 'Nodes must be drainable to patch them.', remediation: 'Allow one pod to be unavailable.',
      tags: [], needs: ['policy/PodDisruptionBudget'],
    },
    *run(inventory) {
      for (const pdb of inventory.ofKind('policy/PodDisruptionBudget')) {
        if (pdb.obj.spec?.maxUnavailable === 0) yield { resource: pdb, path: ['spec', 'maxUnavailable'], message: \`PodDisruptionBudget \${pdb.ref.namespace}/\${pdb.ref.name} allows no pod to be unavailable (\${inventory.mode})\` };
      }
    },
  }],
};
`;

let dir: string;
let pdbPlugin: string;
let config: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'kfscan-live-plugins-'));
  pdbPlugin = path.join(dir, 'pdb.mjs');
  writeFileSync(pdbPlugin, PDB_PLUGIN);
  cpSync(path.join(ROOT, 'examples', 'plugin-approved-registries'), path.join(dir, 'approved-registries'), { recursive: true });
  config = path.join(dir, '.kfscan.yaml');
  writeFileSync(config, 'plugins:\n  - plugin: ./approved-registries\n    options:\n      registries: [registry.acme.example]\n');
});

const PLUGIN_CHECKS = new Set(['acme-pdb-blocks-drain', 'ml-image-unapproved-registry']);

describe('plugins in kfscan cluster', () => {
  it('list what the plugin checks need, report with the context, and match the offline findings', async () => {
    const api = await server({ fixtures: ['fixtures/demo'], objects: [PDB] });
    const kubeconfig = kubeconfigFile([{ name: 'lab', server: api }]);
    const run = await kfscanAsync(['cluster', '--kubeconfig', kubeconfig, '-f', 'json', '--fail-on', 'none', '--config', config, '--plugin', pdbPlugin]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as JsonReport & { tool: { plugins: Array<{ name: string }> } };
    expect(report.errors).toEqual([]);
    expect(report.tool.plugins.map((p) => p.name)).toEqual(['approved-registries', 'acme-pdb']);
    const live = report.findings.filter((f) => PLUGIN_CHECKS.has(f.checkId));
    expect(live.find((f) => f.checkId === 'acme-pdb-blocks-drain')).toMatchObject({
      context: 'lab',
      location: null,
      resource: { kind: 'PodDisruptionBudget', namespace: 'kubeflow-user-example-com', name: 'trainer' },
      message: 'PodDisruptionBudget kubeflow-user-example-com/trainer allows no pod to be unavailable (cluster)',
    });
    expect(api.requests.filter((r) => r.path === '/apis/policy/v1/poddisruptionbudgets').map((r) => r.method)).toEqual(['GET']);
    expect(api.requests.filter((r) => r.method !== 'GET')).toEqual([]);

    // The example plugin sees live what it sees in the manifests the server was filled from.
    const offline = JSON.parse((await session(['scan', 'fixtures/demo', '-f', 'json', '--fail-on', 'none', '--config', config])).stdout) as JsonReport;
    const messages = (findings: JsonReport['findings']) => findings.filter((f) => f.checkId === 'ml-image-unapproved-registry').map((f) => f.message).sort();
    expect(messages(live).length).toBeGreaterThan(0);
    expect(messages(live)).toEqual(messages(offline.findings));

    // Without the plugin, nothing reads PodDisruptionBudgets.
    api.requests.length = 0;
    await session(['cluster', '--kubeconfig', kubeconfig, '-f', 'json', '--fail-on', 'none', '--no-config']);
    expect(api.requests.some((r) => r.path.includes('poddisruptionbudgets'))).toBe(false);
  });

  it('--check-access asks for the plugin checks\' kinds, and RBAC denial makes them coverage gaps', async () => {
    const api = await server({ fixtures: ['fixtures/demo'], objects: [PDB], forbid: [{ group: 'policy', resource: 'poddisruptionbudgets' }] });
    const kubeconfig = kubeconfigFile([{ name: 'audit', server: api }]);
    const access = await session(['cluster', '--kubeconfig', kubeconfig, '--check-access', '--no-config', '--plugin', pdbPlugin]);
    expect(access.code).toBe(3);
    expect(access.stdout).toMatch(/^ {2}CANNOT list poddisruptionbudgets\.policy\b/m);

    const scan = await session(['cluster', '--kubeconfig', kubeconfig, '-f', 'json', '--fail-on', 'none', '--no-config', '--plugin', pdbPlugin]);
    const report = JSON.parse(scan.stdout) as JsonReport;
    expect(report.coverage.unreadable).toEqual([expect.objectContaining({ resource: 'poddisruptionbudgets.policy', reason: expect.stringContaining('forbidden') })]);
    expect(report.findings.filter((f) => f.checkId === 'acme-pdb-blocks-drain')).toEqual([]);
  });

  it('a plugin check that throws in live mode loses only its own findings', async () => {
    const api = await server({ fixtures: ['fixtures/demo'] });
    const kubeconfig = kubeconfigFile([{ name: 'lab', server: api }]);
    const baseline = JSON.parse((await session(['cluster', '--kubeconfig', kubeconfig, '-f', 'json', '--fail-on', 'none', '--no-config'])).stdout) as JsonReport;
    const broken = path.join(ROOT, 'test', 'plugins', 'broken', 'throws-in-run.mjs');
    const copy = path.join(dir, 'throws-in-run.mjs');
    cpSync(broken, copy);
    const run = await session(['cluster', '--kubeconfig', kubeconfig, '-f', 'json', '--fail-on', 'none', '--no-config', '--plugin', copy]);
    expect(run.code).toBe(3);
    const report = JSON.parse(run.stdout) as JsonReport;
    expect(report.findings.filter((f) => !f.checkId.startsWith('broken-'))).toEqual(baseline.findings);
    expect(report.errors).toContainEqual({
      context: 'lab',
      message: `check broken-throws of plugin throws-in-run (${copy}) failed: TypeError: Cannot read properties of undefined (reading 'ports') (at throws-in-run.mjs:22:50)`,
    });
  });
});
