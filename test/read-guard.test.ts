import { describe, expect, it } from 'vitest';
import type { KindName } from '../src/core/types.js';
import { guardReads, strictReadsEnabled, UndeclaredReadError } from '../src/inventory/read-guard.js';
import { POD_TEMPLATE_KINDS } from '../src/inventory/pod-template-kinds.js';
import { inventoryFromYaml } from './helpers/inventory.js';

// The guard is what makes a missing `meta.needs` entry fail a test instead of silently changing what
// `--checks X` and live mode find. These are its rules, one by one; every test runs with it switched on.

const inventory = () =>
  inventoryFromYaml(`
apiVersion: v1
kind: Service
metadata: {name: gateway, namespace: istio-system}
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: kubeflow-gateway, namespace: kubeflow}
---
apiVersion: v1
kind: Secret
metadata: {name: dex, namespace: auth}
`);

const reads = (kinds: readonly KindName[], secrets = false) => ({ who: 'check probe-me', kinds, secrets });

describe('the strict read guard', () => {
  it('is on in the tests', () => {
    expect(strictReadsEnabled()).toBe(true);
    expect(strictReadsEnabled({ KFSCAN_STRICT_READS: '0' })).toBe(false);
  });

  it('serves declared kinds and refuses the others, naming the check and the fix', () => {
    const view = guardReads(inventory(), reads(['Service']));
    expect(view.ofKind('Service').map((r) => r.ref.name)).toEqual(['gateway']);
    expect(() => view.ofKind('networking.istio.io/Gateway')).toThrow(UndeclaredReadError);
    expect(() => view.get('networking.istio.io/Gateway', 'kubeflow', 'kubeflow-gateway')).toThrow(
      'check probe-me read networking.istio.io/Gateway (through get()), which its meta.needs does not list: add "networking.istio.io/Gateway" to meta.needs',
    );
    expect(() => view.all()).toThrow(/every kind \(through all\(\)\)/);
    // Asked again: the verdict is remembered, not forgotten.
    expect(() => view.inNamespace('networking.istio.io/Gateway', 'kubeflow')).toThrow(UndeclaredReadError);
    expect(view.inNamespace('Service', 'istio-system')).toHaveLength(1);
  });

  it('matches a bare built-in kind to its group and a qualified one to its declaration', () => {
    expect(() => guardReads(inventory(), reads(['Service'])).ofKind('v1/Service')).toThrow(UndeclaredReadError);
    expect(guardReads(inventory(), reads(['apps/Deployment'])).ofKind('Deployment')).toEqual([]);
    expect(() => guardReads(inventory(), reads(['Deployment'])).ofKind('example.com/Deployment')).toThrow(UndeclaredReadError);
    // A kind no built-in group has: a bare query is covered by its declaration in any group, and a bare
    // declaration does not cover a qualified query (it would not tell live mode which group to list).
    expect(guardReads(inventory(), reads(['networking.istio.io/Gateway'])).ofKind('Gateway')).toHaveLength(1);
    expect(() => guardReads(inventory(), reads(['Gateway'])).ofKind('networking.istio.io/Gateway')).toThrow(UndeclaredReadError);
  });

  it('serves Secrets only to checks that name the Secrets they compare', () => {
    expect(() => guardReads(inventory(), reads([])).ofKind('Secret')).toThrow(/name the Secrets it compares in meta.namedSecrets or secretsToRead\(\)/);
    expect(guardReads(inventory(), reads([], true)).ofKind('Secret')).toHaveLength(1);
  });

  it('lets pod templates through only when every pod-bearing kind is declared', () => {
    expect(guardReads(inventory(), reads(POD_TEMPLATE_KINDS)).podTemplates()).toEqual([]);
    const [first, ...rest] = POD_TEMPLATE_KINDS;
    expect(() => guardReads(inventory(), reads(rest)).podTemplates()).toThrow(new RegExp(`missing ${first!.replace(/[/.]/g, '\\$&')}`));
    expect(() => guardReads(inventory(), reads(rest)).podTemplatesMatching('kubeflow', {})).toThrow(UndeclaredReadError);
  });

  it('replays the reads of a memoised analysis for every check served from it, nested analyses included', () => {
    const shared = inventory();
    const analysis = (view: ReturnType<typeof guardReads>) =>
      view.memo('gateways-and-services', () => {
        const services = view.memo('services', () => view.ofKind('Service').length + view.ofKind('Service').length);
        return view.ofKind('networking.istio.io/Gateway').length + services;
      });
    expect(analysis(guardReads(shared, reads(['Service', 'networking.istio.io/Gateway'])))).toBe(3);
    // The second check never runs the computation, and still may not see what it did not declare.
    expect(() => analysis(guardReads(shared, reads(['Service'])))).toThrow('check probe-me read networking.istio.io/Gateway (through ofKind())');
    expect(() => guardReads(shared, reads(['networking.istio.io/Gateway'])).memo('services', () => 0)).toThrow('read Service (through ofKind())');
    expect(guardReads(shared, reads(['Service'])).memo('services', () => -1)).toBe(2);
  });
});
