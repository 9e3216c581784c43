import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { groupOf } from '../src/core/kinds.js';
import { strategicMerge } from '../src/remediate/strategic-merge.js';
import { ROOT } from './helpers/cli.js';
import { runCli } from './helpers/in-process.js';
import { kubeconfigFile, tempDir, useApiServers } from './helpers/live.js';

// The proof that the kit does what it claims: scan a vulnerable cluster, write the kit, apply it to the
// same objects the way kustomize or kubectl would (new objects added, strategic-merge patches merged, as
// kustomization.yaml lists them; this applier reads only the kit's files), scan again, and check that
// every finding the kit claims is gone and that no finding appeared. Offline, live, and (where a kubectl
// with kustomize is installed) with kustomize itself.

const CLUSTER = 'fixtures/remediate/vulnerable-cluster';
const server = useApiServers();

type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } } & Record<string, unknown>;
interface Index {
  fixes: Array<{ id: string; addresses: Array<{ checkId: string; fingerprint: string }> }>;
  verification: { appeared: unknown[] };
}
interface Report {
  findings: Array<{ checkId: string; fingerprint: string }>;
}

function readObjects(files: string[]): Obj[] {
  return files.flatMap((file) =>
    parseAllDocuments(readFileSync(file, 'utf8'))
      .map((doc) => doc.toJS() as Obj | null)
      .filter((obj): obj is Obj => obj !== null && typeof obj === 'object'),
  );
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => path.join(dir, f));
}

/** Applies a kit directory to objects, reading only kustomization.yaml and the files it lists. */
function applyKit(objects: Obj[], kitDir: string): Obj[] {
  const kustomization = parse(readFileSync(path.join(kitDir, 'kustomization.yaml'), 'utf8')) as { resources: string[]; patches: Array<{ path: string }> };
  const out = [...objects];
  for (const resource of kustomization.resources) out.push(...readObjects([path.join(kitDir, resource)]));
  for (const { path: file } of kustomization.patches) {
    for (const patch of readObjects([path.join(kitDir, file)])) {
      const index = out.findIndex(
        (o) => groupOf(o.apiVersion) === groupOf(patch.apiVersion) && o.kind === patch.kind && o.metadata.name === patch.metadata.name && (o.metadata.namespace ?? null) === (patch.metadata.namespace ?? null),
      );
      expect(index, `${file} finds its target`).toBeGreaterThanOrEqual(0);
      out[index] = strategicMerge(out[index], patch) as Obj;
    }
  }
  return out;
}

function fingerprints(report: Report): Set<string> {
  return new Set(report.findings.map((f) => f.fingerprint));
}

/** The proof itself: what the kit claims is gone, and nothing is new. */
function expectProof(before: Report, after: Report, index: Index): void {
  const claimed = index.fixes.flatMap((fix) => fix.addresses);
  expect(claimed.length).toBeGreaterThanOrEqual(12);
  const beforeSet = fingerprints(before);
  const afterSet = fingerprints(after);
  for (const claim of claimed) {
    expect(beforeSet.has(claim.fingerprint), `${claim.checkId} was reported before`).toBe(true);
    expect(afterSet.has(claim.fingerprint), `${claim.checkId} ${claim.fingerprint} is gone`).toBe(false);
  }
  expect(after.findings.filter((f) => !beforeSet.has(f.fingerprint))).toEqual([]);
  expect(index.verification.appeared).toEqual([]);
  expect(new Set(claimed.map((c) => c.checkId))).toEqual(
    new Set(['ingress-gateway-exposed', 'kubeflow-dashboard-exposed', 'sensitive-ui-exposed', 'default-credentials', 'falco-miner-rules', 'falco-node-coverage', 'growth-alerts-missing', 'egress-unrestricted', 'namespace-quota-missing']),
  );
}

async function scanJson(args: string[]): Promise<Report> {
  const run = await runCli(['scan', ...args, '--whole-cluster', '--format', 'json', '--fail-on', 'none']);
  expect(run.stderr).toBe('');
  return JSON.parse(run.stdout) as Report;
}

function readIndex(kitDir: string): Index {
  return JSON.parse(readFileSync(path.join(kitDir, 'kfscan-remediation.json'), 'utf8')) as Index;
}

describe('kfscan remediate: the kit clears what it claims', () => {
  it('offline: scan, remediate, apply the kit to the same objects, scan again', async () => {
    const kitDir = path.join(tempDir('kfscan-kit-'), 'kit');
    const run = await runCli(['remediate', CLUSTER, '--whole-cluster', '--out-dir', kitDir]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('fixes clearing 12 of 14 findings');
    expect(run.stdout).toContain('  egress-unrestricted: 2 -> 0');
    const before = await scanJson([CLUSTER]);
    const afterDir = tempDir('kfscan-after-');
    const patched = applyKit(readObjects(yamlFiles(path.join(ROOT, CLUSTER))), kitDir);
    writeFileSync(path.join(afterDir, 'cluster.yaml'), patched.map((o) => stringify(o)).join('---\n'));
    expectProof(before, await scanJson([afterDir]), readIndex(kitDir));
  });

  const kustomize = spawnSync('kubectl', ['kustomize', '--help'], { encoding: 'utf8' });
  it.skipIf(kustomize.status !== 0)('with kustomize itself: the kit as a Component of an overlay over the same manifests', async () => {
    const work = tempDir('kfscan-kustomize-');
    const kitDir = path.join(work, 'kit');
    expect((await runCli(['remediate', CLUSTER, '--whole-cluster', '--out-dir', kitDir])).code).toBe(0);
    mkdirSync(path.join(work, 'base'));
    mkdirSync(path.join(work, 'overlay'));
    cpSync(path.join(ROOT, CLUSTER), path.join(work, 'base'), { recursive: true });
    const bases = readdirSync(path.join(work, 'base')).filter((f) => f.endsWith('.yaml'));
    writeFileSync(path.join(work, 'base', 'kustomization.yaml'), stringify({ resources: bases }));
    writeFileSync(path.join(work, 'overlay', 'kustomization.yaml'), stringify({ resources: ['../base'], components: ['../kit'] }));
    const built = spawnSync('kubectl', ['kustomize', path.join(work, 'overlay')], { encoding: 'utf8' });
    expect(built.status, built.stderr).toBe(0);
    writeFileSync(path.join(work, 'after.yaml'), built.stdout);
    expectProof(await scanJson([CLUSTER]), await scanJson([path.join(work, 'after.yaml')]), readIndex(kitDir));
  });

  it('live: read the cluster, remediate, load the patched objects into a new API server, scan it', async () => {
    const objects = readObjects(yamlFiles(path.join(ROOT, CLUSTER)));
    const api = await server({ objects });
    const kitDir = path.join(tempDir('kfscan-live-kit-'), 'kit');
    const config = kubeconfigFile([{ name: 'prod', server: api }]);
    const remediate = await runCli(['remediate', '--cluster', '--kubeconfig', config, '--out-dir', kitDir]);
    expect(remediate.code, remediate.stderr).toBe(0);
    expect(api.requests.every((r) => r.method === 'GET'), 'remediate only reads').toBe(true);
    const before = await runCli(['cluster', '--kubeconfig', config, '--format', 'json', '--fail-on', 'none']);
    // The live kit removes node ports the manifests give, as it would on objects the API server filled in.
    expect(readFileSync(path.join(kitDir, 'patches/service-istio-system-istio-ingressgateway-clusterip.yaml'), 'utf8')).toContain('nodePort: null');
    const patchedApi = await server({ objects: applyKit(objects, kitDir) });
    const after = await runCli(['cluster', '--kubeconfig', kubeconfigFile([{ name: 'prod', server: patchedApi }]), '--format', 'json', '--fail-on', 'none']);
    expectProof(JSON.parse(before.stdout) as Report, JSON.parse(after.stdout) as Report, readIndex(kitDir));
  });
});

describe('kfscan remediate: the output directory and the command line', () => {
  it('refuses a non-empty directory; --force replaces an earlier kit and leaves other files alone', async () => {
    const dir = tempDir('kfscan-kit-dir-');
    writeFileSync(path.join(dir, 'notes.txt'), 'mine');
    const refused = await runCli(['remediate', CLUSTER, '--whole-cluster', '--out-dir', dir]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('is not empty');
    expect(readdirSync(dir)).toEqual(['notes.txt']);

    expect((await runCli(['remediate', CLUSTER, '--whole-cluster', '--out-dir', dir, '--force'])).code).toBe(0);
    expect(existsSync(path.join(dir, 'resources/resourcequota-kubeflow-user-example-com.yaml'))).toBe(true);
    // A second kit for fewer findings: files of the first that the second does not write are removed.
    const again = await runCli(['remediate', CLUSTER, '--whole-cluster', '--out-dir', dir, '--force', '--checks', 'ingress-gateway-exposed']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain('also holds files kfscan did not write: notes.txt');
    expect(existsSync(path.join(dir, 'resources/resourcequota-kubeflow-user-example-com.yaml'))).toBe(false);
    expect(existsSync(path.join(dir, 'notes.txt'))).toBe(true);
    const kustomization = parse(readFileSync(path.join(dir, 'kustomization.yaml'), 'utf8')) as { resources: string[]; patches: Array<{ path: string }> };
    expect(kustomization).toMatchObject({ resources: [], patches: [{ path: 'patches/service-istio-system-istio-ingressgateway-clusterip.yaml' }] });
  });

  it('writes no kit when there is nothing to fix', async () => {
    const work = tempDir('kfscan-kit-none-');
    const dir = path.join(work, 'kit');
    writeFileSync(path.join(work, 'web.yaml'), 'apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\nspec:\n  selector: {app: web}\n  ports: [{port: 80}]\n');
    const run = await runCli(['remediate', path.join(work, 'web.yaml'), '--out-dir', dir]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('no findings: nothing to remediate');
    expect(existsSync(dir)).toBe(false);
  });

  it.each([
    [['remediate', CLUSTER], 'needs --out-dir'],
    [['remediate', CLUSTER, '--out-dir', 'x', '--quota-pods', 'ten'], '--quota-pods takes a whole number'],
    [['remediate', CLUSTER, '--out-dir', 'x', '--gpu-util-percent', '150'], 'at most 100'],
    [['remediate', CLUSTER, '--out-dir', 'x', '--cluster'], 'either paths to scan or --cluster'],
  ])('rejects %j', async (args, message) => {
    const run = await runCli(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
  });
});
