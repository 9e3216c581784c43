import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../src/core/types.js';
import { buildInventory, extendInventory } from '../src/inventory/inventory.js';
import { guardReads } from '../src/inventory/read-guard.js';
import { containersSettingEnv } from '../src/kube/container-index.js';
import { createResource } from '../src/inventory/resource.js';
import { matchesLabelSelector, matchesMapSelector } from '../src/inventory/selectors.js';

const make = (obj: Partial<KubeObject> & { kind: string; apiVersion: string }) =>
  createResource({ obj: { metadata: { name: 'x' }, ...obj }, origin: { type: 'cluster', context: 't' } });

describe('label selectors', () => {
  const labels = { app: 'web', tier: 'front', env: 'prod' };
  it.each([
    [{ matchLabels: { app: 'web' } }, true],
    [{ matchLabels: { app: 'api' } }, false],
    [{ matchExpressions: [{ key: 'env', operator: 'In', values: ['prod', 'stage'] }] }, true],
    [{ matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }] }, false],
    [{ matchExpressions: [{ key: 'missing', operator: 'NotIn', values: ['x'] }] }, true],
    [{ matchExpressions: [{ key: 'tier', operator: 'Exists' }] }, true],
    [{ matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] }, false],
    [{ matchExpressions: [{ key: 'tier', operator: 'Bogus' }] }, false],
    [{}, true],
  ])('%j -> %s', (selector, expected) => {
    expect(matchesLabelSelector(selector, labels)).toBe(expected);
  });

  it('treats an empty Service selector as selecting nothing', () => {
    expect(matchesMapSelector({}, labels)).toBe(false);
    expect(matchesMapSelector({ app: 'web', tier: 'front' }, labels)).toBe(true);
  });
});

describe('inventory', () => {
  const deployment = make({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'shop' },
    spec: { template: { metadata: { labels: { app: 'web', tier: 'front' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
  });
  const service = make({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'shop' }, spec: { selector: { app: 'web' } } });
  const otherNs = make({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'other' }, spec: { selector: { app: 'web' } } });
  const istioGateway = make({ apiVersion: 'networking.istio.io/v1', kind: 'Gateway', metadata: { name: 'g', namespace: 'shop' } });
  const apiGateway = make({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'g', namespace: 'shop' } });
  const inventory = buildInventory([deployment, service, otherNs, istioGateway, apiGateway], { mode: 'manifests' });

  it('looks kinds up with or without their group', () => {
    expect(inventory.ofKind('Gateway')).toHaveLength(2);
    expect(inventory.ofKind('networking.istio.io/Gateway')).toEqual([istioGateway]);
    expect(inventory.get('gateway.networking.k8s.io/Gateway', 'shop', 'g')).toBe(apiGateway);
    expect(inventory.inNamespace('Service', 'other')).toEqual([otherNs]);
    expect(inventory.get('apps/Deployment', 'shop', 'web')).toBe(deployment);
  });

  it('matches Services to pod templates in the same namespace only', () => {
    const [site] = inventory.podTemplates();
    expect(site!.containers.map((c) => c.path)).toEqual([['spec', 'template', 'spec', 'containers', 0]]);
    expect(inventory.servicesSelecting(site!)).toEqual([service]);
    expect(inventory.podTemplatesMatching('shop', { app: 'web' })).toEqual([site]);
    expect(inventory.podTemplatesMatching('other', { app: 'web' })).toEqual([]);
    expect(inventory.podTemplatesMatching(null, { matchExpressions: [{ key: 'tier', operator: 'In', values: ['front'] }] })).toEqual([site]);
  });

  it('memoises shared analyses', () => {
    let calls = 0;
    const compute = () => ++calls;
    expect(inventory.memo('k', compute)).toBe(1);
    expect(inventory.memo('k', compute)).toBe(1);
  });

  it('defaults namespaces, and keeps cluster-scoped kinds without one', () => {
    expect(make({ apiVersion: 'v1', kind: 'Service' }).ref.namespace).toBe('default');
    expect(make({ apiVersion: 'v1', kind: 'Node' }).ref.namespace).toBeNull();
    expect(createResource({ obj: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' } }, origin: { type: 'cluster', context: 't' }, defaultNamespace: 'kubeflow' }).ref.namespace).toBe('kubeflow');
  });

  it('reports forbidden kinds as such', () => {
    const live = buildInventory([], { mode: 'cluster', context: 'c', forbidden: new Map([['Secret', 'forbidden by RBAC']]) });
    expect(live.readability('Secret')).toEqual({ state: 'forbidden', reason: 'forbidden by RBAC' });
    expect(live.readability('Pod')).toEqual({ state: 'readable' });
    expect(live.wholeCluster).toBe(true);
  });
});

describe('an inventory extended with more objects (live: the Secrets the checks named)', () => {
  const pod = (name: string, env: unknown[]) =>
    make({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'auth' }, spec: { containers: [{ name: 'c', image: 'dex', env }] } });
  const pods = [pod('b', [{ name: 'CLIENT_SECRET', value: 'x' }]), pod('a', [{ name: 'OTHER', value: 'y' }, { name: 'USERID_HEADER', value: 'h' }])];
  const secret = (name: string) => make({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: 'auth' }, data: {} });
  const options = { mode: 'cluster' as const, context: 't' };

  it('holds what buildInventory of all the objects holds, in the same order', () => {
    const base = buildInventory([...pods, secret('z')], options);
    const added = [secret('m'), secret('a')];
    const extended = extendInventory(base, added);
    const built = buildInventory([...pods, secret('z'), ...added], options);
    expect(extended.all()).toEqual(built.all());
    expect(extended.ofKind('Secret').map((s) => s.ref.name)).toEqual(['a', 'm', 'z']);
    expect(extended.get('Secret', 'auth', 'm')).toBe(added[0]);
    expect(extended.podTemplates()).toEqual(built.podTemplates());
  });

  it('keeps the analyses that read none of the added kinds, and works out again those that did', () => {
    const base = buildInventory(pods, options);
    let computed = 0;
    const podNames = () => base.memo('podNames', () => (computed++, base.podTemplates().map((site) => site.resource.ref.name)));
    const secretCount = () => base.memo('secretCount', () => (computed++, base.ofKind('Secret').length));
    // An analysis that reads Secrets through another one is worked out again too.
    const nested = () => base.memo('nested', () => (computed++, base.memo('secretCount', () => base.ofKind('Secret').length) + 1));
    expect([podNames(), secretCount(), nested()]).toEqual([['a', 'b'], 0, 1]);
    expect(computed).toBe(3);

    const extended = extendInventory(base, [secret('s')]);
    expect(extended.memo('podNames', () => ['not kept'])).toEqual(['a', 'b']);
    expect(extended.memo('secretCount', () => extended.ofKind('Secret').length)).toBe(1);
    expect(extended.memo('nested', () => -1)).toBe(-1);
  });

  it('learns what an analysis read when a strict guard computed it, and drops it when it read an added kind', () => {
    const base = buildInventory(pods, options);
    const guarded = guardReads(base, { who: 'test', kinds: ['Pod', 'Secret'], secrets: true });
    expect(guarded.memo('secrets', () => guarded.ofKind('Secret').length)).toBe(0);
    expect(guarded.memo('pods', () => guarded.ofKind('Pod').length)).toBe(2);
    const extended = extendInventory(base, [secret('s')]);
    expect(extended.memo('secrets', () => extended.ofKind('Secret').length)).toBe(1);
    expect(extended.memo('pods', () => -1)).toBe(2);
  });

  it('works out again what read pod templates when a pod-bearing object is added', () => {
    const base = buildInventory([pods[0]!], options);
    expect(base.memo('sites', () => base.podTemplates().length)).toBe(1);
    const extended = extendInventory(base, [pods[1]!]);
    expect(extended.memo('sites', () => extended.podTemplates().length)).toBe(2);
  });

  it('finds the containers setting an env name in pod-template order, each once', () => {
    const inventory = buildInventory([...pods, pod('c', [{ name: 'USERID_HEADER', value: 'h' }, { name: 'USERID_HEADER', value: 'i' }])], options);
    const names = (found: ReturnType<typeof containersSettingEnv>) => found.map((c) => c.pod.resource.ref.name);
    expect(names(containersSettingEnv(inventory, ['USERID_HEADER']))).toEqual(['a', 'c']);
    expect(names(containersSettingEnv(inventory, ['USERID_HEADER', 'CLIENT_SECRET']))).toEqual(['a', 'b', 'c']);
    expect(names(containersSettingEnv(inventory, ['NONE']))).toEqual([]);
  });
});

describe('pod templates of every kind', () => {
  const kinds: Array<[string, Partial<KubeObject> & { kind: string; apiVersion: string }, string[]]> = [
    ['CronJob', { apiVersion: 'batch/v1', kind: 'CronJob', spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: 'a', image: 'i' }] } } } } } }, ['a']],
    ['Workflow', { apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow', spec: { templates: [{ name: 't', container: { image: 'i' } }, { name: 's', script: { image: 'i' } }, { name: 'cs', containerSet: { containers: [{ name: 'x', image: 'i' }] } }] } }, ['main', 'main', 'x']],
    ['CronWorkflow', { apiVersion: 'argoproj.io/v1alpha1', kind: 'CronWorkflow', spec: { workflowSpec: { templates: [{ name: 't', container: { image: 'i' } }] } } }, ['main']],
    ['ScheduledWorkflow', { apiVersion: 'kubeflow.org/v1beta1', kind: 'ScheduledWorkflow', spec: { workflow: { spec: { templates: [{ name: 't', container: { image: 'i' } }] } } } }, ['main']],
    ['TFJob', { apiVersion: 'kubeflow.org/v1', kind: 'TFJob', spec: { tfReplicaSpecs: { PS: { template: { spec: { containers: [{ name: 'ps', image: 'i' }] } } }, Worker: { template: { spec: { containers: [{ name: 'w', image: 'i' }] } } } } } }, ['ps', 'w']],
    ['Notebook', { apiVersion: 'kubeflow.org/v1', kind: 'Notebook', spec: { template: { spec: { containers: [{ name: 'nb', image: 'i' }] } } } }, ['nb']],
    ['TrainJob', { apiVersion: 'trainer.kubeflow.org/v1alpha1', kind: 'TrainJob', spec: { trainer: { image: 'i' } } }, ['trainer']],
    ['InferenceService', { apiVersion: 'serving.kserve.io/v1beta1', kind: 'InferenceService', spec: { predictor: { containers: [{ name: 'kserve-container', image: 'i' }] } } }, ['kserve-container']],
    ['Pod with init and ephemeral', { apiVersion: 'v1', kind: 'Pod', spec: { initContainers: [{ name: 'i', image: 'i' }], containers: [{ name: 'c', image: 'i' }], ephemeralContainers: [{ name: 'e', image: 'i' }] } }, ['i', 'c', 'e']],
    ['wrong types do not crash', { apiVersion: 'apps/v1', kind: 'Deployment', spec: { template: { spec: { containers: 'x' } } } }, []],
    ['spec: 5', { apiVersion: 'v1', kind: 'Pod', spec: 5 }, []],
  ];
  it.each(kinds)('%s', (_name, obj, names) => {
    const inventory = buildInventory([make(obj)], { mode: 'manifests' });
    expect(inventory.podTemplates().flatMap((site) => site.containers.map((c) => c.name))).toEqual(names);
  });
});
