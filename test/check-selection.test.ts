import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinChecks } from '../checks/index.js';
import { builtinGroupOf, parseKindName } from '../src/core/kinds.js';
import type { Check, Finding, KubeObject, Resource } from '../src/core/types.js';
import { analyseInventory } from '../src/engine/analyse.js';
import { scanManifests } from '../src/engine/scan.js';
import { buildInventory } from '../src/inventory/inventory.js';
import { createResource } from '../src/inventory/resource.js';
import { neededKinds } from '../src/live/plan.js';
import { startApiServer, type ApiServer } from './api-server/index.js';
import { CHECKS_DIR, checkIdsWithFixtures, fixtureCases, FIXTURES_DIR } from './helpers/fixtures.js';
import { kindsFor, mutatedFixture, randomObject } from './helpers/fuzz-arbitraries.js';
import { runCli } from './helpers/in-process.js';
import { propertyRuns } from './helpers/property.js';
import { kubeconfigFile, type JsonReport } from './helpers/live.js';

// `--checks X` must give exactly the findings of X in a full run, offline and live: a check sees the same
// objects whether or not other checks were selected. Live, that holds only when the planner lists every
// kind X reads, which the strict read guard (on in all tests) makes sure X declares.

const ROOT = path.resolve(import.meta.dirname, '..');
const RUNS = propertyRuns(20);
const CHECK_SETS = checkIdsWithFixtures()
  .filter((id) => builtinChecks.some((check) => check.meta.id === id))
  .flatMap((id) => fixtureCases(id).map((fixture) => fixture.path));
const DEMO = path.join(FIXTURES_DIR, 'demo');

function line(finding: Pick<Finding, 'checkId' | 'severity' | 'resource' | 'message' | 'fingerprint'>): string {
  const object = finding.resource ? `${finding.resource.kind} ${finding.resource.namespace ?? ''}/${finding.resource.name}` : '(cluster)';
  return `${finding.checkId} ${finding.severity} ${object} ${finding.fingerprint}: ${finding.message}`;
}

function byCheck(findings: readonly Finding[], id: string): string[] {
  return findings.filter((finding) => finding.checkId === id).map(line).sort();
}

/** Each check alone against the full run, on fresh inventories of the same objects (fresh memos too). */
function expectSelectionHolds(resources: readonly Resource[], mode: 'manifests' | 'cluster', name: string): void {
  const fresh = () => buildInventory(resources, { mode, wholeCluster: true, ...(mode === 'cluster' ? { context: 'ctx' } : {}) });
  const full = analyseInventory(fresh(), { checks: builtinChecks });
  expect(full.errors, `${name}: full run`).toEqual([]);
  for (const check of builtinChecks) {
    const alone = analyseInventory(fresh(), { checks: [check] });
    expect(alone.errors, `${name}: ${check.meta.id} alone`).toEqual([]);
    expect(byCheck(alone.findings, check.meta.id), `${name}: --checks ${check.meta.id}`).toEqual(byCheck(full.findings, check.meta.id));
  }
}

/**
 * What live mode would read of these objects for these checks: the kinds the planner lists (a bare kind
 * is the built-in one of that name) and, for checks that name Secrets, the Secrets.
 */
function planned(resources: readonly Resource[], checks: readonly Check[]): Resource[] {
  const kinds = neededKinds(checks).map(parseKindName);
  const secrets = checks.some((check) => (check.meta.namedSecrets?.length ?? 0) > 0 || check.secretsToRead !== undefined);
  return resources.filter((resource) => {
    if (resource.group === '' && resource.ref.kind === 'Secret') return secrets;
    return kinds.some(({ group, kind }) => kind === resource.ref.kind && (group ?? builtinGroupOf(kind) ?? resource.group) === resource.group);
  });
}

function resourcesOf(objects: readonly KubeObject[]): Resource[] {
  return objects.map((obj, index) => createResource({ obj, origin: { type: 'file', file: 'generated.yaml', docIndex: index, itemIndex: null }, defaultNamespace: null }));
}

describe('--checks X gives the findings of X in a full run', () => {
  it.each([DEMO, ...CHECK_SETS].map((set) => [path.relative(ROOT, set), set]))('offline, on %s', async (name, set) => {
    const { inventory } = await scanManifests([path.relative(ROOT, set)], { cwd: ROOT, checks: [] });
    expectSelectionHolds(inventory.all(), 'manifests', name);
  });

  it('offline and as live mode would read them, on generated inputs', () => {
    const objects = fc.array(fc.oneof({ weight: 2, arbitrary: randomObject(kindsFor(builtinChecks)) }, { weight: 3, arbitrary: mutatedFixture }), { minLength: 1, maxLength: 14 });
    fc.assert(
      fc.property(objects, (generated) => {
        const resources = resourcesOf(generated);
        expectSelectionHolds(resources, 'manifests', 'generated');
        // Live mode reads, per selection, what the planner lists: the full run reads the union.
        const fullRead = buildInventory(planned(resources, builtinChecks), { mode: 'cluster', context: 'ctx' });
        const full = analyseInventory(fullRead, { checks: builtinChecks });
        for (const check of builtinChecks) {
          const aloneRead = buildInventory(planned(resources, [check]), { mode: 'cluster', context: 'ctx' });
          const alone = analyseInventory(aloneRead, { checks: [check] });
          expect(alone.errors).toEqual([]);
          expect(byCheck(alone.findings, check.meta.id), `live --checks ${check.meta.id}`).toEqual(byCheck(full.findings, check.meta.id));
        }
      }),
      { numRuns: RUNS, ...(process.env['FUZZ_SEED'] ? { seed: Number(process.env['FUZZ_SEED']) } : {}) },
    );
  });
});

describe('--checks X live, against the test API server', () => {
  // The demo and the inputs of the bugs this test was written for; KFSCAN_LIVE_SELECTION=all adds every
  // check fixture in one cluster and each on its own (some 2,300 scans, a minute on 2 cores).
  const sets: Array<[string, string[]]> = [
    ['the demo', [DEMO]],
    ['a GPU TFJob and Falco without GPU tolerations', [path.join(CHECKS_DIR, 'falco-node-coverage', 'fixtures', 'fail-predicted-gpu-taints.yaml')]],
    ['profile namespaces running pipelines', [path.join(CHECKS_DIR, 'mutable-ml-image', 'fixtures', 'fail-mirrors-ports-and-accounts.yaml')]],
    ['an Argo Rollout', [path.join(CHECKS_DIR, 'mutable-ml-image', 'fixtures', 'fail-argo-rollout.yaml')]],
    ...(process.env['KFSCAN_LIVE_SELECTION'] === 'all'
      ? [['every check fixture at once', CHECK_SETS] as [string, string[]], ...CHECK_SETS.map((set): [string, string[]] => [path.relative(ROOT, set), [set]])]
      : []),
  ];
  const servers = new Map<string, ApiServer>();
  beforeAll(async () => {
    for (const [name, fixtures] of sets) servers.set(name, await startApiServer({ fixtures }));
  });
  afterAll(async () => {
    await Promise.all([...servers.values()].map((server) => server.close()));
  });

  const scan = async (name: string, extra: string[] = []): Promise<JsonReport> => {
    const kubeconfig = kubeconfigFile([{ name: 'selection', server: servers.get(name)! }]);
    // Two connections: a TLS handshake per connection is most of a scan of such a small cluster.
    const run = await runCli(['cluster', '--kubeconfig', kubeconfig, '-f', 'json', '--fail-on', 'none', '--concurrency', '2', ...extra]);
    return JSON.parse(run.stdout) as JsonReport;
  };
  const lines = (report: JsonReport, id: string): string[] =>
    report.findings.filter((f) => f.checkId === id).map((f) => `${f.severity} ${f.resource ? `${f.resource.kind} ${f.resource.namespace ?? ''}/${f.resource.name}` : '(cluster)'}: ${f.message}`).sort();

  it.each(sets.map(([name]) => [name]))('on %s', async (name) => {
    const full = await scan(name);
    expect(full.errors).toEqual([]);
    for (const check of builtinChecks) {
      const alone = await scan(name, ['--checks', check.meta.id]);
      expect(alone.errors).toEqual([]);
      expect(lines(alone, check.meta.id), `--checks ${check.meta.id}`).toEqual(lines(full, check.meta.id));
    }
  });

  it('keeps the GPU growth alert finding of growth-alerts-missing alone (a GPU Workflow in the demo)', async () => {
    const alone = await scan('the demo', ['--checks', 'growth-alerts-missing']);
    expect(lines(alone, 'growth-alerts-missing').some((text) => text.includes('GPU utilisation'))).toBe(true);
  });

  it('keeps falco-node-coverage high alone when a TFJob shows GPU nodes', async () => {
    const alone = await scan('a GPU TFJob and Falco without GPU tolerations', ['--checks', 'falco-node-coverage']);
    expect(alone.findings.map((f) => f.severity)).toEqual(['high']);
  });

  it('reads Argo Rollouts, so their images are judged live as offline', async () => {
    const full = await scan('an Argo Rollout');
    expect(lines(full, 'mutable-ml-image')).toEqual(['medium Rollout team-a/serving: Container model in Rollout team-a/serving runs docker.io/tensorflow/serving:latest-gpu, a mutable reference']);
  });
});
