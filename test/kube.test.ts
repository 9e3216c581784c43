import { describe, expect, it } from 'vitest';
import { resolveServiceHost, isPlaceholder } from '../src/kube/hosts.js';
import { matchesIstioPath } from '../src/kube/istio-policies.js';
import { knownDefault, knownSecretDefault } from '../src/kube/known-defaults.js';
import { classifyRanges } from '../src/kube/service-exposure.js';
import { strategicMerge } from '../src/remediate/strategic-merge.js';

describe('Istio host resolution', () => {
  it.each([
    ['centraldashboard', { name: 'centraldashboard', namespace: 'kubeflow' }],
    ['centraldashboard.other', { name: 'centraldashboard', namespace: 'other' }],
    ['centraldashboard.other.svc', { name: 'centraldashboard', namespace: 'other' }],
    ['centraldashboard.other.svc.cluster.local', { name: 'centraldashboard', namespace: 'other' }],
    ['centraldashboard.other.svc.corp.internal.', { name: 'centraldashboard', namespace: 'other' }],
    ['centraldashboard.CD_NAMESPACE_PLACEHOLDER.svc.CD_CLUSTER_DOMAIN_PLACEHOLDER', { name: 'centraldashboard', namespace: null }],
    ['ml-pipeline-ui.$(kfp-namespace).svc.cluster.local', { name: 'ml-pipeline-ui', namespace: null }],
    ['www.googleapis.com', null],
    ['*.example.com', null],
    ['$(SERVICE).kubeflow.svc', null],
    ['', null],
  ])('%s', (host, expected) => {
    expect(resolveServiceHost(host, 'kubeflow')).toEqual(expected);
  });

  it('recognises unrendered placeholders but not ordinary names', () => {
    expect(isPlaceholder('$(gatewaySelector)')).toBe(true);
    expect(isPlaceholder('CD_NAMESPACE_PLACEHOLDER')).toBe(true);
    expect(isPlaceholder('{{ .Release.Namespace }}')).toBe(true);
    expect(isPlaceholder('ingressgateway')).toBe(false);
  });
});

describe('Istio path patterns', () => {
  it.each([
    ['/dex/*', '/dex/auth', true],
    ['/dex/*', '/', false],
    ['*', '/anything', true],
    ['*.js', '/app.js', true],
    ['/pipeline', '/pipeline/', false],
    ['/pipeline*', '/pipeline/', true],
    ['/dex/{**}', '/dex/a/b', true],
    ['/api/{*}/runs', '/api/v1/runs', true],
    ['/api/{*}/runs', '/api/v1/x/runs', false],
  ])('%s matches %s: %s', (pattern, path, expected) => {
    expect(matchesIstioPath(pattern, path)).toBe(expected);
  });
});

describe('source ranges', () => {
  it.each([
    [[], 'public'],
    [['0.0.0.0/0'], 'public'],
    [['10.0.0.0/8', '0.0.0.0/0'], 'public'],
    [['10.0.0.0/8', '192.168.1.0/24'], 'private'],
    [['203.0.113.0/24', '10.0.0.0/8'], 'limited'],
  ])('%j -> %s', (ranges, reach) => {
    expect(classifyRanges(ranges).reach).toBe(reach);
  });
});

describe('known defaults are compared exactly', () => {
  it('matches the published values, trimmed, and nothing near them', () => {
    expect(knownDefault('password-hash', ' $2y$12$4K/VkmDd1q1Orb3xAt82zu8gk7Ad6ReFR4LCP9UeYE90NLiN9Df72\n')).toMatch(/Kubeflow/);
    expect(knownDefault('password-hash', '$2y$12$4K/VkmDd1q1Orb3xAt82zu8gk7Ad6ReFR4LCP9UeYE90NLiN9Df7')).toBeNull();
    expect(knownDefault('password-hash', '$2y$12$4k/vkmdd1q1orb3xat82zu8gk7ad6refr4lcp9ueye90nlin9df72')).toBeNull();
    expect(knownSecretDefault('7d16fee92f8d11b8940b081b3f8b8acb')?.kind).toBe('cookie-secret');
    expect(knownSecretDefault('pUBnBOY80SnXgjibTYM9ZWNzY2xreNGQok')?.kind).toBe('client-secret');
    expect(knownSecretDefault('something-else')).toBeNull();
  });
});

describe('strategic merge', () => {
  const target = {
    kind: 'Deployment',
    metadata: { name: 'web', labels: { a: '1', b: '2' } },
    spec: { replicas: 1, template: { spec: { containers: [{ name: 'web', image: 'x:1', args: ['--a'] }, { name: 'side', image: 'y:1' }] } } },
  };

  it('merges maps, deletes null keys, merges named lists and honours $patch', () => {
    const merged = strategicMerge(target, {
      metadata: { labels: { b: null, c: '3' } },
      spec: { template: { spec: { containers: [{ name: 'web', image: 'x:2' }, { name: 'side', $patch: 'delete' }, { name: 'new', image: 'z:1' }] } } },
    }) as typeof target;
    expect(merged.metadata.labels).toEqual({ a: '1', c: '3' });
    expect(merged.spec.template.spec.containers).toEqual([
      { name: 'web', image: 'x:2', args: ['--a'] },
      { name: 'new', image: 'z:1' },
    ]);
    expect(strategicMerge(target, { $patch: 'delete' })).toBeNull();
    expect((strategicMerge(target, { spec: { $patch: 'replace', replicas: 3 } }) as { spec: unknown }).spec).toEqual({ replicas: 3 });
    expect(target.spec.template.spec.containers).toHaveLength(2);
  });
});
