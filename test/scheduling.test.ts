import { describe, expect, it } from 'vitest';
import {
  daemonSetExclusion,
  describeExclusion,
  matchesNodeSelectorTerms,
  parseTaints,
  parseTolerations,
  tolerates,
  type SchedulingNode,
  type Taint,
  type Toleration,
} from '../src/kube/scheduling.js';

const tol = (t: Partial<Toleration>): Toleration => ({ key: '', operator: '', value: '', effect: '', ...t });
const GPU: Taint = { key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' };

describe('tolerates (Kubernetes ToleratesTaint)', () => {
  it.each([
    ['Exists with an empty key tolerates every taint', tol({ operator: 'Exists' }), GPU, true],
    ['Exists with an empty key and an effect only that effect', tol({ operator: 'Exists', effect: 'NoExecute' }), GPU, false],
    ['Exists on the key ignores the value', tol({ key: 'nvidia.com/gpu', operator: 'Exists' }), GPU, true],
    ['Exists on another key', tol({ key: 'amd.com/gpu', operator: 'Exists' }), GPU, false],
    ['Equal needs the same value', tol({ key: 'nvidia.com/gpu', operator: 'Equal', value: 'present' }), GPU, true],
    ['Equal with another value', tol({ key: 'nvidia.com/gpu', operator: 'Equal', value: 'true' }), GPU, false],
    ['no operator means Equal', tol({ key: 'nvidia.com/gpu', value: 'present' }), GPU, true],
    ['no operator and no value against a valued taint', tol({ key: 'nvidia.com/gpu' }), GPU, false],
    ['no operator and no value against an empty-valued taint', tol({ key: 'nvidia.com/gpu' }), { ...GPU, value: '' }, true],
    ['an empty effect matches any effect', tol({ key: 'nvidia.com/gpu', operator: 'Exists' }), { ...GPU, effect: 'NoExecute' }, true],
    ['a different effect does not match', tol({ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoExecute' }), GPU, false],
    ['an empty key with Equal is invalid and tolerates nothing', tol({ operator: 'Equal', value: 'present' }), GPU, false],
    ['an unknown operator tolerates nothing', tol({ key: 'nvidia.com/gpu', operator: 'Gt', value: '1' }), GPU, false],
  ])('%s', (_name, toleration, taint, expected) => {
    expect(tolerates(toleration, taint)).toBe(expected);
  });

  it('reads odd input without throwing', () => {
    expect(parseTolerations([null, 'x', { key: 1, operator: 'Exists' }])).toEqual([tol({ operator: 'Exists' })]);
    expect(parseTaints([{ effect: 'NoSchedule' }, { key: 'a', value: 2, effect: 'NoSchedule' }])).toEqual([{ key: 'a', value: '', effect: 'NoSchedule' }]);
    expect(parseTolerations('nope')).toEqual([]);
  });
});

describe('daemonSetExclusion', () => {
  const node = (labels: Record<string, string>, taints: Taint[] = []): SchedulingNode => ({ name: 'n1', labels, taints });

  it('keeps a DaemonSet off a node whose blocking taint it does not tolerate', () => {
    const spec = { tolerations: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] };
    const exclusion = daemonSetExclusion(spec, node({}, [GPU]));
    expect(exclusion).toEqual({ kind: 'taint', taint: GPU });
    expect(describeExclusion(exclusion!)).toBe('taint nvidia.com/gpu=present:NoSchedule not tolerated');
  });

  it('ignores PreferNoSchedule and the taints the DaemonSet controller tolerates by itself', () => {
    const taints: Taint[] = [
      { key: 'spot', value: 'true', effect: 'PreferNoSchedule' },
      { key: 'node.kubernetes.io/unschedulable', value: '', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/not-ready', value: '', effect: 'NoExecute' },
      { key: 'node.kubernetes.io/memory-pressure', value: '', effect: 'NoSchedule' },
    ];
    expect(daemonSetExclusion({}, node({}, taints))).toBeNull();
    const network: Taint = { key: 'node.kubernetes.io/network-unavailable', value: '', effect: 'NoSchedule' };
    expect(daemonSetExclusion({}, node({}, [network]))?.kind).toBe('taint');
    expect(daemonSetExclusion({ hostNetwork: true }, node({}, [network]))).toBeNull();
  });

  it('tolerates everything with a bare Exists toleration', () => {
    expect(daemonSetExclusion({ tolerations: [{ operator: 'Exists' }] }, node({}, [GPU, { key: 'x', value: 'y', effect: 'NoExecute' }]))).toBeNull();
  });

  it('applies nodeSelector and required node affinity', () => {
    expect(daemonSetExclusion({ nodeSelector: { pool: 'general' } }, node({ pool: 'gpu' }))).toEqual({ kind: 'node-selector', key: 'pool', wanted: 'general' });
    expect(daemonSetExclusion({ nodeSelector: { pool: 'gpu' } }, node({ pool: 'gpu' }))).toBeNull();
    const affinity = (expressions: unknown[]) => ({
      affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: expressions }] } } },
    });
    expect(daemonSetExclusion(affinity([{ key: 'nvidia.com/gpu.present', operator: 'DoesNotExist' }]), node({ 'nvidia.com/gpu.present': 'true' }))).toEqual({ kind: 'affinity' });
    expect(daemonSetExclusion(affinity([{ key: 'kubernetes.io/os', operator: 'In', values: ['linux'] }]), node({ 'kubernetes.io/os': 'linux' }))).toBeNull();
  });
});

describe('matchesNodeSelectorTerms', () => {
  const node: SchedulingNode = { name: 'gpu-1', labels: { zone: 'a', gpus: '4' }, taints: [] };
  it.each([
    ['terms are ORed', [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['b'] }] }, { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }], true],
    ['requirements in a term are ANDed', [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }, { key: 'gpus', operator: 'Gt', values: ['8'] }] }], false],
    ['Gt compares integers', [{ matchExpressions: [{ key: 'gpus', operator: 'Gt', values: ['2'] }] }], true],
    ['Lt compares integers', [{ matchExpressions: [{ key: 'gpus', operator: 'Lt', values: ['2'] }] }], false],
    ['NotIn holds for a missing label', [{ matchExpressions: [{ key: 'pool', operator: 'NotIn', values: ['x'] }] }], true],
    ['matchFields reads the node name', [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['gpu-1'] }] }], true],
    ['an empty term matches nothing', [{}], false],
    ['no terms match nothing', [], false],
  ])('%s', (_name, terms, expected) => {
    expect(matchesNodeSelectorTerms(terms, node)).toBe(expected);
  });
});
