import { describe, expect, it } from 'vitest';
import { toLiveObject } from '../src/live/list.js';
import { shareEqualValues } from '../src/live/prune.js';

const pods = { group: '', version: 'v1', kind: 'Pod' };

describe('pruning live objects', () => {
  it('drops what no check reads from a Pod, keeps what checks read, and writes out as JSON without it', () => {
    const item = {
      metadata: {
        name: 'trainer-0',
        namespace: 'ml',
        uid: '0b9c1f7e-1c1f-4a64-9b0e-3c2f5c1d2e3f',
        resourceVersion: '4242',
        generation: 3,
        labels: { app: 'trainer' },
        annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"big":"copy"}', team: 'ml' },
        ownerReferences: [{ kind: 'Job', name: 'trainer', controller: true }],
        managedFields: [{ manager: 'kubelet', fieldsV1: { 'f:status': {} } }],
      },
      spec: { containers: [{ name: 'main', image: 'tensorflow/tensorflow:latest-gpu' }] },
      status: {
        phase: 'Running',
        podIP: '10.0.0.7',
        startTime: '2026-01-05T08:00:00Z',
        conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2026-01-05T08:00:03Z' }],
        containerStatuses: [{ name: 'main', image: 'tensorflow/tensorflow:latest-gpu', imageID: 'docker.io/tensorflow/tensorflow@sha256:ab', ready: true, restartCount: 0, containerID: 'containerd://1', state: { running: {} } }],
      },
    };
    const pruned = toLiveObject(structuredClone(item), pods)!;
    expect(JSON.parse(JSON.stringify(pruned))).toEqual({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'trainer-0', namespace: 'ml', labels: { app: 'trainer' }, annotations: { team: 'ml' }, ownerReferences: [{ kind: 'Job', name: 'trainer', controller: true }] },
      spec: item.spec,
      status: {
        phase: 'Running',
        conditions: [{ type: 'Ready', status: 'True' }],
        containerStatuses: [{ name: 'main', image: 'tensorflow/tensorflow:latest-gpu', imageID: 'docker.io/tensorflow/tensorflow@sha256:ab', ready: true, restartCount: 0 }],
      },
    });
    expect(pruned.metadata['managedFields']).toBeUndefined();
    expect(pruned.metadata.annotations).toEqual({ team: 'ml' });
  });

  it('drops ConfigMap binaryData and the image list of Nodes, and never turns a __proto__ key into a prototype', () => {
    const configMap = toLiveObject({ metadata: { name: 'c' }, data: { a: 'b' }, binaryData: { blob: 'AAAA' } }, { group: '', version: 'v1', kind: 'ConfigMap' })!;
    expect(JSON.parse(JSON.stringify(configMap))).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: 'b' } });
    const node = toLiveObject({ metadata: { name: 'n' }, status: { images: [{ names: ['x'] }], addresses: [{ type: 'ExternalIP', address: '203.0.113.9' }] } }, { group: '', version: 'v1', kind: 'Node' })!;
    expect(JSON.parse(JSON.stringify(node.status))).toEqual({ addresses: [{ type: 'ExternalIP', address: '203.0.113.9' }] });
    const hostile = toLiveObject(JSON.parse('{"metadata":{"name":"p"},"status":{"phase":"Running","__proto__":{"polluted":true}}}'), pods)!;
    expect(Object.getPrototypeOf(hostile.status)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(JSON.parse(JSON.stringify(hostile.status))).toEqual({ phase: 'Running' });
  });
});

interface PagePod {
  metadata: { labels: Record<string, string> };
  spec: { containers: Array<{ args: string[] }>; tolerations: unknown[] };
  status: { phase: string };
}

describe('sharing equal values within a page', () => {
  const page = (): PagePod[] =>
    JSON.parse(
      JSON.stringify(
        ['a', 'b', 'c'].map((suffix, index) => ({
          metadata: { name: `trainer-${suffix}`, namespace: 'ml', labels: { app: 'trainer', 'pod-template-hash': '7d9f8c6b5' } },
          spec: {
            containers: [{ name: 'main', image: 'registry.example.com/ml/trainer:1.4.2', args: ['--epochs', '10'], resources: { limits: { 'nvidia.com/gpu': 1 } } }],
            nodeName: `gpu-node-${index % 2}`,
            tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
          },
          status: { phase: index === 2 ? 'Pending' : 'Running' },
        })),
      ),
    );

  it('makes equal parts of different objects one value and leaves every object equal to what was parsed', () => {
    const items = page();
    const parsed = structuredClone(items);
    shareEqualValues(items);
    expect(items).toEqual(parsed);
    const [a, b, c] = items as [PagePod, PagePod, PagePod];
    expect(b.spec.containers).toBe(a.spec.containers);
    expect(c.spec.tolerations).toBe(a.spec.tolerations);
    expect(b.metadata.labels).toBe(a.metadata.labels);
    expect(b.status).toBe(a.status);
    // Parts that differ stay apart: b runs on another node, c is pending, each has a name of its own.
    expect(c.status).not.toBe(a.status);
    expect(b.spec).not.toBe(a.spec);
    expect(b.metadata).not.toBe(a.metadata);
    // Equal parts are shared whole: c runs where a does, with the same containers.
    expect(c.spec).toBe(a.spec);
  });

  it('shares nothing between values that differ only deep inside, nor across a __proto__ key', () => {
    const items = page();
    const [a, b, c] = items as [PagePod, PagePod, PagePod];
    b.spec.containers[0]!.args[1] = '11';
    const hostile = JSON.parse('{"metadata":{"name":"p"},"spec":{"__proto__":{"polluted":true},"containers":[]}}') as { spec: object };
    const twin = JSON.parse('{"metadata":{"name":"q"},"spec":{"__proto__":{"polluted":true},"containers":[]}}') as { spec: object };
    shareEqualValues([...items, hostile, twin]);
    expect(b.spec.containers).not.toBe(a.spec.containers);
    expect(b.spec.containers[0]!.args).toEqual(['--epochs', '11']);
    expect(c.spec.containers).toBe(a.spec.containers);
    // A part under a __proto__ key is never written back (that would set the prototype).
    for (const spec of [hostile.spec, twin.spec]) {
      expect(Object.getPrototypeOf(spec)).toBe(Object.prototype);
      expect(JSON.stringify(spec)).toBe('{"__proto__":{"polluted":true},"containers":[]}');
    }
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('stays correct when many values share a hash: the first few are shared, the rest kept as they are', () => {
    // One value under keys of their own: a hash of the values alone is the same for every one of them.
    const items = Array.from({ length: 50 }, (_, index) => ({ metadata: { name: `pod-${index}` }, spec: { labels: { [`key-${index}`]: 'same' } } }));
    const twins = [0, 49].map((index) => structuredClone(items[index]!));
    const parsed = structuredClone([...items, ...twins]);
    const page = [...items, ...twins];
    shareEqualValues(page);
    expect(page).toEqual(parsed);
    expect(twins[0]!.spec.labels).toBe(items[0]!.spec.labels);
    expect(twins[1]!.spec.labels).not.toBe(items[49]!.spec.labels);
  });
});
